// A character-level tokenizer: one token per Unicode character of a training text,
// numbered in code-point order (so the same text always gives the same ids).

import { given } from '../options.js';
import { checkIds, type TokenIds, type Tokenizer } from './tokenizer.js';

/** The tokenizer.json document of a character tokenizer. */
export interface CharTokenizerJson {
  readonly webgrad: 'charTokenizer';
  readonly formatVersion: 1;
  /** The characters, id i being vocab[i]. */
  readonly vocab: readonly string[];
}

const compareCodePoints = (a: string, b: string): number => a.codePointAt(0)! - b.codePointAt(0)!;

/** A describable character for messages: JSON escapes for control characters. */
const show = (ch: string): string => JSON.stringify(ch);

/** One token per character of a training text (see wg.text.charTokenizer); the vocabulary is in code-point order. */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly vocab: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  /** @internal use wg.text.charTokenizer(text) or CharTokenizer.fromVocab */
  constructor(vocab: readonly string[]) {
    this.vocab = vocab;
    this.ids = new Map(vocab.map((ch, i) => [ch, i]));
  }

  /** The sorted unique characters of `text`. */
  static fromText(text: string): CharTokenizer {
    if (typeof text !== 'string') throw new TypeError(`charTokenizer: expected the training text (a string), got ${given(text)}`);
    if (text.length === 0) throw new Error('charTokenizer: the text is empty; it needs at least one character to build a vocabulary');
    return new CharTokenizer([...new Set(text)].sort(compareCodePoints));
  }

  /** Rebuilds a tokenizer from its toJSON() document (or that document's JSON text). */
  static fromJSON(doc: CharTokenizerJson | string): CharTokenizer {
    const fn = 'charTokenizer.fromJSON';
    let value: unknown = doc;
    if (typeof doc === 'string') {
      try {
        value = JSON.parse(doc);
      } catch (error) {
        throw new Error(`${fn}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    const d = value as Partial<CharTokenizerJson> | null;
    if (d === null || typeof d !== 'object' || d.webgrad !== 'charTokenizer') throw new Error(`${fn}: expected a document with webgrad: 'charTokenizer', got ${given(value)}`);
    if (d.formatVersion !== 1) throw new Error(`${fn}: formatVersion ${String(d.formatVersion)} is not supported (expected 1)`);
    const vocab = d.vocab;
    if (!Array.isArray(vocab) || vocab.length === 0) throw new Error(`${fn}: vocab should be a non-empty array of characters, got ${given(vocab)}`);
    const seen = new Set<string>();
    vocab.forEach((ch: unknown, i) => {
      if (typeof ch !== 'string' || [...ch].length !== 1) throw new Error(`${fn}: vocab[${i}] should be one character, got ${given(ch)}`);
      if (seen.has(ch)) throw new Error(`${fn}: vocab[${i}] ${show(ch)} appears twice`);
      seen.add(ch);
    });
    return new CharTokenizer(vocab as string[]);
  }

  /** The number of characters in the vocabulary. */
  get vocabSize(): number {
    return this.vocab.length;
  }

  /** One id per character; a character outside the vocabulary is an error that names it and its position. */
  encode(text: string): Int32Array {
    if (typeof text !== 'string') throw new TypeError(`charTokenizer.encode: expected a string, got ${given(text)}`);
    const out = new Int32Array(text.length);
    let n = 0;
    let position = 0;
    for (const ch of text) {
      const id = this.ids.get(ch);
      if (id === undefined) {
        const known = this.vocab.length <= 80 ? `: ${this.vocab.map(show).join(' ')}` : '';
        throw new Error(`charTokenizer.encode: character ${show(ch)} at position ${position} is not in the vocabulary of ${this.vocab.length} characters${known}`);
      }
      out[n++] = id;
      position++;
    }
    // surrogate pairs take two UTF-16 units but one id
    return n === out.length ? out : out.slice(0, n);
  }

  /** The characters of `ids`; an id outside [0, vocabSize) is an error naming it. */
  decode(ids: TokenIds): string {
    const list = checkIds('charTokenizer.decode', ids, this.vocab.length);
    let text = '';
    for (let i = 0; i < list.length; i++) text += this.vocab[list[i]!];
    return text;
  }

  /** The tokenizer.json document (what wg.text.saveTokenizer writes). */
  toJSON(): CharTokenizerJson {
    return { webgrad: 'charTokenizer', formatVersion: 1, vocab: [...this.vocab] };
  }
}
