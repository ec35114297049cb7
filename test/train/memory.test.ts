// Memory stays flat: after the first training step, 10,000 more leave the same live
// tensors and bytes behind, with fit and with a hand-written loop, on every backend.
// WebGPU has its own file (memory.webgpu.node.test.ts): on the headless adapters a
// dispatch costs ~0.1 ms, so it takes smaller models, and Node only.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { activeBackend } from '../../src/backends/select.js';
import type { WasmBackend } from '../../src/backends/wasm/backend.js';
import { backendCases } from '../helpers/backends.js';
import { settleGarbage } from '../helpers/gc.js';
import { handWrittenStep, repeatSteps } from '../helpers/steps.js';

const cases = (await backendCases()).filter((c) => c.name !== 'webgpu');
const STEPS = 10_000;

describe.each(cases)('memory over 10,000 steps ($name)', ({ name, skip }) => {
  it.skipIf(skip)('a hand-written valueAndGrad + applyGradients loop', async () => {
    await wg.setBackend(name);
    wg.setSeed(1);
    const x = wg.randomNormal([16, 4], 0, 1, 1);
    const y = wg.randomNormal([16, 2], 0, 1, 2);
    const model = wg.sequential([wg.layers.dense({ units: 8, inputDim: 4, activation: 'tanh' }), wg.layers.dense({ units: 2 })]);
    const optimizer = wg.optimizers.adam({ learningRate: 0.01 });
    const step = handWrittenStep(model, optimizer, x, y);
    step().dispose();
    await settleGarbage(); // garbage of earlier tests is finalized now, not during the steps
    const first = wg.memory();
    const loss = await repeatSteps(step, STEPS);
    expect(Number.isFinite(loss)).toBe(true);
    expect(wg.memory()).toEqual({ ...first, peakBytes: expect.any(Number) });
    model.dispose();
    optimizer.dispose();
    // left alive, they would be garbage collected during the next backend's run and
    // lower its count below its own `first`
    wg.dispose([x, y]);
  });

  it.skipIf(skip)('model.fit with metrics and validation', async () => {
    await wg.setBackend(name);
    wg.setSeed(2);
    const x = wg.randomNormal([8, 3], 0, 1, 3);
    const y = wg.tensor([0, 1, 2, 0, 1, 2, 0, 1], [8], 'int32');
    const model = wg.sequential([wg.layers.dense({ units: 6, inputDim: 3, activation: 'relu' }), wg.layers.dense({ units: 3 })]);
    model.compile({ optimizer: 'adam', loss: (t, p) => wg.losses.sparseCategoricalCrossentropy(t, p, { fromLogits: true }), metrics: ['accuracy'] });
    // 8 samples in batches of 4 with 2 for validation: 2 steps per epoch
    await model.fit(x, y, { epochs: 1, batchSize: 4, validationSplit: 0.25, verbose: 0, yieldEvery: 'never' });
    await settleGarbage(); // garbage of earlier tests is finalized now, not during the steps
    const first = wg.memory();
    await model.fit(x, y, { epochs: STEPS / 2, batchSize: 4, validationSplit: 0.25, verbose: 0, yieldEvery: 'never' });
    expect(wg.memory()).toEqual({ ...first, peakBytes: expect.any(Number) });
    model.dispose();
    wg.dispose([x, y]);
  });

  it.skipIf(skip)('releaseMemory keeps live tensors as they are', async () => {
    await wg.setBackend(name);
    const t = wg.tensor([1, 2, 3]);
    wg.dispose(Array.from({ length: 10 }, () => wg.ones([1000])));
    const before = wg.memory();
    wg.releaseMemory();
    expect(wg.memory()).toEqual({ ...before, peakBytes: expect.any(Number) });
    expect(Array.from(await t.mul(2).data())).toEqual([2, 4, 6]);
    t.dispose();
  });

  // only the wasm backend has a heap of its own to shrink
  if (name === 'wasm') {
    it.skipIf(skip)('releaseMemory gives the free blocks at the top of the wasm heap back', async () => {
      await wg.setBackend(name);
      const heap = () => (activeBackend() as WasmBackend).heapStats();
      const big = wg.ones([1 << 18]); // 1 MiB, a fresh block at the top of the heap
      const top = heap().top;
      big.dispose();
      expect(heap().freeBytes).toBeGreaterThanOrEqual(1 << 20);
      wg.releaseMemory();
      expect(heap().top).toBeLessThanOrEqual(top - (1 << 20));
      expect(heap().freeBytes).toBeLessThan(1 << 20);
    });
  }
});
