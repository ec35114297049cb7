// Every primitive of the wasm backend against the cpu reference, directly through
// the backend contract: random values (with NaN, ±Infinity, ±0 and ties), shapes
// from scalar to 129 wide, contiguous / offset / transposed / broadcast / strided
// views, both dtypes and both module flavours. Threads: wasm.threads.node.test.ts.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BinaryOp, DType, OptimizerRule, ReduceOp, UnaryOp, View } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu.js';
import { STATE_SLOTS } from '../../src/backends/step-rules.js';
import { sizeOf } from '../../src/backends/strided.js';
import { createWasmBackend } from '../../src/backends/wasm.js';
import type { WasmBackend } from '../../src/backends/wasm/backend.js';
import { loadModule } from '../../src/backends/wasm/module.js';
import { Random } from '../../src/random.js';
import {
  firstMismatch, freeAll, LAYOUTS, type Layout, makePair, outputPair, pairFrom, sameBits, type ValueOptions,
} from '../helpers/kernel-pairs.js';

// Node 20 validates relaxed SIMD only with this flag, set before any module compiles
// (Chromium, where this suite also runs, has relaxed SIMD on).
const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
(getBuiltin?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined)?.setFlagsFromString('--experimental-wasm-relaxed-simd');

const cpu = new CpuBackend();
const SHAPES: readonly (readonly number[])[] = [[], [0], [1], [3], [17], [129], [3, 17], [2, 3, 5], [4, 1, 33]];
const FLAVOURS = ['simd', 'relaxed'] as const;

afterEach(() => freeAll());

function read(backend: { readSync?(v: View): Float32Array | Int32Array }, v: View): Float32Array | Int32Array {
  return backend.readSync!(v);
}

function check(actual: Float32Array | Int32Array, expected: Float32Array | Int32Array, rtol: number, label: string, scale?: ArrayLike<number>): void {
  const exact = expected instanceof Int32Array;
  const bad = firstMismatch(actual, expected, exact ? { rtol: 0, atol: 0 } : { rtol, ...(scale ? { scale } : {}) });
  if (bad) expect.fail(`${label}: ${bad}`);
  expect(actual.constructor).toBe(expected.constructor);
}

const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'abs', 'sign', 'step', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'floor',
  'ceil', 'round', 'sin', 'cos', 'relu', 'leakyRelu', 'elu', 'gelu', 'geluTanh', 'sigmoid', 'tanh', 'softplus', 'clip',
  'powScalar', 'logicalNot',
];

const UNARY_ARGS: Partial<Record<UnaryOp, readonly (readonly number[] | undefined)[]>> = {
  leakyRelu: [undefined, [0.3]],
  elu: [undefined, [0.7]],
  clip: [undefined, [-0.3, 0.7]],
  powScalar: [undefined, [2], [3], [0.5], [-1.5]],
};

const BINARY_OPS: readonly BinaryOp[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'mod', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or',
  'reluGrad', 'sigmoidGrad', 'tanhGrad', 'eluGrad', 'leakyReluGrad', 'geluGrad', 'geluTanhGrad', 'clipGrad',
];

const BINARY_ARGS: Partial<Record<BinaryOp, readonly (readonly number[] | undefined)[]>> = {
  eluGrad: [undefined, [0.3]],
  leakyReluGrad: [undefined, [0.3]],
  clipGrad: [undefined, [-0.3, 0.7]],
};

const COMPARISONS = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or']);

