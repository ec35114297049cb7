// Nothing fails quietly in fit: non-finite data is refused before the first step with
// the tensor, position and value named; binary labels outside [0, 1] are refused like
// out-of-range classes; a loss that diverges mid-training stops with the epochs so far
// in History and one warning line, even at verbose 0.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { settleGarbage } from '../helpers/gc.js';

const cases = await backendCases();

function regression(n: number, seed: number): { rows: number[][]; targets: number[][] } {
  const rng = new wg.Random(seed);
  const rows = Array.from({ length: n }, () => Array.from({ length: 3 }, () => rng.normal()));
  return { rows, targets: rows.map((r) => [r[0]! - 2 * r[1]! + 0.5 * r[2]!]) };
}

function model(loss: 'mse' | 'binary_crossentropy' = 'mse'): wg.Sequential {
  wg.setSeed(3);
  const m = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: loss === 'mse' ? 'linear' : 'sigmoid' })]);
  m.compile({ optimizer: wg.optimizers.sgd(0.05), loss });
  return m;
}

afterEach(() => vi.restoreAllMocks());

describe.each(cases)('fit checks its data ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('a NaN or an infinity in x, y or the validation data is refused up front, naming where', async () => {
    await wg.setBackend(name);
    const { rows, targets } = regression(12, 1);
    const m = model();
    const before = Array.from(await m.getWeights()[0]!.data());
    const bad: [string, () => [wg.Tensor, wg.Tensor, [wg.Tensor, wg.Tensor]?], RegExp][] = [
      ['x', () => { const r = rows.map((row) => [...row]); r[7]![2] = NaN; return [wg.tensor(r), wg.tensor(targets)]; }, /^fit: x holds NaN at row 7, column 2; fit needs finite values/],
      ['y', () => { const t = targets.map((row) => [...row]); t[3]![0] = -Infinity; return [wg.tensor(rows), wg.tensor(t)]; }, /^fit: y holds -Infinity at row 3, column 0;/],
      ['validation x', () => {
        const v = rows.slice(0, 4).map((row) => [...row]);
        v[1]![0] = Infinity;
        return [wg.tensor(rows), wg.tensor(targets), [wg.tensor(v), wg.tensor(targets.slice(0, 4))]];
      }, /^fit: validationData x holds Infinity at row 1, column 0;/],
    ];
    for (const [what, make, says] of bad) {
      const [x, y, validationData] = make();
      await settleGarbage(); // what earlier tests forgot is reclaimed at awaits: settle it before the baseline
      const tensors = wg.memory().numTensors;
      const epochs: number[] = [];
      await expect(m.fit(x, y, { epochs: 2, verbose: 0, validationData, callbacks: { onEpochBegin: (e) => void epochs.push(e) } }), what).rejects.toThrow(says);
      expect(epochs, `${what}: no epoch began`).toEqual([]);
      expect(wg.memory().numTensors, `${what}: nothing left behind`).toBe(tensors);
      for (const t of [x, y, ...(validationData ?? [])]) t.dispose();
    }
    // no step was taken
    expect(Array.from(await m.getWeights()[0]!.data())).toEqual(before);
    m.dispose();
  });

  run('binary cross-entropy refuses labels outside [0, 1], in fit on every backend and in the loss where reads are synchronous', async () => {
    await wg.setBackend(name);
    const { rows } = regression(8, 2);
    const labels = [[0], [1], [1], [2], [0], [1], [0], [1]];
    const m = model('binary_crossentropy');
    const x = wg.tensor(rows);
    const y = wg.tensor(labels);
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(/^fit: labels should be in \[0, 1\] \(binary targets or probabilities\), got 2 at position 3$/);
    // soft labels in [0, 1] are fine, and their loss is positive
    const soft = wg.tensor(labels.map(([v]) => [v === 2 ? 0.25 : v!]));
    const history = await m.fit(x, soft, { epochs: 1, verbose: 0 });
    expect(history.history.loss![0]).toBeGreaterThan(0);
    if (name !== 'webgpu') {
      const p = wg.fill([8, 1], 0.5);
      expect(() => wg.losses.binaryCrossentropy(y, p)).toThrow(/^binaryCrossentropy: labels should be in \[0, 1\] \(binary targets or probabilities\), got 2 at position 3$/);
      expect(() => wg.metrics.binaryAccuracy(wg.tensor([[-1], [0]]), wg.fill([2, 1], 0.5))).toThrow(/^binaryAccuracy: labels should be in \[0, 1\]/);
      // the closed form for valid labels: -log(0.5) whatever the label
      expect((await wg.losses.binaryCrossentropy(soft, p).data())[0]).toBeCloseTo(Math.log(2), 5);
    }
    m.dispose();
  });

  run('a loss that diverges mid-training keeps the epochs so far in History and warns once at verbose 0', async () => {
    await wg.setBackend(name);
    const { rows, targets } = regression(16, 3);
    const m = model();
    const x = wg.tensor(rows);
    const y = wg.tensor(targets);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // after the first epoch, weights so large that the next loss overflows float32
    const blowUp: wg.Callback = {
      onEpochEnd: (epoch) => {
        if (epoch !== 0) return;
        const huge = m.getWeights().map((w) => wg.fill(w.shape, 1e30));
        m.setWeights(huge);
        for (const t of huge) t.dispose();
      },
    };
    const history = await m.fit(x, y, { epochs: 4, batchSize: 4, shuffle: false, verbose: 0, callbacks: blowUp });
    expect(history.epoch).toEqual([0]);
    expect(history.history.loss).toHaveLength(1);
    expect(Number.isFinite(history.history.loss![0])).toBe(true);
    expect(history.stoppedOnNaN?.epoch).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]![0]);
    expect(line).toMatch(/^fit: the loss became (Infinity|NaN) (at epoch 2, batch 1|in epoch 2); training stopped/);
    if (name !== 'webgpu') expect(history.stoppedOnNaN?.batch).toBe(0);
    expect(log).not.toHaveBeenCalled();
    m.dispose();
  });
});
