// Trains a small convolutional network on the bundled hand-written digits, read as
// 8×8×1 images, on every backend in turn (or the one given with --backend), with the
// same split as the MLP example (examples/digits.ts) and the same initial weights.
// Prints each backend's test accuracy and time per epoch, and how far its trained
// weights are from the first backend's. Run: npm run cnn [-- --backend wasm or cpu,webgpu]
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import * as wg from 'webgrad';

const backendArg = process.argv.indexOf('--backend');
const wanted = backendArg > 0 ? (process.argv[backendArg + 1]!.split(',') as wg.BackendName[]) : (['cpu', 'wasm', 'webgpu'] as const);
const epochs = 15;

const text = readFileSync(new URL('./data/digits.csv', import.meta.url), 'utf8');
const rows = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.slice(1);
const pixels = rows.map((r) => r.slice(0, -1).map((v) => Number(v) / 16));
const labels = rows.map((r) => Number(r[r.length - 1]));

/** conv 16 → pool → conv 32 → pool → dense 10, the CNN `webgrad train --model cnn` trains too. */
function digitsCnn(): wg.Sequential {
  return wg.sequential([
    wg.layers.reshape({ targetShape: [8, 8, 1], inputShape: [64] }),
    wg.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
    wg.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
    wg.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
    wg.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
    wg.layers.flatten(),
    wg.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}

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
  // Adam's usual eps (1e-8) turns gradients that differ at the 1e-8 level (float32 sums
  // taken in another order, as on the GPU) into full-size steps for weights whose gradient
  // is nearly zero, and the backends' runs drift apart; 1e-5 keeps them together.
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.005, eps: 1e-5 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const started = performance.now();
  await model.fit(xTrain, yTrain, { epochs, batchSize: 32, seed: 1, verbose: 0 });
  const msPerEpoch = (performance.now() - started) / epochs;
  const { loss, accuracy } = await model.evaluate(xTest, yTest);
  const weights = await Promise.all(model.weights.map((w) => w.data<Float32Array>()));
  let drift = '';
  if (reference) {
    const diffs = weights.map((w, i) => w.reduce((m, v, j) => Math.max(m, Math.abs(v - reference!.weights[i]![j]!)), 0));
    const worst = diffs.indexOf(Math.max(...diffs));
    drift = `, weights within ${diffs[worst]!.toExponential(1)} of ${reference.backend}'s (largest in ${model.weights[worst]!.name})`;
  } else {
    reference = { backend, weights };
  }
  console.log(`backend ${backend}: test accuracy ${accuracy!.toFixed(4)}, test loss ${loss!.toFixed(4)}, ${msPerEpoch.toFixed(1)} ms per epoch (${xTrain.shape[0]} samples)${drift}`);
  model.dispose();
  wg.dispose([x, y, xTrain, xTest, yTrain, yTest]);
}
