// Saving what docs/training-bigger-models.md adds: a model with checkpointed blocks and
// an optimizer with a schedule, clipping and accumulation comes back from wg.loadModel
// with the same layers, predictions and optimizer options.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { tempDir } from '../helpers/files.js';

const cases = await backendCases();

describe.each(cases)('saving checkpointed blocks and schedules ($name)', ({ name, skip }) => {
  it.skipIf(skip)('round-trips through model.save / wg.loadModel', async () => {
    await wg.setBackend(name);
    wg.setSeed(6);
    const model = wg.sequential([
      wg.layers.checkpointed([wg.layers.dense({ units: 5, inputDim: 3, activation: 'relu' }), wg.layers.dropout({ rate: 0.2, seed: 3 })]),
      wg.layers.checkpointed(wg.layers.dense({ units: 2 })),
    ]);
    const learningRate = wg.schedules.piecewiseConstantDecay({ boundaries: [2, 4], values: [0.1, 0.05, 0.01] });
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate, momentum: 0.5, clipValue: 0.3, gradientAccumulationSteps: 2 }), loss: 'mse' });
    const x = wg.randomNormal([10, 3]);
    const y = wg.randomNormal([10, 2]);
    await model.fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 });
    const dir = tempDir();
    await model.save(dir);
    const loaded = await wg.loadModel(dir);
    expect(loaded.layers.map((l) => l.className)).toEqual(['Checkpointed', 'Checkpointed']);
    expect((loaded.layers[0] as wg.Checkpointed).layers.map((l) => l.className)).toEqual(['Dense', 'Dropout']);
    expect(Array.from(await loaded.predict(x).data())).toEqual(Array.from(await model.predict(x).data()));
    const config = loaded.optimizer!.getConfig();
    expect(config).toEqual(model.optimizer!.getConfig());
    expect(config.learningRate).toEqual({ className: 'piecewiseConstantDecay', config: { boundaries: [2, 4], values: [0.1, 0.05, 0.01] } });
    expect(loaded.optimizer!.gradientAccumulationSteps).toBe(2);
    expect(loaded.optimizer!.clipping).toEqual({ clipValue: 0.3 });
    wg.dispose([x, y]);
    model.dispose();
    loaded.dispose();
  });
});
