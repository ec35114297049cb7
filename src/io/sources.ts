// Where bytes come from: a file path (Node, Deno), a URL (fetch; file: URLs read
// from disk), a Blob or File (browser), or bytes already in memory.

import { given } from '../options.js';
import { fileSystem, hasFileSystem, readFileBytes, reason } from './fs.js';

/** Anything the loaders read from. */
export type ByteSource = string | URL | Blob | ArrayBuffer | Uint8Array;

const URL_SCHEME = /^(https?|file|data|blob):/i;

/** True when a string names a URL rather than a path. */
export function isUrlString(s: string): boolean {
  return URL_SCHEME.test(s);
}

/** Throws unless `source` is one of the ByteSource kinds; `expected` says what the caller accepts. */
export function checkByteSource(caller: string, source: unknown, expected: string): asserts source is ByteSource {
  if (typeof source === 'string' || source instanceof URL || source instanceof Uint8Array || source instanceof ArrayBuffer) return;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return;
  throw new TypeError(`${caller}: expected ${expected}, got ${given(source)}`);
}

/** A readable name for messages. */
export function describeSource(source: ByteSource): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return (source as { name?: string }).name || 'the given Blob';
  return 'the given bytes';
}

export async function fetchBytes(caller: string, url: string | URL): Promise<Uint8Array> {
  const href = typeof url === 'string' ? url : url.href;
  if (/^file:/i.test(href) && hasFileSystem()) {
    const urlModule = 'node:url';
    const { fileURLToPath } = (await import(/* @vite-ignore */ urlModule)) as typeof import('node:url');
    return readFileBytes(caller, fileURLToPath(href));
  }
  if (typeof fetch !== 'function') throw new Error(`${caller}: cannot fetch ${href}: this runtime has no fetch`);
  let response: Response;
  try {
    response = await fetch(href);
  } catch (error) {
    throw new Error(`${caller}: cannot fetch ${href}: ${reason(error)}`, { cause: error });
  }
  if (!response.ok) throw new Error(`${caller}: fetching ${href} failed: HTTP ${response.status} ${response.statusText}`.trimEnd());
  return new Uint8Array(await response.arrayBuffer());
}

/** The bytes of `source`. A string is a URL when it has a scheme, else a path (Node, Deno) or a relative URL (browser). */
export async function readBytes(caller: string, source: ByteSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (source instanceof URL) return fetchBytes(caller, source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  if (typeof source === 'string') {
    if (isUrlString(source)) return fetchBytes(caller, source);
    if (hasFileSystem()) return readFileBytes(caller, source);
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    return fetchBytes(caller, base ? new URL(source, base) : source);
  }
  throw new TypeError(`${caller}: expected a path, a URL, a Blob / File or bytes, got ${given(source)}`);
}

/** Joins a folder (path or URL) and a file name. */
export async function joinLocation(folder: string, name: string): Promise<string> {
  if (isUrlString(folder) || !hasFileSystem()) {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    const dir = folder.endsWith('/') ? folder : `${folder}/`;
    return new URL(name, base ? new URL(dir, base) : dir).href;
  }
  const { path } = await fileSystem('join');
  return path.join(folder, name);
}
