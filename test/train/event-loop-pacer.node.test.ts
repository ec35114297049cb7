// fit pauses for the event loop as yieldEvery says. 'auto' (the default) pauses at a
// step's end once AUTO_YIELD_MS have passed since the last pause: a page stays
// responsive, and a fit of tiny one-step epochs does not pay a macrotask turn per epoch.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as wg from '../../src/index.js';
import { AUTO_YIELD_MS, EventLoopPacer } from '../../src/fit-common.js';

describe('EventLoopPacer', () => {
  afterEach(() => vi.restoreAllMocks());

  const clock = (): { set: (ms: number) => void } => {
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    return { set: (ms) => void (now = 1000 + ms) };
  };

  it("'batch' pauses after every step, 'epoch' after every epoch, 'never' never", () => {
    const batch = new EventLoopPacer('batch');
    const epoch = new EventLoopPacer('epoch');
    const never = new EventLoopPacer('never');
    expect(batch.afterStep()).toBeInstanceOf(Promise);
    expect(batch.afterEpoch()).toBeUndefined();
    expect(epoch.afterStep()).toBeUndefined();
    expect(epoch.afterEpoch()).toBeInstanceOf(Promise);
    expect(never.afterStep()).toBeUndefined();
    expect(never.afterEpoch()).toBeUndefined();
  });

  it("'auto' pauses at a step's or an epoch's end once the interval has passed since the last pause", async () => {
    const time = clock();
    const pacer = new EventLoopPacer('auto');
    time.set(AUTO_YIELD_MS - 1);
    expect(pacer.afterStep()).toBeUndefined();
    expect(pacer.afterEpoch()).toBeUndefined();
    time.set(AUTO_YIELD_MS);
    const pause = pacer.afterEpoch();
    expect(pause).toBeInstanceOf(Promise);
    await pause;
    // The interval counts from the end of that pause.
    time.set(2 * AUTO_YIELD_MS - 1);
    expect(pacer.afterStep()).toBeUndefined();
    time.set(2 * AUTO_YIELD_MS);
    expect(pacer.afterStep()).toBeInstanceOf(Promise);
  });
});

describe("fit's default pauses", () => {
  it('let a timer run during a long fit of one-step epochs', async () => {
    await wg.setBackend('cpu');
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = wg.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const y = wg.tensor([[1], [0], [1]]);
    let timerRan = false;
    let epochsAfterTimer = 0;
    setTimeout(() => (timerRan = true), 0);
    const started = performance.now();
    const epochs = 400;
    await model.fit(x, y, {
      epochs, batchSize: 3, verbose: 0,
      callbacks: { onEpochEnd: () => void (timerRan && epochsAfterTimer++) },
    });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(2 * AUTO_YIELD_MS); // long enough for 'auto' to pause
    expect(timerRan).toBe(true);
    // The timer ran at a pause well before the end, not only once fit returned.
    expect(epochsAfterTimer).toBeGreaterThan(0);
    wg.dispose([x, y]);
    model.dispose();
  });
});
