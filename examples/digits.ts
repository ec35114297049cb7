// Trains an MLP on the bundled hand-written digits (8×8 pixels, 10 classes) and
// reports test accuracy and time per epoch. Run: npm run digits [-- --backend wasm]
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import * as wg from 'webgrad';

const backendArg = process.argv.indexOf('--backend');
await wg.setBackend((backendArg > 0 ? process.argv[backendArg + 1] : 'auto') as wg.BackendChoice);

const text = readFileSync(new URL('./data/digits.csv', import.meta.url), 'utf8');
const rows = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.slice(1);
const x = wg.tensor(rows.map((r) => r.slice(0, -1).map(Number)));
const y = wg.tensor(rows.map((r) => Number(r[r.length - 1])), [rows.length], 'int32');

wg.setSeed(1);
const { xTrain, xTest, yTrain, yTest } = wg.data.trainTestSplit(x, y, { testSize: 0.25, seed: 1 });
const scaler = wg.data.standardScaler().fit(xTrain);

const model = wg.sequential([
  wg.layers.dense({ units: 32, inputDim: 64, activation: 'relu' }),
  wg.layers.dense({ units: 10, activation: 'softmax' }),
]);
model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

const epochs = 50;
const started = performance.now();
await model.fit(scaler.transform(xTrain), yTrain, { epochs, batchSize: 32, seed: 1, verbose: 0 });
const msPerEpoch = (performance.now() - started) / epochs;
const { loss, accuracy } = await model.evaluate(scaler.transform(xTest), yTest);
console.log(`backend ${wg.getBackend()}: test accuracy ${accuracy!.toFixed(4)}, test loss ${loss!.toFixed(4)}, ${msPerEpoch.toFixed(1)} ms per epoch (${xTrain.shape[0]} samples)`);
