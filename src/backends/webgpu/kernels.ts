// Assembles every WGSL kernel from the sections in shaders/ (embedded by
// scripts/build-shaders.mjs), plus the few generated lines that pick an op, a
// dtype or a tile shape. This is the only place that writes WGSL text; each
// function returns a source and a cache key that names the variant.

import type { BinaryOp, DType, OptimizerRule, RandomDistribution, ReduceOp, UnaryOp } from '../backend.js';
import { WGSL } from '../../generated/shaders.js';

/**
 * Binding layout, one letter per binding from 0: 'u' uniform, 'r' read-only
 * storage, 'w' read-write storage.
 */
export type BindingSignature = string;

export interface KernelSource {
  /** Names the variant: equal keys mean equal code, entry point and constants. */
  readonly key: string;
  readonly code: string;
  readonly entryPoint: string;
  readonly bindings: BindingSignature;
  /** Pipeline-overridable constants (the workgroup size of 1-D kernels). */
  readonly constants: Readonly<Record<string, number>>;
}

type SectionRef = readonly [keyof typeof WGSL, string];

// Every kernel function is called once per dispatch: keep each assembled source,
// keyed by the function's arguments, so that a dispatch only looks it up.
const cache = new Map<string, KernelSource>();
function memo(key: string, make: () => KernelSource): KernelSource {
  let source = cache.get(key);
  if (!source) {
    source = make();
    cache.set(key, source);
  }
  return source;
}

function section([file, name]: SectionRef): string {
  const text = (WGSL[file] as Readonly<Record<string, string>>)[name];
  if (text === undefined) throw new Error(`webgpu: shaders/${file}.wgsl has no section '${name}'`);
  return text;
}

function assemble(parts: readonly (SectionRef | string)[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : section(p))).join('\n');
}

const COMMON: SectionRef = ['common', 'main'];

function hasFunction(file: keyof typeof WGSL, name: string): boolean {
  return section([file, 'main']).includes(`fn ${name}(`);
}

/** The WGSL expression that reads a raw word `w` as an f32 value of dtype `d`. */
function asF32(d: DType, w: string): string {
  return d === 'f32' ? `bitcast<f32>(${w})` : `f32(bitcast<i32>(${w}))`;
}

/** The WGSL expression that stores an f32 value `v` as a word of dtype `d`. */
function fromF32(d: DType, v: string): string {
  return d === 'f32' ? `bitcast<u32>(${v})` : `bitcast<u32>(f32_to_i32(${v}))`;
}

function fromBool(d: DType, v: string): string {
  return d === 'f32' ? `select(0u, 0x3f800000u, ${v})` : `select(0u, 1u, ${v})`;
}

function nonzero(d: DType, w: string): string {
  return d === 'f32' ? `f32_bits_nonzero(${w})` : `(${w} != 0u)`;
}

function elementwise(name: string, key: string, glue: string, libraries: readonly SectionRef[], wg: number, bindings: string): KernelSource {
  return {
    key: `${name}:${key}:wg${wg}`,
    code: assemble([COMMON, ['strided', 'main'], ...libraries, glue, [name as keyof typeof WGSL, 'main']]),
    entryPoint: 'main',
    bindings,
    constants: { WG: wg },
  };
}

export function unaryKernel(op: UnaryOp, from: DType, to: DType, wg: number): KernelSource {
  return memo(`unary|${op}|${from}|${to}|${wg}`, () => makeUnary(op, from, to, wg));
}

function makeUnary(op: UnaryOp, from: DType, to: DType, wg: number): KernelSource {
  let body: string;
  if (op === 'logicalNot') {
    body = fromBool(to, `!${nonzero(from, 'w')}`);
  } else if (from === 'i32' && to === 'i32' && hasFunction('unary-ops', `unary_i32_${op}`)) {
    body = `bitcast<u32>(unary_i32_${op}(bitcast<i32>(w), params.args))`;
  } else {
    body = fromF32(to, `unary_${op}(${asF32(from, 'w')}, params.args)`);
  }
  const glue = `fn apply(w: u32) -> u32 { return ${body}; }`;
  return elementwise('unary', `${op}:${from}>${to}`, glue, [['unary-ops', 'main']], wg, 'urw');
}

const BOOLEAN_BINARY = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or']);

export function binaryKernel(op: BinaryOp, from: DType, to: DType, wg: number): KernelSource {
  return memo(`binary|${op}|${from}|${to}|${wg}`, () => makeBinary(op, from, to, wg));
}

function makeBinary(op: BinaryOp, from: DType, to: DType, wg: number): KernelSource {
  const integer = from === 'i32' && hasFunction('binary-ops', `binary_i32_${op}`);
  const call = integer
    ? `binary_i32_${op}(bitcast<i32>(x), bitcast<i32>(y), params.args)`
    : `binary_${op}(${asF32(from, 'x')}, ${asF32(from, 'y')}, params.args)`;
  let body: string;
  if (BOOLEAN_BINARY.has(op)) body = fromBool(to, call);
  else if (integer) body = to === 'i32' ? `bitcast<u32>(${call})` : `bitcast<u32>(f32(${call}))`;
  else body = fromF32(to, call);
  const glue = `fn apply(x: u32, y: u32) -> u32 { return ${body}; }`;
  return elementwise('binary', `${op}:${from}>${to}`, glue, [['unary-ops', 'main'], ['binary-ops', 'main']], wg, 'urrw');
}

