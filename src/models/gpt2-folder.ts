// Hugging Face GPT-2 folders: config.json (read into a GPT config) beside
// model.safetensors (read by GPT.loadWeights), as `save_pretrained` writes them.

import { given } from '../options.js';
import { joinLocation, readBytes } from '../io/sources.js';
import { GPT, type GPTConfig } from './gpt.js';

/** A GPT config from Hugging Face's config.json for GPT-2 (model_type 'gpt2'). */
export function configFromHuggingFace(json: unknown, where: string): GPTConfig {
  const c = json as Record<string, unknown> | null;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new Error(`${where}: config.json should be a JSON object, got ${JSON.stringify(json)}`);
  if (c.model_type !== 'gpt2') throw new Error(`${where}: config.json's model_type should be 'gpt2', got ${JSON.stringify(c.model_type)}`);
  const int = (key: string) => {
    const v = c[key];
    if (!Number.isSafeInteger(v) || (v as number) < 1) throw new Error(`${where}: config.json's ${key} should be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  if (c.n_inner !== undefined && c.n_inner !== null && c.n_inner !== 4 * int('n_embd')) {
    throw new Error(`${where}: config.json's n_inner is ${JSON.stringify(c.n_inner)}; webgrad's GPT has an MLP of 4 × n_embd (${4 * int('n_embd')})`);
  }
  if (c.activation_function !== undefined && c.activation_function !== 'gelu_new' && c.activation_function !== 'gelu_pytorch_tanh') {
    throw new Error(`${where}: config.json's activation_function is ${JSON.stringify(c.activation_function)}; webgrad's GPT uses GELU's tanh form ('gelu_new')`);
  }
  if (c.tie_word_embeddings === false) throw new Error(`${where}: config.json unties the output head (tie_word_embeddings false); webgrad's GPT ties it to wte`);
  const epsilon = c.layer_norm_epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !(epsilon > 0)) throw new Error(`${where}: config.json's layer_norm_epsilon should be a positive number, got ${JSON.stringify(epsilon)}`);
  return { vocabSize: int('vocab_size'), contextLength: int('n_positions'), numLayers: int('n_layer'), numHeads: int('n_head'), embedDim: int('n_embd'), layerNormEpsilon: epsilon };
}

/**
 * A GPT from a Hugging Face GPT-2 folder or its URL (config.json and model.safetensors,
 * as `save_pretrained` writes them): the config from config.json, then the weights.
 */
export async function loadGpt2(source: string | URL): Promise<GPT> {
  const fn = 'models.loadGpt2';
  if (typeof source !== 'string' && !(source instanceof URL)) throw new TypeError(`${fn}: expected a folder path or URL holding config.json and model.safetensors, got ${given(source)}`);
  const folder = typeof source === 'string' ? source : source.href;
  const configFile = await joinLocation(folder, 'config.json');
  let json: unknown;
  const text = new TextDecoder().decode(await readBytes(fn, configFile));
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fn}: ${configFile} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const config = configFromHuggingFace(json, `${fn}: ${configFile}`);
  const model = new GPT(config);
  try {
    await model.loadWeights(await joinLocation(folder, 'model.safetensors'));
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}
