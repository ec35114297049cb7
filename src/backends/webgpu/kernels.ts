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

/** The vec4 variant (the file's `vec4` section) of each elementwise kernel that has one, by the kernel's key. */
const vec4Sources = new Map<string, KernelSource>();

function elementwise(name: string, key: string, glue: string, libraries: readonly SectionRef[], wg: number, bindings: string): KernelSource {
  const file = name as keyof typeof WGSL;
  const source = (section: string, suffix: string): KernelSource => ({
    key: `${name}:${key}:wg${wg}${suffix}`,
    code: assemble([COMMON, ['strided', 'main'], ...libraries, glue, [file, section]]),
    entryPoint: 'main',
    bindings,
    constants: { WG: wg },
  });
  const scalar = source('main', '');
  if ((WGSL[file] as Readonly<Record<string, string>>)['vec4'] !== undefined) vec4Sources.set(scalar.key, source('vec4', ':vec4'));
  return scalar;
}

/** An elementwise kernel specialized for operands whose dimensions collapse to one (strided.wgsl's LINEAR). */
export function linearVariant(source: KernelSource): KernelSource {
  return memo(`${source.key}|linear`, () => ({ ...source, key: `${source.key}:linear`, constants: { ...source.constants, LINEAR: 1 } }));
}

/**
 * The variant of an elementwise kernel that moves a vec4 of words per invocation, for
 * calls whose operands elementwiseParams found `vec4`-aligned; undefined for kernels
 * without one (unary and binary have it).
 */
export function vec4Variant(source: KernelSource): KernelSource | undefined {
  return vec4Sources.get(source.key);
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

export type ReduceVariant = 'per_workgroup' | 'per_thread' | 'per_thread_vec4';

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
    key: `gather:wg${wg}`, code: assemble([COMMON, ['gather', 'main']]), entryPoint: 'main', bindings: 'urrww', constants: { WG: wg },
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
  /** 'conv': a convolution's patch matrix, gathered from the image as it loads (implicit GEMM). */
  readonly loadA: 'scalar' | 'vec_k' | 'vec_m' | 'conv';
  readonly loadB: 'scalar' | 'vec_n' | 'vec_k';
}

export interface DotConfig {
  readonly kind: 'dot_per_thread' | 'dot_per_workgroup';
  readonly wg: number;
}

export type MatmulConfig = TiledConfig | DotConfig;

/** Storage types of a product's operands: f32, or f16 (packed; then loaded one element at a time). */
export interface MatmulDtypes {
  readonly a: DType;
  readonly b: DType;
  readonly bias: DType;
}
const F32_OPERANDS: MatmulDtypes = { a: 'f32', b: 'f32', bias: 'f32' };

export function matmulKernel(config: MatmulConfig, hasBias: boolean, activation: MatmulActivation, dtypes: MatmulDtypes = F32_OPERANDS): KernelSource {
  const shape = config.kind === 'tiled' ? `${config.tm}|${config.tn}|${config.tk}|${config.per ?? 4}|${config.loadA}|${config.loadB}` : `${config.wg}`;
  const types = `${dtypes.a}|${dtypes.b}|${dtypes.bias}`;
  return memo(`matmul|${config.kind}|${shape}|${hasBias}|${activation}|${types}`, () => makeMatmul(config, hasBias, activation, dtypes));
}

/** The element alias and `fn load_NAME(i: i32) -> f32` of one matmul operand. */
function matmulOperand(name: string, alias: string, dtype: DType, vec: boolean): string[] {
  if (dtype === 'f16') {
    return [`alias ${alias} = u32;`, `fn load_${name}(i: i32) -> f32 { return f16_value(half_of(${name}[u32(i) >> 1u], u32(i))); }`];
  }
  if (vec) return [`alias ${alias} = vec4f;`, `fn load_${name}(i: i32) -> f32 { return ${name}[i / 4][i % 4]; }`];
  return [`alias ${alias} = f32;`, `fn load_${name}(i: i32) -> f32 { return ${name}[i]; }`];
}

