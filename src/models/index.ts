// The `wg.models` namespace: ready-made architectures.

import { gpt } from './gpt.js';
import { loadGpt2 } from './gpt2-folder.js';

export const models = {
  /** A GPT-2 style language model (see GPTConfig); loads and saves Hugging Face GPT-2 checkpoints. */
  gpt,
  /** A GPT from a Hugging Face GPT-2 folder or URL (config.json + model.safetensors), e.g. one `save_pretrained` wrote. */
  loadGpt2,
};

export { GPT, type GPTConfig, type KVCache } from './gpt.js';
export type { GenerateOptions } from './generate.js';
