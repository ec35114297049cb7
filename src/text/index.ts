// The `wg.text` namespace: tokenizers.

import { CharTokenizer, type CharTokenizerJson } from './char-tokenizer.js';
import { loadTokenizer, saveTokenizer } from './load.js';

/** A character-level tokenizer whose vocabulary is the sorted unique characters of `text`. */
function charTokenizer(text: string): CharTokenizer {
  return CharTokenizer.fromText(text);
}
/** Rebuilds a character tokenizer from its toJSON() document (or its JSON text). */
charTokenizer.fromJSON = (doc: CharTokenizerJson | string): CharTokenizer => CharTokenizer.fromJSON(doc);

export const text = {
  charTokenizer,
  /** Reads a Hugging Face tokenizer.json (+ tokenizer_config.json) or a saved character tokenizer; see TokenizerSource. */
  loadTokenizer,
  /** Writes tokenizer.json into a folder (Node, Deno), e.g. beside a saved model. */
  saveTokenizer,
};

export { CharTokenizer, type CharTokenizerJson } from './char-tokenizer.js';
export { HuggingFaceTokenizer } from './hf-tokenizer.js';
export type { Tokenizer, TokenIds } from './tokenizer.js';
export type { TokenizerSource } from './load.js';
