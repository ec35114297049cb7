// Trains a small convolutional network on the bundled hand-written digits, read as
// 8×8×1 images, on every backend in turn (or the one given with --backend), with the
// same split as the MLP example (examples/digits.ts) and the same initial weights.
// Prints each backend's test accuracy and time per epoch, and how far its trained
// weights are from the first backend's: wasm sums in the cpu backend's order and stays
// within float32 rounding of it; WebGPU sums in another order, and over hundreds of Adam
// steps those last-bit differences grow (a relu or a max-pool choice flips for some
// sample), so its weights agree closely early on and more loosely by the end.
// Run: npm run cnn [-- --backend wasm or cpu,webgpu]
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import * as wg from 'webgrad';
import { digitsCnn } from './digits-cnn.js';

const backendArg = process.argv.indexOf('--backend');
const wanted = backendArg > 0 ? (process.argv[backendArg + 1]!.split(',') as wg.BackendName[]) : (['cpu', 'wasm', 'webgpu'] as const);
const epochs = 15;

const text = readFileSync(new URL('./data/digits.csv', import.meta.url), 'utf8');
const rows = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.slice(1);
const pixels = rows.map((r) => r.slice(0, -1).map((v) => Number(v) / 16));
const labels = rows.map((r) => Number(r[r.length - 1]));

let reference: { backend: string; weights: Float32Array[] } | undefined;
for (const backend of wanted) {
  try {
    await wg.setBackend(backend);
  } catch (error) {
    console.log(`backend ${backend}: skipped (${(error as Error).message})`);
    continue;
  }
  const x = wg.tensor(pixels);
  const y = wg.tensor(labels, [labels.length], 'int32');
  const { xTrain, xTest, yTrain, yTest } = wg.data.trainTestSplit(x, y, { testSize: 0.25, seed: 1 });
  wg.setSeed(1);
  const model = digitsCnn();
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.005 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const started = performance.now();
  await model.fit(xTrain, yTrain, { epochs, batchSize: 32, seed: 1, verbose: 0 });
  const msPerEpoch = (performance.now() - started) / epochs;
  const { loss, accuracy } = await model.evaluate(xTest, yTest);
  const weights = await Promise.all(model.weights.map((w) => w.data<Float32Array>()));
  let drift = '';
  if (reference) {
    // per weight tensor: the largest difference, relative to the tensor's largest value (moving variances are large)
    const diffs = weights.map((w, i) => {
      const ref = reference!.weights[i]!;
      const scale = Math.max(1e-6, ...Array.from(ref, Math.abs));
      return w.reduce((m, v, j) => Math.max(m, Math.abs(v - ref[j]!)), 0) / scale;
    });
    const worst = diffs.indexOf(Math.max(...diffs));
    drift = `, weights within ${(diffs[worst]! * 100).toPrecision(2)}% of ${reference.backend}'s (relative to each tensor's largest value; most in ${model.weights[worst]!.name})`;
  } else {
    reference = { backend, weights };
  }
  console.log(`backend ${backend}: test accuracy ${accuracy!.toFixed(4)}, test loss ${loss!.toFixed(4)}, ${msPerEpoch.toFixed(1)} ms per epoch (${xTrain.shape[0]} samples)${drift}`);
  model.dispose();
  wg.dispose([x, y, xTrain, xTest, yTrain, yTest]);
}
