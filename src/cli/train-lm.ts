// `webgrad train-lm data.txt`: a character-level GPT (or one over a Hugging Face
// tokenizer's tokens) trained on any text file: the first part of the text trains, the
// last part validates; a progress bar per epoch, validation loss, checkpoints and the
// model with its tokenizer in --out, and a sample of generated text at the end.

import { Command } from 'commander';
import * as wg from '../index.js';
import { loadLanguageModel, sampleText, useOneBackend } from './generate.js';
import { action, backendOption, fraction, integer, nonNegativeNumber, positiveInteger, positiveNumber } from './options.js';
import { EpochProgress } from './progress.js';

interface TrainLmOptions {
  context: number;
  layers: number;
  heads: number;
  embed: number;
  dropout: number;
  batchSize: number;
  epochs: number;
  steps?: number;
  valSteps?: number;
  lr: number;
  validation: number;
  tokenizer?: string;
  backend: string[];
  seed: number;
  out?: string;
  prompt?: string;
  sampleTokens: number;
  temperature: number;
  quiet?: boolean;
  json?: boolean;
}

export function trainLmCommand(): Command {
  return new Command('train-lm')
    .description('train a GPT language model on a text file (character-level by default), then sample from it')
    .argument('<data>', 'text file (path or URL), UTF-8')
    .option('--context <n>', 'tokens the model sees at once (contextLength)', positiveInteger, 64)
    .option('--layers <n>', 'transformer blocks', positiveInteger, 4)
    .option('--heads <n>', 'attention heads per block (must divide --embed)', positiveInteger, 4)
    .option('--embed <n>', 'model width (embedDim)', positiveInteger, 128)
    .option('--dropout <rate>', 'dropout rate while training', fraction, 0)
    .option('--batch-size <n>', 'sequences per step', positiveInteger, 16)
    .option('--epochs <n>', 'epochs (each ends with a validation loss)', positiveInteger, 1)
    .option('--steps <n>', 'steps per epoch (default: one pass over the training text)', positiveInteger)
    .option('--val-steps <n>', 'validation batches per epoch (default: all of the validation text)', positiveInteger)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber, 3e-3)
    .option('--validation <fraction>', 'share of the text, taken from its end, for validation', fraction, 0.1)
    .option('--tokenizer <file>', 'a Hugging Face tokenizer.json (or its folder) instead of one token per character')
    .addOption(backendOption())
    .option('--seed <n>', 'seed for the initial weights, the batch order and the sample', integer, 1)
    .option('--out <dir>', 'folder to save the model and its tokenizer to, with a checkpoint after each epoch')
    .option('--prompt <text>', 'text the sample at the end continues (default: the first line of the validation text)')
    .option('--sample-tokens <n>', 'tokens to generate at the end (0: none)', integer, 200)
    .option('--temperature <t>', 'sampling temperature of the sample', nonNegativeNumber, 0.8)
    .option('--quiet', 'no progress output')
    .option('--json', 'print the final report as JSON')
    .action(action('train-lm', trainLm));
}

