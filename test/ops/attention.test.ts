// wg.scaledDotProductAttention (src/ops/attention.ts) on every backend: values
// against a float64 oracle (masks, causal with Lq ≠ Lk, broadcast batch dims, dv ≠ d,
// rows longer than a tile, dropout), gradients for q, k, v against finite differences.

import { expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as lm from '../helpers/lm-reference.js';
import type { Nd } from '../helpers/reference.js';
import { bool, f32, gen, type Input, known } from '../helpers/values.js';

const backends = await backendCases();
const tol = { rel: 1e-4, abs: 1e-5 };

type Opts = Omit<wg.AttentionOptions, 'mask'> & { withMask?: boolean };

function row(name: string, inputs: Input[], opts: Opts = {}): OpCase {
  const { withMask, ...rest } = opts;
  return {
    name,
    inputs,
    run: (q, k, v, m) => wg.scaledDotProductAttention(q!, k!, v!, { ...rest, ...(withMask ? { mask: m } : {}) }),
    oracle: (q, k, v, m) => lm.attention(q!, k!, v!, { ...rest, ...(withMask ? { mask: m as Nd } : {}) }),
    tol,
  };
}

const forward: OpCase[] = [
  row('[4,8] self-attention', [f32([4, 8]), f32([4, 8]), f32([4, 8])]),
  row('[2,3,5,4] batch x heads, dv 6', [f32([2, 3, 5, 4]), f32([2, 3, 7, 4]), f32([2, 3, 7, 6])]),
  row('k, v broadcast over heads', [f32([2, 3, 5, 4]), f32([2, 1, 6, 4]), f32([2, 1, 6, 3])]),
  row('causal square', [f32([2, 6, 4]), f32([2, 6, 4]), f32([2, 6, 4])], { causal: true }),
  row('causal Lq < Lk (top-left)', [f32([3, 4]), f32([7, 4]), f32([7, 5])], { causal: true }),
  row('causal Lq > Lk: rows past Lk see every key', [f32([7, 4]), f32([3, 4]), f32([3, 5])], { causal: true }),
  row('mask [Lq,Lk] broadcast over batch', [f32([2, 5, 4]), f32([2, 6, 4]), f32([2, 6, 4]), bool([5, 6])], { withMask: true }),
  row('mask [B,1,1,Lk] (padding)', [f32([2, 2, 3, 4]), f32([2, 2, 5, 4]), f32([2, 2, 5, 4]), bool([2, 1, 1, 5], { gen: gen.oneOf([1, 1, 0]) })], { withMask: true }),
  row('mask and causal', [f32([5, 4]), f32([5, 4]), f32([5, 4]), bool([5, 5])], { withMask: true, causal: true }),
  row('fully masked rows give 0', [f32([3, 4]), f32([4, 4]), f32([4, 2]), known([[true, false, true, false], [false, false, false, false], [false, true, false, false]], 'bool')], { withMask: true }),
  row('scale 0.3', [f32([3, 4]), f32([5, 4]), f32([5, 4])], { scale: 0.3 }),
  row('large scores do not overflow', [f32([3, 4], { gen: gen.uniform(-30, 30) }), f32([5, 4], { gen: gen.uniform(-30, 30) }), f32([5, 4])]),
  row('Lk 300 (longer than a tile), d 40', [f32([1, 9, 40]), f32([1, 300, 40]), f32([1, 300, 24])], { causal: false }),
  row('Lq 70, Lk 130 causal', [f32([70, 16]), f32([130, 16]), f32([130, 8])], { causal: true }),
  row('dropout 0.3, seed 7', [f32([2, 6, 4]), f32([2, 9, 4]), f32([2, 9, 5])], { dropout: 0.3, seed: 7 }),
  row('dropout 0.5 causal, seed 123456789', [f32([2, 8, 4]), f32([2, 8, 4]), f32([2, 8, 4])], { dropout: 0.5, seed: 123456789, causal: true }),
  row('transposed q view', [f32([6, 4], { view: 'transpose' }), f32([5, 4]), f32([5, 3])]),
  // wasm's kernels take eight columns a pass, then four, then one: d 13 and dv 14 use all three.
  row('d 13, dv 14, causal', [f32([2, 6, 13]), f32([2, 7, 13]), f32([2, 7, 14])], { causal: true }),
];

describeOps({ scaledDotProductAttention: forward }, backends);

function grad(name: string, inputs: Input[], opts: Opts = {}): GradCase {
  const { withMask, ...rest } = opts;
  return {
    name,
    inputs,
    wrt: [0, 1, 2],
    f: (q, k, v, m) => wg.scaledDotProductAttention(q!, k!, v!, { ...rest, ...(withMask ? { mask: m } : {}) }),
    oracle: (q, k, v, m) => lm.attention(q!, k!, v!, { ...rest, ...(withMask ? { mask: m as Nd } : {}) }),
    tol: { rel: 2e-3, abs: 2e-4 },
  };
}

describeGrads({
  scaledDotProductAttention: [
    grad('[3,4] self', [f32([3, 4]), f32([3, 4]), f32([3, 4])]),
    grad('[2,2,3,4] Lk 5, dv 3, causal', [f32([2, 2, 3, 4]), f32([2, 2, 5, 4]), f32([2, 2, 5, 3])], { causal: true }),
    grad('k, v broadcast over heads', [f32([2, 3, 4]), f32([1, 4, 4]), f32([1, 4, 2])]),
    grad('mask with a fully masked row', [f32([3, 4]), f32([4, 4]), f32([4, 2]), known([[true, false, true, false], [false, false, false, false], [false, true, true, true]], 'bool')], { withMask: true }),
    grad('dropout 0.4 seed 3', [f32([2, 4, 4]), f32([2, 5, 4]), f32([2, 5, 3])], { dropout: 0.4, seed: 3 }),
    grad('Lk 70', [f32([3, 8]), f32([70, 8]), f32([70, 4])], { causal: true }),
    grad('d 13, dv 14 (eight, four and single columns)', [f32([2, 5, 13]), f32([2, 6, 13]), f32([2, 6, 14])], { causal: true }),
  ],
}, backends);

it('dropout: equal seeds give equal results, different seeds differ, and about p of the weights drop', async () => {
  await wg.setBackend('cpu');
  const q = wg.zeros([1, 64, 4]);
  const v = wg.ones([1, 64, 1]);
  // Uniform weights 1/64 over all-ones values: each output is (kept count) / 64 / (1 - p).
  const a = await wg.scaledDotProductAttention(q, q, v, { dropout: 0.25, seed: 11 }).data<Float32Array>();
  const b = await wg.scaledDotProductAttention(q, q, v, { dropout: 0.25, seed: 11 }).data();
  const c = await wg.scaledDotProductAttention(q, q, v, { dropout: 0.25, seed: 12 }).data();
  expect([...a]).toEqual([...b]);
  expect([...a]).not.toEqual([...c]);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  expect(Math.abs(mean - 1)).toBeLessThan(0.05);
  wg.dispose([q, v]);
});
