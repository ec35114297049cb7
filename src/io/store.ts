// Where a model's two files go and come from: a folder (Node, Deno), a browser
// download, IndexedDB ('indexeddb://name'), a URL, File objects, or memory.

import { given } from '../options.js';
import { fileSystem, hasFileSystem, makeDirectory, pathKind, writeFileAtomic } from './fs.js';
import { getModel, putModel } from './indexeddb.js';
import { filePath } from './file-url.js';
import { isUrlString, joinLocation, readBytes } from './sources.js';

/** model.json's text and the weights file's bytes. */
export interface ModelFiles {
  readonly json: string;
  readonly weights: Uint8Array;
}

/** A folder path or 'file://' + path as TF.js writes it (Node, Deno), 'downloads://name' or 'indexeddb://name' (browser). */
export type SaveTarget = string;

/**
 * A saved model: a folder or model.json path (Node, Deno), a URL of model.json or of
 * its folder, 'indexeddb://name', the two Files picked by a user, or the files in memory.
 */
export type ModelSource = string | URL | ArrayLike<File> | { readonly json: string | object; readonly weights: Uint8Array | ArrayBuffer };

export interface SaveResult {
  /** Where the model went. */
  readonly location: string;
  /** The file names written. */
  readonly files: readonly string[];
  readonly weightsBytes: number;
}

const INDEXEDDB = 'indexeddb://';
const DOWNLOADS = 'downloads://';
export const MODEL_JSON = 'model.json';
export const MODEL_WEIGHTS = 'model.safetensors';

function schemeName(target: string, scheme: string, fn: string): string {
  const name = target.slice(scheme.length);
  if (name === '') throw new Error(`${fn}: '${scheme}' needs a model name after it, e.g. '${scheme}my-model'`);
  return name;
}

/** The weights file name a target uses (model.json names it). */
export function weightsFileFor(target: SaveTarget, fn: string): string {
  if (typeof target !== 'string') throw new TypeError(`${fn}: the target should be a folder path, 'downloads://name' or 'indexeddb://name', got ${given(target)}`);
  if (target.startsWith(DOWNLOADS)) return `${schemeName(target, DOWNLOADS, fn)}.safetensors`;
  return MODEL_WEIGHTS;
}

function download(name: string, bytes: Uint8Array | string, type: string): void {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc) throw new Error(`save: 'downloads://' needs a browser page (document); in Node or Deno save to a folder path`);
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const anchor = doc.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.style.display = 'none';
  doc.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  // The browser has taken the file once the click's task has run.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function writeModelFiles(target: SaveTarget, files: ModelFiles, weightsFile: string, fn: string): Promise<SaveResult> {
  const weightsBytes = files.weights.length;
  if (target.startsWith(INDEXEDDB)) {
    const name = schemeName(target, INDEXEDDB, fn);
    await putModel(fn, name, { json: files.json, weights: files.weights, weightsFile, savedAt: new Date().toISOString() });
    return { location: target, files: [MODEL_JSON, weightsFile], weightsBytes };
  }
  if (target.startsWith(DOWNLOADS)) {
    const name = schemeName(target, DOWNLOADS, fn);
    download(`${name}.json`, files.json, 'application/json');
    download(weightsFile, files.weights, 'application/octet-stream');
    return { location: target, files: [`${name}.json`, weightsFile], weightsBytes };
  }
  // TF.js' 'file://./dir' and 'file:///abs/dir' are folders
  target = filePath(target) ?? target;
  if (isUrlString(target)) throw new Error(`${fn}: cannot save to a URL (${target}); save to a folder, 'downloads://name' or 'indexeddb://name'`);
  if ((await pathKind(fn, target)) === 'file') throw new Error(`${fn}: ${target} is a file; the target should be a folder (it is created if missing)`);
  await makeDirectory(fn, target);
  // Weights first: model.json names them, so a reader never finds a model.json whose weights are missing.
  const weightsPath = await joinLocation(target, weightsFile);
  const jsonPath = await joinLocation(target, MODEL_JSON);
  await writeFileAtomic(fn, weightsPath, files.weights);
  await writeFileAtomic(fn, jsonPath, files.json);
  return { location: target, files: [MODEL_JSON, weightsFile], weightsBytes };
}

function isFileList(source: unknown): source is ArrayLike<File> {
  return typeof File !== 'undefined' && typeof source === 'object' && source !== null && typeof (source as ArrayLike<File>).length === 'number'
    && Array.from(source as ArrayLike<unknown>).every((f) => f instanceof File);
}

/**
 * Reads model.json (as text, with a name for messages) and, once model.json says
 * which file holds the weights, the weights.
 */
export async function readModelFiles(
  source: ModelSource,
  fn: string,
  weightsFileOf: (jsonText: string, where: string) => string,
): Promise<ModelFiles & { where: string }> {
  if (typeof source === 'string' && source.startsWith(INDEXEDDB)) {
    const stored = await getModel(fn, schemeName(source, INDEXEDDB, fn));
    return { json: stored.json, weights: stored.weights, where: source };
  }
  if (isFileList(source)) {
    const list = Array.from(source);
    const jsonFile = list.find((f) => /\.json$/i.test(f.name));
    if (!jsonFile) throw new Error(`${fn}: among the files (${list.map((f) => f.name).join(', ')}) there is no model .json file`);
    const json = await jsonFile.text();
    const weightsName = weightsFileOf(json, jsonFile.name);
    const weights = list.find((f) => f.name === weightsName) ?? (list.filter((f) => /\.safetensors$/i.test(f.name)).length === 1 ? list.find((f) => /\.safetensors$/i.test(f.name)) : undefined);
    if (!weights) throw new Error(`${fn}: ${jsonFile.name} names the weights file '${weightsName}', which is not among the files (${list.map((f) => f.name).join(', ')})`);
    return { json, weights: new Uint8Array(await weights.arrayBuffer()), where: jsonFile.name };
  }
  if (typeof source === 'object' && source !== null && !(source instanceof URL) && 'json' in source && 'weights' in source) {
    const json = typeof source.json === 'string' ? source.json : JSON.stringify(source.json);
    const weights = source.weights instanceof Uint8Array ? source.weights : new Uint8Array(source.weights);
    return { json, weights, where: 'the given model files' };
  }
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new TypeError(`${fn}: expected a folder or model.json path, a URL, 'indexeddb://name', Files or { json, weights }, got ${given(source)}`);
  }
  let jsonLocation = typeof source === 'string' ? (filePath(source) ?? source) : source.href;
  // In a browser a plain string is a URL relative to the page.
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  const remote = isUrlString(jsonLocation) || !hasFileSystem();
  if (remote && !isUrlString(jsonLocation) && base) jsonLocation = new URL(jsonLocation, base).href;
  if (!/\.json$/i.test(jsonLocation.split(/[?#]/)[0]!)) {
    if (remote || (await pathKind(fn, jsonLocation)) !== 'file') jsonLocation = await joinLocation(jsonLocation, MODEL_JSON);
  }
  const json = new TextDecoder().decode(await readBytes(fn, jsonLocation));
  const weightsName = weightsFileOf(json, jsonLocation);
  const weightsLocation = remote ? new URL(weightsName, jsonLocation).href : await joinLocation(await parentFolder(jsonLocation), weightsName);
  const weights = await readBytes(fn, weightsLocation);
  return { json, weights, where: jsonLocation };
}

async function parentFolder(file: string): Promise<string> {
  const { path } = await fileSystem('load');
  return path.dirname(file);
}
