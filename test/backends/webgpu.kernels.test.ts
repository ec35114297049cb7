// Every WebGPU primitive against the cpu reference backend, called directly
// (no front-end): random values, odd sizes, empty and scalar shapes, strided,
// broadcast, transposed and offset views. Sizes stay small: the headless
// adapter is a software rasterizer.

import { afterAll, describe, expect, test } from 'vitest';
import type { Backend, BinaryOp, DType, OptimizerRule, ReduceOp, UnaryOp } from '../../src/backends/backend.js';
import { STATE_SLOTS } from '../../src/backends/step-rules.js';
import { contiguousStrides, sizeOf } from '../../src/backends/strided.js';
import { createWebGPUBackend } from '../../src/backends/webgpu.js';
import { mustRun } from '../helpers/backends.js';
import { rowsHere } from '../helpers/runtime.js';
import { type TwinView, Twins } from './twin.js';

const started = await createWebGPUBackend().then(
  (backend) => ({ backend, reason: '' }),
  (error: unknown) => ({ backend: undefined, reason: error instanceof Error ? error.message : String(error) }),
);
if (!started.backend) {
  if (mustRun('webgpu')) throw new Error(`WebGPU is required here but could not start: ${started.reason}`);
  console.warn(`[webgrad tests] skipping WebGPU kernel tests: ${started.reason}`);
}
const gpu = started.backend as Backend;

afterAll(() => gpu?.dispose?.());

const SIZES = [1, 3, 17, 129];
const LOOSE = { rtol: 2e-5, atol: 1e-6 };

