// The CNN fit benchmark, webgrad's side (scripts/cnn-bench-torch.py is PyTorch's):
// 16×16×1 images, conv 3×3 'same' 8 + relu → max pool 2 → conv 3×3 'same' 16 + relu →
// max pool 2 → flatten → dense 10 (softmax), sparse cross-entropy, Adam (lr 1e-3),
// batch 64, 4,000 samples, 8 epochs. Prints the median ms per epoch (after the first, a
// warm-up) as JSON. Run: npx tsx scripts/cnn-bench.ts [--backend wasm] [--threads 1]
import * as wg from '../src/index.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const backend = (arg('--backend') ?? 'wasm') as wg.BackendName;
const threads = arg('--threads');
await (backend === 'wasm' && threads ? wg.setBackend('wasm', { threads: Number(threads) }) : wg.setBackend(backend));

const SAMPLES = 4000;
const EPOCHS = 8;
wg.setSeed(0);
const x = wg.randomUniform([SAMPLES, 16, 16, 1], 0, 1);
const y = wg.tensor(Int32Array.from({ length: SAMPLES }, (_, i) => (i * 7919) % 10), [SAMPLES], 'int32');
const model = wg.sequential([
  wg.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [16, 16, 1] }),
  wg.layers.maxPooling2d({ poolSize: 2 }),
  wg.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
  wg.layers.maxPooling2d({ poolSize: 2 }),
  wg.layers.flatten(),
  wg.layers.dense({ units: 10, activation: 'softmax' }),
]);
model.compile({ optimizer: wg.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy' });
const epochMs: number[] = [];
let last = performance.now();
const started = last;
const history = await model.fit(x, y, {
  epochs: EPOCHS, batchSize: 64, seed: 0, verbose: 0,
  callbacks: { onEpochEnd: () => { const now = performance.now(); epochMs.push(now - last); last = now; } },
});
const total = performance.now() - started;
const warm = epochMs.slice(1).sort((a, b) => a - b);
console.log(JSON.stringify({
  implementation: `webgrad ${backend}${backend === 'wasm' ? `, ${threads ?? 'default'} thread(s)` : ''}`,
  backend: wg.backendInfo().description,
  msPerEpochMedian: warm[Math.floor(warm.length / 2)],
  msPerEpoch: epochMs.map((v) => Math.round(v * 10) / 10),
  totalMs: Math.round(total * 10) / 10,
  finalLoss: history.history.loss!.at(-1),
}));
