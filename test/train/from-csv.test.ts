// The CSV pipeline trains to the accuracy examples/data/README.md lists as normal for a
// correct implementation (an MLP Dense(32, relu) → Dense(classes), Adam lr 0.01, batch
// 32, standardised inputs: digits 0.969–0.989, iris 0.921–0.974 in PyTorch).
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { hostSideHere } from '../helpers/runtime.js';

const cases = await backendCases();
const data = (name: string) => new URL(`../../examples/data/${name}.csv`, import.meta.url);

async function trainAndScore(name: string, target: string, epochs: number, seed: number) {
  const set = await wg.data.loadCsv(data(name), { target, test: 0.25, seed });
  wg.setSeed(seed);
  const model = wg.sequential([
    wg.layers.dense({ units: 32, inputDim: set.preprocessing.inputWidth, activation: 'relu' }),
    wg.layers.dense({ units: set.preprocessing.outputWidth, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  await model.fit(set.train.x, set.train.y, { epochs, batchSize: 32, seed, verbose: 0 });
  const predicted = await model.predict(set.test!.x).argMax(-1).data();
  const report = wg.metrics.classificationReport(set.test!.targets, predicted, { classNames: set.preprocessing.classes! });
  model.dispose();
  return report;
}

// The CSV pipeline is host-side: in Chromium it runs on cpu and wasm, not on webgpu, where
// digits.test.ts trains the same MLP on the same data (test/helpers/runtime.ts).
describe.each(cases.filter((c) => hostSideHere(c.name)))('training from CSV files ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('digits reaches at least 0.95 test accuracy (10 epochs)', async () => {
    await wg.setBackend(name);
    const report = await trainAndScore('digits', 'label', 10, 5);
    expect(report.samples).toBe(450);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(report.macro.f1).toBeGreaterThanOrEqual(0.94);
  });

  run('iris lands in the reference range (50 epochs)', async () => {
    await wg.setBackend(name);
    const report = await trainAndScore('iris', 'species', 50, 2);
    expect(report.samples).toBe(38);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.92);
  });
});
