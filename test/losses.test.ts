// Losses against closed forms computed here in float64, their stability at extreme
// inputs, their gradients against finite differences, and their argument checks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';

const cases = await backendCases();

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const clip = (p: number): number => Math.min(Math.max(p, 1e-7), 1 - 1e-7);
const logSoftmaxRow = (row: number[]): number[] => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
};

const Y = [[1, 0], [0.5, 2], [-1, 3]];
const P = [[0.8, -0.5], [0.5, 1], [2, 2.5]];
const flatY = Y.flat();
const flatP = P.flat();

const PROBS = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]];
const ONE_HOT = [[1, 0, 0], [0, 0, 1], [0, 1, 0]];
const LABELS = [0, 2, 1];
const LOGITS = [[2, -1, 0.5], [0.1, 0.2, 3], [-2, 1.5, 1]];

async function value(t: wg.Tensor): Promise<number> {
  expect(t.size).toBe(1);
  return (await t.data())[0]!;
}

describe.each(cases)('losses ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('meanSquaredError, meanAbsoluteError and huber match their closed forms', async () => {
    await wg.setBackend(name);
    const y = wg.tensor(Y);
    const p = wg.tensor(P);
    expect(await value(wg.losses.meanSquaredError(y, p))).toBeCloseTo(mean(flatY.map((v, i) => (v - flatP[i]!) ** 2)), 6);
    expect(await value(wg.losses.meanAbsoluteError(y, p))).toBeCloseTo(mean(flatY.map((v, i) => Math.abs(v - flatP[i]!))), 6);
    for (const delta of [1, 0.5]) {
      const expected = mean(flatY.map((v, i) => {
        const e = Math.abs(flatP[i]! - v);
        return e <= delta ? 0.5 * e * e : delta * (e - 0.5 * delta);
      }));
      expect(await value(wg.losses.huber(y, p, { delta }))).toBeCloseTo(expected, 6);
    }
  });

  run('binaryCrossentropy on probabilities and on logits', async () => {
    await wg.setBackend(name);
    const y = wg.tensor([[1], [0], [1], [0]]);
    const logits = [1.5, -0.3, -2, 4];
    const probs = logits.map(sigmoid);
    const truth = [1, 0, 1, 0];
    const expected = mean(truth.map((t, i) => -(t * Math.log(clip(probs[i]!)) + (1 - t) * Math.log(1 - clip(probs[i]!)))));
    expect(await value(wg.losses.binaryCrossentropy(y, wg.tensor(probs.map((v) => [v]))))).toBeCloseTo(expected, 5);
    expect(await value(wg.losses.binaryCrossentropy(y, wg.tensor(logits.map((v) => [v])), { fromLogits: true }))).toBeCloseTo(expected, 5);
  });

  run('categorical and sparse categorical cross-entropy agree with each other and the closed form', async () => {
    await wg.setBackend(name);
    const expectedProbs = mean(PROBS.map((row, i) => -Math.log(row[LABELS[i]!]!)));
    const expectedLogits = mean(LOGITS.map((row, i) => -logSoftmaxRow(row)[LABELS[i]!]!));
    const oneHot = wg.tensor(ONE_HOT);
    const labels = wg.tensor(LABELS, [3], 'int32');
    expect(await value(wg.losses.categoricalCrossentropy(oneHot, wg.tensor(PROBS)))).toBeCloseTo(expectedProbs, 5);
    expect(await value(wg.losses.sparseCategoricalCrossentropy(labels, wg.tensor(PROBS)))).toBeCloseTo(expectedProbs, 5);
    expect(await value(wg.losses.categoricalCrossentropy(oneHot, wg.tensor(LOGITS), { fromLogits: true }))).toBeCloseTo(expectedLogits, 5);
    expect(await value(wg.losses.sparseCategoricalCrossentropy(labels, wg.tensor(LOGITS), { fromLogits: true }))).toBeCloseTo(expectedLogits, 5);
    // labels as [batch, 1] and as float32 holding integers
    const column = wg.tensor(LABELS.map((l) => [l]));
    expect(await value(wg.losses.sparseCategoricalCrossentropy(column, wg.tensor(LOGITS), { fromLogits: true }))).toBeCloseTo(expectedLogits, 5);
  });

  run('categoricalCrossentropy renormalises probabilities that do not sum to one (as Keras)', async () => {
    await wg.setBackend(name);
    const scaled = PROBS.map((row) => row.map((v) => v * 3));
    const expected = mean(PROBS.map((row, i) => -Math.log(row[LABELS[i]!]!)));
    expect(await value(wg.losses.categoricalCrossentropy(wg.tensor(ONE_HOT), wg.tensor(scaled)))).toBeCloseTo(expected, 5);
  });

  run('from-logits losses stay finite and exact for logits of ±1e4', async () => {
    await wg.setBackend(name);
    const big = wg.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]]);
    // row 0 picks 1e4 (loss 0); row 1 picks -1e4 against two logits of 1e4: loss 2e4 + log 2
    const sparse = await value(wg.losses.sparseCategoricalCrossentropy(wg.tensor([0, 0], [2], 'int32'), big, { fromLogits: true }));
    expect(sparse).toBeCloseTo((0 + 2e4 + Math.log(2)) / 2, 0);
    const bce = await value(wg.losses.binaryCrossentropy(wg.tensor([[1], [0], [0], [1]]), wg.tensor([[1e4], [-1e4], [1e4], [-1e4]]), { fromLogits: true }));
    expect(bce).toBeCloseTo((0 + 0 + 1e4 + 1e4) / 4, 0);
    const softmax = await wg.softmax(big).data();
    expect(Array.from(softmax).every(Number.isFinite)).toBe(true);
    expect(Array.from(await wg.sigmoid(wg.tensor([1e4, -1e4])).data())).toEqual([1, 0]);
  });

  run('gradients match finite differences', async () => {
    await wg.setBackend(name);
    const labels = wg.tensor(LABELS, [3], 'int32');
    const oneHot = wg.tensor(ONE_HOT);
    const yBinary = wg.tensor([[1], [0], [1]]);
    const rows: [string, (p: wg.Tensor) => wg.Tensor, number[][]][] = [
      ['mse', (p) => wg.losses.meanSquaredError(wg.tensor(Y), p), P],
      ['huber', (p) => wg.losses.huber(wg.tensor(Y), p, { delta: 0.7 }), P],
      ['sparse from logits', (p) => wg.losses.sparseCategoricalCrossentropy(labels, p, { fromLogits: true }), LOGITS],
      ['categorical on probabilities', (p) => wg.losses.categoricalCrossentropy(oneHot, p), PROBS],
      ['binary from logits', (p) => wg.losses.binaryCrossentropy(yBinary, p, { fromLogits: true }), [[0.3], [-1.2], [2]]],
      ['binary on probabilities', (p) => wg.losses.binaryCrossentropy(yBinary, p), [[0.3], [0.6], [0.9]]],
    ];
    for (const [label, f, at] of rows) {
      const x = wg.tensor(at);
      const analytic = await wg.grad(f)(x).data();
      const flat = at.flat();
      const h = 1e-2;
      for (let i = 0; i < flat.length; i++) {
        const shifted = (d: number) => wg.tensor(flat.map((v, j) => (j === i ? v + d : v)), x.shape);
        const numeric = ((await value(f(shifted(h)))) - (await value(f(shifted(-h))))) / (2 * h);
        expect(analytic[i], `${label} element ${i}`).toBeCloseTo(numeric, 2);
      }
    }
  });
});

