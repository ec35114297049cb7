// float16 storage (src/float16.ts, src/ops/float16.ts, shaders/float16.wgsl): on
// webgpu, kernels that read and write packed halves against the cpu backend computing
// in float32 on the float16-rounded inputs, its outputs rounded to float16
// (test/helpers/float16.ts). On cpu and wasm, float16 is refused with a clear error.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { roundArrayToFloat16 } from '../../src/float16.js';
import { backendCases } from '../helpers/backends.js';
import { allHalf, cpuOracle, expectHalfClose, type HalfInput, halfValues } from '../helpers/float16.js';

const backends = await backendCases();

/** Uploads an input as float16 on the active backend. */
function half(x: HalfInput): wg.Tensor {
  return wg.tensor(x.values, [...x.shape], 'float16');
}

for (const { name, skip } of backends) {
  if (name === 'webgpu') continue;
  describe.skipIf(skip !== undefined)(`float16 on ${name}`, () => {
    beforeAll(async () => {
      await wg.setBackend(name);
    });
    it('refuses to create or cast to float16, naming the backend', () => {
      const before = wg.memory().numTensors;
      expect(() => wg.tensor([1, 2], [2], 'float16')).toThrow(`tensor: float16 tensors need the webgpu backend; mixed precision runs on WebGPU only (the active backend is ${name})`);
      expect(() => wg.zeros([3], 'float16')).toThrow(/zeros: float16 tensors need the webgpu backend/);
      const x = wg.tensor([1, 2]);
      expect(() => wg.cast(x, 'float16')).toThrow(`cast: float16 tensors need the webgpu backend; mixed precision runs on WebGPU only (x lives on ${name})`);
      x.dispose();
      expect(wg.memory().numTensors).toBe(before);
    });
  });
}

const gpu = backends.find((b) => b.name === 'webgpu')!;