/**
 * The tiled kernel's sections: 4x4 or 8x8 outputs per thread; with 8x8 and both
 * operands loaded four at a time, the software-pipelined variant (fetch the next
 * tiles into registers while multiplying the current ones).
 */
function tiledSections(per: 4 | 8, loadA: TiledConfig['loadA'], loadB: TiledConfig['loadB']): SectionRef[] {
  // a convolution's patch matrix is read as a row-major A is (four neighbouring k), with its own a_quad
  const fetchA: SectionRef[] = loadA === 'vec_m'
    ? [['matmul', 'fetch_a_vec_m'], ['matmul', 'stash_a_vec_m']]
    : [['matmul', 'fetch_a_rows'], ['matmul', `fetch_a_${loadA}`], ['matmul', 'stash_a_vec_k']];
  const a: SectionRef[] = loadA === 'scalar' ? [['matmul', 'load_a_scalar']] : [...fetchA, ['matmul', 'load_a_via_fetch']];
  const b: SectionRef[] = loadB === 'scalar' ? [['matmul', 'load_b_scalar']] : [['matmul', `fetch_b_${loadB}`], ['matmul', 'load_b_via_fetch']];
  if (per === 4) return [['matmul', 'tiled'], ['matmul', 'tile_store'], ...a, ...b];
  if (loadA !== 'scalar' && loadB !== 'scalar') {
    return [['matmul', 'tiled8_common'], ['matmul', 'tiled8p'], ['matmul', 'tile_store'], ...fetchA, ['matmul', `fetch_b_${loadB}`]];
  }
  return [['matmul', 'tiled8_common'], ['matmul', 'tiled8'], ['matmul', 'tile_store'], ...a, ...b];
}