describe('loss argument checks', () => {
  // Label range checks read synchronously, so they run where the backend can (cpu);
  // the suites above leave the last backend of their loop active.
  beforeAll(async () => {
    await wg.setBackend('cpu');
  });
  it('shape mismatches name both shapes', () => {
    expect(() => wg.losses.meanSquaredError(wg.zeros([3, 2]), wg.zeros([3, 1]))).toThrow(/meanSquaredError: yTrue and yPred should have the same shape, got yTrue \[3,2\] and yPred \[3,1\]/);
    expect(() => wg.losses.sparseCategoricalCrossentropy(wg.zeros([4]), wg.zeros([3, 5]))).toThrow(/yTrue should have shape \[3\] or \[3,1\].*got \[4\]/);
  });
  it('labels out of range are refused', () => {
    expect(() => wg.losses.sparseCategoricalCrossentropy(wg.tensor([0, 3], [2], 'int32'), wg.zeros([2, 3]))).toThrow(/labels should be integers in \[0, 2\] \(3 classes\), got 3 at position 1/);
    expect(() => wg.losses.sparseCategoricalCrossentropy(wg.tensor([0.5, 1]), wg.zeros([2, 3]))).toThrow(/got 0.5 at position 0/);
  });
  it('unknown options are refused', () => {
    expect(() => wg.losses.binaryCrossentropy(wg.zeros([1]), wg.zeros([1]), { fromlogits: true } as never)).toThrow(/unknown option 'fromlogits'; did you mean 'fromLogits'/);
  });
});
