// 'file://' targets as TF.js writes them: `model.save('file://./my-model')` and
// `loadModel('file://./my-model')` name a folder relative to the working directory,
// and 'file:///abs/path' an absolute one. Both become plain paths (Node, Deno), so
// saving and loading go through the same folder code as a bare path.

import { hasFileSystem } from './fs.js';

const FILE_SCHEME = /^file:\/\//i;

/** The local path a 'file://' string names, or undefined for any other string (or where there is no file system). */
export function filePath(target: string): string | undefined {
  if (!FILE_SCHEME.test(target) || !hasFileSystem()) return undefined;
  let rest = target.slice('file://'.length);
  if (/^localhost\//i.test(rest)) rest = rest.slice('localhost'.length);
  // percent-escapes as a URL would have them ('%20' for a space)
  let decoded = rest;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    // a lone '%' in a TF.js-style path: keep it as written
  }
  // 'file:///C:/models' on Windows: the drive letter follows the third slash
  return /^\/[A-Za-z]:[\\/]/.test(decoded) ? decoded.slice(1) : decoded;
}