export function whereKernel(condition: DType, wg: number): KernelSource {
  return memo(`where|${condition}|${wg}`, () => {
    const glue = `fn is_true(w: u32) -> bool { return ${nonzero(condition, 'w')}; }`;
    return elementwise('where', condition, glue, [], wg, 'urrrw');
  });
}

export function copyKernel(from: DType, to: DType, wg: number): KernelSource {
  return memo(`copy|${from}|${to}|${wg}`, () => {
    const body = from === to ? 'w' : fromF32(to, asF32(from, 'w'));
    return elementwise('copy', `${from}>${to}`, `fn convert(w: u32) -> u32 { return ${body}; }`, [], wg, 'urw');
  });
}

export function fillKernel(wg: number): KernelSource {
  return memo(`fill|${wg}`, () => elementwise('fill', 'word', '', [], wg, 'uw'));
}

/** Backend.random for one distribution: 'bits' stores the word, 'uniform' its top 24 bits × 2⁻²⁴ as f32. */
export function randomKernel(dist: RandomDistribution, wg: number): KernelSource {
  return memo(`random|${dist}|${wg}`, () => {
    const body = dist === 'bits' ? 'bits' : 'bitcast<u32>(f32(bits >> 8u) * 5.960464477539063e-8)';
    return elementwise('random', dist, `fn finish(bits: u32) -> u32 { return ${body}; }`, [], wg, 'uw');
  });
}

export type ReduceVariant = 'per_workgroup' | 'per_thread';

export function reduceKernel(op: ReduceOp, dtype: DType, variant: ReduceVariant, wg: number): KernelSource {
  return memo(`reduce|${op}|${dtype}|${variant}|${wg}`, () => ({
    key: `reduce:${op}:${dtype}:${variant}:wg${wg}`,
    code: assemble([COMMON, ['dtype', dtype], ['reduce-ops', 'main'], ['reduce-ops', op], ['reduce', 'main'], ['reduce', variant]]),
    entryPoint: 'main',
    bindings: 'urw',
    constants: { WG: wg },
  }));
}

export function gatherKernel(wg: number): KernelSource {
  return memo(`gather|${wg}`, () => ({
    key: `gather:wg${wg}`, code: assemble([COMMON, ['gather', 'main']]), entryPoint: 'main', bindings: 'urrw', constants: { WG: wg },
  }));
}

export function scatterAddKernel(dtype: DType, wg: number): KernelSource {
  return memo(`scatterAdd|${dtype}|${wg}`, () => ({
    key: `scatterAdd:${dtype}:wg${wg}`,
    code: assemble([COMMON, ['scatter-add', 'main'], ['scatter-add', dtype]]),
    entryPoint: 'main',
    bindings: 'urrw',
    constants: { WG: wg },
  }));
}

const STEP_BINDINGS: Readonly<Record<OptimizerRule, string>> = {
  sgd: 'uwr',
  momentum: 'uwrw',
  nesterov: 'uwrw',
  adagrad: 'uwrw',
  rmsprop: 'uwrww',
  rmspropCentered: 'uwrwww',
  adam: 'uwrww',
  adamw: 'uwrww',
};

/**
 * All rules live in one module (one entry point each), compiled once. With `device`,
 * the scalars come from a storage buffer (binding 6) and the module binds all three
 * state slots, whatever the rule keeps (placeholders fill the unused ones).
 */
export function stepKernel(rule: OptimizerRule, wg: number, device = false): KernelSource {
  return memo(`step|${rule}|${wg}|${device}`, () => ({
    key: `step:${rule}:wg${wg}${device ? ':device' : ''}`,
    code: assemble([COMMON, ['step', 'main'], ['step', device ? 'device' : 'host']]),
    entryPoint: rule,
    bindings: device ? 'uwrwwwr' : STEP_BINDINGS[rule],
    constants: { WG: wg },
  }));
}

export type MatmulActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'geluTanh';

/** How one operand's tile is loaded: any strides, or four elements at a time along k, m or n. */
export type OperandLoad = 'scalar' | 'vec_k' | 'vec_m' | 'vec_n';

export interface TiledConfig {
  readonly kind: 'tiled';
  /** Output tile rows and columns (multiples of 4) and the k step (a multiple of 4). */
  readonly tm: number;
  readonly tn: number;
  readonly tk: number;
  /** Outputs per thread along each side: 4 (4x4) or 8 (8x8, for large products). Default 4. */
  readonly per?: 4 | 8;
  readonly loadA: 'scalar' | 'vec_k' | 'vec_m';
  readonly loadB: 'scalar' | 'vec_n' | 'vec_k';
}

