// What every tokenizer offers (the character tokenizer and Hugging Face's), and the
// checks on token ids that both share.

import { given } from '../options.js';
import { Tensor } from '../tensor.js';

/** Token ids as decode() accepts them: numbers, an int32 array or an int32 tensor's data. */
export type TokenIds = ArrayLike<number>;

/**
 * Text ↔ token ids. `encode` gives int32 ids (feed them to `wg.tensor(ids, shape, 'int32')`
 * or `wg.data.textDataset`), `decode` turns ids back into text, `toJSON` is what
 * `wg.text.saveTokenizer` writes as tokenizer.json.
 */
export interface Tokenizer {
  /** 'char' (wg.text.charTokenizer) or 'huggingface' (a tokenizer.json read through @huggingface/tokenizers). */
  readonly kind: 'char' | 'huggingface';
  /** Ids run from 0 to vocabSize - 1. */
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  decode(ids: TokenIds): string;
  /** The tokenizer.json document (for a Hugging Face tokenizer, the one it was read from). */
  toJSON(): object;
}

/** ids as plain integers in [0, vocabSize); throws naming `fn` and the first bad id. */
export function checkIds(fn: string, ids: unknown, vocabSize: number): ArrayLike<number> {
  if (ids instanceof Tensor) throw new TypeError(`${fn}: expected token ids as an array or Int32Array; read a tensor first (await ids.data())`);
  const list = ids as ArrayLike<number> | null;
  if (list === null || typeof list !== 'object' || typeof list.length !== 'number') throw new TypeError(`${fn}: expected token ids (an array or Int32Array), got ${given(ids)}`);
  for (let i = 0; i < list.length; i++) {
    const id = list[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new Error(`${fn}: token ids should be integers in [0, ${vocabSize}), got ${typeof id === 'number' ? id : given(id)} at position ${i}`);
    }
  }
  return list;
}