describe.each(FLAVOURS)('wasm kernels (%s)', (flavour) => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = (await createWasmBackend({ threads: 1, flavour })) as WasmBackend;
    expect(wasm.flavour).toBe(flavour);
  });

  describe('storage', () => {
    it('writes at an offset and reads contiguous and strided views', () => {
      const s = wasm.alloc(40);
      wasm.write(s, Float32Array.of(1, 2, 3, 4, 5, 6), 2);
      expect(Array.from(read(wasm, { storage: s, dtype: 'f32', shape: [6], strides: [1], offset: 2 }))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(read(wasm, { storage: s, dtype: 'f32', shape: [2, 3], strides: [1, 2], offset: 2 }))).toEqual([1, 3, 5, 2, 4, 6]);
      expect(Array.from(read(wasm, { storage: s, dtype: 'f32', shape: [0], strides: [1], offset: 0 }))).toEqual([]);
      wasm.write(s, Int32Array.of(-7, 8));
      expect(Array.from(read(wasm, { storage: s, dtype: 'i32', shape: [2], strides: [1], offset: 0 }))).toEqual([-7, 8]);
      expect(() => wasm.write(s, new Float32Array(11))).toThrow(/overflows a storage of 40 bytes/);
      wasm.free(s);
    });

    it('reuses freed blocks and keeps views valid across memory growth', async () => {
      const a = wasm.alloc(1000);
      const before = wasm.heapStats();
      wasm.free(a);
      const b = wasm.alloc(1000);
      expect(wasm.heapStats().top).toBe(before.top);
      wasm.write(b, Float32Array.of(42));
      // Grow memory by far more than it has, then read the old block.
      const big = wasm.alloc(before.memoryBytes * 3);
      expect(wasm.heapStats().memoryBytes).toBeGreaterThan(before.memoryBytes);
      expect((await wasm.read({ storage: b, dtype: 'f32', shape: [1], strides: [1], offset: 0 }))[0]).toBe(42);
      wasm.free(big);
      wasm.free(b);
      wasm.releaseMemory();
      expect(wasm.heapStats().top).toBeLessThanOrEqual(before.top);
    });
  });

  describe('unary', () => {
    for (const op of UNARY_OPS) {
      it(op, () => {
        const rng = new Random(UNARY_OPS.indexOf(op) + 1);
        for (const dtype of ['f32', 'i32'] as DType[]) {
          for (const args of UNARY_ARGS[op] ?? [undefined]) {
            for (const shape of SHAPES) {
              for (const layout of LAYOUTS) {
                // int32 results of transcendental ops wrap modulo 2^32 past 2^31, where the last
                // ulp of Math.exp decides them: keep int inputs where results stay in range.
                const x = makePair(wasm, cpu, shape, dtype, layout, rng, { specials: true, range: 20 });
                const outDtype: DType = op === 'logicalNot' ? (dtype === 'f32' ? 'i32' : 'f32') : dtype;
                const out = outputPair(wasm, cpu, shape, outDtype);
                wasm.unary(op, x.test, out.test, args);
                cpu.unary(op, x.ref, out.ref, args);
                check(read(wasm, out.test), read(cpu, out.ref), 1e-5, `${op}(${args ?? ''}) ${dtype} [${shape}] ${layout}`);
              }
            }
          }
        }
      });
    }

    it('transcendentals stay within 1e-5 over wide ranges', () => {
      // Dense sweeps, including near-zero, overflow and subnormal regions.
      const xs = new Float32Array(20000);
      for (let i = 0; i < xs.length; i++) xs[i] = Math.sinh((i / xs.length - 0.5) * 12) * 9;
      for (const op of ['exp', 'log', 'log1p', 'expm1', 'tanh', 'sigmoid', 'softplus', 'gelu', 'elu', 'sin', 'cos', 'rsqrt'] as UnaryOp[]) {
        const x = pairFrom(wasm, cpu, op === 'log' || op === 'rsqrt' ? xs.map(Math.abs) : xs, [xs.length], [1], 0);
        const out = outputPair(wasm, cpu, [xs.length], 'f32');
        wasm.unary(op, x.test, out.test);
        cpu.unary(op, x.ref, out.ref);
        check(read(wasm, out.test), read(cpu, out.ref), 1e-5, `${op} sweep`);
      }
    });

    it('geluTanhGrad stays within 1e-5 over a wide sweep and where the derivative crosses zero', () => {
      // The kernel keeps f32 lanes where that is accurate, a polynomial about the zero on
      // [-0.875, -0.625] (cancellation near x ≈ -0.7525), and f64 in the tails and for
      // extreme dy: sweep all of those regions, the polynomial's edges included.
      const n = 24000;
      const xs = new Float32Array(n);
      const dys = new Float32Array(n);
      const rng = new Random(4242);
      for (let i = 0; i < n; i++) {
        const u = i / n;
        xs[i] = i % 3 === 0 ? -0.7525 + (u - 0.5) * 0.02 : i % 3 === 1 ? -0.75 + (u - 0.5) * 0.3 : Math.sinh((u - 0.5) * 12) * 9;
        dys[i] = i % 97 === 0 ? 1e-38 * (1 + rng.uniform(0, 1)) : i % 89 === 0 ? 3e38 : rng.normal();
      }
      const x = pairFrom(wasm, cpu, xs, [n], [1], 0);
      const dy = pairFrom(wasm, cpu, dys, [n], [1], 0);
      const out = outputPair(wasm, cpu, [n], 'f32');
      wasm.binary('geluTanhGrad', dy.test, x.test, out.test);
      cpu.binary('geluTanhGrad', dy.ref, x.ref, out.ref);
      check(read(wasm, out.test), read(cpu, out.ref), 1e-5, 'geluTanhGrad sweep');
    });
  });

  describe('binary', () => {
    for (const op of BINARY_OPS) {
      it(op, () => {
        const rng = new Random(100 + BINARY_OPS.indexOf(op));
        for (const dtype of ['f32', 'i32'] as DType[]) {
          const outDtypes: DType[] = COMPARISONS.has(op) ? ['f32', 'i32'] : [dtype];
          for (const outDtype of outDtypes) {
            for (const args of BINARY_ARGS[op] ?? [undefined]) {
              for (const shape of SHAPES) {
                for (const [la, lb] of layoutPairs()) {
                  const o: ValueOptions = { specials: true, ...(dtype === 'i32' && op === 'pow' ? { range: 6 } : {}) };
                  const a = makePair(wasm, cpu, shape, dtype, la, rng, o);
                  const b = makePair(wasm, cpu, shape, dtype, lb, rng, o);
                  const out = outputPair(wasm, cpu, shape, outDtype);
                  wasm.binary(op, a.test, b.test, out.test, args);
                  cpu.binary(op, a.ref, b.ref, out.ref, args);
                  check(read(wasm, out.test), read(cpu, out.ref), 1e-5, `${op}(${args ?? ''}) ${dtype}->${outDtype} [${shape}] ${la}/${lb}`);
                }
              }
            }
          }
        }
      });
    }

    it('integer division and modulo follow the reference at the edges', () => {
      const edge = Int32Array.of(7, -7, 7, -7, 0, 5, -2147483648, -2147483648, 2147483647, 3, -3, 1);
      const by = Int32Array.of(2, 2, -2, -2, 3, 0, -1, 1, -1, -5, 5, 0);
      for (const op of ['div', 'mod', 'pow', 'mul', 'add', 'sub'] as BinaryOp[]) {
        const a = pairFrom(wasm, cpu, edge, [edge.length], [1], 0);
        const b = pairFrom(wasm, cpu, by, [by.length], [1], 0);
        const out = outputPair(wasm, cpu, [edge.length], 'i32');
        wasm.binary(op, a.test, b.test, out.test);
        cpu.binary(op, a.ref, b.ref, out.ref);
        check(read(wasm, out.test), read(cpu, out.ref), 0, `i32 ${op} edges`);
      }
    });
  });

  describe('where, copy, fill', () => {
    it('where picks by a nonzero condition of either dtype', () => {
      const rng = new Random(7);
      for (const condDtype of ['f32', 'i32'] as DType[]) {
        for (const dtype of ['f32', 'i32'] as DType[]) {
          for (const shape of SHAPES) {
            for (const [la, lb] of layoutPairs()) {
              const cond = makePair(wasm, cpu, shape, condDtype, la, rng, { specials: true, range: 1 });
              const a = makePair(wasm, cpu, shape, dtype, lb, rng, { specials: true });
              const b = makePair(wasm, cpu, shape, dtype, la, rng, { specials: true });
              const out = outputPair(wasm, cpu, shape, dtype);
              wasm.where(cond.test, a.test, b.test, out.test);
              cpu.where(cond.ref, a.ref, b.ref, out.ref);
              check(read(wasm, out.test), read(cpu, out.ref), 0, `where ${condDtype}/${dtype} [${shape}] ${la}/${lb}`);
            }
          }
        }
      }
    });

    it('copy converts dtypes into strided outputs', () => {
      const rng = new Random(8);
      for (const from of ['f32', 'i32'] as DType[]) {
        for (const to of ['f32', 'i32'] as DType[]) {
          for (const shape of SHAPES) {
            for (const [lx, lo] of layoutPairs()) {
              if (lo === 'broadcast') continue; // an output cannot alias itself
              const x = makePair(wasm, cpu, shape, from, lx, rng, { specials: true, scale: 1e9 });
              const out = makePair(wasm, cpu, shape, to, lo, rng);
              wasm.copy(x.test, out.test);
              cpu.copy(x.ref, out.ref);
              const whole = (v: View): View => ({ ...v, shape: [v.storage.bytes / 4], strides: [1], offset: 0 });
              check(read(wasm, whole(out.test)), read(cpu, whole(out.ref)), 0, `copy ${from}->${to} [${shape}] ${lx}->${lo}`);
            }
          }
        }
      }
    });

    it('fill writes the value as the dtype stores it, through strides', () => {
      const rng = new Random(9);
      for (const dtype of ['f32', 'i32'] as DType[]) {
        for (const value of [0, -1.5, 3.7, 1e10, NaN, -Infinity]) {
          for (const shape of SHAPES) {
            for (const layout of ['contiguous', 'strided', 'transposed', 'offset'] as Layout[]) {
              const out = makePair(wasm, cpu, shape, dtype, layout, rng);
              wasm.fill(out.test, value);
              cpu.fill(out.ref, value);
              const whole = (v: View): View => ({ ...v, shape: [v.storage.bytes / 4], strides: [1], offset: 0 });
              check(read(wasm, whole(out.test)), read(cpu, whole(out.ref)), 0, `fill ${value} ${dtype} [${shape}] ${layout}`);
            }
          }
        }
      }
    });
  });

  describe('reduce', () => {
    const OPS: readonly ReduceOp[] = ['sum', 'mean', 'max', 'min', 'prod'];
    const CASES: readonly [readonly number[], readonly number[]][] = [
      [[], []], [[1], [0]], [[3], [0]], [[17], [0]], [[129], [0]], [[0], [0]], [[3, 17], [0]], [[3, 17], [1]],
      [[3, 17], [0, 1]], [[17, 129], [0]], [[129, 17], [1]], [[2, 3, 17], [0, 2]], [[2, 3, 17], [1]],
      [[4, 5, 6, 7], [1, 3]], [[4, 5, 6, 7], [0, 1]], [[5, 0, 3], [1]], [[3, 17], []],
      // columns mode: rows four at a time, sixteen columns in registers, the rest after
      [[9, 35], [0]], [[6, 5, 40], [0, 1]], [[7, 3, 33], [0]],
    ];
    for (const op of OPS) {
      it(op, () => {
        const rng = new Random(200 + OPS.indexOf(op));
        for (const dtype of ['f32', 'i32'] as DType[]) {
          for (const [shape, axes] of CASES) {
            if ((op === 'max' || op === 'min') && axes.some((a) => shape[a] === 0)) continue;
            for (const layout of LAYOUTS) {
              const o: ValueOptions = op === 'prod' ? { scale: 1.2, range: 3 } : { specials: dtype === 'f32' && rng.next() < 0.3 };
              const x = makePair(wasm, cpu, shape, dtype, layout, rng, o);
              const outShape = shape.filter((_, i) => !axes.includes(i));
              const outDtype: DType = op === 'mean' ? 'f32' : dtype;
              const out = outputPair(wasm, cpu, outShape, outDtype);
              if (sizeOf(outShape) === 0) continue;
              wasm.reduce(op, x.test, axes, out.test);
              cpu.reduce(op, x.ref, axes, out.ref);
              check(read(wasm, out.test), read(cpu, out.ref), 1e-5, `${op} ${dtype} [${shape}] axes [${axes}] ${layout}`);
            }
          }
        }
      });
    }

    it('max and min along contiguous rows of every length past the vector loop, bit for bit', () => {
      // Rows of 16 and more take four-lane accumulators (f32x4 / i32x4) instead of f64
      // pairs: lengths around the 16- and 4-element steps, NaN, ±0 and ±Infinity in
      // any lane, and int32 values at both ends of the range.
      const rng = new Random(311);
      for (const op of ['max', 'min'] as ReduceOp[]) {
        for (const dtype of ['f32', 'i32'] as DType[]) {
          for (const len of [16, 17, 19, 20, 31, 32, 35, 48, 63, 64, 67, 256]) {
            for (const layout of ['contiguous', 'offset', 'broadcast'] as const) {
              const rows = 12;
              const x = makePair(wasm, cpu, [rows, len], dtype, layout, rng, { specials: true, range: 1000 });
              if (dtype === 'i32' && layout !== 'broadcast') {
                // the extremes of the range, where an i32 accumulator's start value matters
                const ends = Int32Array.of(2147483647, -2147483648);
                const at = [x.test.offset + rng.int(len - 1), x.test.offset + len + rng.int(len)];
                for (const [b, v] of [[wasm, x.test], [cpu, x.ref]] as const) {
                  b.write(v.storage, ends, at[0]);
                  b.write(v.storage, ends.subarray(1), at[1]);
                }
              }
              const out = outputPair(wasm, cpu, [rows], dtype);
              wasm.reduce(op, x.test, [1], out.test);
              cpu.reduce(op, x.ref, [1], out.ref);
              const got = read(wasm, out.test);
              const want = read(cpu, out.ref);
              const label = `${op} ${dtype} [${rows},${len}] ${layout}`;
              check(got, want, 0, label);
              // ±0 too: +0 is the max of (-0, +0), -0 the min
              for (let i = 0; i < rows; i++) if (!Number.isNaN(want[i]!)) expect(Object.is(got[i], want[i]), `${label} [${i}]`).toBe(true);
            }
          }
        }
      }
    });

    for (const op of ['argmax', 'argmin'] as ReduceOp[]) {
      it(op, () => {
        const rng = new Random(op === 'argmax' ? 301 : 302);
        const cases: [readonly number[], readonly number[]][] = [[[], []], [[1], [0]], [[17], [0]], [[3, 17], [0]], [[3, 17], [1]], [[2, 3, 129], [2]], [[2, 3, 5], [1]]];
        for (const dtype of ['f32', 'i32'] as DType[]) {
          for (const [shape, axes] of cases) {
            for (const layout of LAYOUTS) {
              // Few distinct values, so ties are common; NaNs too.
              const x = makePair(wasm, cpu, shape, dtype, layout, rng, { specials: true, range: 3 });
              const out = outputPair(wasm, cpu, shape.filter((_, i) => !axes.includes(i)), 'i32');
              wasm.reduce(op, x.test, axes, out.test);
              cpu.reduce(op, x.ref, axes, out.ref);
              check(read(wasm, out.test), read(cpu, out.ref), 0, `${op} ${dtype} [${shape}] axes [${axes}] ${layout}`);
            }
          }
        }
      });
    }
  });

  describe('matmul', () => {
    function runMatmul(
      m: number, k: number, n: number, o: { transA?: boolean; transB?: boolean; batch?: number[]; broadcastB?: boolean; bias?: 'contiguous' | 'strided'; activation?: 'linear' | 'relu' | 'sigmoid' | 'tanh'; offset?: boolean; stridedA?: boolean },
      rng: Random, backend: WasmBackend = wasm,
    ): void {
      const batch = o.batch ?? [];
      const aShape = [...batch, m, k];
      const bShape = [...batch, k, n];
      const aLayout: Layout = o.transA ? 'transposed' : o.offset ? 'offset' : o.stridedA ? 'strided' : 'contiguous';
      const bLayout: Layout = o.transB ? 'transposed' : 'contiguous';
      const a = makePair(backend, cpu, aShape, 'f32', aLayout, rng);
      let b = makePair(backend, cpu, bShape, 'f32', bLayout, rng);
      if (o.broadcastB) {
        // b is one [k, n] matrix shared by every batch (stride 0).
        const one = makePair(backend, cpu, [k, n], 'f32', bLayout, rng);
        const strides = [...batch.map(() => 0), ...one.ref.strides];
        b = { test: { ...one.test, shape: bShape, strides }, ref: { ...one.ref, shape: bShape, strides }, values: one.values };
      }
      const bias = o.bias ? makePair(backend, cpu, [n], 'f32', o.bias === 'strided' ? 'strided' : 'contiguous', rng) : undefined;
      const out = outputPair(backend, cpu, [...batch, m, n], 'f32');
      const options = { ...(bias ? { bias: bias.test } : {}), activation: o.activation ?? 'linear' };
      backend.matmul(a.test, b.test, out.test, options);
      cpu.matmul(a.ref, b.ref, out.ref, { ...(bias ? { bias: bias.ref } : {}), activation: o.activation ?? 'linear' });
      // Error bound scale: sum_k |a||b| + |bias| (activations are 1-Lipschitz).
      const absA = outputPair(backend, cpu, aShape, 'f32');
      const absB = outputPair(backend, cpu, bShape, 'f32');
      cpu.unary('abs', a.ref, absA.ref);
      cpu.unary('abs', b.ref, absB.ref);
      const scale = outputPair(backend, cpu, [...batch, m, n], 'f32');
      const absBias = bias ? outputPair(backend, cpu, [n], 'f32') : undefined;
      if (bias && absBias) cpu.unary('abs', bias.ref, absBias.ref);
      cpu.matmul(absA.ref, { ...absB.ref }, scale.ref, absBias ? { bias: absBias.ref } : {});
      const label = `matmul ${JSON.stringify({ m, k, n, ...o })}`;
      check(read(backend, out.test), read(cpu, out.ref), 1e-4, label, read(cpu, scale.ref));
    }

    it('small and packed sizes, every transpose', () => {
      const rng = new Random(400);
      // Packed rows come in panels of six: sizes leave every remainder from 0 to 5.
      const sizes: [number, number, number][] = [
        [1, 1, 1], [1, 3, 1], [3, 1, 17], [4, 8, 8], [5, 7, 9], [17, 3, 129], [33, 65, 17], [64, 64, 64], [65, 129, 67],
        [66, 37, 24], [73, 50, 16], [128, 300, 96],
      ];
      for (const [m, k, n] of sizes) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) runMatmul(m, k, n, { transA, transB }, rng);
        }
      }
    });

    it('an A with neither unit stride packs element by element', () => {
      const rng = new Random(405);
      runMatmul(40, 33, 24, { stridedA: true }, rng);
      runMatmul(13, 70, 16, { stridedA: true, bias: 'contiguous', activation: 'relu' }, rng);
    });

    it('depth up to 1024 (several packing blocks) within 1e-4', () => {
      const rng = new Random(401);
      for (const [m, k, n] of [[33, 1024, 65], [9, 1000, 130], [130, 513, 9]] as [number, number, number][]) {
        runMatmul(m, k, n, { transA: m === 9, transB: n === 9 }, rng);
      }
      // Full tiles that add a later block's sums, then bias and activation.
      runMatmul(30, 1030, 24, { bias: 'strided', activation: 'tanh' }, rng);
      runMatmul(36, 600, 16, { bias: 'contiguous', activation: 'relu', transA: true }, rng);
    });

    it('empty depth gives act(bias)', () => {
      const rng = new Random(402);
      runMatmul(3, 0, 5, {}, rng);
      runMatmul(3, 0, 5, { bias: 'contiguous', activation: 'sigmoid' }, rng);
    });

    it('bias (contiguous and strided) and every fused activation', () => {
      const rng = new Random(403);
      for (const activation of ['linear', 'relu', 'sigmoid', 'tanh'] as const) {
        for (const bias of ['contiguous', 'strided'] as const) {
          runMatmul(7, 13, 11, { bias, activation }, rng);
          runMatmul(70, 130, 90, { bias, activation, transB: true }, rng);
        }
      }
    });

    it('batched, with broadcast and offset operands', () => {
      const rng = new Random(404);
      runMatmul(5, 6, 7, { batch: [3] }, rng);
      runMatmul(33, 40, 20, { batch: [2, 3], transA: true }, rng);
      runMatmul(20, 70, 30, { batch: [4], broadcastB: true }, rng);
      runMatmul(20, 70, 30, { batch: [2, 2], broadcastB: true, offset: true, bias: 'contiguous', activation: 'relu' }, rng);
      runMatmul(3, 5, 64, { batch: [6], broadcastB: true, transB: true }, rng);
    });
  });

  describe('gather and scatterAdd', () => {
    it('gather along every axis, with out-of-range indices', () => {
      const rng = new Random(500);
      for (const dtype of ['f32', 'i32'] as DType[]) {
        for (const [shape, axis] of [[[17], 0], [[5, 7], 0], [[5, 7], 1], [[2, 3, 4], 1], [[3, 129], 1]] as [number[], number][]) {
          for (const layout of ['contiguous', 'transposed', 'strided'] as Layout[]) {
            const x = makePair(wasm, cpu, shape, dtype, layout, rng);
            const len = shape[axis]!;
            const idxData = Int32Array.from({ length: 11 }, (_, i) => (i === 3 ? len : i === 5 ? -1 : rng.int(len)));
            const idx = pairFrom(wasm, cpu, idxData, [11], [1], 0);
            const outShape = [...shape.slice(0, axis), 11, ...shape.slice(axis + 1)];
            const out = outputPair(wasm, cpu, outShape, dtype);
            wasm.gather(x.test, idx.test, axis, out.test);
            cpu.gather(x.ref, idx.ref, axis, out.ref);
            check(read(wasm, out.test), read(cpu, out.ref), 0, `gather ${dtype} [${shape}] axis ${axis} ${layout}`);
          }
        }
      }
    });

    it('scatterAdd accumulates repeated indices in order', () => {
      const rng = new Random(501);
      for (const dtype of ['f32', 'i32'] as DType[]) {
        for (const [shape, axis] of [[[17], 0], [[5, 7], 0], [[5, 7], 1], [[2, 3, 4], 1], [[3, 129], 0]] as [number[], number][]) {
          const len = shape[axis]!;
          const idxData = Int32Array.from({ length: 9 }, (_, i) => (i === 2 ? len + 1 : i === 6 ? -2 : rng.int(Math.min(len, 3))));
          const idx = pairFrom(wasm, cpu, idxData, [9], [1], 0);
          const updShape = [...shape.slice(0, axis), 9, ...shape.slice(axis + 1)];
          for (const layout of ['contiguous', 'transposed'] as Layout[]) {
            const upd = makePair(wasm, cpu, updShape, dtype, layout, rng);
            const out = makePair(wasm, cpu, shape, dtype, 'contiguous', rng);
            wasm.scatterAdd(upd.test, idx.test, axis, out.test);
            cpu.scatterAdd(upd.ref, idx.ref, axis, out.ref);
            check(read(wasm, out.test), read(cpu, out.ref), 0, `scatterAdd ${dtype} [${shape}] axis ${axis} ${layout}`);
          }
        }
      }
    });
  });

  describe('sparse cross-entropy', () => {
    it('loss, logsumexp and gradient match the reference within 1e-5, confident rows and row tails included', () => {
      const rng = new Random(650);
      for (const vocab of [3, 5, 8, 65, 1001]) {
        const rows = 7;
        const logits = new Float32Array(rows * vocab);
        const labels = new Int32Array(rows);
        for (let r = 0; r < rows; r++) {
          labels[r] = rng.int(vocab);
          for (let j = 0; j < vocab; j++) logits[r * vocab + j] = rng.uniform(-8, 8);
          // Row 0 is confident, softmax 0.999 at its label (softmax - 1 cancels: f32 would
          // lose its relative accuracy there); row 1 nearly uniform.
          if (r === 0) {
            let others = 0;
            for (let j = 0; j < vocab; j++) if (j !== labels[0]) others += Math.exp(logits[j]!);
            logits[labels[0]!] = Math.log(others * 999);
          }
          if (r === 1) for (let j = 0; j < vocab; j++) logits[vocab + j] = 0.25 + j * 1e-3;
        }
        const x = pairFrom(wasm, cpu, logits, [rows, vocab], [vocab, 1], 0);
        const y = pairFrom(wasm, cpu, labels, [rows], [1], 0);
        const loss = outputPair(wasm, cpu, [rows], 'f32');
        const lse = outputPair(wasm, cpu, [rows], 'f32');
        wasm.sparseCrossEntropy(x.test, y.test, loss.test, lse.test);
        cpu.sparseCrossEntropy(x.ref, y.ref, loss.ref, lse.ref);
        check(read(wasm, loss.test), read(cpu, loss.ref), 1e-5, `loss V ${vocab}`);
        check(read(wasm, lse.test), read(cpu, lse.ref), 1e-5, `lse V ${vocab}`);
        // dloss broadcast (stride 0), as a mean's gradient arrives.
        const dloss = pairFrom(wasm, cpu, Float32Array.of(0.37), [rows], [0], 0);
        const dx = outputPair(wasm, cpu, [rows, vocab], 'f32');
        wasm.sparseCrossEntropyGrad(x.test, y.test, lse.test, dloss.test, dx.test);
        cpu.sparseCrossEntropyGrad(x.ref, y.ref, lse.ref, dloss.ref, dx.ref);
        check(read(wasm, dx.test), read(cpu, dx.ref), 1e-5, `gradient V ${vocab}`);
      }
    });
  });

  describe('step', () => {
    const HYPER: Record<OptimizerRule, (t: number, wd: number) => number[]> = {
      sgd: (_t, wd) => [0.1, wd],
      momentum: (t, wd) => [0.05, wd, 0.9, 0.1, t === 1 ? 1 : 0],
      nesterov: (t, wd) => [0.05, wd, 0.9, 0, t === 1 ? 1 : 0],
      adagrad: (t, wd) => [0.1 / (1 + (t - 1) * 0.01), wd, 1e-10],
      rmsprop: (_t, wd) => [0.01, wd, 0.99, 1e-8, 0.5],
      rmspropCentered: (_t, wd) => [0.01, wd, 0.9, 1e-8, 0.3],
      adam: (t, wd) => [0.001, wd, 0.9, 0.999, 1e-8, 1 - 0.9 ** t, 1 - 0.999 ** t],
      adamw: (t, wd) => [0.001, wd, 0.9, 0.999, 1e-8, 1 - 0.9 ** t, 1 - 0.999 ** t],
    };
    for (const rule of Object.keys(HYPER) as OptimizerRule[]) {
      it(`${rule} matches the reference bit for bit over several steps`, () => {
        const rng = new Random(600 + rule.length);
        // Elements go four at a time, then a pair, then one: n 6 and 131 leave a pair, 3 a pair and one.
        for (const n of [1, 3, 6, 17, 129, 131]) {
          for (const wd of [0, 0.01]) {
            const param = makePair(wasm, cpu, [n], 'f32', 'contiguous', rng);
            const state = Array.from({ length: STATE_SLOTS[rule] }, () => {
              const s = makePair(wasm, cpu, [n], 'f32', 'contiguous', rng);
              wasm.fill(s.test, 0);
              cpu.fill(s.ref, 0);
              return s;
            });
            for (let t = 1; t <= 4; t++) {
              // The gradient arrives as a strided view on odd steps.
              const grad = makePair(wasm, cpu, [n], 'f32', t % 2 ? 'strided' : 'contiguous', rng);
              wasm.step(rule, param.test, grad.test, state.map((s) => s.test), HYPER[rule](t, wd));
              cpu.step(rule, param.ref, grad.ref, state.map((s) => s.ref), HYPER[rule](t, wd));
            }
            const label = `${rule} n=${n} wd=${wd}`;
            expect(sameBits(read(wasm, param.test), read(cpu, param.ref)), label).toBe(true);
            for (const s of state) expect(sameBits(read(wasm, s.test), read(cpu, s.ref)), `${label} state`).toBe(true);
          }
        }
      });
    }
  });
});

