// A checkpoint carries a learning-rate schedule and gradient accumulation: a run with
// cosine decay and 3-step accumulation that stops mid-accumulation (7 micro-batches
// an epoch) and resumes ends with the same weights as one that never stopped, both
// through fit's resumeFrom and through wg.loadCheckpoint (which rebuilds the schedule).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { tempDir } from '../helpers/files.js';

const cases = await backendCases();

function problem() {
  const rng = new wg.Random(3);
  const rows = Array.from({ length: 100 }, () => [rng.normal(), rng.normal()]);
  return { x: wg.tensor(rows), y: wg.tensor(rows.map((r) => [r[0]! * r[1]!])) };
}

function makeModel(): wg.Sequential {
  wg.setSeed(4);
  const model = wg.sequential([wg.layers.dense({ units: 6, inputDim: 2, activation: 'tanh' }), wg.layers.dense({ units: 1 })]);
  const learningRate = wg.schedules.cosineDecay({ initialLearningRate: 0.001, warmupTarget: 0.05, warmupSteps: 3, decaySteps: 8, alpha: 0.1 });
  model.compile({ optimizer: wg.optimizers.adam({ learningRate, gradientAccumulationSteps: 3, clipNorm: 1 }), loss: 'mse' });
  return model;
}

const weightBytes = async (m: wg.LayersModel) => Promise.all(m.getWeights().map(async (w) => Array.from(await w.data())));
const FIT = { batchSize: 16, seed: 2, verbose: 0 } as const;

describe.each(cases)('checkpoints with a schedule and accumulation ($name)', ({ name, skip }) => {
  it.skipIf(skip)('4 epochs straight = 2 + resume 2, mid-accumulation, by resumeFrom and by loadCheckpoint', async () => {
    await wg.setBackend(name);
    const { x, y } = problem();
    const dir = tempDir();
    const straight = makeModel();
    const history = await straight.fit(x, y, { ...FIT, epochs: 4, checkpoint: { dir, every: 2, keep: 0 } });
    const expected = await weightBytes(straight);
    const file = join(dir, 'checkpoint-000002.safetensors');
    const state = JSON.parse(wg.io.decodeSafetensors(readFileSync(file)).metadata['webgrad.checkpoint']!);
    // 14 micro-batches: 4 updates and 2 pending
    expect(state.optimizer.iterations).toBe(4);
    expect(state.optimizer.pending).toBe(2);
    expect(state.model.training.optimizer.config.learningRate.className).toBe('cosineDecay');

    const resumed = makeModel();
    const rest = await resumed.fit(x, y, { ...FIT, epochs: 4, resumeFrom: file });
    expect(await weightBytes(resumed)).toEqual(expected);
    expect(rest.history.learningRate).toEqual(history.history.learningRate!.slice(2));

    const loaded = await wg.loadCheckpoint(file);
    expect(loaded.model.optimizer!.gradientAccumulationSteps).toBe(3);
    expect(loaded.model.optimizer!.currentLearningRate).toBe((straight.optimizer!.learningRate as wg.LearningRateSchedule)(4));
    await loaded.model.fit(x, y, { ...FIT, epochs: 4, resumeFrom: loaded });
    expect(await weightBytes(loaded.model)).toEqual(expected);

    // control: the same checkpoint without its pending micro-batches ends elsewhere
    const checkpoint = await wg.loadCheckpoint(file);
    const opt = checkpoint.model.optimizer!;
    opt.setState(checkpoint.model.trainableWeights, { ...opt.getState(checkpoint.model.trainableWeights), pending: 0 });
    await checkpoint.model.fit(x, y, { ...FIT, epochs: 4, initialEpoch: 2 });
    expect(await weightBytes(checkpoint.model)).not.toEqual(expected);
    for (const m of [straight, resumed, loaded.model, checkpoint.model]) m.dispose();
    wg.dispose([x, y]);
  });
});
