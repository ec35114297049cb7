// Tokenizers: the character tokenizer against a vocabulary built here independently
// (code-point order), and a hand-written Hugging Face BPE whose ids are derived by
// hand in test/fixtures/tokenizer/README.md. Tokenizers run in JS on every backend alike.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import config from '../fixtures/tokenizer/tokenizer_config.json' with { type: 'json' };
import tokenizerJson from '../fixtures/tokenizer/tokenizer.json' with { type: 'json' };

describe('text.charTokenizer', () => {
  const TEXT = 'First Citizen:\nBefore we proceed, hear me speak.';
  const vocab = Array.from(new Set(TEXT)).sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);

  it('numbers the unique characters in code-point order and round-trips text', () => {
    const tok = wg.text.charTokenizer(TEXT);
    expect(tok.vocabSize).toBe(vocab.length);
    const ids = tok.encode('hear me');
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Array.from(ids)).toEqual([...'hear me'].map((c) => vocab.indexOf(c)));
    expect(tok.decode(ids)).toBe('hear me');
    expect(tok.decode(Array.from(tok.encode(TEXT)))).toBe(TEXT);
    // '\n' (10) and ' ' (32) sort first
    expect(Array.from(tok.encode('\n '))).toEqual([0, 1]);
  });

  it('counts a character outside the BMP as one token', () => {
    const tok = wg.text.charTokenizer('a😀b');
    expect(tok.vocabSize).toBe(3);
    expect(Array.from(tok.encode('😀a'))).toEqual([2, 0]);
    expect(tok.decode([2, 1])).toBe('😀b');
  });

  it('toJSON / fromJSON give the same ids', () => {
    const tok = wg.text.charTokenizer(TEXT);
    const again = wg.text.charTokenizer.fromJSON(JSON.stringify(tok.toJSON()));
    expect(again.vocabSize).toBe(tok.vocabSize);
    expect(Array.from(again.encode(TEXT))).toEqual(Array.from(tok.encode(TEXT)));
  });

  it('refuses unknown characters, bad ids and bad documents with clear messages', () => {
    const tok = wg.text.charTokenizer('abc');
    expect(() => tok.encode('abz')).toThrow(/charTokenizer.encode: character "z" at position 2 is not in the vocabulary of 3 characters/);
    expect(() => tok.decode([0, 3])).toThrow(/charTokenizer.decode: token ids should be integers in \[0, 3\), got 3 at position 1/);
    expect(() => tok.decode([1.5])).toThrow(/got 1.5 at position 0/);
    expect(() => tok.decode(wg.tensor([1], [1], 'int32') as never)).toThrow(/read a tensor first/);
    expect(() => wg.text.charTokenizer('')).toThrow(/charTokenizer: the text is empty/);
    expect(() => wg.text.charTokenizer(3 as never)).toThrow(/charTokenizer: expected the training text \(a string\), got number 3/);
    expect(() => wg.text.charTokenizer.fromJSON({ webgrad: 'charTokenizer', formatVersion: 1, vocab: ['a', 'a'] })).toThrow(/vocab\[1\] "a" appears twice/);
    expect(() => wg.text.charTokenizer.fromJSON({ webgrad: 'charTokenizer', formatVersion: 1, vocab: ['ab'] })).toThrow(/vocab\[0\] should be one character/);
    expect(() => wg.text.charTokenizer.fromJSON('{')).toThrow(/charTokenizer.fromJSON: not valid JSON/);
  });
});

describe('text.loadTokenizer (Hugging Face tokenizer.json)', () => {
  it('encodes a hand-written byte-level BPE to the ids derived by hand, and decodes them', async () => {
    const tok = await wg.text.loadTokenizer({ tokenizer: tokenizerJson, config });
    expect(tok.kind).toBe('huggingface');
    expect(tok.vocabSize).toBe(16);
    expect(Array.from(tok.encode('hello world'))).toEqual([11, 14, 3, 0]);
    expect(Array.from(tok.encode('hello<|endoftext|>'))).toEqual([11, 15]);
    expect(tok.decode([11, 14, 3, 0])).toBe('hello world');
    expect(tok.decode(new Int32Array([6, 13, 3, 0, 7, 11]))).toBe('world hello');
    expect(tok.decode([])).toBe('');
    expect(() => tok.decode([16])).toThrow(/tokenizer.decode: token ids should be integers in \[0, 16\), got 16 at position 0/);
  });

  it('takes a parsed tokenizer.json without a config, and a saved character tokenizer', async () => {
    const tok = await wg.text.loadTokenizer(tokenizerJson);
    expect(Array.from(tok.encode('hello'))).toEqual([11]);
    const chars = await wg.text.loadTokenizer(wg.text.charTokenizer('xyz').toJSON());
    expect(chars.kind).toBe('char');
    expect(Array.from(chars.encode('zx'))).toEqual([2, 0]);
  });

  it('refuses what is not a tokenizer', async () => {
    await expect(wg.text.loadTokenizer({ version: '1.0' })).rejects.toThrow(/loadTokenizer: the given tokenizer document is neither a Hugging Face tokenizer.json \(it has no "model"\)/);
    await expect(wg.text.loadTokenizer(42 as never)).rejects.toThrow(/loadTokenizer: expected a folder, a tokenizer.json path, URL, File or bytes, or a parsed tokenizer.json, got number 42/);
    await expect(wg.text.loadTokenizer(new TextEncoder().encode('not json'))).rejects.toThrow(/loadTokenizer: the given bytes is not valid JSON/);
    await expect(wg.text.loadTokenizer({ model: { type: 'Nonesuch' } })).rejects.toThrow(/loadTokenizer: the given tokenizer document is not a tokenizer @huggingface\/tokenizers can read/);
  });
});