describe.skipIf(gpu.skip !== undefined)('float16 on webgpu', () => {
  beforeAll(async () => {
    await wg.setBackend('webgpu');
  });
  afterEach(async () => {
    await wg.setBackend('webgpu');
  });

  it('round-trips values through packed storage, odd sizes and special values included', async () => {
    const values = Float32Array.of(1, 65504, 6.1e-5, 2 ** -24, 1.5 * 2 ** -24, -0, Infinity, -Infinity, NaN, 65520, 1 + 2 ** -11, 0.1, -3.3);
    const t = wg.tensor(values, [values.length], 'float16');
    expect(t.dtype).toBe('float16');
    const back = await t.data<Float32Array>();
    expectHalfClose(back, roundArrayToFloat16(values), 0, 0, 'upload/read');
    expect(Object.is(back[5], -0)).toBe(true);
    t.dispose();
  });

  it('a float16 tensor takes half the bytes (whole words: odd sizes round up)', () => {
    const before = wg.memory().numBytes;
    const a = wg.zeros([1000], 'float16');
    expect(wg.memory().numBytes - before).toBe(2000);
    const b = wg.zeros([7], 'float16');
    expect(wg.memory().numBytes - before).toBe(2000 + 16); // 7 halves: 4 words
    const c = wg.zeros([1000]);
    expect(wg.memory().numBytes - before).toBe(2016 + 4000);
    for (const t of [a, b, c]) t.dispose();
  });

  it('casts float32 → float16 → float32 with the host rounding, on GPU', async () => {
    const x32 = Float32Array.of(1, 65504, 6.1e-5, 2 ** -25, 1.5 * 2 ** -24, 2.5 * 2 ** -24, -0, Infinity, NaN, 65519, 65520, 1e6, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1, -3.3, 1e-9);
    const x = wg.tensor(x32);
    const h = wg.cast(x, 'float16');
    expect(h.dtype).toBe('float16');
    const back = wg.cast(h, 'float32');
    expect(back.dtype).toBe('float32');
    expectHalfClose(await back.data(), roundArrayToFloat16(x32), 0, 0, 'cast');
    // int32 and bool cast to float16 too (exactly, up to 2048), and back (truncating)
    const i = wg.tensor(Int32Array.of(-3, 0, 7, 2049));
    const hi = wg.cast(i, 'float16');
    expect([...(await hi.data())]).toEqual([-3, 0, 7, 2048]);
    const ti = wg.cast(wg.tensor([1.75, -2.5, 3], [3], 'float16'), 'int32');
    expect([...(await ti.data())]).toEqual([1, -2, 3]);
    for (const t of [x, h, back, i, hi, ti]) t.dispose();
  });

  const unaryCases: [string, (x: wg.Tensor) => wg.Tensor, number][] = [
    ['neg', wg.neg, 0], ['abs', wg.abs, 0], ['relu', wg.relu, 0], ['square', wg.square, 0],
    ['exp', wg.exp, 1], ['tanh', wg.tanh, 1], ['sigmoid', wg.sigmoid, 1], ['gelu', (x) => wg.gelu(x), 1],
    ['leakyRelu', (x) => wg.leakyRelu(x, 0.2), 0],
  ];
  for (const [op, fn, ulps] of unaryCases) {
    it(`${op} of float16 is float16, matching float32 math rounded once (${ulps} ulp)`, async () => {
      const x = halfValues([7, 5], 3);
      const expected = await cpuOracle([x], fn);
      const t = half(x);
      const y = fn(t);
      expect(y.dtype).toBe('float16');
      const got = await y.data();
      expect(allHalf(got)).toBe(true);
      expectHalfClose(got, expected, ulps, 0, op);
      t.dispose();
      y.dispose();
    });
  }

  const binaryCases: [string, (a: wg.Tensor | number, b: wg.Tensor | number) => wg.Tensor][] = [
    ['add', wg.add], ['sub', wg.sub], ['mul', wg.mul], ['maximum', wg.maximum],
  ];
  for (const [op, fn] of binaryCases) {
    it(`${op} of float16 operands, broadcast and strided, is float16 (exact: one rounding)`, async () => {
      const a = halfValues([4, 9], 5);
      const b = halfValues([9], 6);
      const expected = await cpuOracle([a, b], (x, y) => fn(wg.transpose(wg.transpose(x)), y));
      const ta = half(a);
      const tb = half(b);
      const y = fn(ta, tb);
      expect(y.dtype).toBe('float16');
      expectHalfClose(await y.data(), expected, 0, 0, op);
      // transposed operand: a strided read
      const at = wg.transpose(ta);
      const expectedT = await cpuOracle([a], (x) => fn(wg.transpose(x), 0.5));
      const yt = fn(at, 0.5);
      expect(yt.dtype).toBe('float16');
      expectHalfClose(await yt.data(), expectedT, 0, 0, `${op} transposed`);
      for (const t of [ta, tb, y, at, yt]) t.dispose();
    });
  }

  it('div and comparisons: float16 in, float16 / bool out', async () => {
    const a = halfValues([5, 3], 7);
    const b = halfValues([5, 3], 8, 0.5, 2);
    const ta = half(a);
    const tb = half(b);
    const q = wg.div(ta, tb);
    expect(q.dtype).toBe('float16');
    expectHalfClose(await q.data(), await cpuOracle([a, b], wg.div), 1, 0, 'div');
    const g = wg.greater(ta, tb);
    expect(g.dtype).toBe('bool');
    expect([...(await g.data())]).toEqual([...(await cpuOracle([a, b], wg.greater, false))]);
    for (const t of [ta, tb, q, g]) t.dispose();
  });

  it('mixing float16 and float32 promotes to float32 (as PyTorch); a number keeps float16', async () => {
    const a = halfValues([6], 9);
    const ta = half(a);
    const f = wg.tensor([1, 2, 3, 4, 5, 6]);
    const y = wg.add(ta, f);
    expect(y.dtype).toBe('float32');
    const expected = await cpuOracle([a], (x) => wg.add(x, wg.tensor([1, 2, 3, 4, 5, 6])), false);
    expectHalfClose(await y.data(), expected, 0, 0, 'f16 + f32');
    const s = wg.mul(ta, 3);
    expect(s.dtype).toBe('float16');
    for (const t of [ta, f, y, s]) t.dispose();
  });

  it('shape ops keep float16: reshape, transpose + contiguous, slice at an odd offset, concat, pad', async () => {
    const a = halfValues([3, 5], 11);
    const b = halfValues([3, 2], 12);
    const ta = half(a);
    const tb = half(b);
    const checks: [string, (x: wg.Tensor, y: wg.Tensor) => wg.Tensor][] = [
      ['reshape', (x) => wg.reshape(x, [5, 3])],
      ['transpose', (x) => wg.contiguous(wg.transpose(x))],
      ['slice', (x) => wg.slice(x, [1, 1], [2, 3])],
      ['concat', (x, y) => wg.concat([x, y], 1)],
      ['concat axis 0', (x) => wg.concat([wg.slice(x, [0, 1], [1, 3]), wg.slice(x, [1, 0], [2, 3])], 0)],
      ['pad', (x) => wg.pad(x, [[1, 0], [0, 2]])],
    ];
    for (const [label, fn] of checks) {
      const y = fn(ta, tb);
      expect(y.dtype, label).toBe('float16');
      expectHalfClose(await y.data(), await cpuOracle([a, b], fn), 0, 0, label);
      y.dispose();
    }
    ta.dispose();
    tb.dispose();
  });

  const matmulCases: [string, number[], number[], boolean, boolean][] = [
    ['[5,7]·[7,3]', [5, 7], [7, 3], false, false],
    ['[33,20]·[20,17]', [33, 20], [20, 17], false, false],
    ['[2,9,8]·[8,6] batched', [2, 9, 8], [8, 6], false, false],
    ['aᵀ·b', [8, 5], [8, 6], true, false],
    ['a·bᵀ', [5, 8], [6, 8], false, true],
    ['matrix·vector', [4, 64], [64, 1], false, false],
    ['k = 300', [3, 300], [300, 5], false, false],
  ];
  for (const [label, as, bs, ta, tb] of matmulCases) {
    it(`matmul ${label} of float16 gives float16, accumulated in float32 (1 ulp)`, async () => {
      const a = halfValues(as, 21, -1, 1);
      const b = halfValues(bs, 22, -1, 1);
      const expected = await cpuOracle([a, b], (x, y) => wg.matmul(x, y, ta, tb));
      const xa = half(a);
      const xb = half(b);
      const y = wg.matmul(xa, xb, ta, tb);
      expect(y.dtype).toBe('float16');
      // Summation order differs from the cpu's: allow 1 ulp, plus f32 rounding of the sum.
      expectHalfClose(await y.data(), expected, 1, 1e-5, label);
      for (const t of [xa, xb, y]) t.dispose();
    });
  }

  it('dense: float16 x and kernel with a float32 bias and fused relu give float16', async () => {
    const x = halfValues([6, 10], 31);
    const k = halfValues([10, 7], 32, -0.5, 0.5);
    const bias = halfValues([7], 33);
    const expected = await cpuOracle([x, k, bias], (a, b, c) => wg.dense(a, b, { bias: c, activation: 'relu' }));
    const tx = half(x);
    const tk = half(k);
    const tbias = wg.tensor(bias.values);
    const y = wg.dense(tx, tk, { bias: tbias, activation: 'relu' });
    expect(y.dtype).toBe('float16');
    expectHalfClose(await y.data(), expected, 1, 1e-5, 'dense');
    for (const t of [tx, tk, tbias, y]) t.dispose();
  });

  it('gather of a float16 table (embedding rows) is float16 and exact', async () => {
    const table = halfValues([9, 5], 41);
    const ids = { shape: [2, 3], values: Float32Array.of(8, 0, 3, 3, -1, 4), dtype: 'int32' as const };
    const expected = await cpuOracle([table, ids], (t, i) => wg.gather(t, i));
    const tt = half(table);
    const ti = wg.tensor(Int32Array.from(ids.values), [2, 3]);
    const y = wg.gather(tt, ti);
    expect(y.dtype).toBe('float16');
    expect(y.shape).toEqual([2, 3, 5]);
    expectHalfClose(await y.data(), expected, 0, 0, 'gather');
    const sliced = wg.slice(tt, [0, 1], [9, 3]);
    const ys = wg.gather(sliced, ti, 0);
    expectHalfClose(await ys.data(), await cpuOracle([table, ids], (t, i) => wg.gather(wg.slice(t, [0, 1], [9, 3]), i, 0)), 0, 0, 'gather sliced');
    for (const t of [tt, ti, y, sliced, ys]) t.dispose();
  });

  it('ops without a float16 kernel compute in float32 and return float32', async () => {
    const x = halfValues([4, 6], 51);
    const tx = half(x);
    const rules: [string, (t: wg.Tensor) => wg.Tensor][] = [
      ['sum', (t) => wg.sum(t, 1)],
      ['mean', (t) => wg.mean(t)],
      ['softmax', (t) => wg.softmax(t)],
      ['layerNorm', (t) => wg.layerNorm(t)],
      ['logSumExp', (t) => wg.logSumExp(t, 1)],
    ];
    for (const [label, fn] of rules) {
      const y = fn(tx);
      expect(y.dtype, label).toBe('float32');
      expectHalfClose(await y.data(), await cpuOracle([x], fn, false), 0, 1e-5, label);
      y.dispose();
    }
    const q = half(halfValues([2, 4, 8], 52));
    const att = wg.scaledDotProductAttention(q, q, q, { causal: true });
    expect(att.dtype).toBe('float32');
    for (const t of [tx, q, att]) t.dispose();
  });

  it('the gradient through a cast comes back in the input dtype (float32 master weight)', async () => {
    const w = wg.variable(wg.tensor(halfValues([6, 4], 61, -1, 1).values, [6, 4]), { name: 'w16' });
    const xv = halfValues([3, 6], 62);
    const x = half(xv);
    const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.matmul(x, wg.cast(w, 'float16'))), [w]);
    expect(value.dtype).toBe('float32');
    expect(grads[0]!.dtype).toBe('float32');
    // d sum(x·w) / dw = xᵀ·1: column sums of x, for every column of w
    const colSums = Array.from({ length: 6 }, (_, i) => [0, 1, 2].reduce((s, r) => s + xv.values[r * 6 + i]!, 0));
    const expected = colSums.flatMap((s) => [s, s, s, s]);
    expectHalfClose(await grads[0]!.data(), roundArrayToFloat16(expected), 1, 1e-3, 'grad');
    for (const t of [w, x, value, ...grads]) t!.dispose();
  });
  // Finite differences in float32 around a float16 matmul: the forward rounds w ± h to
  // float16 (error up to 2⁻¹² relative) and each product to float16, so with h = 0.05
  // the difference quotient is only good to a few percent: tolerance 5% + 0.05.
  it('gradients through casts and a float16 matmul match finite differences (loose: 5% + 0.05)', async () => {
    const xv = halfValues([3, 5], 71, -1, 1);
    const wv = halfValues([5, 4], 72, -1, 1);
    const weights = wg.tensor(halfValues([3, 4], 73).values, [3, 4]);
    const x = half(xv);
    // a float16 product scored against float32 weights: mul promotes (a recorded cast)
    const f = (w: wg.Tensor) => wg.sum(wg.mul(wg.matmul(x, wg.cast(w, 'float16')), weights));
    const w = wg.tensor(wv.values, [5, 4]);
    const { value, grads } = wg.valueAndGrad(() => f(w), [w]);
    value.dispose();
    expect(grads[0]!.dtype).toBe('float32');
    const analytic = await grads[0]!.data();
    const h = 0.05;
    const numeric = new Float32Array(20);
    for (let i = 0; i < 20; i++) {
      const at = (delta: number) => {
        const moved = Float32Array.from(wv.values);
        moved[i]! += delta;
        return wg.tidy(() => f(wg.tensor(moved, [5, 4])));
      };
      const [plus, minus] = [at(h), at(-h)];
      numeric[i] = ((await plus.data())[0]! - (await minus.data())[0]!) / (2 * h);
      plus.dispose();
      minus.dispose();
    }
    analytic.forEach((g, i) => expect(Math.abs(g - numeric[i]!)).toBeLessThanOrEqual(0.05 * Math.abs(numeric[i]!) + 0.05));
    // and the exact value: d/dw = xᵀ · weights, from float16 inputs, rounded once to float16
    const exact = await cpuOracle([xv, { shape: [3, 4], values: await weights.data<Float32Array>() }], (a, b) => wg.matmul(a, b, true, false));
    expectHalfClose(analytic, exact, 1, 1e-4, 'analytic');
    for (const t of [x, w, weights, ...grads]) t!.dispose();
  });
  it('fill, where and reading a view at an odd offset work on packed halves', async () => {
    const ones = wg.ones([7], 'float16');
    expect([...(await ones.data())]).toEqual([1, 1, 1, 1, 1, 1, 1]);
    const filled = wg.fill([3], 0.1, 'float16');
    expectHalfClose(await filled.data(), roundArrayToFloat16([0.1, 0.1, 0.1]), 0, 0, 'fill');
    const a = halfValues([2, 5], 81);
    const b = halfValues([2, 5], 82);
    const ta = half(a);
    const tb = half(b);
    const picked = wg.where(wg.greater(ta, tb), ta, tb);
    expect(picked.dtype).toBe('float16');
    expectHalfClose(await picked.data(), await cpuOracle([a, b], (x, y) => wg.where(wg.greater(x, y), x, y)), 0, 0, 'where');
    // a slice starting at element 3 (an odd offset, mid-word), read without a kernel copy
    const odd = wg.slice(wg.reshape(ta, [10]), [3], [5]);
    expect([...(await odd.data())]).toEqual([...a.values.slice(3, 8)]);
    for (const t of [ones, filled, ta, tb, picked, odd]) t.dispose();
  });
  it('dense with a float16 bias, and matmul of float16 by float32 (promoted to float32)', async () => {
    const x = halfValues([5, 6], 91);
    const k = halfValues([6, 3], 92, -0.5, 0.5);
    const bias = halfValues([3], 93);
    const expected = await cpuOracle([x, k, bias], (a, b, c) => wg.dense(a, b, { bias: c, activation: 'tanh' }));
    const [tx, tk, tb] = [half(x), half(k), half(bias)];
    const y = wg.dense(tx, tk, { bias: tb, activation: 'tanh' });
    expect(y.dtype).toBe('float16');
    expectHalfClose(await y.data(), expected, 1, 1e-5, 'dense f16 bias');
    const k32 = wg.tensor(k.values, [6, 3]);
    const mixed = wg.matmul(tx, k32);
    expect(mixed.dtype).toBe('float32');
    // no float16 rounding at the output: float32 within summation-order rounding
    const exact = await cpuOracle([x, k], (a, b) => wg.matmul(a, b), false);
    (await mixed.data()).forEach((v, i) => expect(Math.abs(v - exact[i]!)).toBeLessThanOrEqual(1e-5));
    for (const t of [tx, tk, tb, y, k32, mixed]) t.dispose();
  });
});
