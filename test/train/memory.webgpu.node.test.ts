// Memory stays flat on WebGPU too: 10,000 training steps end with the same live
// tensors and bytes as after the first, the buffer pool creates no buffer after the
// warm-up (every storage is a pool hit) and holds no more than it did, the staging
// buffers for reads are reused, and wg.releaseMemory() empties the pool.
//
// Node only: the headless adapter (Mesa llvmpipe through Dawn's GL backend) costs
// ~0.1 ms per dispatch, so the models are the smallest that still take every path of
// a step (one dense layer, 11-16 dispatches a step): ~1.3-3 ms a step here, too slow
// for Chromium's SwiftShader in `npm test`. test/train/memory.test.ts runs the other
// backends in both projects.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { settleGarbage } from '../helpers/gc.js';
import { handWrittenStep, repeatSteps } from '../helpers/steps.js';

const webgpu = (await backendCases()).find((c) => c.name === 'webgpu')!;
const STEPS = 10_000;

interface GpuMemory {
  memory: { liveBuffers: number; liveBytes: number; pooledBuffers: number; pooledBytes: number; created: number };
  staging: { freeBuffers: number; freeBytes: number; created: number };
}
const gpu = (): GpuMemory => wg.backendInfo().details as unknown as GpuMemory;

/** What must not grow from one step to the next: tensors, bytes, live and created buffers. */
function level() {
  const { memory, staging } = gpu();
  return { ...wg.memory(), liveBuffers: memory.liveBuffers, liveBytes: memory.liveBytes, created: memory.created, stagingCreated: staging.created };
}

describe.skipIf(webgpu.skip !== undefined)('memory over 10,000 steps (webgpu)', () => {
  it('a hand-written valueAndGrad + applyGradients loop', async () => {
    await wg.setBackend('webgpu');
    wg.setSeed(1);
    const x = wg.randomNormal([16, 4], 0, 1, 1);
    const y = wg.randomNormal([16, 1], 0, 1, 2);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 4 })]);
    const optimizer = wg.optimizers.sgd({ learningRate: 0.01, momentum: 0.9 });
    const step = handWrittenStep(model, optimizer, x, y);
    for (let i = 0; i < 3; i++) step().dispose();
    await wg.tensor([0]).data(); // the warm-up's work done, its buffers back in the pool
    await settleGarbage();
    const first = level();
    const pooled = gpu().memory.pooledBytes;
    const loss = await repeatSteps(step, STEPS);
    expect(Number.isFinite(loss)).toBe(true);
    expect(level()).toEqual(first);
    expect(gpu().memory.pooledBytes).toBeLessThanOrEqual(pooled + 4096);
    model.dispose();
    optimizer.dispose();
    wg.dispose([x, y]);
  });

  it('model.fit with a metric, validation, shuffling and device-loss snapshots; then releaseMemory empties the pool', async () => {
    await wg.setBackend('webgpu');
    wg.setSeed(2);
    // 404 samples, 1% held out: 100 steps of 4 an epoch, so 100 epochs make 10,000 steps
    const x = wg.randomNormal([404, 3], 0, 1, 3);
    const y = wg.randomNormal([404, 2], 0, 1, 4);
    const model = wg.sequential([wg.layers.dense({ units: 2, inputDim: 3 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.01 }), loss: 'mse', metrics: ['mae'] });
    const options = { batchSize: 4, validationSplit: 0.01, verbose: 0 as const, yieldEvery: 'never' as const };
    await model.fit(x, y, { ...options, epochs: 1 });
    await settleGarbage();
    const first = level();
    const pooled = gpu().memory.pooledBytes;
    const history = await model.fit(x, y, { ...options, epochs: STEPS / 100 });
    expect(history.params['steps']).toBe(100);
    expect(history.history.loss!.every(Number.isFinite)).toBe(true);
    expect(level()).toEqual(first);
    expect(gpu().memory.pooledBytes).toBeLessThanOrEqual(pooled + 4096);

    model.dispose();
    wg.dispose([x, y]);
    const before = gpu();
    expect(before.memory.pooledBuffers).toBeGreaterThan(0);
    wg.releaseMemory();
    const after = gpu();
    expect(after.memory.pooledBuffers).toBe(0);
    expect(after.memory.pooledBytes).toBe(0);
    expect(after.staging.freeBuffers).toBe(0);
    expect(after.memory.liveBytes).toBe(before.memory.liveBytes);
  });
});