describe('wasm modules', () => {
  it('import nothing but their memory', async () => {
    for (const flavour of FLAVOURS) {
      for (const shared of [false, true]) {
        const { module } = await loadModule(flavour, shared);
        expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
        expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(['dispatch', 'heapBase']);
      }
    }
  });

  it('auto picks relaxed SIMD where it validates, and both flavours agree', async () => {
    const auto = (await createWasmBackend({ threads: 1 })) as WasmBackend;
    expect(auto.flavour).toBe('relaxed');
    expect(auto.info().description).toMatch(/relaxed/);
    const simd = (await createWasmBackend({ threads: 1, flavour: 'simd' })) as WasmBackend;
    const rng = new Random(700);
    const data = Float32Array.from({ length: 96 * 200 }, () => rng.normal());
    const results = [auto, simd].map((be) => {
      const a = be.alloc(data.length * 4);
      be.write(a, data);
      const out = be.alloc(96 * 96 * 4);
      const act = be.alloc(data.length * 4);
      be.matmul(
        { storage: a, dtype: 'f32', shape: [96, 200], strides: [200, 1], offset: 0 },
        { storage: a, dtype: 'f32', shape: [200, 96], strides: [1, 200], offset: 0 },
        { storage: out, dtype: 'f32', shape: [96, 96], strides: [96, 1], offset: 0 },
        { activation: 'tanh' },
      );
      be.unary('gelu', { storage: a, dtype: 'f32', shape: [data.length], strides: [1], offset: 0 }, { storage: act, dtype: 'f32', shape: [data.length], strides: [1], offset: 0 });
      return [be.readSync({ storage: out, dtype: 'f32', shape: [96 * 96], strides: [1], offset: 0 }), be.readSync({ storage: act, dtype: 'f32', shape: [data.length], strides: [1], offset: 0 })];
    });
    expect(firstMismatch(results[0]![0]!, results[1]![0]!, { rtol: 1e-4, atol: 1e-4 })).toBeUndefined();
    expect(sameBits(results[0]![1]!, results[1]![1]!)).toBe(true);
    auto.dispose();
    simd.dispose();
  });
});

/** Layout pairs for two operands: each layout against contiguous, and a few mixed. */
function layoutPairs(): [Layout, Layout][] {
  const pairs: [Layout, Layout][] = LAYOUTS.map((l) => [l, 'contiguous']);
  pairs.push(['contiguous', 'broadcast'], ['transposed', 'strided'], ['broadcast', 'offset']);
  return pairs;
}
