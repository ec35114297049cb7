// A character-level GPT trained on Shakespeare (examples/data/tinyshakespeare.txt): the
// first 90% of the text trains, the last 10% validates. Prints the train and validation
// loss per epoch (an epoch here is --steps batches) and a sample of generated text, and
// stops after --minutes of training. A uniform guess is ln 65 = 4.17 nats.
// Run: npm run shakespeare [-- --backend wasm --minutes 10 --steps 200 --context 64 ...]
import { readFileSync } from 'node:fs';
import * as wg from 'webgrad';

function arg(name: string, fallback: number): number;
function arg(name: string, fallback: string): string;
function arg(name: string, fallback: number | string): number | string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = process.argv[i + 1]!;
  return typeof fallback === 'number' ? Number(value) : value;
}

const config = {
  backend: arg('backend', 'wasm') as wg.BackendChoice,
  minutes: arg('minutes', 10),
  steps: arg('steps', 200), // batches per epoch
  // Small and quick: on 2 shared cores more updates beat a wider model within 10 minutes.
  contextLength: arg('context', 32),
  numLayers: arg('layers', 3),
  numHeads: arg('heads', 4),
  embedDim: arg('embed', 96),
  batchSize: arg('batch', 16),
  learningRate: arg('lr', 3e-3),
  validationSteps: arg('val-steps', 40),
  seed: arg('seed', 1),
};

await wg.setBackend(config.backend);
const text = readFileSync(new URL('./data/tinyshakespeare.txt', import.meta.url), 'utf8');
const tokenizer = wg.text.charTokenizer(text);
const ids = tokenizer.encode(text);
const cut = Math.floor(ids.length * 0.9);
const { contextLength, batchSize, seed } = config;
const train = wg.data.textDataset(ids.subarray(0, cut), { contextLength, batchSize, seed });
const validation = wg.data.textDataset(ids.subarray(cut), { contextLength, batchSize, shuffle: false });

wg.setSeed(seed);
const model = wg.models.gpt({ vocabSize: tokenizer.vocabSize, contextLength, numLayers: config.numLayers, numHeads: config.numHeads, embedDim: config.embedDim });
model.compile({ optimizer: wg.optimizers.adam({ learningRate: config.learningRate }), loss: 'sparseCategoricalCrossentropy' });
console.log(`backend ${wg.getBackend()}; ${text.length} characters, vocabulary ${tokenizer.vocabSize}; GPT ${model.countParams()} parameters; ${JSON.stringify(config)}`);

const budgetMs = config.minutes * 60_000;
const started = performance.now();
let trainedMs = 0;
let epochStarted = 0;
const clock: wg.Callback = {
  onEpochBegin: () => void (epochStarted = performance.now()),
  onEpochEnd: (epoch, logs = {}) => {
    const now = performance.now();
    trainedMs = now - started;
    const tokens = config.steps * batchSize * contextLength;
    console.log(`epoch ${epoch + 1} (${(trainedMs / 1000).toFixed(0)} s): train loss ${logs.loss!.toFixed(4)}, validation loss ${logs.val_loss!.toFixed(4)} nats (${config.validationSteps} batches), ${Math.round(tokens / ((now - epochStarted) / 1000))} tokens/s`);
    if (now - started > budgetMs) model.stopTraining = true;
  },
};
await model.fit(train, {
  epochs: 10_000, // until the time budget runs out
  stepsPerEpoch: config.steps,
  validationData: validation,
  validationSteps: config.validationSteps,
  callbacks: [clock],
  verbose: 0,
});
const full = await model.evaluate(...(await wholeValidation()));
console.log(`after ${(trainedMs / 60_000).toFixed(1)} min: validation loss ${full.loss!.toFixed(4)} nats over the whole validation text`);

const prompt = 'ROMEO:\n';
const out = await model.generate([Array.from(tokenizer.encode(prompt))], { maxNewTokens: 300, temperature: 0.8, seed });
console.log(`\nsample:\n${tokenizer.decode((await out.data()) as Int32Array)}`);
out.dispose();
model.dispose();

/** Every validation window as tensors (for one evaluate over all of them). */
async function wholeValidation(): Promise<[wg.Tensor, wg.Tensor]> {
  const xs: wg.Tensor[] = [];
  const ys: wg.Tensor[] = [];
  for (const batch of validation) {
    xs.push(batch.x);
    ys.push(batch.y);
  }
  const pair: [wg.Tensor, wg.Tensor] = [wg.concat(xs, 0), wg.concat(ys, 0)];
  wg.dispose([...xs, ...ys]);
  return pair;
}
