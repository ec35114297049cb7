// Two models training at once on one backend (their awaits interleaved) end exactly
// where each ends when trained alone.
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
    // the two really interleaved
    expect(order.slice(0, 4)).toEqual(['a', 'b', 'a', 'b']);
    expect(hA.history.loss).toEqual(hSoloA.history.loss);
    expect(hB.history.loss).toEqual(hSoloB.history.loss);
    for (const [together, alone] of [[bothA, soloA], [bothB, soloB]] as const) {
      const w1 = await Promise.all(together.getWeights().map((w) => w.data()));
      const w2 = await Promise.all(alone.getWeights().map((w) => w.data()));
      w1.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(w2[i]!)));
    }
    for (const m of [soloA, soloB, bothA, bothB]) m.dispose();
  });
});