describe.skipIf(!started.backend)('webgpu kernels match the cpu backend', () => {
  const t = new Twins(gpu, 7);

  describe('unary', () => {
    const DOMAIN: Partial<Record<UnaryOp, [number, number]>> = {
      log: [0.01, 10], log1p: [-0.99, 10], sqrt: [0, 10], rsqrt: [0.01, 10], reciprocal: [0.1, 3],
      exp: [-20, 20], expm1: [-3, 3], floor: [-5, 5], ceil: [-5, 5], round: [-5, 5],
      sin: [-6, 6], cos: [-6, 6], sigmoid: [-30, 30], tanh: [-12, 12], softplus: [-30, 30], gelu: [-6, 6], elu: [-4, 4],
    };
    const ARGS: Partial<Record<UnaryOp, number[]>> = { leakyRelu: [0.1], elu: [0.7], clip: [-0.5, 0.3], powScalar: [2] };
    const ops: UnaryOp[] = [
      'neg', 'abs', 'sign', 'step', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'floor', 'ceil',
      'round', 'sin', 'cos', 'relu', 'leakyRelu', 'elu', 'gelu', 'geluTanh', 'sigmoid', 'tanh', 'softplus', 'clip', 'powScalar',
    ];
    // 128 takes the vec4 variant (whole vec4s of words); Chromium checks that variant in
    // the vec4 test below rather than compiling it for every op
    const unarySizes = rowsHere([...SIZES, 128], (n) => n !== 128);
    test.each(ops)(`%s (f32, sizes ${unarySizes.join(', ')})`, async (op) => {
      const [lo, hi] = DOMAIN[op] ?? [-3, 3];
      for (const n of unarySizes) {
        const x = t.tensor(t.values(n, lo, hi));
        const out = t.output([n]);
        t.run((b, s) => b.unary(op, x[s], out[s], ARGS[op]));
        await t.expectSame(out, { rtol: 3e-6, atol: 2e-7 }, `${op} n=${n}`);
      }
    });

    test('special values: NaN, ±Infinity, ±0 and halves', async () => {
      const specials = Float32Array.of(NaN, Infinity, -Infinity, 0, -0, 0.5, 1.5, 2.5, -2.5, -0.5, 100, -100, 1e-30);
      const special: UnaryOp[] = ['neg', 'abs', 'sign', 'step', 'exp', 'sqrt', 'relu', 'sigmoid', 'tanh', 'floor', 'ceil', 'round', 'square', 'log', 'clip'];
      for (const op of special) {
        const x = t.tensor(specials);
        const out = t.output([specials.length]);
        t.run((b, s) => b.unary(op, x[s], out[s], op === 'clip' ? [-1, 1] : undefined));
        // GPUs may flush denormals (exp(-100)) to zero
        await t.expectSame(out, { rtol: 3e-6, atol: 1e-37 }, op);
      }
    });

    test('powScalar with integer, fractional and negative exponents, negative bases', async () => {
      for (const e of [0, 1, 2, 3, 0.5, -1, 1.7, -2, 4]) {
        const x = t.tensor(Float32Array.of(-2, -1.5, -1, 0, 0.25, 1, 1.5, 3));
        const out = t.output([8]);
        t.run((b, s) => b.unary('powScalar', x[s], out[s], [e]));
        await t.expectSame(out, { rtol: 2e-6, atol: 1e-7 }, `x^${e}`);
      }
    });

    test.each(['neg', 'abs', 'sign', 'square', 'floor', 'ceil', 'round', 'relu', 'clip'] as UnaryOp[])('%s on int32 stays exact', async (op) => {
      // (the reference squares in float64, so products beyond 2^53 would round there: keep them below)
      const extremes = op === 'square' ? [65535, -70000] : [2147483647, -2147483648];
      const x = t.tensor(Int32Array.of(-7, -1, 0, 1, 5, 46340, -46341, ...extremes));
      const out = t.output([9], 'i32');
      t.run((b, s) => b.unary(op, x[s], out[s], op === 'clip' ? [-3.5, 4.2] : undefined));
      await t.expectSame(out, { rtol: 0, atol: 0 }, op);
    });

    test('logicalNot writes int32 from f32 and int32', async () => {
      const xf = t.tensor(Float32Array.of(0, -0, 1, NaN, -2.5));
      const xi = t.tensor(Int32Array.of(0, 3, -1, 0));
      const of = t.output([5], 'i32');
      const oi = t.output([4], 'i32');
      t.run((b, s) => {
        b.unary('logicalNot', xf[s], of[s]);
        b.unary('logicalNot', xi[s], oi[s]);
      });
      await t.expectSame(of);
      await t.expectSame(oi);
    });

    test('strided, broadcast, offset, scalar and empty views', async () => {
      const base = t.tensor(t.values(3 * 17 + 5, -2, 2));
      const cases: [number[], number[], number][] = [
        [[17, 3], [1, 17], 0], // transposed
        [[5, 17], [0, 1], 3], // broadcast rows, offset
        [[3, 4, 2], [17, 2, 1], 1], // a window of the buffer
        [[], [], 9], // scalar
        [[0], [1], 0], // empty
        [[3, 0, 2], [6, 2, 1], 0],
      ];
      for (const [shape, strides, offset] of cases) {
        const x = t.view(base, shape, strides, offset);
        const out = t.output(shape);
        t.run((b, s) => b.unary('exp', x[s], out[s]));
        await t.expectSame(out, LOOSE, `shape [${shape}] strides [${strides}]`);
      }
    });
  });

  describe('binary', () => {
    const FLOAT_OPS: BinaryOp[] = [
      'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'mod', 'reluGrad', 'sigmoidGrad', 'tanhGrad', 'eluGrad', 'leakyReluGrad', 'geluGrad', 'clipGrad',
    ];
    const ARGS: Partial<Record<BinaryOp, number[]>> = { eluGrad: [0.7], leakyReluGrad: [0.1], clipGrad: [-0.5, 0.3] };
    test.each(FLOAT_OPS)('%s (f32, broadcast b, transposed a)', async (op) => {
      for (const n of SIZES) {
        const aData = op === 'pow' ? t.values(3 * n, 0.1, 3) : t.values(3 * n, -3, 3);
        const a = t.tensor(aData, [n, 3], [1, n]); // a transposed view of [3, n]
        const b = t.tensor(op === 'div' || op === 'mod' ? t.values(3, 0.5, 2) : t.values(3, -2, 2), [n, 3], [0, 1]);
        const out = t.output([n, 3]);
        t.run((be, s) => be.binary(op, a[s], b[s], out[s], ARGS[op]));
        await t.expectSame(out, { rtol: 4e-6, atol: 1e-6 }, `${op} n=${n}`);
      }
    });

    // The vec4 variant: contiguous operands from offsets that are multiples of 4 and a
    // broadcast word take it; an offset or a count that is not a multiple of 4, or a
    // broadcast output-sized row, takes the scalar kernel. Node checks every op, Chromium two.
    test.each(rowsHere(FLOAT_OPS, (op) => op === 'add' || op === 'pow'))('%s on whole vec4s (offsets 0, 4, 8, a broadcast word) and the calls that fall back', async (op) => {
      const [lo, hi] = op === 'pow' ? [0.1, 3] : [-3, 3];
      const [blo, bhi] = op === 'div' || op === 'mod' ? [0.5, 2] : [-2, 2];
      const cases = [
        { n: 128, aOffset: 0, bOffset: 0, bWord: false },
        { n: 128, aOffset: 4, bOffset: 8, bWord: false },
        { n: 132, aOffset: 0, bOffset: 5, bWord: true },
        { n: 64, aOffset: 1, bOffset: 0, bWord: false },
        { n: 130, aOffset: 0, bOffset: 0, bWord: false },
      ];
      for (const { n, aOffset, bOffset, bWord } of cases) {
        const a = t.tensor(t.values(aOffset + n, lo, hi), [n], [1], aOffset);
        const b = bWord ? t.tensor(t.values(bOffset + 1, blo, bhi), [n], [0], bOffset) : t.tensor(t.values(bOffset + n, blo, bhi), [n], [1], bOffset);
        const out = t.output([n]);
        t.run((be, s) => be.binary(op, a[s], b[s], out[s], ARGS[op]));
        await t.expectSame(out, { rtol: 4e-6, atol: 1e-6 }, `${op} n=${n} offsets ${aOffset}, ${bOffset}${bWord ? ' (one word)' : ''}`);
      }
      // a word broadcast as the first operand, and unary ops on a vec4 from offset 4
      const word = t.tensor(t.values(1, 0.5, 2), [128], [0]);
      const rows = t.tensor(t.values(132, 0.1, 3), [128], [1], 4);
      const out = t.output([128]);
      t.run((be, s) => be.binary(op, word[s], rows[s], out[s], ARGS[op]));
      await t.expectSame(out, { rtol: 4e-6, atol: 1e-6 }, `${op}: a broadcast word first`);
      for (const unary of ['exp', 'relu'] as UnaryOp[]) {
        const y = t.output([128]);
        t.run((be, s) => be.unary(unary, rows[s], y[s]));
        await t.expectSame(y, { rtol: 3e-6, atol: 2e-7 }, `${unary} from offset 4`);
      }
    });

    test.each(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or'] as BinaryOp[])('%s writes 1/0 as int32 and as f32', async (op) => {
      const a = t.tensor(Float32Array.of(0, 1, 2, NaN, -1, 3, 0, -0));
      const b = t.tensor(Float32Array.of(0, 2, 2, NaN, 1, -3, 5, 0));
      const oi = t.output([8], 'i32');
      const of = t.output([8], 'f32');
      t.run((be, s) => {
        be.binary(op, a[s], b[s], oi[s]);
        be.binary(op, a[s], b[s], of[s]);
      });
      await t.expectSame(oi, {}, `${op} i32`);
      await t.expectSame(of, {}, `${op} f32`);
    });

    test.each(['add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'mod', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or'] as BinaryOp[])(
      '%s on int32 is exact',
      async (op) => {
        const a = t.tensor(Int32Array.of(7, -7, 7, -7, 0, 5, 1, -1, 2147483647, 3, 12));
        const b = t.tensor(op === 'pow' ? Int32Array.of(2, 3, 0, 1, 5, -1, -3, -3, 1, 4, 2) : Int32Array.of(2, 2, -2, -2, 3, 0, 1, 1, 1, 3, 5));
        const out = t.output([11], 'i32');
        t.run((be, s) => be.binary(op, a[s], b[s], out[s]));
        await t.expectSame(out, { rtol: 0, atol: 0 }, op);
      },
    );

    test('mod and div of floats follow Python signs and IEEE', async () => {
      const a = t.tensor(Float32Array.of(7.5, -7.5, 7.5, -7.5, 1, 0, 5, -5));
      const b = t.tensor(Float32Array.of(2, 2, -2, -2, 0, 0, Infinity, Infinity));
      for (const op of ['mod', 'div', 'max', 'min'] as BinaryOp[]) {
        const out = t.output([8]);
        t.run((be, s) => be.binary(op, a[s], b[s], out[s]));
        await t.expectSame(out, {}, op);
      }
    });

    test('rank-4 broadcast on both sides, offsets, scalar and empty', async () => {
      const a = t.tensor(t.values(40), [2, 3, 4, 5], [20, 0, 5, 1], 0);
      const b = t.tensor(t.values(23), [2, 3, 4, 5], [0, 1, 0, 3], 2);
      const out = t.output([2, 3, 4, 5]);
      t.run((be, s) => be.binary('mul', a[s], b[s], out[s]));
      await t.expectSame(out);
      const x = t.tensor(Float32Array.of(3));
      const y = t.tensor(Float32Array.of(4));
      const o = t.output([]);
      t.run((be, s) => be.binary('sub', t.view(x, [], [])[s], t.view(y, [], [])[s], o[s]));
      await t.expectSame(o);
      const e = t.output([0, 4]);
      t.run((be, s) => be.binary('add', t.view(x, [0, 4], [0, 0])[s], t.view(y, [0, 4], [0, 0])[s], e[s]));
      await t.expectSame(e);
    });
  });

  describe('where, copy, fill', () => {
    test.each(['f32', 'i32'] as DType[])('where with a %s condition and broadcast operands', async (cd) => {
      for (const n of SIZES) {
        const cond = cd === 'f32' ? t.tensor(Float32Array.from({ length: n }, (_, i) => [0, 1, NaN, -0, -2][i % 5]!)) : t.tensor(t.ints(n, -1, 2));
        const a = t.tensor(t.values(n));
        const b = t.tensor(t.values(1), [n], [0]);
        const out = t.output([n]);
        t.run((be, s) => be.where(cond[s], a[s], b[s], out[s]));
        await t.expectSame(out, {}, `n=${n}`);
        const ai = t.tensor(t.ints(n, -100, 100));
        const bi = t.tensor(t.ints(n, -100, 100), [n, 1], [1, 0]);
        const oi = t.output([n, 1], 'i32');
        t.run((be, s) => be.where(t.view(cond, [n, 1], [1, 0])[s], t.view(ai, [n, 1], [1, 0])[s], bi[s], oi[s]));
        await t.expectSame(oi, {}, `int n=${n}`);
      }
    });

    test('copy converts f32 to int32 by truncation and back', async () => {
      const f = t.tensor(Float32Array.of(1.9, -1.9, 0.5, -0.5, NaN, 123456.7, -3));
      const i = t.output([7], 'i32');
      t.run((be, s) => be.copy(f[s], i[s]));
      await t.expectSame(i, { rtol: 0, atol: 0 });
      const back = t.output([7], 'f32');
      t.run((be, s) => be.copy(i[s], back[s]));
      await t.expectSame(back, { rtol: 0, atol: 0 });
    });

    test('copy between strided views: transpose, slice into an offset window of a bigger output', async () => {
      for (const n of SIZES) {
        const x = t.tensor(t.values(3 * n), [n, 3], [1, n]);
        const dense = t.output([n, 3]);
        t.run((be, s) => be.copy(x[s], dense[s]));
        await t.expectSame(dense, {}, `transpose n=${n}`);
        // write into columns 1..3 of a [n, 5] buffer (as concat does)
        const big = t.output([n, 5]);
        t.run((be, s) => be.copy(x[s], t.view(big, [n, 3], [5, 1], 1)[s]));
        await t.expectSame(big, {}, `window n=${n}`);
      }
      // contiguous same-dtype copy with offsets takes the buffer-copy path
      const src = t.tensor(t.values(20));
      const dst = t.output([30]);
      t.run((be, s) => be.copy(t.view(src, [7], [1], 5)[s], t.view(dst, [7], [1], 11)[s]));
      await t.expectSame(dst);
    });

    test('fill: f32, int32, zero, strided', async () => {
      const f = t.output([17]);
      const i = t.output([17], 'i32');
      const z = t.output([17]);
      const strided = t.output([6, 4]);
      t.run((be, s) => {
        be.fill(f[s], -2.5);
        be.fill(i[s], 7);
        be.fill(t.view(z, [10], [1], 3)[s], 0);
        be.fill(t.view(strided, [3, 2], [8, 2], 1)[s], Number.NaN);
      });
      for (const o of [f, i, z, strided]) await t.expectSame(o);
    });
  });

  describe('reduce', () => {
    const OPS: ReduceOp[] = ['sum', 'mean', 'max', 'min', 'prod'];
    test.each(OPS)('%s over every axis combination of [3, 17, 5]', async (op) => {
      const x = t.tensor(t.values(3 * 17 * 5, op === 'prod' ? 0.8 : -2, op === 'prod' ? 1.25 : 2), [3, 17, 5]);
      for (const axes of [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2], []]) {
        const shape = [3, 17, 5].filter((_, i) => !axes.includes(i));
        const out = t.output(shape);
        t.run((be, s) => be.reduce(op, x[s], axes, out[s]));
        await t.expectSame(out, { rtol: 1e-5, atol: 1e-5 }, `axes [${axes}]`);
      }
    });

    test.each(OPS)('%s of long rows (workgroup tree) and many short rows (thread per output)', async (op) => {
      for (const [rows, cols] of [[3, 2000], [129, 129], [2000, 3], [1, 1]] as const) {
        const lo = op === 'prod' ? 0.99 : -1;
        const x = t.tensor(t.values(rows * cols, lo, op === 'prod' ? 1.01 : 1), [rows, cols]);
        const out = t.output([rows]);
        t.run((be, s) => be.reduce(op, x[s], [1], out[s]));
        await t.expectSame(out, { rtol: 1e-5, atol: 2e-5 }, `[${rows}, ${cols}]`);
        // transposed: reduce over the strided axis
        const xt = t.view(x, [cols, rows], [1, cols]);
        const outT = t.output([rows]);
        t.run((be, s) => be.reduce(op, xt[s], [0], outT[s]));
        await t.expectSame(outT, { rtol: 1e-5, atol: 2e-5 }, `transposed [${rows}, ${cols}]`);
      }
    });

    // From 16,384 elements per output (and at most 64 outputs) a float32 reduction runs
    // in two passes: equal strands, in vec4s where the elements are contiguous from a
    // multiple of 4 (webgpu.ts, reduceInTwoPasses). Chromium checks sum and max.
    test.each(rowsHere(OPS, (op) => op === 'sum' || op === 'max'))('%s of long reductions in two passes: vec4 strands, scalar strands, kept axes, a NaN, and lengths that stay in one pass', async (op) => {
      const [lo, hi] = op === 'prod' ? [0.9999, 1.0001] : [-1, 1];
      // a product of 65,536 factors drifts 3.7e-4 from the float64 one on llvmpipe in one
      // pass as in two (its multiply rounds with a bias); the cpu reference is within 1e-8
      const tol = op === 'prod' ? { rtol: 1e-3, atol: 0 } : { rtol: 1e-4, atol: 1e-4 };
      const n = 1 << 16;
      const flat = t.tensor(t.values(n + 8, lo, hi), [n + 8]);
      // what, shape, strides, offset, axes, dispatches (two passes, or one)
      const cases: [string, readonly number[], readonly number[], number, number[], number][] = [
        ['contiguous (vec4)', [n], [1], 0, [0], 2],
        ['from offset 4 (vec4)', [n - 4], [1], 4, [0], 2],
        ['from offset 1 (scalar strands)', [n], [1], 1, [0], 2],
        ['every other element (scalar strands)', [n / 2], [2], 1, [0], 2],
        ['[4, n/4] over axis 1 (kept axis, vec4)', [4, n / 4], [n / 4, 1], 0, [1], 2],
        ['[n/4, 4] over axis 0 (kept axis, strided)', [n / 4, 4], [4, 1], 0, [0], 2],
        ['[2, n/8, 4] over axes 0 and 1', [2, n / 8, 4], [n / 2, 4, 1], 0, [0, 1], 2],
        ['65,537 elements (no equal strands: one pass)', [n + 1], [1], 0, [0], 1],
      ];
      const dispatches = () => (gpu.info().details!['queue'] as { dispatches: number }).dispatches;
      for (const [what, shape, strides, offset, axes, passes] of cases) {
        const x = t.view(flat, shape, strides, offset);
        const out = t.output(shape.filter((_, d) => !axes.includes(d)));
        await gpu.sync!();
        const before = dispatches();
        t.run((be, s) => be.reduce(op, x[s], axes, out[s]));
        await t.expectSame(out, tol, `${op} ${what}`);
        expect(dispatches() - before, what).toBe(passes);
      }
      if (op === 'max' || op === 'min') {
        const data = t.values(n, -1, 1);
        data[40_000] = Number.NaN;
        const x = t.tensor(data);
        const out = t.output([]);
        t.run((be, s) => be.reduce(op, x[s], [0], out[s]));
        await t.expectSame(out, {}, `${op} with a NaN`);
      }
    });

    test('NaN propagates through max and min; empty reductions give their identity', async () => {
      const x = t.tensor(Float32Array.of(1, NaN, 3, -1, 2, 5), [2, 3]);
      for (const op of ['max', 'min', 'sum'] as ReduceOp[]) {
        const out = t.output([2]);
        t.run((be, s) => be.reduce(op, x[s], [1], out[s]));
        await t.expectSame(out, {}, op);
      }
      const empty = t.tensor(new Float32Array(0), [0, 3]);
      for (const op of ['sum', 'prod', 'mean'] as ReduceOp[]) {
        const out = t.output([3]);
        t.run((be, s) => be.reduce(op, empty[s], [0], out[s]));
        await t.expectSame(out, {}, `empty ${op}`);
      }
    });

    test.each(['argmax', 'argmin'] as ReduceOp[])('%s: first extreme wins, NaN counts as extreme, any axis', async (op) => {
      const ties = t.tensor(Float32Array.of(1, 5, 5, 0, 0, -Infinity, -Infinity, -Infinity, 2, NaN, 3, NaN), [4, 3]);
      for (const axis of [0, 1]) {
        const out = t.output([axis === 0 ? 3 : 4], 'i32');
        t.run((be, s) => be.reduce(op, ties[s], [axis], out[s]));
        await t.expectSame(out, {}, `ties axis ${axis}`);
      }
      const x = t.tensor(t.values(7 * 300), [7, 300]);
      for (const axis of [0, 1]) {
        const out = t.output([axis === 0 ? 300 : 7], 'i32');
        t.run((be, s) => be.reduce(op, x[s], [axis], out[s]));
        await t.expectSame(out, {}, `random axis ${axis}`);
      }
      const xi = t.tensor(t.ints(129, -5, 5));
      const oi = t.output([], 'i32');
      t.run((be, s) => be.reduce(op, xi[s], [0], oi[s]));
      await t.expectSame(oi, {}, 'int32');
      const scalar = t.tensor(Float32Array.of(4), []);
      const os = t.output([], 'i32');
      t.run((be, s) => be.reduce(op, scalar[s], [], os[s]));
      await t.expectSame(os, {}, 'scalar');
    });

    test('int32 sum, max, min, prod are exact', async () => {
      const x = t.tensor(t.ints(3 * 129, -50, 50), [3, 129]);
      for (const op of ['sum', 'max', 'min', 'prod'] as ReduceOp[]) {
        const out = t.output([3], 'i32');
        t.run((be, s) => be.reduce(op, x[s], [1], out[s]));
        await t.expectSame(out, { rtol: 0, atol: 0 }, op);
      }
    });
  });

  describe('matmul', () => {
    type Case = [m: number, k: number, n: number];
    const SHAPES: Case[] = [
      [1, 1, 1], [3, 17, 5], [17, 3, 129], [33, 65, 31], [64, 64, 64], [129, 17, 130], [130, 40, 132], [132, 40, 128],
      [1, 300, 17], [17, 300, 1], [1, 5, 1], [1, 17, 129], [129, 33, 1], [2, 1030, 3], [5, 0, 3],
      // 16 columns or fewer: the narrow tiles (vector loads, then scalar)
      [130, 72, 16], [100, 9, 10],
    ];
    const tol = (k: number) => ({ rtol: 1e-5, atol: 2e-6 * Math.max(1, k) });

    function operand(rows: number, cols: number, transposed: boolean, offset: number): TwinView {
      const data = t.values(rows * cols + offset);
      return transposed ? t.tensor(data, [rows, cols], [1, rows], offset) : t.tensor(data, [rows, cols], [cols, 1], offset);
    }

    // Chromium compiles each new pipeline for seconds on SwiftShader: there one shape per
    // kernel family (scalar loads, every vector load, a dot per workgroup, a dot per
    // thread, k = 0, the narrow tile); the tile test below covers the large tiles. Node checks them all.
    const BROWSER_SHAPES = [1, 4, 8, 10, 14, 15];
    test.each(rowsHere(SHAPES, (_, i) => BROWSER_SHAPES.includes(i)))('[%i x %i] · [%i] in all four orientations', async (m, k, n) => {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = operand(m, k, ta, 0);
        const b = operand(k, n, tb, 0);
        const out = t.output([m, n]);
        t.run((be, s) => be.matmul(a[s], b[s], out[s]));
        await t.expectSame(out, tol(k), `${m}x${k}x${n} ta=${ta} tb=${tb}`);
      }
    });

    test('offsets that are and are not multiples of 4 (vector and scalar loads)', async () => {
      for (const offset of [0, 1, 4, 6]) {
        const a = operand(36, 20, false, offset);
        const b = operand(20, 44, false, offset);
        const out = t.output([36, 44]);
        t.run((be, s) => be.matmul(a[s], b[s], out[s]));
        await t.expectSame(out, tol(20), `offset ${offset}`);
      }
    });

    const EPILOGUES = ['linear', 'relu', 'sigmoid', 'tanh'] as const;
    // the small tile with scalar loads, the large tile (vec_k A), the dot kernel (m = 1), k = 0
    const EPILOGUE_SHAPES: Case[] = [[7, 9, 13], [130, 16, 129], [1, 40, 9], [3, 0, 4]];
    test.each(EPILOGUES)('bias and %s epilogue, also with k = 0 and a strided bias', async (activation) => {
      // Every (shape, activation, bias) is its own pipeline. The node project checks all
      // of them; Chromium, where each pipeline takes seconds to compile on SwiftShader,
      // checks each activation on one of the shapes, so that every kernel kind and
      // every activation still compiles and runs there (test/helpers/runtime.ts).
      for (const [m, k, n] of rowsHere(EPILOGUE_SHAPES, (_, i) => i === EPILOGUES.indexOf(activation))) {
        const a = operand(m, k, false, 0);
        const b = operand(k, n, false, 0);
        const bias = t.tensor(t.values(2 * n + 1), [n], [2], 1);
        const out = t.output([m, n]);
        t.run((be, s) => be.matmul(a[s], b[s], out[s], { bias: bias[s], activation }));
        await t.expectSame(out, tol(k), `${m}x${k}x${n}`);
        const plain = t.output([m, n]);
        t.run((be, s) => be.matmul(a[s], b[s], plain[s], { activation }));
        await t.expectSame(plain, tol(k), `${m}x${k}x${n} without bias`);
      }
    });

    test('batched with stride-0 broadcast of either operand and several batch dims', async () => {
      const [m, k, n] = [9, 12, 10];
      const a = t.tensor(t.values(2 * 3 * m * k), [2, 3, m, k]);
      const b = t.tensor(t.values(k * n), [2, 3, k, n], [0, 0, n, 1]); // one b for every batch
      const out = t.output([2, 3, m, n]);
      t.run((be, s) => be.matmul(a[s], b[s], out[s]));
      await t.expectSame(out, tol(k), 'b broadcast');
      const a1 = t.tensor(t.values(3 * m * k), [2, 3, m, k], [0, m * k, k, 1]); // a broadcast over the first dim
      const b2 = t.tensor(t.values(2 * 3 * k * n), [2, 3, k, n], [3 * n * k, 1, 3 * n, 3]); // b: interleaved batches
      const out2 = t.output([2, 3, m, n]);
      t.run((be, s) => be.matmul(a1[s], b2[s], out2[s]));
      await t.expectSame(out2, tol(k), 'a broadcast, b interleaved');
      // matrix-vector, batched
      const v = t.tensor(t.values(4 * k), [4, k, 1]);
      const mats = t.tensor(t.values(m * k), [4, m, k], [0, k, 1]);
      const mv = t.output([4, m, 1]);
      t.run((be, s) => be.matmul(mats[s], v[s], mv[s]));
      await t.expectSame(mv, tol(k), 'batched matrix-vector');
    });
  });

  describe('gather and scatterAdd', () => {
    test('gather along each axis, with out-of-range indices and 2-D indices', async () => {
      const x = t.tensor(t.values(4 * 5 * 6), [4, 5, 6]);
      for (const axis of [0, 1, 2]) {
        const len = [4, 5, 6][axis]!;
        const idx = t.tensor(Int32Array.of(0, len - 1, 2, -1, len, 1), [2, 3]);
        const shape = [...[4, 5, 6].slice(0, axis), 2, 3, ...[4, 5, 6].slice(axis + 1)];
        const out = t.output(shape);
        t.run((be, s) => be.gather(x[s], idx[s], axis, out[s]));
        await t.expectSame(out, {}, `axis ${axis}`);
      }
    });

    test('gather from a transposed int32 view with strided indices (embedding rows)', async () => {
      const x = t.tensor(t.ints(17 * 3, -9, 9), [17, 3], [1, 17]);
      const idx = t.tensor(Int32Array.of(16, 9, 0, 5, 5, 3, 2, 1), [4], [2], 1);
      const out = t.output([4, 3], 'i32');
      t.run((be, s) => be.gather(x[s], idx[s], 0, out[s]));
      await t.expectSame(out);
      const table = t.tensor(t.values(129 * 8), [129, 8]);
      const ids = t.tensor(t.ints(300, 0, 129), [30, 10]);
      const rows = t.output([30, 10, 8]);
      t.run((be, s) => be.gather(table[s], ids[s], 0, rows[s]));
      await t.expectSame(rows);
    });

    test('scatterAdd accumulates duplicates in index order and drops out-of-range indices', async () => {
      for (const [axis, indexCount] of [[0, 6], [1, 300], [0, 1]] as const) {
        const outShape = axis === 0 ? [7, 5] : [3, 17];
        const len = outShape[axis]!;
        const idx = t.tensor(Int32Array.from({ length: indexCount }, (_, i) => (i % 7 === 3 ? -1 : i % 11 === 4 ? len : (i * 5) % len)));
        const updShape = axis === 0 ? [indexCount, 5] : [3, indexCount];
        const updates = t.tensor(t.values(sizeOf(updShape)), updShape);
        const out = t.tensor(t.values(sizeOf(outShape)), outShape); // scatterAdd adds into what is there
        t.run((be, s) => be.scatterAdd(updates[s], idx[s], axis, out[s]));
        await t.expectSame(out, { rtol: 1e-6, atol: 1e-6 }, `axis ${axis}, ${indexCount} indices`);
      }
    });

    test('scatterAdd from transposed updates', async () => {
      const updates = t.tensor(t.values(4 * 6), [4, 6], [1, 4]);
      const idx = t.tensor(Int32Array.of(2, 0, 2, 1));
      const out = t.tensor(new Float32Array(3 * 6), [3, 6]);
      t.run((be, s) => be.scatterAdd(updates[s], idx[s], 0, out[s]));
      await t.expectSame(out, { rtol: 1e-6, atol: 1e-7 });
    });
  });

  describe('fused optimizer steps', () => {
    const HYPER: Record<OptimizerRule, (step: number) => number[]> = {
      sgd: () => [0.1, 0.01],
      momentum: (s) => [0.1, 0.01, 0.9, 0.1, s === 1 ? 1 : 0],
      nesterov: (s) => [0.05, 0, 0.9, 0, s === 1 ? 1 : 0],
      adagrad: (s) => [0.1 / (1 + (s - 1) * 0.01), 0.01, 1e-10],
      rmsprop: () => [0.01, 0.01, 0.99, 1e-8, 0.5],
      rmspropCentered: () => [0.01, 0, 0.9, 1e-8, 0.5],
      adam: (s) => [0.01, 0.01, 0.9, 0.999, 1e-8, 1 - 0.9 ** s, 1 - 0.999 ** s],
      adamw: (s) => [0.01, 0.05, 0.9, 0.999, 1e-8, 1 - 0.9 ** s, 1 - 0.999 ** s],
    };
    test.each(Object.keys(HYPER) as OptimizerRule[])('%s over 4 steps (param and every state buffer)', async (rule) => {
      for (const n of [1, 17, 129]) {
        const param = t.tensor(t.values(n + 3), [n], [1], 3); // parameter at an offset inside its storage
        const state = Array.from({ length: STATE_SLOTS[rule] }, () => t.tensor(new Float32Array(n)));
        for (let step = 1; step <= 4; step++) {
          // a transposed gradient exercises the strided path
          const grad = step % 2 === 0 ? t.tensor(t.values(n)) : t.view(t.tensor(t.values(2 * n)), [n], [2], 1);
          t.run((be, s) => be.step!(rule, param[s], grad[s], state.map((v) => v[s]), HYPER[rule](step)));
        }
        await t.expectSame(param, { rtol: 1e-5, atol: 1e-6 }, `${rule} param n=${n}`);
        for (const [i, v] of state.entries()) await t.expectSame(v, { rtol: 1e-5, atol: 1e-6 }, `${rule} state ${i} n=${n}`);
      }
    });
  });

  describe('queue, memory and errors', () => {
    test('hundreds of dependent dispatches across many batches give the right answer', async () => {
      const acc = t.tensor(new Float32Array(129));
      const one = t.tensor(Float32Array.of(1), [129], [0]);
      const next = [t.output([129]), t.output([129])];
      let current = acc;
      for (let i = 0; i < 300; i++) {
        const target = next[i % 2]!;
        const src = current;
        t.run((be, s) => be.binary('add', src[s], one[s], target[s]));
        current = target;
      }
      expect(Array.from(await gpu.read(current.dut)).every((v) => v === 300)).toBe(true);
    });

    test('a write to a buffer that queued work still reads lands after that work', async () => {
      const x = t.tensor(Float32Array.of(1, 2, 3));
      const y = t.output([3]);
      gpu.unary('neg', x.dut, y.dut);
      gpu.write(x.dut.storage, Float32Array.of(10, 20, 30));
      const z = t.output([3]);
      gpu.unary('neg', x.dut, z.dut);
      expect(Array.from(await gpu.read(y.dut))).toEqual([-1, -2, -3]);
      expect(Array.from(await gpu.read(z.dut))).toEqual([-10, -20, -30]);
    });

    test('freed buffers are reused by size class, and a reused busy buffer still gets host writes in order', async () => {
      const created = () => (gpu.info().details!['memory'] as { created: number }).created;
      const before = created();
      const results: Promise<Float32Array | Int32Array>[] = [];
      for (let i = 0; i < 20; i++) {
        const s = gpu.alloc(1000 + i); // one size class
        const v = { storage: s, dtype: 'f32' as const, shape: [250], strides: [1], offset: 0 };
        gpu.write(s, new Float32Array(250).fill(i));
        const o = gpu.alloc(1000);
        gpu.unary('neg', v, { ...v, storage: o });
        results.push(gpu.read({ ...v, storage: o }));
        gpu.free(s);
        gpu.free(o);
      }
      const values = await Promise.all(results);
      expect(values.map((r) => r[249])).toEqual(Array.from({ length: 20 }, (_, i) => -i));
      expect(created() - before).toBeLessThanOrEqual(2);
    });

    test('an allocation larger than a storage binding is refused, naming the size', () => {
      const limits = gpu.info().details!['limits'] as Record<string, number>;
      const tooBig = Math.min(limits['maxStorageBufferBindingSize']!, limits['maxBufferSize']!) + 1024;
      expect(() => gpu.alloc(tooBig)).toThrow(new RegExp(`cannot allocate ${tooBig} bytes`));
    });

    test('info reports the adapter, limits, features and what was tried', () => {
      const info = gpu.info();
      expect(info.name).toBe('webgpu');
      const d = info.details!;
      expect(typeof d['software']).toBe('boolean');
      expect(Array.isArray(d['tried'])).toBe(true);
      expect((d['tried'] as string[]).at(-1)).toMatch(/: ok$/);
      expect((d['limits'] as Record<string, number>)['maxStorageBufferBindingSize']).toBeGreaterThan(0);
      expect(Array.isArray(d['features'])).toBe(true);
      expect(d['lost']).toBeNull();
    });
  });
});

