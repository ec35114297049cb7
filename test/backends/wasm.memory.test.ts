// The wasm allocator reuses freed blocks: after the first training step, 10,000 more
// leave linear memory, the heap's high-water mark and its live blocks where they were.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { activeBackend } from '../../src/backends/select.js';
import type { WasmBackend } from '../../src/backends/wasm/backend.js';
import { handWrittenStep } from '../helpers/steps.js';

describe('wasm heap over 10,000 training steps', () => {
  it('stays flat: no growth, no leaked blocks', async () => {
    await wg.setBackend('wasm');
    const backend = activeBackend() as WasmBackend;
    wg.setSeed(3);
    const x = wg.randomNormal([32, 8], 0, 1, 1);
    const y = wg.randomNormal([32, 3], 0, 1, 2);
    const model = wg.sequential([
      wg.layers.dense({ units: 16, inputDim: 8, activation: 'relu' }),
      wg.layers.dense({ units: 3 }),
    ]);
    const optimizer = wg.optimizers.adam({ learningRate: 0.01 });
    const step = handWrittenStep(model, optimizer, x, y);
    step().dispose();
    // Live blocks are counted after the first step; the high-water mark after the
    // second, whose temporaries overlap a little differently (optimizer state is new
    // in the first).
    const first = backend.heapStats();
    const firstMemory = wg.memory();
    step().dispose();
    const peak = backend.heapStats();
    expect(peak.liveBlocks).toBe(first.liveBlocks);
    let losses = 0;
    for (let i = 0; i < 10_000; i++) {
      const loss = step();
      if (i % 1000 === 0) losses += (await loss.data())[0]!;
      loss.dispose();
    }
    const last = backend.heapStats();
    expect(Number.isFinite(losses)).toBe(true);
    expect(wg.memory()).toEqual({ ...firstMemory, peakBytes: expect.any(Number) });
    expect(last.liveBlocks).toBe(first.liveBlocks);
    expect(last.liveBytes).toBe(first.liveBytes);
    expect(last.top).toBe(peak.top);
    expect(last.memoryBytes).toBe(peak.memoryBytes);
    model.dispose();
    optimizer.dispose();
    await wg.setBackend('cpu');
  });
});
