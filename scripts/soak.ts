// `npm run soak -- [--minutes 10] [--backend auto] [--every 30]`: trains a small MLP
// for a set time and prints memory over time (live tensors and bytes, GPU buffers
// where there is a GPU, JS heap after a collection, RSS), so that a leak shows as a
// rising column, then a summary: each column's first and last value and its trend
// over the second half of the run. Not a test: run it by hand, keep its output
// (docs/soak.md).
import { cpus, totalmem, type as osType, release } from 'node:os';
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

/** A collection first (when node runs with --expose-gc), so that the heap column is what is kept, not what awaits collection. */
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => bytes / 2 ** 20;
interface Sample {
  elapsed: number;
  epochs: number;
  steps: number;
  loss: number;
  tensors: number;
  tensorMB: number;
  gpuLiveMB: number;
  gpuPooledMB: number;
  heapMB: number;
  rssMB: number;
}
function sample(elapsed: number, epochs: number, steps: number, loss: number): Sample {
  gc?.();
  const m = wg.memory();
  const p = process.memoryUsage();
  const gpu = wg.backendInfo().details?.['memory'] as { liveBytes: number; pooledBytes: number } | undefined;
  return {
    elapsed, epochs, steps, loss, tensors: m.numTensors, tensorMB: mb(m.numBytes),
    gpuLiveMB: gpu ? mb(gpu.liveBytes) : NaN, gpuPooledMB: gpu ? mb(gpu.pooledBytes) : NaN, heapMB: mb(p.heapUsed), rssMB: mb(p.rss),
  };
}
const COLUMNS: [keyof Sample, string, number][] = [
  ['elapsed', 'elapsed_s', 0], ['epochs', 'epochs', 0], ['steps', 'steps', 0], ['loss', 'loss', 4], ['tensors', 'tensors', 0],
  ['tensorMB', 'tensor_MB', 3], ['gpuLiveMB', 'gpu_live_MB', 3], ['gpuPooledMB', 'gpu_pool_MB', 3], ['heapMB', 'heap_MB', 1], ['rssMB', 'rss_MB', 1],
];
const row = (cells: string[]) => cells.map((c, i) => c.padStart(Math.max(COLUMNS[i]![1].length, 9))).join('  ');
const format = (s: Sample) => row(COLUMNS.map(([key, , digits]) => (Number.isNaN(s[key]) ? '-' : s[key].toFixed(digits))));

const cpu = cpus()[0];
console.log(`soak: ${minutes} min on ${wg.getBackend()} (${wg.backendInfo().description}), a line every ${every} s`);
console.log(`machine: ${cpus().length} x ${cpu?.model ?? 'unknown CPU'}, ${mb(totalmem()).toFixed(0)} MiB RAM, ${osType()} ${release()}, Node ${process.versions.node}${gc ? ', heap sampled after gc()' : ''}`);
console.log('model: 32-64-10 MLP with dropout, Adam, sparse cross-entropy + accuracy; 512 samples, batches of 32, 10% held out; one fit call per epoch');
console.log(row(COLUMNS.map(([, label]) => label)));

const started = performance.now();
const samples: Sample[] = [];
let nextReport = 0;
let epochs = 0;
let steps = 0;
let loss = NaN;
while (performance.now() - started < minutes * 60_000) {
  const history = await model.fit(x, labels, { epochs: 1, batchSize: 32, verbose: 0, validationSplit: 0.1 });
  loss = history.history.loss![0]!;
  epochs++;
  steps += history.params['steps'] as number;
  const elapsed = (performance.now() - started) / 1000;
  if (elapsed >= nextReport) {
    const s = sample(elapsed, epochs, steps, loss);
    samples.push(s);
    console.log(format(s));
    nextReport += every;
  }
}
const end = sample((performance.now() - started) / 1000, epochs, steps, loss);
samples.push(end);
console.log(format(end));

/** Least-squares slope of `key` against elapsed time, over the second half of the run, per minute. */
function trend(key: keyof Sample): number {
  const half = samples.slice(Math.floor(samples.length / 2));
  const n = half.length;
  if (n < 2) return 0;
  const mx = half.reduce((a, s) => a + s.elapsed, 0) / n;
  const my = half.reduce((a, s) => a + s[key], 0) / n;
  const sxy = half.reduce((a, s) => a + (s.elapsed - mx) * (s[key] - my), 0);
  const sxx = half.reduce((a, s) => a + (s.elapsed - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}
console.log(`\nsummary: ${steps} steps in ${epochs} epochs (${(end.elapsed / steps * 1000).toFixed(2)} ms a step); first -> last, trend over the second half`);
for (const [key, label, digits] of COLUMNS.slice(4)) {
  const first = samples[0]![key];
  if (Number.isNaN(first)) continue;
  console.log(`  ${label.padEnd(11)} ${first.toFixed(digits)} -> ${end[key].toFixed(digits)}, ${trend(key) >= 0 ? '+' : ''}${trend(key).toFixed(digits + 1)} per minute`);
}
model.dispose();
wg.dispose([x, labels]);
