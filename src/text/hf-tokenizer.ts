// A Hugging Face tokenizer.json (BPE, WordPiece, Unigram; GPT-2, Llama, BERT...) read
// through @huggingface/tokenizers, behind the same small interface as the character
// tokenizer. The library is loaded on first use, so that pages which never read a
// tokenizer.json do not ship it.

import { checkIds, type TokenIds, type Tokenizer } from './tokenizer.js';

type HfTokenizer = import('@huggingface/tokenizers').Tokenizer;

/** A Hugging Face tokenizer.json read through @huggingface/tokenizers (see wg.text.loadTokenizer). */
export class HuggingFaceTokenizer implements Tokenizer {
  readonly kind = 'huggingface';
  readonly vocabSize: number;

  /** @internal use wg.text.loadTokenizer */
  constructor(
    private readonly tokenizer: HfTokenizer,
    /** The tokenizer.json document, kept for saving. */
    private readonly json: object,
    /** tokenizer_config.json, when one was given. */
    readonly config: object | undefined,
  ) {
    let top = -1;
    for (const id of tokenizer.get_vocab(true).values()) top = Math.max(top, id);
    this.vocabSize = top + 1;
  }

  /**
   * Ids as the Rust `tokenizers` library gives them, special tokens included where the
   * tokenizer's post-processor adds them. As in that library, characters a tokenizer
   * without an unknown token cannot represent are dropped.
   */
  encode(text: string): Int32Array {
    if (typeof text !== 'string') throw new TypeError(`tokenizer.encode: expected a string, got ${text === null ? 'null' : typeof text}`);
    return Int32Array.from(this.tokenizer.encode(text).ids);
  }

  /** Text for ids (special tokens kept). */
  decode(ids: TokenIds): string {
    const list = checkIds('tokenizer.decode', ids, this.vocabSize);
    if (list.length === 0) return '';
    return this.tokenizer.decode(Array.from(list));
  }

  /** Id of a token string (e.g. '<|endoftext|>'), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** The tokenizer.json document it was read from. */
  toJSON(): object {
    return this.json;
  }
}

/** Builds the tokenizer from parsed tokenizer.json (and tokenizer_config.json). */
export async function huggingFaceTokenizer(json: object, config: object | undefined, where: string): Promise<HuggingFaceTokenizer> {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  let tokenizer: HfTokenizer;
  try {
    tokenizer = new Tokenizer(json, config ?? {});
  } catch (error) {
    throw new Error(`loadTokenizer: ${where} is not a tokenizer @huggingface/tokenizers can read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return new HuggingFaceTokenizer(tokenizer, json, config);
}
