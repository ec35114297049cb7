// Two models training at once on one backend (their awaits interleaved) end exactly
// where each ends when trained alone; predict and evaluate interleaved with a fit
// neither disturb it nor see anything but their own model; a fit cancelled while
// another runs stops at a step boundary, its weights those of a whole number of steps.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();

function problem(seed: number) {
  const rng = new wg.Random(seed);
  const rows = Array.from({ length: 48 }, () => Array.from({ length: 3 }, () => rng.normal()));
  return { x: wg.tensor(rows), y: wg.tensor(rows.map((r) => [r[0]! - 2 * r[1]! + r[2]! * r[0]!])) };
}

function build(seed: number): wg.Sequential {
  wg.setSeed(seed);
  const model = wg.sequential([
    wg.layers.dense({ units: 8, inputDim: 3, activation: 'tanh' }),
    wg.layers.dropout({ rate: 0.1, seed }),
    wg.layers.dense({ units: 1 }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
  return model;
}

describe.each(cases)('concurrent training ($name)', ({ name, skip }) => {
  it.skipIf(skip)('two fits interleaved batch by batch match two fits run one after the other', async () => {
    await wg.setBackend(name);
    const a = problem(1);
    const b = problem(2);
    const options = (seed: number) => ({ epochs: 4, batchSize: 8, seed, verbose: 0 as const, yieldEvery: 'batch' as const });

    const [soloA, soloB] = [build(10), build(20)];
    const hSoloA = await soloA.fit(a.x, a.y, options(1));
    const hSoloB = await soloB.fit(b.x, b.y, options(2));

    const [bothA, bothB] = [build(10), build(20)];
    const order: string[] = [];
    const trace = (label: string): wg.Callback => ({ onBatchBegin: () => { order.push(label); } });
    const [hA, hB] = await Promise.all([
      bothA.fit(a.x, a.y, { ...options(1), callbacks: trace('a') }),
      bothB.fit(b.x, b.y, { ...options(2), callbacks: trace('b') }),
    ]);
    // the two really interleaved: batches of one came between batches of the other, more
    // than once (not strictly from the first batch: on an asynchronous backend each fit
    // first reads its data back for the device-loss snapshot, and either may get there first)
    const switches = order.filter((label, i) => i > 0 && label !== order[i - 1]).length;
    expect(switches, order.join('')).toBeGreaterThanOrEqual(4);
    expect(order.filter((l) => l === 'a')).toHaveLength(4 * 6);
    expect(hA.history.loss).toEqual(hSoloA.history.loss);
    expect(hB.history.loss).toEqual(hSoloB.history.loss);
    for (const [together, alone] of [[bothA, soloA], [bothB, soloB]] as const) {
      const w1 = await Promise.all(together.getWeights().map((w) => w.data()));
      const w2 = await Promise.all(alone.getWeights().map((w) => w.data()));
      w1.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(w2[i]!)));
    }
    for (const m of [soloA, soloB, bothA, bothB]) m.dispose();
  });

  it.skipIf(skip)('predict and evaluate interleaved with a fit: the fit ends as alone, the answers are those of the idle model', async () => {
    await wg.setBackend(name);
    const a = problem(1);
    const b = problem(2);
    const options = { epochs: 3, batchSize: 8, seed: 1, verbose: 0 as const, yieldEvery: 'batch' as const };
    const solo = build(10);
    const hSolo = await solo.fit(a.x, a.y, options);

    const training = build(10);
    const idle = build(20);
    const expectedPrediction = Array.from(await idle.predict(b.x).data());
    const expectedScore = await idle.evaluate(b.x, b.y);
    let done = false;
    let rounds = 0;
    const asker = async () => {
      while (!done) {
        // the idle model, and the training one in inference mode (no dropout draws)
        const [p, score] = [idle.predict(b.x), await idle.evaluate(b.x, b.y)];
        expect(Array.from(await p.data())).toEqual(expectedPrediction);
        expect(score).toEqual(expectedScore);
        p.dispose();
        const during = training.predict(a.x);
        expect(during.shape).toEqual([48, 1]);
        await during.data();
        during.dispose();
        rounds++;
        await new Promise((r) => setTimeout(r, 0));
      }
    };
    const asking = asker();
    const history = await training.fit(a.x, a.y, options);
    done = true;
    await asking;
    expect(rounds).toBeGreaterThan(2);
    expect(history.history.loss).toEqual(hSolo.history.loss);
    const w1 = await Promise.all(training.getWeights().map((w) => w.data()));
    const w2 = await Promise.all(solo.getWeights().map((w) => w.data()));
    w1.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(w2[i]!)));
    for (const m of [solo, training, idle]) m.dispose();
  });

  it.skipIf(skip)('a fit cancelled while another runs stops at a step boundary; the other ends as alone', async () => {
    await wg.setBackend(name);
    const a = problem(1);
    const b = problem(2);
    const options = (seed: number) => ({ epochs: 3, batchSize: 8, seed, verbose: 0 as const, yieldEvery: 'batch' as const });
    const STOP_AFTER = 8; // steps: the third batch of the second epoch
    let steps = 0;
    // reference: the same fit stopped by a callback after the same step
    const stopped = build(10);
    await stopped.fit(a.x, a.y, { ...options(1), callbacks: { onBatchEnd: () => { if (++steps === STOP_AFTER) stopped.stopTraining = true; } } });
    const soloB = build(20);
    await soloB.fit(b.x, b.y, options(2));

    const cancelled = build(10);
    const other = build(20);
    const controller = new AbortController();
    steps = 0;
    const [ra, rb] = await Promise.allSettled([
      cancelled.fit(a.x, a.y, { ...options(1), signal: controller.signal, callbacks: { onBatchEnd: () => { if (++steps === STOP_AFTER) controller.abort(); } } }),
      other.fit(b.x, b.y, options(2)),
    ]);
    expect(ra.status).toBe('rejected');
    expect(String((ra as PromiseRejectedResult).reason)).toMatch(/abort/i);
    expect(rb.status).toBe('fulfilled');
    expect(cancelled.optimizer!.iterations).toBe(STOP_AFTER);
    for (const [got, want] of [[cancelled, stopped], [other, soloB]] as const) {
      const w1 = await Promise.all(got.getWeights().map((w) => w.data()));
      const w2 = await Promise.all(want.getWeights().map((w) => w.data()));
      w1.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(w2[i]!)));
    }
    for (const m of [stopped, soloB, cancelled, other]) m.dispose();
  });
});