function makeMatmul(config: MatmulConfig, hasBias: boolean, activation: MatmulActivation, dtypes: MatmulDtypes): KernelSource {
  const act = activation === 'linear' ? 'return v;' : `return unary_${activation}(v, vec4f());`;
  const half = dtypes.a === 'f16' || dtypes.b === 'f16' || dtypes.bias === 'f16';
  const head = [
    `const HAS_BIAS: bool = ${hasBias};`, `fn activate(v: f32) -> f32 { ${act} }`, ...matmulOperand('bias', 'BIAS_ELEM', dtypes.bias, false),
  ];
  const common: (SectionRef | string)[] = half ? [COMMON, ['float16', 'main']] : [COMMON];
  const epilogueKey = `${hasBias ? 'bias' : 'nobias'}:${activation}${half ? `:${dtypes.a},${dtypes.b},${dtypes.bias}` : ''}`;
  if (config.kind !== 'tiled') {
    return {
      key: `matmul:${config.kind}:${epilogueKey}:wg${config.wg}`,
      code: assemble([
        ...common, ['unary-ops', 'main'], ...head, ...matmulOperand('a', 'A_ELEM', dtypes.a, false), ...matmulOperand('b', 'B_ELEM', dtypes.b, false),
        ['matmul', 'main'], ['matmul', config.kind],
      ]),
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
    ...matmulOperand('a', 'A_ELEM', dtypes.a, loadA !== 'scalar'),
    ...matmulOperand('b', 'B_ELEM', dtypes.b, loadB !== 'scalar'),
  ];
  return {
    key: `matmul:tiled:${tm}x${tn}x${tk}/${per}:${loadA}:${loadB}:${epilogueKey}`,
    code: assemble([
      ...common, ['unary-ops', 'main'], ...head, ...tile,
      ['matmul', 'main'], ...tiledSections(per, loadA, loadB),
    ]),
    entryPoint: 'main',
    bindings: 'urrrw',
    constants: {},
  };
}

/** The convolution and pooling gathers (shaders/conv.wgsl, shaders/pool.wgsl) over shaders/window.wgsl's geometry. */
export type WindowKernel = 'im2col' | 'im2col_vec4' | 'col2im' | 'pool_max' | 'pool_avg' | 'pool_grad_max' | 'pool_grad_avg';

export function windowKernel(kind: WindowKernel, wg: number): KernelSource {
  return memo(`window|${kind}|${wg}`, () => {
    const window: SectionRef = ['window', 'main'];
    let parts: (SectionRef | string)[];
    if (kind === 'im2col' || kind === 'im2col_vec4') parts = [COMMON, window, ['conv', 'im2col_tap'], ['conv', kind]];
    else if (kind === 'col2im') parts = [COMMON, window, ['conv', kind]];
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

// --- float16 storage (shaders/float16.wgsl) -----------------------------------

/** What an elementwise kernel with an f16 operand computes from its loaded values v0, v1, v2. */
export type HalfElementwise =
  | { readonly kind: 'unary'; readonly op: UnaryOp }
  | { readonly kind: 'binary'; readonly op: BinaryOp }
  | { readonly kind: 'where' | 'copy' | 'fill' };

/** The f32 value of element `e` (an i32 expression) of binding `name` stored as `d`. */
function loadAsF32(d: DType, name: string, e: string): string {
  if (d === 'f16') return `f16_value(half_of(${name}[u32(${e}) >> 1u], u32(${e})))`;
  return asF32(d, `${name}[${e}]`);
}

function halfExpression(what: HalfElementwise): string {
  switch (what.kind) {
    case 'unary':
      return what.op === 'logicalNot' ? 'select(0.0, 1.0, v0 == 0.0)' : `unary_${what.op}(v0, params.args)`;
    case 'binary': {
      const call = `binary_${what.op}(v0, v1, params.args)`;
      return BOOLEAN_BINARY.has(what.op) ? `select(0.0, 1.0, ${call})` : call;
    }
    case 'where':
      return 'select(v2, v1, v0 != 0.0)';
    case 'copy':
      return 'v0';
    case 'fill':
      return 'bitcast<f32>(params.word)';
  }
}

/**
 * The elementwise kernel for operands of dtypes `inputs` (any mix of f32, i32, f16)
 * into `out`, math in f32 (shaders/float16.wgsl's `elementwise`, mode in params.word2).
 */
export function halfElementwiseKernel(what: HalfElementwise, inputs: readonly DType[], out: DType, wg: number): KernelSource {
  const op = 'op' in what ? what.op : '';
  const key = `f16|${what.kind}|${op}|${inputs.join(',')}>${out}|${wg}`;
  return memo(key, () => {
    const lines = inputs.map((_, i) => `@group(0) @binding(${i + 1}) var<storage, read> in${i}: array<u32>;`);
    lines.push(`@group(0) @binding(${inputs.length + 1}) var<storage, read_write> out: array<u32>;`);
    lines.push(`const OUT: u32 = ${inputs.length}u;`);
    const lanes = ['x', 'y', 'z'];
    const loads = inputs.map((d, i) => `let v${i} = ${loadAsF32(d, `in${i}`, `off.${lanes[i]}`)};`).join(' ');
    lines.push(`fn value(off: vec4i) -> f32 { ${loads} return ${halfExpression(what)}; }`);
    lines.push(`fn as_word(v: f32) -> u32 { return ${out === 'f16' ? 'f16_bits(v)' : fromF32(out, 'v')}; }`);
    const libraries: SectionRef[] = what.kind === 'unary' || what.kind === 'binary' ? [['unary-ops', 'main'], ['binary-ops', 'main']] : [];
    return {
      key: `f16:${what.kind}:${op}:${inputs.join(',')}>${out}:wg${wg}`,
      code: assemble([COMMON, ['strided', 'main'], ['float16', 'main'], ...libraries, lines.join('\n'), ['float16', 'elementwise']]),
      entryPoint: 'main',
      bindings: `u${'r'.repeat(inputs.length)}w`,
      constants: { WG: wg },
    };
  });
}

/** gather for an f16 x into an f16 out (one out word per invocation). */
export function halfGatherKernel(wg: number): KernelSource {
  return memo(`f16gather|${wg}`, () => ({
    key: `f16:gather:wg${wg}`, code: assemble([COMMON, ['float16', 'main'], ['float16', 'gather']]), entryPoint: 'main', bindings: 'urrw', constants: { WG: wg },
  }));
}
