// `npm run soak -- [--minutes 10] [--backend auto] [--every 30]`: trains a small MLP
// for a set time and prints memory over time (live tensors and bytes, JS heap, RSS),
// so that a leak shows as a rising column. Not a test: run it by hand, keep its output.
import { parseArgs } from 'node:util';
import * as wg from 'webgrad';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    backend: { type: 'string', default: 'auto' },
    every: { type: 'string', default: '30' },
  },
});
const minutes = Number(values.minutes);
const every = Number(values.every);
if (!(minutes > 0) || !(every > 0)) throw new Error(`soak: --minutes and --every should be positive numbers, got ${values.minutes} and ${values.every}`);

await wg.setBackend(values.backend as wg.BackendChoice);
wg.setSeed(1);
const x = wg.randomNormal([512, 32], 0, 1, 1);
const labels = wg.tensor(Array.from({ length: 512 }, (_, i) => i % 10), [512], 'int32');
const model = wg.sequential([
  wg.layers.dense({ units: 64, inputDim: 32, activation: 'relu' }),
  wg.layers.dropout({ rate: 0.1, seed: 1 }),
  wg.layers.dense({ units: 10 }),
]);
model.compile({ optimizer: 'adam', loss: (y, p) => wg.losses.sparseCategoricalCrossentropy(y, p, { fromLogits: true }), metrics: ['accuracy'] });

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
console.log(`soak: ${minutes} min on ${wg.getBackend()} (${wg.backendInfo().description}), a line every ${every} s`);
console.log('elapsed_s  epochs  steps  loss     tensors  tensor_MB  heap_MB  rss_MB');
const started = performance.now();
let nextReport = 0;
let epochs = 0;
let loss = NaN;
while (performance.now() - started < minutes * 60_000) {
  const history = await model.fit(x, labels, { epochs: 1, batchSize: 32, verbose: 0, validationSplit: 0.1 });
  loss = history.history.loss![0]!;
  epochs++;
  const elapsed = (performance.now() - started) / 1000;
  if (elapsed >= nextReport) {
    const m = wg.memory();
    const p = process.memoryUsage();
    console.log(
      `${elapsed.toFixed(0).padStart(9)}  ${String(epochs).padStart(6)}  ${String(epochs * 15).padStart(5)}  ${loss.toFixed(4)}  ` +
        `${String(m.numTensors).padStart(7)}  ${mb(m.numBytes).padStart(9)}  ${mb(p.heapUsed).padStart(7)}  ${mb(p.rss).padStart(6)}`,
    );
    nextReport += every;
  }
}
