// `webgrad generate model/ --prompt "..."`: samples text from a GPT saved by
// `webgrad train-lm --out` (or any saved GPT with a tokenizer.json beside it), streaming
// each token to stdout as it comes.

import { Command } from 'commander';
import * as wg from '../index.js';
import { action, backendOption, expandBackends, integer, nonNegativeNumber, positiveInteger, probability } from './options.js';

interface GenerateCliOptions {
  prompt?: string;
  maxNewTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
  backend: string[];
}

/** What sampling a text needs: how many tokens and how to draw them. */
export interface SampleOptions {
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly seed: number;
}

/**
 * Continues `prompt` by up to maxNewTokens tokens, writing each piece of text as it is
 * made (the tokenizer decodes growing prefixes, so a character made of several tokens
 * is written once it is whole). Returns the prompt and the new text.
 */
export async function sampleText(model: wg.GPT, tokenizer: wg.Tokenizer, prompt: string, options: SampleOptions, write: (text: string) => void): Promise<string> {
  const ids = Array.from(tokenizer.encode(prompt));
  if (ids.length === 0) throw new Error(`the prompt ${JSON.stringify(prompt)} gives no tokens; give a longer one`);
  const made: number[] = [];
  let written = '';
  const out = await model.generate([ids], {
    maxNewTokens: options.maxNewTokens,
    temperature: options.temperature,
    seed: options.seed,
    ...(options.topK !== undefined ? { topK: options.topK } : {}),
    ...(options.topP !== undefined ? { topP: options.topP } : {}),
    onToken: (tokens) => {
      made.push(tokens[0]!);
      const text = tokenizer.decode(made);
      // a partial character decodes to U+FFFD: wait for the rest of it
      if (!text.endsWith('\uFFFD') && text.length > written.length) {
        write(text.slice(written.length));
        written = text;
      }
    },
  });
  out.dispose();
  const text = tokenizer.decode(made);
  if (text.length > written.length) write(text.slice(written.length));
  return prompt + text;
}

/** Sets the one backend a language-model command runs on ('auto': the fastest present). */
export async function useOneBackend(spec: readonly string[]): Promise<wg.BackendName> {
  if (spec.length !== 1 || spec[0] === 'all') throw new Error(`--backend should name one backend (auto, webgpu, wasm or cpu), got ${spec.join(',')}`);
  const [backend] = await expandBackends(spec);
  await wg.setBackend(backend!);
  return backend!;
}

/** A saved GPT and its tokenizer, checked to agree. */
export async function loadLanguageModel(source: string, command: string): Promise<{ model: wg.GPT; tokenizer: wg.Tokenizer }> {
  const model = await wg.loadModel(source, { compile: false });
  if (!(model instanceof wg.GPT)) {
    model.dispose();
    throw new Error(`${source} holds a ${model.architecture().className} model; ${command} needs a GPT (train one with webgrad train-lm --out)`);
  }
  let tokenizer: wg.Tokenizer;
  try {
    tokenizer = await wg.text.loadTokenizer(source);
  } catch (error) {
    model.dispose();
    throw error;
  }
  if (tokenizer.vocabSize > model.config.vocabSize) {
    model.dispose();
    throw new Error(`${source}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`);
  }
  return { model, tokenizer };
}

async function generateAction(source: string, options: GenerateCliOptions): Promise<void> {
  await useOneBackend(options.backend);
  const { model, tokenizer } = await loadLanguageModel(source, 'generate');
  try {
    const prompt = options.prompt ?? '\n';
    process.stdout.write(prompt);
    await sampleText(model, tokenizer, prompt, options, (text) => process.stdout.write(text));
    process.stdout.write('\n');
  } finally {
    model.dispose();
  }
}

export function generateCommand(): Command {
  return new Command('generate')
    .description('sample text from a language model saved by webgrad train-lm --out')
    .argument('<model>', 'folder with the saved GPT (model.json, model.safetensors) and its tokenizer.json')
    .option('--prompt <text>', 'text to continue (default: a line break)')
    .option('--max-new-tokens <n>', 'tokens to add', positiveInteger, 200)
    .option('--temperature <t>', 'sampling temperature; 0 takes the most likely token each time', nonNegativeNumber, 0.8)
    .option('--top-k <k>', 'sample among the k most likely tokens only', positiveInteger)
    .option('--top-p <p>', 'sample among the most likely tokens whose probabilities add up to p (0 < p <= 1)', probability)
    .option('--seed <n>', 'seed of the sampling', integer, 1)
    .addOption(backendOption())
    .action(action('generate', generateAction));
}