async function trainLm(data: string, options: TrainLmOptions): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const log = options.json || options.quiet ? (line: string) => void (options.quiet ? undefined : process.stderr.write(`${line}\n`)) : out;
  if (options.sampleTokens < 0) throw new Error(`--sample-tokens should be 0 or more, got ${options.sampleTokens}`);
  if (options.embed % options.heads !== 0) throw new Error(`--embed ${options.embed} should be a multiple of --heads ${options.heads}`);
  const backend = await useOneBackend(options.backend);
  const text = await wg.data.textFile(data).text();
  const tokenizer = options.tokenizer ? await wg.text.loadTokenizer(options.tokenizer) : wg.text.charTokenizer(text);
  const ids = tokenizer.encode(text);
  const cut = Math.floor(ids.length * (1 - options.validation));
  const T = options.context;
  const trainIds = ids.subarray(0, cut);
  const valIds = ids.subarray(cut);
  if (trainIds.length < T + 1) throw new Error(`${data}: ${trainIds.length} training tokens are too few for one sequence of --context ${T}`);
  const validate = options.validation > 0 && valIds.length >= T + 1;
  log(`data: ${data}, ${text.length} characters, ${ids.length} tokens (${tokenizer.kind === 'char' ? 'one per character' : 'Hugging Face tokenizer'}, vocabulary ${tokenizer.vocabSize}); ` +
    `${trainIds.length} train, ${validate ? valIds.length : 0} validation`);
  if (options.validation > 0 && !validate) log(`validation: off (the last ${valIds.length} tokens are fewer than --context + 1)`);

  wg.setSeed(options.seed);
  const model = wg.models.gpt({ vocabSize: tokenizer.vocabSize, contextLength: T, numLayers: options.layers, numHeads: options.heads, embedDim: options.embed, dropout: options.dropout });
  try {
    model.compile({ optimizer: wg.optimizers.adam({ learningRate: options.lr }), loss: 'sparseCategoricalCrossentropy' });
    log(`model: GPT ${options.layers} layers × ${options.heads} heads, width ${options.embed}, context ${T}: ${model.countParams()} parameters; ` +
      `Adam lr ${options.lr}, batch ${options.batchSize}; backend ${backend}`);
    const train = wg.data.textDataset(trainIds, { contextLength: T, batchSize: options.batchSize, seed: options.seed });
    const steps = options.steps ?? train.size;
    const progress = new EpochProgress(options.epochs, steps, steps * options.batchSize, options.batchSize, options.quiet ?? false, '');
    const started = performance.now();
    const history = await model.fit(train, {
      epochs: options.epochs,
      stepsPerEpoch: steps,
      verbose: 0,
      callbacks: [progress],
      yieldEvery: progress.live ? 'batch' : 'epoch',
      ...(validate ? { validationData: wg.data.textDataset(valIds, { contextLength: T, batchSize: options.batchSize, shuffle: false }) } : {}),
      ...(validate && options.valSteps ? { validationSteps: options.valSteps } : {}),
      ...(options.out ? { checkpoint: { dir: `${options.out}/checkpoints`, every: 1, keep: 2 } } : {}),
    });
    const seconds = (performance.now() - started) / 1000;
    const epochs = history.epoch.length;
    const tokensPerSecond = (epochs * steps * options.batchSize * T) / seconds;
    const last = (key: string) => history.history[key]?.[epochs - 1];
    log(`trained: ${epochs} epochs × ${steps} steps in ${seconds.toFixed(1)} s (${Math.round(tokensPerSecond)} tokens/s with validation); ` +
      `loss ${last('loss')?.toFixed(4)}${validate ? `, validation loss ${last('val_loss')?.toFixed(4)} nats` : ''}`);
    if (options.out) {
      await model.save(options.out);
      await wg.text.saveTokenizer(tokenizer, options.out);
      log(`saved: ${options.out} (model.json, model.safetensors, config.json, tokenizer.json); sample more with webgrad generate ${options.out} --prompt "..."`);
    }
    let sample: string | undefined;
    if (options.sampleTokens > 0) {
      const fallback = tokenizer.decode(valIds.length > 0 ? valIds.subarray(0, Math.min(valIds.length, 32)) : trainIds.subarray(0, 32)).split('\n')[0] || tokenizer.decode(trainIds.subarray(0, 1));
      const prompt = options.prompt ?? fallback;
      // a saved model samples as `webgrad generate` would: from the files
      const sampler = options.out ? await loadLanguageModel(options.out, 'train-lm') : { model, tokenizer };
      try {
        log('');
        log('sample:');
        if (!options.json && !options.quiet) process.stdout.write(prompt);
        sample = await sampleText(sampler.model, sampler.tokenizer, prompt, { maxNewTokens: options.sampleTokens, temperature: options.temperature, seed: options.seed }, (piece) => {
          if (!options.json && !options.quiet) process.stdout.write(piece);
        });
        if (!options.json && !options.quiet) process.stdout.write('\n');
      } finally {
        if (sampler.model !== model) sampler.model.dispose();
      }
    }
    if (options.json) {
      out(JSON.stringify({
        data, backend, tokens: ids.length, vocabSize: tokenizer.vocabSize, parameters: model.countParams(),
        config: { contextLength: T, numLayers: options.layers, numHeads: options.heads, embedDim: options.embed, dropout: options.dropout, batchSize: options.batchSize, learningRate: options.lr },
        epochs, stepsPerEpoch: steps, seconds, tokensPerSecond, history: history.history,
        ...(sample !== undefined ? { sample } : {}), ...(options.out ? { saved: options.out } : {}),
      }, null, 2));
    }
  } finally {
    model.dispose();
  }
}
