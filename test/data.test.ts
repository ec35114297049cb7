// Preprocessing: scalers against closed forms, fitted on training data only; seeded
// splits and shuffles; batching.
import { describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';

const cases = await backendCases();
const ROWS = [[1, 10, 5], [2, 20, 5], [3, 60, 5], [6, 30, 5]];

const column = (j: number) => ROWS.map((r) => r[j]!);
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stdOf = (xs: number[]) => Math.sqrt(meanOf(xs.map((v) => (v - meanOf(xs)) ** 2)));

describe.each(cases)('data ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('standardScaler: zero mean, unit population std, constant columns left at scale 1', async () => {
    await wg.setBackend(name);
    const scaler = wg.data.standardScaler();
    const out = (await scaler.fitTransform(wg.tensor(ROWS)).array()) as number[][];
    for (const j of [0, 1]) {
      const m = meanOf(column(j));
      const s = stdOf(column(j));
      out.forEach((r, i) => expect(r[j]).toBeCloseTo((ROWS[i]![j]! - m) / s, 5));
    }
    out.forEach((r) => expect(r[2]).toBe(0));
    // new data uses the training statistics, and inverseTransform undoes it
    const fresh = wg.tensor([[4, 40, 7]]);
    const scaled = scaler.transform(fresh);
    expect(((await scaled.array()) as number[][])[0]![0]).toBeCloseTo((4 - meanOf(column(0))) / stdOf(column(0)), 5);
    const back = (await scaler.inverseTransform(scaled).array()) as number[][];
    back[0]!.forEach((v, j) => expect(v).toBeCloseTo([4, 40, 7][j]!, 4));
    const state = await scaler.state();
    expect(state.kind).toBe('standard');
    expect(state.offset[1]).toBeCloseTo(meanOf(column(1)), 4);
  });

  run('minMaxScaler maps the training range onto the feature range', async () => {
    await wg.setBackend(name);
    const out = (await wg.data.minMaxScaler({ featureRange: [-1, 1] }).fitTransform(wg.tensor(ROWS)).array()) as number[][];
    expect(out.map((r) => r[0])).toEqual([-1, -1 + 2 / 5, -1 + 4 / 5, 1].map((v) => expect.closeTo(v, 5)));
    expect(out.map((r) => r[1])).toEqual([-1, -0.6, 1, -0.2].map((v) => expect.closeTo(v, 5)));
  });

  run('trainTestSplit is seeded, disjoint and complete, and keeps x and y rows together', async () => {
    await wg.setBackend(name);
    const n = 20;
    const x = wg.tensor(Array.from({ length: n }, (_, i) => [i, i * 10]));
    const y = wg.tensor(Array.from({ length: n }, (_, i) => i), [n], 'int32');
    const a = wg.data.trainTestSplit(x, y, { testSize: 0.25, seed: 4 });
    const b = wg.data.trainTestSplit(x, y, { testSize: 0.25, seed: 4 });
    expect(a.xTest.shape).toEqual([5, 2]);
    expect(a.yTrain.shape).toEqual([15]);
    const train = Array.from(await a.yTrain.data());
    const test = Array.from(await a.yTest.data());
    expect([...train, ...test].sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(await b.yTest.data())).toEqual(test);
    expect(((await a.xTest.array()) as number[][]).map((r) => r[0])).toEqual(test);
    expect(test).not.toEqual([15, 16, 17, 18, 19]);
    const c = wg.data.trainTestSplit(x, y, { testSize: 0.25, seed: 5 });
    expect(Array.from(await c.yTest.data())).not.toEqual(test);
  });

  run('batches cover the data once, in order or shuffled', async () => {
    await wg.setBackend(name);
    const x = wg.tensor(Array.from({ length: 10 }, (_, i) => [i]));
    const y = wg.tensor(Array.from({ length: 10 }, (_, i) => i), [10], 'int32');
    const sizes: number[] = [];
    const seen: number[] = [];
    for (const batch of wg.data.batches(x, y, { batchSize: 4, shuffle: true, seed: 3 })) {
      sizes.push(batch.x.shape[0]!);
      const ys = Array.from(await batch.y.data());
      expect(((await batch.x.array()) as number[][]).map((r) => r[0])).toEqual(ys);
      seen.push(...ys);
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect([...seen].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...wg.data.batches(x, y, { batchSize: 4, dropRemainder: true })]).toHaveLength(2);
  });
});

describe('data argument checks', () => {
  it('transform before fit, and mismatched features, are refused', () => {
    expect(() => wg.data.standardScaler().transform(wg.zeros([2, 3]))).toThrow(/standardScaler.transform: call fit\(trainingData\) first/);
    const scaler = wg.data.standardScaler().fit(wg.ones([4, 3]));
    expect(() => scaler.transform(wg.zeros([2, 4]))).toThrow(/expected samples of shape \[3\] \(as fitted\), got x \[2,4\]/);
  });
  it('split sizes and pairs are checked', () => {
    expect(() => wg.data.trainTestSplit(wg.zeros([4, 2]), wg.zeros([3]))).toThrow(/x and y should have the same number of samples, got x \[4,2\] and y \[3\]/);
    expect(() => wg.data.trainTestSplit(wg.zeros([4, 2]), wg.zeros([4]), { testSize: 1 })).toThrow(/testSize 1 of 4 samples leaves none for training/);
    expect(() => wg.data.trainTestSplit(wg.zeros([4, 2]), wg.zeros([4]), { test_size: 0.5 } as never)).toThrow(/unknown option 'test_size'; did you mean 'testSize'/);
  });
});