describe.skipIf(!started.backend)('webgpu matmul tiles chosen for tuning', () => {
  // Each shape below loads its operands differently, so each (tile, shape) compiles its
  // own pipeline: 0 A along k (vec_k), B scalar; 1 both scalar; 2 A along m (vec_m), B
  // along n (vec_n); 3 A vec_k, B vec_k; 4 A scalar, B vec_k. All shapes are 128 or more
  // on both sides of the output (the tuned tile only applies there) and not multiples
  // of the tile, so the last tiles along m, n and k are partial.
  const SHAPES = [[200, 40, 150, false, false], [130, 37, 131, true, false], [256, 64, 256, true, false], [136, 48, 260, false, true], [257, 36, 129, true, true]] as const;
  // The node project checks every tile with every shape. In Chromium a pipeline takes
  // seconds to compile on SwiftShader (the product itself milliseconds), so there each
  // tile checks the one shape `browser` names: every tile still compiles and runs
  // under Chromium's limits, and together they cover every operand load and the three
  // kernels (4x4 "tiled"; 8x8 "tiled8" with a scalar operand; 8x8 "tiled8p", both
  // operands vectorised: shape 3). See test/helpers/runtime.ts.
  test.each([
    { tm: 128, tn: 64, tk: 8, per: 4 as const, browser: 0 },
    { tm: 32, tn: 128, tk: 32, per: 4 as const, browser: 1 },
    { tm: 64, tn: 64, tk: 32, per: 4 as const, browser: 2 },
    { tm: 64, tn: 64, tk: 16, per: 8 as const, browser: 0 },
    { tm: 128, tn: 128, tk: 8, per: 8 as const, browser: 3 },
    { tm: 128, tn: 64, tk: 16, per: 8 as const, browser: 4 },
  ])('tile $tm x $tn x $tk ($per per thread) gives the reference product for odd and vector-friendly shapes', async ({ browser, ...tile }) => {
    // a device with fewer invocations per workgroup (Chromium's SwiftShader: 256) refuses the tile instead
    const limit = (gpu.info().details!['limits'] as Record<string, number>)['maxComputeInvocationsPerWorkgroup']!;
    const threads = (tile.tm / tile.per) * (tile.tn / tile.per);
    if (threads > limit) {
      await expect(createWebGPUBackend({ matmulTile: tile })).rejects.toThrow(`${threads} threads exceed maxComputeInvocationsPerWorkgroup`);
      return;
    }
    const backend = await createWebGPUBackend({ matmulTile: tile });
    try {
      const t = new Twins(backend, 3);
      for (const [m, k, n, transposeA, transposeB] of rowsHere(SHAPES, (_, i) => i === browser)) {
        const a = transposeA ? t.tensor(t.values(m * k), [m, k], [1, m]) : t.tensor(t.values(m * k), [m, k]);
        const b = transposeB ? t.tensor(t.values(k * n), [k, n], [1, k]) : t.tensor(t.values(k * n), [k, n]);
        const bias = t.tensor(t.values(n));
        const out = t.output([m, n]);
        t.run((be, s) => be.matmul(a[s], b[s], out[s], { bias: bias[s], activation: 'relu' }));
        await t.expectSame(out, { rtol: 1e-5, atol: 1e-4 }, `${m}x${k}x${n}${transposeA ? ' aT' : ''}${transposeB ? ' bT' : ''}`);
      }
      expect(backend.info().details!['matmulTile']).toMatch(`${tile.tm}x${tile.tn}x${tile.tk}`);
    } finally {
      backend.dispose?.();
    }
  });

  test('a tile that does not fit the device is refused with the reason', async () => {
    await expect(createWebGPUBackend({ matmulTile: { tm: 30, tn: 64, tk: 16 } })).rejects.toThrow(/multiples of 4/);
  });
});

