// tokenizer.json on disk and over HTTP: loading the hand-written Hugging Face fixture
// from its folder, file or URL (with its tokenizer_config.json), and save → load round trips.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { serveFiles, tempDir } from '../helpers/files.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/tokenizer');

describe('text.loadTokenizer / saveTokenizer (files)', () => {
  it('reads a folder, a tokenizer.json path and a URL', async () => {
    for (const source of [FIXTURE, join(FIXTURE, 'tokenizer.json')]) {
      const tok = await wg.text.loadTokenizer(source);
      expect(Array.from(tok.encode('hello world'))).toEqual([11, 14, 3, 0]);
      expect((tok as wg.HuggingFaceTokenizer).config).toMatchObject({ tokenizer_class: 'GPT2Tokenizer' });
    }
    const server = await serveFiles({ 'tok/tokenizer.json': readFileSync(join(FIXTURE, 'tokenizer.json')) });
    try {
      const tok = await wg.text.loadTokenizer(`${server.url}tok/`);
      expect(Array.from(tok.encode('hello'))).toEqual([11]);
      expect((tok as wg.HuggingFaceTokenizer).config).toBeUndefined(); // none served: optional
    } finally {
      await server.close();
    }
  });

  it('saves a character tokenizer and a Hugging Face one beside a model, and reads them back', async () => {
    const dir = tempDir();
    const chars = wg.text.charTokenizer('to be or not');
    expect(await wg.text.saveTokenizer(chars, dir)).toEqual(['tokenizer.json']);
    const back = await wg.text.loadTokenizer(dir);
    expect(back.kind).toBe('char');
    expect(back.decode(back.encode('not to be'))).toBe('not to be');
    expect(Array.from(back.encode('bent'))).toEqual(Array.from(chars.encode('bent')));

    const hf = await wg.text.loadTokenizer(FIXTURE);
    const dir2 = tempDir();
    expect(await wg.text.saveTokenizer(hf, dir2)).toEqual(['tokenizer.json', 'tokenizer_config.json']);
    const hfBack = await wg.text.loadTokenizer(dir2);
    expect(Array.from(hfBack.encode('world hello'))).toEqual([6, 13, 3, 0, 7, 11]);
  });

  it('names what is missing or wrong', async () => {
    const dir = tempDir();
    await expect(wg.text.loadTokenizer(dir)).rejects.toThrow(new RegExp(`loadTokenizer: ${dir.replace(/[/\\]/g, '.')} has no tokenizer.json`));
    writeFileSync(join(dir, 'tokenizer.json'), '[1,2]');
    await expect(wg.text.loadTokenizer(dir)).rejects.toThrow(/should hold a JSON object, got an array of length 2/);
    await expect(wg.text.saveTokenizer({ vocabSize: 3 } as never, dir)).rejects.toThrow(/saveTokenizer: expected a tokenizer from wg.text.charTokenizer or wg.text.loadTokenizer/);
    await expect(wg.text.saveTokenizer(wg.text.charTokenizer('a'), join(dir, 'tokenizer.json'))).rejects.toThrow(/is a file; the target should be a folder/);
  });
});
