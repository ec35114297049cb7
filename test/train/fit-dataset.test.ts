// model.fit(dataset): the same steps as fit on tensors when the dataset deals the same
// batches (identical weights and logs), stepsPerEpoch running on across passes,
// validation on a dataset equal to evaluate, the NaN guard, and wrong calls.
import { describe, expect, it, vi } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { settleGarbage } from '../helpers/gc.js';

const cases = await backendCases();

function problem() {
  const rng = new wg.Random(5);
  const rows = Array.from({ length: 24 }, () => Array.from({ length: 3 }, () => rng.normal()));
  return { rows, targets: rows.map((r) => [r[0]! - 2 * r[1]! + 0.5 * r[2]!]) };
}

function build(): wg.Sequential {
  wg.setSeed(11);
  const model = wg.sequential([wg.layers.dense({ units: 6, inputDim: 3, activation: 'tanh' }), wg.layers.dense({ units: 1 })]);
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.05 }), loss: 'mse', metrics: ['mae'] });
  return model;
}

/** Batches of `size` rows in order, made fresh on each pass (fit disposes them). */
function batchesOf(rows: number[][], targets: number[][], size: number): wg.Dataset {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < rows.length; i += size) yield { x: wg.tensor(rows.slice(i, i + size)), y: wg.tensor(targets.slice(i, i + size)) };
    },
  };
}

async function weightsOf(model: wg.Sequential): Promise<number[][]> {
  return Promise.all(model.weights.map(async (w) => Array.from(await w.data())));
}

describe.each(cases)('fit on a dataset ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('takes the same steps as fit on tensors with the same batches', async () => {
    await wg.setBackend(name);
    const { rows, targets } = problem();
    const x = wg.tensor(rows);
    const y = wg.tensor(targets);
    const plain = build();
    const h1 = await plain.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const streamed = build();
    // an async generator works as well as an iterable
    const asyncBatches: wg.Dataset = {
      async *[Symbol.asyncIterator]() {
        yield* batchesOf(rows, targets, 8) as Iterable<wg.Batch>;
      },
    };
    const h2 = await streamed.fit(asyncBatches, { epochs: 3, verbose: 0, validationData: batchesOf(rows, targets, 5) });
    const [w1, w2] = [await weightsOf(plain), await weightsOf(streamed)];
    w1.forEach((w, i) => w.forEach((v, j) => expect(w2[i]![j]).toBeCloseTo(v, 5)));
    h1.history.loss!.forEach((v, i) => expect(h2.history.loss![i]).toBeCloseTo(v, 5));
    h1.history.mae!.forEach((v, i) => expect(h2.history.mae![i]).toBeCloseTo(v, 5));
    // validation after the last epoch equals evaluate on the same data
    const evaluated = await streamed.evaluate(x, y);
    expect(h2.history.val_loss![2]).toBeCloseTo(evaluated.loss!, 5);
    expect(h2.history.val_mae![2]).toBeCloseTo(evaluated.mae!, 5);
    // once the optimizer has its state, a further fit leaves no tensor behind
    await settleGarbage(); // what earlier tests forgot is reclaimed at awaits: settle it before the baseline
    const before = wg.memory().numTensors;
    await streamed.fit(asyncBatches, { epochs: 0, verbose: 0 });
    await streamed.fit(batchesOf(rows, targets, 8), { epochs: 1, verbose: 0, validationData: batchesOf(rows, targets, 5), validationSteps: 2 });
    expect(wg.memory().numTensors).toBe(before);
    x.dispose();
    y.dispose();
  });

  run('stepsPerEpoch runs on into a new pass; callbacks see each batch', async () => {
    await wg.setBackend(name);
    const { rows, targets } = problem();
    const plain = build();
    const x = wg.tensor(rows);
    const y = wg.tensor(targets);
    await plain.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    const streamed = build();
    const seen: number[] = [];
    // 3 batches a pass; 3 epochs of 2 steps = two passes
    const h = await streamed.fit(batchesOf(rows, targets, 8), {
      epochs: 3, stepsPerEpoch: 2, verbose: 0, callbacks: { onBatchEnd: (b, logs) => void seen.push(b, logs!.size!) },
    });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(seen).toEqual([0, 8, 1, 8, 0, 8, 1, 8, 0, 8, 1, 8]);
    const [w1, w2] = [await weightsOf(plain), await weightsOf(streamed)];
    w1.forEach((w, i) => w.forEach((v, j) => expect(w2[i]![j]).toBeCloseTo(v, 5)));
    x.dispose();
    y.dispose();
  });

  run('stops on a non-finite loss as fit does', async () => {
    await wg.setBackend(name);
    const { rows, targets } = problem();
    const bad = targets.map((t, i) => (i === 20 ? [Number.NaN] : t));
    const model = build();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const h = await model.fit(batchesOf(rows, bad, 8), { epochs: 3, verbose: 0 });
    // said once even at verbose 0, as fit on tensors does
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => /^fit: .*(NaN|not finite|infinite)/i.test(m))).toHaveLength(1);
    warn.mockRestore();
    expect(h.stoppedOnNaN).toBeDefined();
    for (const w of await weightsOf(model)) w.forEach((v) => expect(Number.isFinite(v)).toBe(true));
    await expect(build().fit(batchesOf(rows, bad, 8), { epochs: 1, verbose: 0, onNaN: 'throw' })).rejects.toThrow(/fit: .*(NaN|not finite|infinite)/i);
  });

  run('refuses wrong calls before training, freeing the batch it read', async () => {
    await wg.setBackend(name);
    const { rows, targets } = problem();
    const model = build();
    await model.fit(batchesOf(rows, targets, 8), { verbose: 0 }); // the optimizer's state exists from here on
    await settleGarbage(); // what earlier tests forgot is reclaimed at awaits: settle it before the baseline
    const before = wg.memory().numTensors;
    await expect(model.fit(batchesOf(rows, targets, 8), { batchSize: 4 } as never)).rejects.toThrow(/fit: batchSize does not apply when fitting a dataset \(the dataset makes the batches\)/);
    await expect(model.fit(batchesOf(rows, targets, 8), { validationSplit: 0.2 } as never)).rejects.toThrow(/fit: validationSplit does not apply when fitting a dataset \(give validationData: a second dataset\)/);
    await expect(model.fit(batchesOf(rows, targets, 8), { stepsPerEpoch: 0 })).rejects.toThrow(/fit: stepsPerEpoch should be an integer >= 1, got 0/);
    await expect(model.fit(batchesOf(rows, targets, 8), { validationData: 5 as never, verbose: 0 })).rejects.toThrow(/fit: validationData should be a dataset/);
    await expect(model.fit([], { verbose: 0 })).rejects.toThrow(/fit: the dataset gave no batches/);
    await expect(model.fit([{ x: 1, y: 2 }] as never, { verbose: 0 })).rejects.toThrow(/fit: batch 1 of the dataset should be \{ x: Tensor, y: Tensor \}/);
    await expect(model.fit(batchesOf(rows.map((r) => [...r, 0]), targets, 8), { verbose: 0 })).rejects.toThrow(/fit: x should have shape \[batch,3\] for this model, got \[8,4\]/);
    const oneShot = (function* () {
      yield* batchesOf(rows, targets, 8) as Iterable<wg.Batch>;
    })();
    await expect(model.fit(oneShot, { epochs: 2, stepsPerEpoch: 4, verbose: 0 })).rejects.toThrow(/fit: the dataset gave no batches on a new pass/);
    expect(wg.memory().numTensors).toBe(before);
  });
});
