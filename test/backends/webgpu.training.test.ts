// The same training on cpu and on webgpu gives the same numbers (up to float32
// rounding): the seed example's sigmoid unit and a digits MLP with Adam.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { loadCsv, splitTensors } from '../helpers/datasets.js';

const cases = await backendCases();
const webgpu = cases.find((c) => c.name === 'webgpu')!;

async function seedExample(backend: wg.BackendName): Promise<{ losses: number[]; prediction: number }> {
  await wg.setBackend(backend);
  wg.setSeed(1);
  const X = wg.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  const y = wg.tensor([[1], [0], [1]]);
  const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
  model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  const history = await model.fit(X, y, { epochs: 200, batchSize: 3, shuffle: false, verbose: 0 });
  const prediction = (await model.predict(wg.tensor([[10, 11, 12]])).data())[0]!;
  model.dispose();
  wg.dispose([X, y]);
  return { losses: history.history.loss!, prediction };
}

async function digits(backend: wg.BackendName): Promise<{ losses: number[]; weights: Float32Array }> {
  await wg.setBackend(backend);
  wg.setSeed(11);
  const { xTrain, xTest, yTrain, yTest } = splitTensors(loadCsv('digits'), 11);
  const model = wg.sequential([
    wg.layers.dense({ units: 32, inputDim: 64, activation: 'relu' }),
    wg.layers.dense({ units: 10 }),
  ]);
  model.compile({
    optimizer: wg.optimizers.adam({ learningRate: 0.01 }),
    loss: (y, p) => wg.losses.sparseCategoricalCrossentropy(y, p, { fromLogits: true }),
  });
  const history = await model.fit(xTrain, yTrain, { epochs: 3, batchSize: 64, seed: 11, verbose: 0 });
  const weights = (await model.getWeights()[2]!.data()) as Float32Array;
  model.dispose();
  wg.dispose([xTrain, xTest, yTrain, yTest]);
  return { losses: history.history.loss!, weights };
}

describe('webgpu trains like cpu', () => {
  it.skipIf(webgpu.skip)('the seed example follows the same loss curve and prediction', async () => {
    const cpu = await seedExample('cpu');
    const gpu = await seedExample('webgpu');
    for (const [i, l] of cpu.losses.entries()) expect(Math.abs(gpu.losses[i]! - l), `epoch ${i}`).toBeLessThan(1e-5);
    expect(gpu.prediction).toBeCloseTo(cpu.prediction, 5);
  });

  it.skipIf(webgpu.skip)('a digits MLP with Adam: same losses per epoch and same weights after 3 epochs', async () => {
    const cpu = await digits('cpu');
    const gpu = await digits('webgpu');
    for (const [i, l] of cpu.losses.entries()) expect(Math.abs(gpu.losses[i]! - l) / l, `epoch ${i}`).toBeLessThan(1e-3);
    const worst = cpu.weights.reduce((m, w, i) => Math.max(m, Math.abs(w - gpu.weights[i]!)), 0);
    expect(worst).toBeLessThan(1e-3);
  });
});
