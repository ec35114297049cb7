// Memory you can plan: wg.estimateTrainingMemory (and summary({ batchSize })) against
// the measured peak of a training step (wg.memory().peakBytes), with and without
// checkpointed blocks; fit({ memoryBudget }) refuses before the first step.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { hostSideHere } from '../helpers/runtime.js';
import { handWrittenStep } from '../helpers/steps.js';

const cases = await backendCases();
/** The estimate is within this factor of the measured peak, either way (stated in the docs). */
const FACTOR = 1.5;

function layersFor(checkpointed: boolean): wg.Layer[] {
  const block = (first: boolean) => [wg.layers.dense({ units: 128, activation: 'relu', ...(first ? { inputDim: 32 } : {}) }), wg.layers.dense({ units: 128, activation: 'tanh' })];
  const blocks = [block(true), block(false), block(false), block(false)];
  return [...(checkpointed ? blocks.map((b) => wg.layers.checkpointed(b)) : blocks.flat()), wg.layers.dropout({ rate: 0.1, seed: 1 }), wg.layers.dense({ units: 8 })];
}

describe.each(cases)('training memory estimate ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run.each([false, true])('within a factor of 1.5 of the measured peak of a step (checkpointed blocks: %s)', async (checkpointed) => {
    await wg.setBackend(name);
    wg.setSeed(1);
    const batch = 64;
    const base = wg.memory().numBytes;
    const model = wg.sequential(layersFor(checkpointed));
    const optimizer = wg.optimizers.adam();
    model.compile({ optimizer, loss: 'mse' });
    const x = wg.randomNormal([batch, 32]);
    const y = wg.randomNormal([batch, 8]);
    const step = handWrittenStep(model, optimizer, x, y);
    step().dispose(); // the optimizer's state now exists, as in every later step
    wg.memory({ resetPeak: true });
    step().dispose();
    const measured = wg.memory().peakBytes - base - 4 * y.size;
    const e = wg.estimateTrainingMemory(model, { batchSize: batch });
    expect(e.weights).toBe(4 * model.countParams());
    expect(e.optimizerState).toBe(2 * e.gradients);
    console.log(`[estimate ${name}${checkpointed ? ', checkpointed' : ''}] estimate ${e.total} B (activations ${e.activations}), measured ${measured} B, ratio ${(e.total / measured).toFixed(2)}`);
    expect(e.total / measured).toBeLessThan(FACTOR);
    expect(measured / e.total).toBeLessThan(FACTOR);
    wg.dispose([x, y]);
    model.dispose();
  });

  run('checkpointed blocks lower both the estimate and the measured peak', async () => {
    await wg.setBackend(name);
    const batch = 256;
    const peaks: number[] = [];
    const estimates: number[] = [];
    for (const checkpointed of [false, true]) {
      wg.setSeed(2);
      const model = wg.sequential(layersFor(checkpointed));
      const optimizer = wg.optimizers.sgd();
      model.compile({ optimizer, loss: 'mse' });
      const x = wg.randomNormal([batch, 32]);
      const y = wg.randomNormal([batch, 8]);
      const start = wg.memory({ resetPeak: true }).numBytes;
      handWrittenStep(model, optimizer, x, y)().dispose();
      peaks.push(wg.memory().peakBytes - start);
      estimates.push(wg.estimateTrainingMemory(model, { batchSize: batch }).activations);
      wg.dispose([x, y]);
      model.dispose();
    }
    expect(peaks[1]!).toBeLessThan(peaks[0]! * 0.8);
    expect(estimates[1]!).toBeLessThan(estimates[0]! * 0.9);
    console.log(`[estimate ${name}] batch 256, peak of a step: plain ${peaks[0]} B, checkpointed ${peaks[1]} B; estimated activations ${estimates[0]} B vs ${estimates[1]} B`);
  });

  // the report and the refusal are host-side: not on webgpu in Chromium (test/helpers/runtime.ts)
  if (hostSideHere(name)) run('summary({ batchSize }) prints the estimate; fit({ memoryBudget }) refuses before the first step', async () => {
    await wg.setBackend(name);
    wg.setSeed(3);
    const model = wg.sequential(layersFor(false));
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const lines: string[] = [];
    const text = model.summary({ batchSize: 64, printFn: (l) => lines.push(l) });
    const e = wg.estimateTrainingMemory(model, { batchSize: 64 });
    expect(text).toMatch(/Training memory \(estimate, batch 64\): [\d.]+ (KiB|MiB)/);
    expect(text).toContain(`Total params: ${model.countParams()}`);
    const x = wg.randomNormal([64, 32]);
    const y = wg.randomNormal([64, 8]);
    const before = await model.getWeights()[0]!.data();
    await expect(model.fit(x, y, { batchSize: 64, verbose: 0, memoryBudget: e.total - 1 }))
      .rejects.toThrow(/^fit: training would take about [\d.]+ MiB \(weights [\d.]+ KiB, gradients [\d.]+ KiB, optimizer state [\d.]+ KiB, activations [\d.]+ KiB for batchSize 64\), over the memoryBudget of [\d.]+ MiB; use a smaller batchSize/);
    expect(Array.from(await model.optimizer!.getState(model.trainableWeights).steps)).toEqual(model.trainableWeights.map(() => 0));
    expect(Array.from(await model.getWeights()[0]!.data())).toEqual(Array.from(before));
    // a smaller batch fits under the same budget
    await model.fit(x, y, { batchSize: 16, verbose: 0, memoryBudget: e.total - 1 });
    expect(() => wg.estimateTrainingMemory(model, { batchSize: 0 })).toThrow(/^estimateTrainingMemory: batchSize should be an integer >= 1, got 0$/);
    await expect(model.fit(x, y, { memoryBudget: -1 })).rejects.toThrow(/^fit: memoryBudget should be a finite number > 0, got -1$/);
    wg.dispose([x, y]);
    model.dispose();
  });
});