describe.skipIf(!started.backend)('webgpu device loss', () => {
  test('after the device is lost every call fails fast with an error that says so, and info shows it', async () => {
    const { acquireDevice } = await import('../../src/backends/webgpu/device.js');
    const acquired = await acquireDevice();
    const backend = await createWebGPUBackend({ device: acquired.device, adapter: acquired.adapter });
    const s = backend.alloc(64);
    const view = { storage: s, dtype: 'f32' as const, shape: [16], strides: contiguousStrides([16]), offset: 0 };
    backend.fill(view, 1);
    const pending = backend.read(view);
    acquired.device.destroy();
    const started = Date.now();
    await expect(pending).rejects.toThrow(/device was lost|destroyed/);
    await new Promise((r) => setTimeout(r, 10));
    expect(() => backend.fill(view, 2)).toThrow(/GPU device was lost \(reason 'destroyed'/);
    expect(() => backend.alloc(16)).toThrow(/device was lost/);
    await expect(backend.read(view)).rejects.toThrow(/device was lost/);
    await expect(backend.sync!()).rejects.toThrow(/device was lost/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(backend.info().description).toMatch(/LOST/);
    expect(backend.info().details!['lost']).toMatchObject({ reason: 'destroyed' });
  });

  test('selecting webgpu again after a loss starts a new backend that works', async () => {
    const wg = await import('../../src/index.js');
    const { acquireDevice } = await import('../../src/backends/webgpu/device.js');
    const devices: GPUDevice[] = [];
    wg.registerBackend('webgpu', async () => {
      const acquired = await acquireDevice();
      devices.push(acquired.device);
      return createWebGPUBackend({ device: acquired.device, adapter: acquired.adapter });
    }, 2);
    await wg.setBackend('webgpu');
    expect(await wg.tensor([1, 2]).add(1).data()).toEqual(Float32Array.of(2, 3));
    devices[0]!.destroy();
    // the backend heard of the loss first (it subscribed to `lost` first); a fixed 10 ms
    // wait was too short for Chromium's GPU process on a loaded machine
    await devices[0]!.lost;
    expect(() => wg.tensor([1, 2])).toThrow(/device was lost/);
    await wg.setBackend('webgpu');
    expect(devices).toHaveLength(2);
    expect(await wg.tensor([1, 2]).add(1).data()).toEqual(Float32Array.of(2, 3));
    await wg.setBackend('cpu');
    devices[1]!.destroy();
  });
});
