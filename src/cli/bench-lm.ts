// `webgrad bench-lm`: GPT training and generation speed on each backend, in tokens per
// second, for a model config that the report prints. Training: fit steps on next-token
// batches of a seeded random token stream (the speed does not depend on the text);
// generation: tokens added one at a time with the KV cache, and without it for scale.

import { Command, InvalidArgumentError } from 'commander';
import * as wg from '../index.js';
import { action, positiveInteger } from './options.js';
import { table } from './report.js';

interface BenchLmOptions {
  vocab: number;
  context: number;
  layers: number;
  heads: number;
  embed: number;
  batchSize: number;
  steps: number;
  newTokens: number;
  backends: string[];
  json?: boolean;
}

interface BackendFigures {
  readonly backend: string;
  readonly trainTokensPerSecond?: number;
  readonly msPerStep?: number;
  readonly generateTokensPerSecond?: number;
  readonly uncachedTokensPerSecond?: number;
  readonly error?: string;
}

const BACKENDS = ['webgpu', 'wasm', 'cpu'];

function backendList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.find((n) => !BACKENDS.includes(n));
  if (names.length === 0 || bad) throw new InvalidArgumentError(`expected a comma list of ${BACKENDS.join(', ')}; got '${bad ?? value}'.`);
  return names;
}

async function measure(backend: wg.BackendName, o: BenchLmOptions): Promise<BackendFigures> {
  await wg.setBackend(backend);
  const random = new wg.Random(1);
  const ids = Int32Array.from({ length: (o.steps + 2) * o.batchSize * o.context + 1 }, () => random.int(o.vocab));
  wg.setSeed(1);
  const model = wg.models.gpt({ vocabSize: o.vocab, contextLength: o.context, numLayers: o.layers, numHeads: o.heads, embedDim: o.embed });
  try {
    model.compile({ optimizer: wg.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy' });
    const data = wg.data.textDataset(ids, { contextLength: o.context, batchSize: o.batchSize, seed: 1 });
    // one step first: kernels compile, pools fill
    await model.fit(data, { epochs: 1, stepsPerEpoch: 1, verbose: 0 });
    let started = performance.now();
    await model.fit(data, { epochs: 1, stepsPerEpoch: o.steps, verbose: 0 }); // ends with a read: the device has finished
    const trainMs = performance.now() - started;
    const prompt = [Array.from(ids.subarray(0, Math.min(8, o.context)))];
    const timeGenerate = async (useCache: boolean): Promise<number> => {
      (await model.generate(prompt, { maxNewTokens: 2, temperature: 0, useCache })).dispose(); // warm
      started = performance.now();
      const out = await model.generate(prompt, { maxNewTokens: o.newTokens, temperature: 0, useCache });
      await out.data();
      out.dispose();
      return o.newTokens / ((performance.now() - started) / 1000);
    };
    return {
      backend,
      trainTokensPerSecond: (o.steps * o.batchSize * o.context) / (trainMs / 1000),
      msPerStep: trainMs / o.steps,
      generateTokensPerSecond: await timeGenerate(true),
      uncachedTokensPerSecond: await timeGenerate(false),
    };
  } finally {
    model.dispose();
  }
}

async function benchLm(options: BenchLmOptions): Promise<void> {
  if (options.embed % options.heads !== 0) throw new Error(`--embed ${options.embed} should be a multiple of --heads ${options.heads}`);
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const config = { vocabSize: options.vocab, contextLength: options.context, numLayers: options.layers, numHeads: options.heads, embedDim: options.embed, batchSize: options.batchSize };
  say(`GPT: vocabulary ${options.vocab}, context ${options.context}, ${options.layers} layers × ${options.heads} heads, width ${options.embed}; ` +
    `training: Adam, batch ${options.batchSize}, ${options.steps} timed steps; generation: ${options.newTokens} new tokens after an 8-token prompt, greedy`);
  const runs: BackendFigures[] = [];
  for (const name of options.backends) {
    try {
      runs.push(await measure(name as wg.BackendName, options));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/not available|not part of this build/.test(message)) throw error;
      runs.push({ backend: name, error: message });
    }
  }
  const figure = (v: number | undefined) => (v === undefined ? '-' : v >= 100 ? String(Math.round(v)) : v.toPrecision(3));
  for (const line of table(['backend', 'train tokens/s', 'ms/step', 'generate tokens/s (KV cache)', 'without cache'], runs.map((r) => (r.error
    ? [r.backend, 'unavailable', '-', '-', '-']
    : [r.backend, figure(r.trainTokensPerSecond), figure(r.msPerStep), figure(r.generateTokensPerSecond), figure(r.uncachedTokensPerSecond)])))) say(line);
  if (options.json) process.stdout.write(`${JSON.stringify({ config, steps: options.steps, newTokens: options.newTokens, runs }, null, 2)}\n`);
}

export function benchLmCommand(): Command {
  return new Command('bench-lm')
    .description('GPT training and generation speed (tokens/s) on each backend, for the model config it prints')
    .option('--vocab <n>', 'vocabulary size', positiveInteger, 65)
    .option('--context <n>', 'context length (training sequence length)', positiveInteger, 64)
    .option('--layers <n>', 'transformer blocks', positiveInteger, 4)
    .option('--heads <n>', 'attention heads', positiveInteger, 4)
    .option('--embed <n>', 'model width', positiveInteger, 128)
    .option('--batch-size <n>', 'sequences per training step', positiveInteger, 8)
    .option('--steps <n>', 'timed training steps', positiveInteger, 10)
    .option('--new-tokens <n>', 'tokens generated per timing', positiveInteger, 32)
    .option('--backends <names>', 'comma list of webgpu, wasm, cpu', backendList, [...BACKENDS])
    .option('--json', 'print the figures as JSON (the table goes to stderr)')
    .action(action('bench-lm', benchLm));
}
