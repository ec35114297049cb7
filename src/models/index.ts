// The `wg.models` namespace: ready-made architectures.

import { gpt } from './gpt.js';

export const models = {
  /** A GPT-2 style language model (see GPTConfig); loads and saves Hugging Face GPT-2 checkpoints. */
  gpt,
};

export { GPT, type GPTConfig, type KVCache } from './gpt.js';
export type { GenerateOptions } from './generate.js';