export interface DotConfig {
  readonly kind: 'dot_per_thread' | 'dot_per_workgroup';
  readonly wg: number;
}

export type MatmulConfig = TiledConfig | DotConfig;

export function matmulKernel(config: MatmulConfig, hasBias: boolean, activation: MatmulActivation): KernelSource {
  const shape = config.kind === 'tiled' ? `${config.tm}|${config.tn}|${config.tk}|${config.per ?? 4}|${config.loadA}|${config.loadB}` : `${config.wg}`;
  return memo(`matmul|${config.kind}|${shape}|${hasBias}|${activation}`, () => makeMatmul(config, hasBias, activation));
}

/**
 * The tiled kernel's sections: 4x4 or 8x8 outputs per thread; with 8x8 and both
 * operands loaded four at a time, the software-pipelined variant (fetch the next
 * tiles into registers while multiplying the current ones).
 */
function tiledSections(per: 4 | 8, loadA: TiledConfig['loadA'], loadB: TiledConfig['loadB']): SectionRef[] {
  const a: SectionRef[] = loadA === 'scalar' ? [['matmul', 'load_a_scalar']] : [['matmul', `fetch_a_${loadA}`], ['matmul', 'load_a_via_fetch']];
  const b: SectionRef[] = loadB === 'scalar' ? [['matmul', 'load_b_scalar']] : [['matmul', `fetch_b_${loadB}`], ['matmul', 'load_b_via_fetch']];
  if (per === 4) return [['matmul', 'tiled'], ['matmul', 'tile_store'], ...a, ...b];
  if (loadA !== 'scalar' && loadB !== 'scalar') {
    return [['matmul', 'tiled8_common'], ['matmul', 'tiled8p'], ['matmul', 'tile_store'], ['matmul', `fetch_a_${loadA}`], ['matmul', `fetch_b_${loadB}`]];
  }
  return [['matmul', 'tiled8_common'], ['matmul', 'tiled8'], ['matmul', 'tile_store'], ...a, ...b];
}

function makeMatmul(config: MatmulConfig, hasBias: boolean, activation: MatmulActivation): KernelSource {
  const act = activation === 'linear' ? 'return v;' : `return unary_${activation}(v, vec4f());`;
  const head = [`const HAS_BIAS: bool = ${hasBias};`, `fn activate(v: f32) -> f32 { ${act} }`];
  const epilogueKey = `${hasBias ? 'bias' : 'nobias'}:${activation}`;
  if (config.kind !== 'tiled') {
    return {
      key: `matmul:${config.kind}:${epilogueKey}:wg${config.wg}`,
      code: assemble([COMMON, ['unary-ops', 'main'], ...head, 'alias A_ELEM = f32;', 'alias B_ELEM = f32;', ['matmul', 'main'], ['matmul', config.kind]]),
      entryPoint: 'main',
      bindings: 'urrrw',
      constants: { WG: config.wg },
    };
  }
  const { tm, tn, tk, loadA, loadB } = config;
  const per = config.per ?? 4;
  const tile = [
    `const TM: u32 = ${tm}u;`,
    `const TN: u32 = ${tn}u;`,
    `const TK: u32 = ${tk}u;`,
    `alias A_ELEM = ${loadA === 'scalar' ? 'f32' : 'vec4f'};`,
    `alias B_ELEM = ${loadB === 'scalar' ? 'f32' : 'vec4f'};`,
  ];
  return {
    key: `matmul:tiled:${tm}x${tn}x${tk}/${per}:${loadA}:${loadB}:${epilogueKey}`,
    code: assemble([
      COMMON, ['unary-ops', 'main'], ...head, ...tile,
      ['matmul', 'main'], ...tiledSections(per, loadA, loadB),
    ]),
    entryPoint: 'main',
    bindings: 'urrrw',
    constants: {},
  };
}

/** The convolution and pooling gathers (shaders/conv.wgsl, shaders/pool.wgsl) over shaders/window.wgsl's geometry. */
export type WindowKernel = 'im2col' | 'col2im' | 'pool_max' | 'pool_avg' | 'pool_grad_max' | 'pool_grad_avg';

export function windowKernel(kind: WindowKernel, wg: number): KernelSource {
  return memo(`window|${kind}|${wg}`, () => {
    const window: SectionRef = ['window', 'main'];
    let parts: (SectionRef | string)[];
    if (kind === 'im2col' || kind === 'col2im') parts = [COMMON, window, ['conv', kind]];
    else {
      const grad = kind.startsWith('pool_grad');
      parts = [COMMON, window, `const POOL_MAX: bool = ${kind.endsWith('max')};`, ['pool', 'main'], ['pool', grad ? 'pool_grad' : 'pool']];
    }
    return {
      key: `window:${kind}:wg${wg}`,
      code: assemble(parts),
      entryPoint: 'main',
      bindings: kind.startsWith('pool_grad') ? 'urrw' : 'urw',
      constants: { WG: wg },
    };
  });
}
