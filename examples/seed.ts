// The seed example: one sigmoid unit learns y from X with SGD and mean squared error,
// written twice — with model.fit, and as a hand-written valueAndGrad loop — to show
// that both follow the same loss curve. Run: npm run seed [-- --backend wasm]
import * as wg from 'webgrad';

const backendArg = process.argv.indexOf('--backend');
await wg.setBackend((backendArg > 0 ? process.argv[backendArg + 1] : 'cpu') as wg.BackendChoice);

const X = wg.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
const y = wg.tensor([[1], [0], [1]]);
const query = wg.tensor([[10, 11, 12]]);
const steps = 1000;

// 1. Keras style: one dense unit with a sigmoid, full-batch SGD for 1000 epochs.
wg.setSeed(1);
const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
const initialWeights = model.getWeights();
model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
let started = performance.now();
const history = await model.fit(X, y, { epochs: steps, batchSize: 3, shuffle: false, verbose: 0 });
const fitMs = performance.now() - started;
const fitPrediction = (await model.predict(query).data())[0]!;

// 2. By hand: the same initial weights, valueAndGrad and applyGradients.
const w = wg.variable(initialWeights[0]!);
const b = wg.variable(initialWeights[1]!);
const optimizer = wg.optimizers.sgd({ learningRate: 0.1 });
const lossPerStep: wg.Tensor[] = [];
started = performance.now();
for (let i = 0; i < steps; i++) {
  const { value, grads } = wg.valueAndGrad(() => wg.losses.meanSquaredError(y, wg.sigmoid(wg.add(wg.matmul(X, w), b))), [w, b]);
  optimizer.applyGradients(grads, [w, b]);
  wg.dispose(grads);
  lossPerStep.push(value);
}
const handLosses = await wg.stack(lossPerStep).data();
const loopMs = performance.now() - started;
const handPrediction = (await wg.sigmoid(wg.add(wg.matmul(query, w), b)).data())[0]!;

const fitLosses = history.history.loss!;
const maxGap = fitLosses.reduce((gap, l, i) => Math.max(gap, Math.abs(l - handLosses[i]!)), 0);
console.log(`backend: ${wg.getBackend()}`);
console.log(`loss after 1, 10, 100, 1000 steps (fit):  ${[0, 9, 99, 999].map((i) => fitLosses[i]!.toFixed(6)).join(', ')}`);
console.log(`loss after 1, 10, 100, 1000 steps (loop): ${[0, 9, 99, 999].map((i) => handLosses[i]!.toFixed(6)).join(', ')}`);
console.log(`largest difference between the two loss curves: ${maxGap.toExponential(2)}`);
console.log(`prediction for [[10, 11, 12]]: fit ${fitPrediction.toFixed(6)}, loop ${handPrediction.toFixed(6)}`);
console.log(`time for ${steps} steps: fit ${fitMs.toFixed(0)} ms, loop ${loopMs.toFixed(0)} ms`);
