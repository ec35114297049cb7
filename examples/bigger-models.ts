// Training bigger models, measured: one dense model (8 blocks of two
// 256-wide layers) trained four ways on the same data — plain; with warmup + cosine
// decay and global-norm clipping; with checkpointed blocks; with batches of 256
// accumulated 4 at a time — printing each run's final loss, the peak of live tensor
// memory (wg.memory().peakBytes) and the time per update. The numbers in
// docs/training-bigger-models.md come from this script.
// --mixed adds a fifth run whose layers are 'mixed_float16' (float16 activations,
// dynamic loss scaling); it needs the webgpu backend and layers that compute in
// float16 (the float16 dtype), and is left out, saying why, elsewhere.
// Run: npm run build && npx tsx examples/bigger-models.ts [--backend wasm] [--mixed]
import * as wg from 'webgrad';

const backendArg = process.argv.indexOf('--backend');
await wg.setBackend((backendArg > 0 ? process.argv[backendArg + 1] : 'wasm') as wg.BackendChoice);

const WIDTH = 256;
const BLOCKS = 8;
const SAMPLES = 4096;
const EPOCHS = 2;

wg.setSeed(0);
const x = wg.randomNormal([SAMPLES, 32]);
const y = wg.tanh(wg.matmul(x, wg.randomNormal([32, 4], 0, 0.3)));

interface Setup {
  label: string;
  checkpointed?: boolean;
  mixed?: boolean;
  batchSize: number;
  optimizer: () => wg.Optimizer;
}

const updatesPerEpoch = SAMPLES / 1024;
const setups: Setup[] = [
  { label: 'plain, batch 1024', batchSize: 1024, optimizer: () => wg.optimizers.adam({ learningRate: 1e-3 }) },
  {
    label: 'warmup + cosine, globalClipNorm 1',
    batchSize: 1024,
    optimizer: () => wg.optimizers.adam({
      learningRate: wg.schedules.cosineDecay({ initialLearningRate: 0, warmupTarget: 2e-3, warmupSteps: 2, decaySteps: EPOCHS * updatesPerEpoch - 2 }),
      globalClipNorm: 1,
    }),
  },
  { label: 'checkpointed blocks, batch 1024', checkpointed: true, batchSize: 1024, optimizer: () => wg.optimizers.adam({ learningRate: 1e-3 }) },
  { label: 'batch 256 × gradientAccumulationSteps 4', batchSize: 256, optimizer: () => wg.optimizers.adam({ learningRate: 1e-3, gradientAccumulationSteps: 4 }) },
];
if (process.argv.includes('--mixed')) {
  // compile wraps the optimizer in dynamic loss scaling (the layers are mixed_float16)
  if (wg.getBackend() === 'webgpu') setups.push({ label: 'mixed_float16, batch 1024', mixed: true, batchSize: 1024, optimizer: () => wg.optimizers.adam({ learningRate: 1e-3 }) });
  else console.log(`--mixed: left out: mixed_float16 needs the webgpu backend (float16 storage), this run is on ${wg.getBackend()}`);
}

function build(checkpointed: boolean, mixed = false): wg.Sequential {
  wg.setSeed(1);
  // layers capture the precision when made
  wg.setPrecision(mixed ? 'mixed_float16' : 'float32');
  const blocks = Array.from({ length: BLOCKS }, (_, i) => [
    wg.layers.dense({ units: WIDTH, activation: 'relu', ...(i === 0 ? { inputDim: 32 } : {}) }),
    wg.layers.dense({ units: WIDTH, activation: 'tanh' }),
  ]);
  const layers = checkpointed ? blocks.map((b) => wg.layers.checkpointed(b)) : blocks.flat();
  const model = wg.sequential([...layers, wg.layers.dense({ units: 4 })]);
  wg.setPrecision('float32');
  return model;
}

console.log(`backend ${wg.getBackend()}; ${BLOCKS} blocks of 2 × ${WIDTH}; ${SAMPLES} samples; ${EPOCHS} epochs`);
for (const s of setups) {
  const model = build(s.checkpointed ?? false, s.mixed ?? false);
  model.compile({ optimizer: s.optimizer(), loss: 'mse' });
  const optimizer = model.optimizer!;
  const estimate = wg.estimateTrainingMemory(model, { batchSize: s.batchSize });
  const start = wg.memory({ resetPeak: true }).numBytes;
  const t0 = performance.now();
  const history = await model.fit(x, y, { epochs: EPOCHS, batchSize: s.batchSize, shuffle: false, verbose: 0 });
  const ms = performance.now() - t0;
  const peak = wg.memory().peakBytes - start;
  const loss = history.history.loss!.at(-1)!;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
  console.log(
    `${s.label.padEnd(40)} loss ${loss.toFixed(5)}  peak ${mib(peak)} (estimate ${mib(estimate.total)})  ` +
    `${(ms / optimizer.iterations).toFixed(1)} ms/update  (${optimizer.iterations} updates)` +
    (history.history.lossScale ? `  loss scale ${history.history.lossScale.at(-1)}` : ''),
  );
  model.dispose();
}
