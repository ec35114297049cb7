// tokenizer.json in and out: `wg.text.loadTokenizer(source)` reads either kind (a
// Hugging Face tokenizer.json, or the document a character tokenizer saves), and
// `wg.text.saveTokenizer(tokenizer, folder)` writes it beside a saved model, where
// `webgrad generate` finds it.

import { makeDirectory, pathKind, hasFileSystem, writeFileAtomic } from '../io/fs.js';
import { type ByteSource, checkByteSource, describeSource, isUrlString, joinLocation, readBytes } from '../io/sources.js';
import { given } from '../options.js';
import { CharTokenizer, type CharTokenizerJson } from './char-tokenizer.js';
import { huggingFaceTokenizer, HuggingFaceTokenizer } from './hf-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';

export const TOKENIZER_JSON = 'tokenizer.json';
export const TOKENIZER_CONFIG = 'tokenizer_config.json';

/**
 * Where a tokenizer comes from: a folder holding tokenizer.json (and optionally
 * tokenizer_config.json), a tokenizer.json path or URL, a File / Blob or its bytes,
 * the Files a user picked, a parsed tokenizer.json, or `{ tokenizer, config }`.
 */
export type TokenizerSource = ByteSource | ArrayLike<File> | object | { readonly tokenizer: object | string; readonly config?: object | string };

function parse(text: string, where: string): object {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`loadTokenizer: ${where} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`loadTokenizer: ${where} should hold a JSON object, got ${given(value)}`);
  return value;
}

const decodeText = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function isFileList(source: unknown): source is ArrayLike<File> {
  return typeof File !== 'undefined' && typeof source === 'object' && source !== null && !(source instanceof Blob) && typeof (source as ArrayLike<File>).length === 'number'
    && Array.from(source as ArrayLike<unknown>).every((f) => f instanceof File);
}

function isByteSource(source: unknown): source is ByteSource {
  try {
    checkByteSource('loadTokenizer', source, '');
    return true;
  } catch {
    return false;
  }
}

/** tokenizer.json's and (when present) tokenizer_config.json's documents. */
async function readDocuments(source: TokenizerSource): Promise<{ json: object; config: object | undefined; where: string }> {
  if (isFileList(source)) {
    const files = Array.from(source);
    const main = files.find((f) => f.name === TOKENIZER_JSON) ?? files.find((f) => /\.json$/i.test(f.name) && f.name !== TOKENIZER_CONFIG);
    if (!main) throw new Error(`loadTokenizer: among the files (${files.map((f) => f.name).join(', ')}) there is no tokenizer.json`);
    const configFile = files.find((f) => f.name === TOKENIZER_CONFIG);
    return { json: parse(await main.text(), main.name), config: configFile ? parse(await configFile.text(), configFile.name) : undefined, where: main.name };
  }
  if (!isByteSource(source)) {
    if (source === null || typeof source !== 'object' || Array.isArray(source)) {
      throw new TypeError(`loadTokenizer: expected a folder, a tokenizer.json path, URL, File or bytes, or a parsed tokenizer.json, got ${given(source)}`);
    }
    const pair = source as { tokenizer?: unknown; config?: unknown };
    if ('tokenizer' in pair && (typeof pair.tokenizer === 'object' || typeof pair.tokenizer === 'string') && !('model' in pair)) {
      const doc = (v: unknown, what: string) => (typeof v === 'string' ? parse(v, what) : (v as object));
      return { json: doc(pair.tokenizer, 'tokenizer'), config: pair.config === undefined ? undefined : doc(pair.config, 'config'), where: 'the given tokenizer' };
    }
    return { json: source, config: undefined, where: 'the given tokenizer document' };
  }
  const where = describeSource(source);
  if (typeof source !== 'string' && !(source instanceof URL)) return { json: parse(decodeText(await readBytes('loadTokenizer', source)), where), config: undefined, where };
  let location = typeof source === 'string' ? source : source.href;
  const remote = isUrlString(location) || !hasFileSystem();
  if (!/\.json$/i.test(location.split(/[?#]/)[0]!) && (remote || (await pathKind('loadTokenizer', location)) !== 'file')) {
    const folder = location;
    location = await joinLocation(folder, TOKENIZER_JSON);
    if (!remote && (await pathKind('loadTokenizer', location)) !== 'file') {
      throw new Error(`loadTokenizer: ${folder} has no ${TOKENIZER_JSON} (save one with wg.text.saveTokenizer, or point at a Hugging Face tokenizer.json)`);
    }
  }
  const json = parse(decodeText(await readBytes('loadTokenizer', location)), location);
  // tokenizer_config.json beside it is optional: read it when it is there
  const configLocation = remote ? new URL(TOKENIZER_CONFIG, new URL(location, (globalThis as { location?: { href?: string } }).location?.href)).href : location.replace(/[^/\\]*$/, TOKENIZER_CONFIG);
  let config: object | undefined;
  if (remote) {
    config = await readBytes('loadTokenizer', configLocation).then((b) => parse(decodeText(b), configLocation), () => undefined);
  } else if ((await pathKind('loadTokenizer', configLocation)) === 'file') {
    config = parse(decodeText(await readBytes('loadTokenizer', configLocation)), configLocation);
  }
  return { json, config, where: location };
}

/**
 * Reads a tokenizer: a Hugging Face tokenizer.json (through @huggingface/tokenizers)
 * or one that wg.text.saveTokenizer wrote for a character tokenizer.
 */
export async function loadTokenizer(source: TokenizerSource): Promise<Tokenizer> {
  const { json, config, where } = await readDocuments(source);
  if ((json as { webgrad?: unknown }).webgrad === 'charTokenizer') return CharTokenizer.fromJSON(json as CharTokenizerJson);
  if (!('model' in json)) throw new Error(`loadTokenizer: ${where} is neither a Hugging Face tokenizer.json (it has no "model") nor a webgrad character tokenizer`);
  return huggingFaceTokenizer(json, config, where);
}

/** Writes tokenizer.json (and a Hugging Face tokenizer's tokenizer_config.json) into `folder` (Node, Deno); returns the files written. */
export async function saveTokenizer(tokenizer: Tokenizer, folder: string): Promise<string[]> {
  const fn = 'saveTokenizer';
  if (!(tokenizer instanceof CharTokenizer) && !(tokenizer instanceof HuggingFaceTokenizer)) {
    throw new TypeError(`${fn}: expected a tokenizer from wg.text.charTokenizer or wg.text.loadTokenizer, got ${given(tokenizer)}`);
  }
  if (typeof folder !== 'string' || folder === '') throw new TypeError(`${fn}: expected a folder path, got ${given(folder)}`);
  if ((await pathKind(fn, folder)) === 'file') throw new Error(`${fn}: ${folder} is a file; the target should be a folder (it is created if missing)`);
  await makeDirectory(fn, folder);
  const written = [TOKENIZER_JSON];
  await writeFileAtomic(fn, await joinLocation(folder, TOKENIZER_JSON), `${JSON.stringify(tokenizer.toJSON(), null, 2)}\n`);
  if (tokenizer instanceof HuggingFaceTokenizer && tokenizer.config) {
    await writeFileAtomic(fn, await joinLocation(folder, TOKENIZER_CONFIG), `${JSON.stringify(tokenizer.config, null, 2)}\n`);
    written.push(TOKENIZER_CONFIG);
  }
  return written;
}
