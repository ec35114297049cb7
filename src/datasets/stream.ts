// Files read in chunks, never whole: a path (Node, Deno: read at an offset), a File /
// Blob (browser: sliced), a URL (fetched as a stream), a ReadableStream of bytes, or
// bytes in memory. `wg.data.textFile` decodes the chunks as UTF-8 (a character split
// across two chunks is decoded whole); each iteration reads the file again from the start.

import { fileSystem } from '../io/fs.js';
import { isUrlString } from '../io/sources.js';
import { checkNumber, checkOptions, given } from '../options.js';

/** What textFile and csvStream read: a path, URL, File / Blob, ReadableStream of bytes, or bytes. */
export type StreamSource = string | URL | Blob | ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer;

export interface TextFileOptions {
  /** Bytes read at a time (default 1 MiB; a fetched URL or a stream gives chunks of its own size). */
  chunkBytes?: number;
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== 'undefined' && value instanceof ReadableStream;
}

export function checkStreamSource(fn: string, source: unknown): asserts source is StreamSource {
  const ok = typeof source === 'string' || source instanceof URL || source instanceof Uint8Array || source instanceof ArrayBuffer
    || (typeof Blob !== 'undefined' && source instanceof Blob) || isReadableStream(source);
  if (!ok) throw new TypeError(`${fn}: expected a path, a URL, a File / Blob, a ReadableStream of bytes or bytes, got ${given(source)}`);
  if (source === '') throw new Error(`${fn}: the path is empty`);
}

async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function* readFileChunks(fn: string, path: string, chunkBytes: number): AsyncGenerator<Uint8Array> {
  const { fs } = await fileSystem(fn);
  let handle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw new Error(`${fn}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    for (let position = 0; ; ) {
      const buffer = new Uint8Array(chunkBytes);
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** The byte chunks of `source`, read afresh on each call. */
export async function* byteChunks(fn: string, source: StreamSource, chunkBytes: number, streamUsed: { used: boolean }): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    for (let i = 0; i < bytes.length; i += chunkBytes) yield bytes.subarray(i, i + chunkBytes);
    return;
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    for (let i = 0; i < source.size; i += chunkBytes) yield new Uint8Array(await source.slice(i, i + chunkBytes).arrayBuffer());
    return;
  }
  if (isReadableStream(source)) {
    if (streamUsed.used) throw new Error(`${fn}: a ReadableStream can be read once; for more than one pass (epoch) give a path, URL or File`);
    streamUsed.used = true;
    yield* readStream(source);
    return;
  }
  const href = source instanceof URL ? source.href : (source as string);
  const hasFs = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' || typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  if (/^file:/i.test(href) && hasFs) {
    const urlModule = 'node:url';
    const { fileURLToPath } = (await import(/* @vite-ignore */ urlModule)) as typeof import('node:url');
    yield* readFileChunks(fn, fileURLToPath(href), chunkBytes);
    return;
  }
  if (!isUrlString(href) && hasFs) {
    yield* readFileChunks(fn, href, chunkBytes);
    return;
  }
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  const url = isUrlString(href) || !base ? href : new URL(href, base).href;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${fn}: cannot fetch ${url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!response.ok || !response.body) throw new Error(`${fn}: fetching ${url} failed: HTTP ${response.status} ${response.statusText}`.trimEnd());
  yield* readStream(response.body);
}

/** A text file read in chunks; iterate it (for await) for its text, one decoded chunk at a time. */
export class TextFile implements AsyncIterable<string> {
  private readonly stream = { used: false };
  /** @internal use wg.data.textFile */
  constructor(
    readonly source: StreamSource,
    readonly chunkBytes: number,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let offset = 0;
    for await (const bytes of byteChunks('textFile', this.source, this.chunkBytes, this.stream)) {
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        throw new Error(`textFile: the file is not UTF-8 text (bad bytes near byte ${offset})`);
      }
      offset += bytes.length;
      if (text) yield text;
    }
    let tail: string;
    try {
      tail = decoder.decode();
    } catch {
      throw new Error(`textFile: the file ends inside a UTF-8 character`);
    }
    if (tail) yield tail;
  }

  /** The whole text (reads everything: for files that fit in memory). */
  async text(): Promise<string> {
    let all = '';
    for await (const chunk of this) all += chunk;
    return all;
  }
}

/**
 * A text file read in chunks of `chunkBytes` (a path, URL, File / Blob, ReadableStream
 * or bytes), for wg.data.textDataset(file, { tokenizer, contextLength }) to train on
 * without loading it whole.
 */
export function textFile(source: StreamSource, options: TextFileOptions = {}): TextFile {
  checkOptions('textFile', options, ['chunkBytes']);
  checkStreamSource('textFile', source);
  const chunkBytes = checkNumber('textFile', 'chunkBytes', options.chunkBytes, 1 << 20, { integer: true, min: 1 });
  return new TextFile(source, chunkBytes);
}
