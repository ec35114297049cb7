// GPU memory that cannot be had is an error that names the allocation (the function,
// the block, its size) and the reason: a block larger than the device can bind, or a
// total past the backend's memoryBudget. A failed allocation leaves nothing behind.
// wg.releaseMemory() lets the pool's free buffers go.

import { afterAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { createWebGPUBackend } from '../../src/backends/webgpu.js';
import { backendCases } from '../helpers/backends.js';

const webgpu = (await backendCases()).find((c) => c.name === 'webgpu')!;
const MiB = 2 ** 20;

interface PoolStats {
  liveBuffers: number;
  liveBytes: number;
  pooledBuffers: number;
  pooledBytes: number;
  budget: number | null;
}
const pool = (): PoolStats => wg.backendInfo().details!['memory'] as PoolStats;

/** Runs `f` and returns its error message, checking it left no tensor behind. */
function failure(f: () => unknown): string {
  const before = wg.memory();
  let message = '';
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(wg.AllocationError);
    message = (error as Error).message;
  }
  expect(message, 'the call should throw').not.toBe('');
  expect(wg.memory()).toEqual({ ...before, peakBytes: expect.any(Number) });
  return message;
}

describe.skipIf(webgpu.skip !== undefined)('webgpu memory', () => {
  afterAll(async () => {
    wg.registerBackend('webgpu', async () => createWebGPUBackend(), 2);
    await wg.setBackend('cpu');
  });

  it('a tensor larger than the device can bind: the error names the op, the tensor, its size and the limit', async () => {
    await wg.setBackend('webgpu');
    const limits = wg.backendInfo().details!['limits'] as Record<string, number>;
    const limit = Math.min(limits['maxStorageBufferBindingSize']!, limits['maxBufferSize']!);
    const n = limit / 4 + 1024;
    const bytes = n * 4;
    const limitText = `the largest storage buffer this device can bind is ${limit} bytes \\(${(limit / MiB).toFixed(1)} MiB, maxStorageBufferBindingSize / maxBufferSize\\)`;
    expect(failure(() => wg.zeros([n]))).toMatch(new RegExp(`^zeros: cannot allocate its output \\[${n}\\] float32 \\(${bytes} bytes, ${(bytes / MiB).toFixed(1)} MiB\\) on webgpu: ${limitText}$`));
    // an op whose inputs are small and whose output is not
    const side = Math.ceil(Math.sqrt(n));
    const column = wg.ones([side, 1]);
    const row = wg.ones([1, side]);
    expect(failure(() => wg.matmul(column, row))).toMatch(new RegExp(`^matmul: cannot allocate its output \\[${side},${side}\\] float32 \\(${side * side * 4} bytes, .* MiB\\) on webgpu: ${limitText}$`));
    expect(failure(() => wg.add(column, row))).toMatch(/^add: cannot allocate its output \[\d+,\d+\] float32/);
    wg.dispose([column, row]);
  });

  it('past a memory budget: the error names the allocation, the budget and what is live; freeing lets it through', async () => {
    wg.registerBackend('webgpu', async () => createWebGPUBackend({ memoryBudget: MiB }), 2);
    await wg.setBackend('webgpu');
    expect(pool().budget).toBe(MiB);
    const quarter = MiB / 4 / 4; // elements in a quarter MiB
    const held = [wg.ones([quarter]), wg.ones([quarter]), wg.ones([quarter])];
    const message = failure(() => wg.zeros([quarter + 16]));
    expect(message).toMatch(/^zeros: cannot allocate its output \[65552\] float32 \(262208 bytes, 0.250 MiB\) on webgpu: /);
    expect(message).toMatch(/it would take the live GPU storage to 1\.\d MiB, over this backend's memoryBudget of 1\.0 MiB \(0\.75\d MiB live in 3 buffers: dispose the tensors you no longer need/);
    held.pop()!.dispose();
    // the freed buffer sits in the pool: the budget lets it go to make room
    const fits = wg.zeros([quarter + 16]);
    expect(pool().liveBytes).toBeLessThanOrEqual(MiB);
    expect(Array.from(await wg.slice(fits, [0], [2]).data())).toEqual([0, 0]);
    wg.dispose([...held, fits]);
  });

  it("past a memory budget in training: the error says it was the optimizer's state for a named weight", async () => {
    wg.registerBackend('webgpu', async () => createWebGPUBackend({ memoryBudget: MiB }), 2);
    await wg.setBackend('webgpu');
    // a 200x400 kernel (320 KB): weights, gradients and activations fit, Adam's two state buffers do not
    const model = wg.sequential([wg.layers.dense({ units: 400, inputDim: 200, name: 'wide' })]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const x = wg.zeros([2, 200]);
    const y = wg.zeros([2, 400]);
    await expect(model.fit(x, y, { verbose: 0 })).rejects.toThrow(
      /^adam\.applyGradients: cannot allocate state buffer [01] of 'wide\/kernel' \[200,400\] \(320000 bytes, 0\.305 MiB\) on webgpu: it would take the live GPU storage to/,
    );
    model.dispose();
    wg.dispose([x, y]);
  });

  it('wg.releaseMemory() empties the buffer pool; tensors stay valid and new ones are made again', async () => {
    wg.registerBackend('webgpu', async () => createWebGPUBackend(), 2);
    await wg.setBackend('webgpu');
    const keep = wg.tensor([1, 2, 3]);
    const garbage = Array.from({ length: 20 }, (_, i) => wg.ones([1000 + i * 100]));
    await garbage[19]!.data();
    wg.dispose(garbage);
    const full = pool();
    expect(full.pooledBuffers).toBeGreaterThanOrEqual(20);
    expect(full.pooledBytes).toBeGreaterThan(20 * 4000);
    wg.releaseMemory();
    const empty = pool();
    expect(empty.pooledBuffers).toBe(0);
    expect(empty.pooledBytes).toBe(0);
    expect(empty.liveBytes).toBe(full.liveBytes);
    expect(Array.from(await keep.add(1).data())).toEqual([2, 3, 4]);
    keep.dispose();
  });
});
