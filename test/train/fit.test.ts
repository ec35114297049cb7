// model.fit: the seed example's two formulations agree, History and callbacks follow
// Keras, validation, early stopping, reproducible shuffling, cancelling, and memory.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { hostSideHere } from '../helpers/runtime.js';
import { settleGarbage } from '../helpers/gc.js';

const cases = await backendCases();

const X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
const Y = [[1], [0], [1]];

function seedModel(seed = 1): wg.Sequential {
  wg.setSeed(seed);
  const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
  model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  return model;
}

/** A noisy linear regression problem with 4 features. */
function regression(n: number, seed: number): { x: wg.Tensor; y: wg.Tensor } {
  const rng = new wg.Random(seed);
  const rows = Array.from({ length: n }, () => Array.from({ length: 4 }, () => rng.normal()));
  const targets = rows.map((r) => [r[0]! * 2 - r[1]! + 0.5 * r[2]! + 0.1 * rng.normal()]);
  return { x: wg.tensor(rows), y: wg.tensor(targets) };
}

describe.each(cases)('fit ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('the seed example: fit and a hand-written valueAndGrad loop give the same loss curve', async () => {
    await wg.setBackend(name);
    const x = wg.tensor(X);
    const y = wg.tensor(Y);
    const model = seedModel();
    const [k, b] = model.getWeights();
    const history = await model.fit(x, y, { epochs: 300, batchSize: 3, shuffle: false, verbose: 0 });
    const w = wg.variable(k!);
    const bias = wg.variable(b!);
    const sgd = wg.optimizers.sgd({ learningRate: 0.1 });
    const curve: wg.Tensor[] = [];
    for (let i = 0; i < 300; i++) {
      const { value, grads } = wg.valueAndGrad(() => wg.losses.meanSquaredError(y, wg.sigmoid(wg.add(wg.matmul(x, w), bias))), [w, bias]);
      sgd.applyGradients(grads, [w, bias]);
      wg.dispose(grads);
      curve.push(value);
    }
    const loop = await wg.stack(curve).data();
    const fitted = history.history.loss!;
    expect(fitted).toHaveLength(300);
    fitted.forEach((l, i) => expect(Math.abs(l - loop[i]!)).toBeLessThan(1e-5));
    expect(fitted[299]!).toBeLessThan(fitted[0]!);
    const [pFit] = await model.predict(wg.tensor([[10, 11, 12]])).data();
    const [pLoop] = await wg.sigmoid(wg.add(wg.matmul(wg.tensor([[10, 11, 12]]), w), bias)).data();
    expect(pFit).toBeCloseTo(pLoop!, 5);
  });

  run('History has one number per epoch for the loss, each metric and their validation twins', async () => {
    await wg.setBackend(name);
    const { x, y } = regression(50, 1);
    wg.setSeed(2);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse', metrics: ['mae'] });
    const history = await model.fit(x, y, { epochs: 7, batchSize: 8, validationSplit: 0.2, verbose: 0, seed: 1 });
    expect(Object.keys(history.history).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    for (const values of Object.values(history.history)) expect(values).toHaveLength(7);
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(history.history.loss![6]!).toBeLessThan(history.history.loss![0]!);
    // val_loss is the loss on the last 20% of samples, as evaluate computes it
    const tail = await model.evaluate(wg.slice(x, [40], [10]), wg.slice(y, [40], [10]));
    expect(history.history.val_loss![6]).toBeCloseTo(tail.loss!, 5);
    expect(history.history.val_mae![6]).toBeCloseTo(tail.mae!, 5);
  });

  run('the epoch loss is the sample-weighted mean of the batch losses before each update', async () => {
    await wg.setBackend(name);
    const { x, y } = regression(10, 3);
    wg.setSeed(4);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.01 }), loss: 'mse' });
    const batchLosses: number[] = [];
    const sizes: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 1, batchSize: 4, shuffle: false, verbose: 0,
      callbacks: { onBatchEnd: (_b, logs) => { batchLosses.push(logs!.loss!); sizes.push(logs!.size!); } },
    });
    expect(sizes).toEqual([4, 4, 2]);
    const weighted = batchLosses.reduce((s, l, i) => s + l * sizes[i]!, 0) / 10;
    expect(history.history.loss![0]).toBeCloseTo(weighted, 5);
  });

  run('callbacks run in Keras order and may be async', async () => {
    await wg.setBackend(name);
    const { x, y } = regression(6, 5);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const events: string[] = [];
    await model.fit(x, y, {
      epochs: 2, batchSize: 3, verbose: 0,
      callbacks: [{
        onTrainBegin: async () => { await new Promise((r) => setTimeout(r, 1)); events.push('train+'); },
        onEpochBegin: (e) => { events.push(`epoch${e}+`); },
        onBatchBegin: (b) => { events.push(`batch${b}+`); },
        onBatchEnd: (b) => { events.push(`batch${b}-`); },
        onEpochEnd: (e, logs) => { events.push(`epoch${e}-:${Object.keys(logs!).join(',')}`); },
        onTrainEnd: () => { events.push('train-'); },
      }],
    });
    expect(events).toEqual(['train+', 'epoch0+', 'batch0+', 'batch0-', 'batch1+', 'batch1-', 'epoch0-:loss', 'epoch1+', 'batch0+', 'batch0-', 'batch1+', 'batch1-', 'epoch1-:loss', 'train-']);
  });

  run('validationData is evaluated after every epoch', async () => {
    await wg.setBackend(name);
    const train = regression(40, 6);
    const val = regression(12, 7);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
    const history = await model.fit(train.x, train.y, { epochs: 3, validationData: [val.x, val.y], verbose: 0 });
    const { loss } = await model.evaluate(val.x, val.y);
    expect(history.history.val_loss![2]).toBeCloseTo(loss!, 5);
  });

  run('early stopping stops when val_loss stops improving and can restore the best weights', async () => {
    await wg.setBackend(name);
    const train = regression(40, 8);
    // Validation targets unrelated to the inputs: val_loss soon stops improving.
    const val = { x: regression(20, 9).x, y: wg.randomNormal([20, 1], 0, 5, 3) };
    wg.setSeed(5);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const stopper = wg.callbacks.earlyStopping({ patience: 2, restoreBestWeights: true });
    let bestWeights: number[] = [];
    let best = Infinity;
    const watcher: wg.Callback = {
      onEpochEnd: async (_e, logs) => {
        if (logs!.val_loss! < best) {
          best = logs!.val_loss!;
          bestWeights = Array.from(await model.getWeights()[0]!.data());
        }
      },
    };
    const history = await model.fit(train.x, train.y, { epochs: 100, validationData: [val.x, val.y], callbacks: [watcher, stopper], verbose: 0 });
    const epochs = history.epoch.length;
    expect(epochs).toBeLessThan(100);
    expect(stopper.stoppedEpoch).toBe(epochs - 1);
    expect(epochs - 1 - stopper.bestEpoch).toBe(3);
    const restored = Array.from(await model.getWeights()[0]!.data());
    restored.forEach((v, i) => expect(v).toBeCloseTo(bestWeights[i]!, 6));
  });

  run('restoreBestWeights also applies when training runs out of epochs', async () => {
    await wg.setBackend(name);
    const train = regression(40, 13);
    const val = { x: regression(20, 14).x, y: wg.randomNormal([20, 1], 0, 5, 4) };
    wg.setSeed(6);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const stopper = wg.callbacks.earlyStopping({ patience: 1000, restoreBestWeights: true });
    const snapshots: number[][] = [];
    const history = await model.fit(train.x, train.y, {
      epochs: 12, validationData: [val.x, val.y], verbose: 0,
      callbacks: [{ onEpochEnd: async () => { snapshots.push(Array.from(await model.getWeights()[0]!.data())); } }, stopper],
    });
    const losses = history.history.val_loss!;
    const best = losses.indexOf(Math.min(...losses));
    expect(stopper.stoppedEpoch).toBe(-1);
    expect(best).toBeLessThan(11);
    expect(Array.from(await model.getWeights()[0]!.data())).toEqual(snapshots[best]);
  });

  run('a loss that overflows stops training and keeps the last good weights (onNaN)', async () => {
    await wg.setBackend(name);
    const { x, y: clean } = regression(32, 15);
    // finite data (fit refuses NaN up front), but a target whose squared error overflows float32
    const targets = (await clean.array()) as number[][];
    targets[21]![0] = 1e30; // in batch 5 (0-based) of size 4
    const y = wg.tensor(targets);
    wg.setSeed(8);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const epochStart = Array.from(await model.getWeights()[0]!.data());
    let lastGood: number[] = [];
    const synchronous = name !== 'webgpu';
    const history = await model.fit(x, y, {
      epochs: 3, batchSize: 4, shuffle: false, verbose: 0,
      callbacks: synchronous ? { onBatchEnd: async () => { lastGood = Array.from(await model.getWeights()[0]!.data()); } } : [],
    });
    expect(history.stoppedOnNaN?.epoch).toBe(0);
    const weights = Array.from(await model.getWeights()[0]!.data());
    expect(weights.every(Number.isFinite)).toBe(true);
    if (synchronous) {
      expect(history.stoppedOnNaN?.batch).toBe(5);
      expect(weights).toEqual(lastGood);
      expect(history.history.loss![0]).toBeGreaterThan(0);
    } else {
      expect(weights).toEqual(epochStart);
    }
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0, onNaN: 'throw' })).rejects.toThrow(/fit: the loss became (NaN|Infinity) (at epoch 1, batch 6|in epoch 1); training stopped/);
  });

  // the shuffle order is the host's: in Chromium on cpu and wasm only (hostSideHere)
  if (hostSideHere(name)) run('shuffling is seeded: the same seed trains to the same weights, another seed differently', async () => {
    await wg.setBackend(name);
    const { x, y } = regression(30, 10);
    const train = async (seed: number) => {
      wg.setSeed(1);
      const model = wg.sequential([wg.layers.dense({ units: 3, inputDim: 4, activation: 'tanh' }), wg.layers.dense({ units: 1 })]);
      model.compile({ optimizer: 'adam', loss: 'mse' });
      await model.fit(x, y, { epochs: 3, batchSize: 4, seed, verbose: 0 });
      return Array.from(await model.getWeights()[0]!.data());
    };
    const [a, b, c] = [await train(1), await train(1), await train(2)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  run('an AbortSignal stops at a step boundary with the weights consistent', async () => {
    await wg.setBackend(name);
    const { x, y } = regression(64, 11);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const controller = new AbortController();
    let batches = 0;
    const stopAt = 5;
    const fit = model.fit(x, y, {
      epochs: 10, batchSize: 4, verbose: 0, signal: controller.signal,
      callbacks: { onBatchEnd: () => { if (++batches === stopAt) controller.abort(); } },
    });
    await expect(fit).rejects.toThrow(/abort/i);
    expect(batches).toBe(stopAt);
    const weights = await model.getWeights()[0]!.data();
    expect(Array.from(weights).every(Number.isFinite)).toBe(true);
  });

  run('training leaves no tensors behind', async () => {
    await wg.setBackend(name);
    const { x, y } = regression(40, 12);
    const model = wg.sequential([wg.layers.dense({ units: 8, inputDim: 4, activation: 'relu' }), wg.layers.dropout({ rate: 0.2, seed: 1 }), wg.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, validationSplit: 0.25 });
    await settleGarbage(); // earlier tests' garbage is finalized now, not during the next fit
    const after1 = wg.memory();
    await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0, validationSplit: 0.25 });
    await model.evaluate(x, y);
    const after = wg.memory();
    expect(after.numTensors).toBe(after1.numTensors);
    expect(after.numBytes).toBe(after1.numBytes);
  });
});
