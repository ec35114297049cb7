// File access for Node and Deno (both provide node:fs), loaded on first use so that
// browser bundles never include it, and atomic writes: write a temporary file in
// the same folder, flush it, then rename it over the target, so a reader (or a
// crash) sees the old file or the new one, never half of one.

type FsPromises = typeof import('node:fs/promises');
type PathModule = typeof import('node:path');

interface FileSystem {
  readonly fs: FsPromises;
  readonly path: PathModule;
}

let loaded: Promise<FileSystem> | undefined;

/** True in Node and Deno, where paths name files. */
export function hasFileSystem(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown };
  return g.Deno !== undefined || typeof g.process?.versions?.node === 'string';
}

/**
 * node:fs/promises and node:path. The specifiers are held in variables so that
 * bundlers leave the imports alone (they run only in Node and Deno).
 */
export function fileSystem(caller: string): Promise<FileSystem> {
  if (!hasFileSystem()) {
    return Promise.reject(new Error(`${caller}: file paths need Node or Deno; in a browser pass a URL, a File, 'indexeddb://name' or 'downloads://name'`));
  }
  if (!loaded) {
    const fsName = 'node:fs/promises';
    const pathName = 'node:path';
    loaded = Promise.all([import(/* @vite-ignore */ fsName) as Promise<FsPromises>, import(/* @vite-ignore */ pathName) as Promise<PathModule>])
      .then(([fs, path]) => ({ fs, path }));
  }
  return loaded;
}

export async function readFileBytes(caller: string, file: string): Promise<Uint8Array> {
  const { fs } = await fileSystem(caller);
  try {
    const buffer = await fs.readFile(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw new Error(`${caller}: cannot read ${file}: ${reason(error)}`, { cause: error });
  }
}

/** Writes `bytes` to `file` atomically; on failure the previous file (if any) is untouched and no temporary file is left. */
export async function writeFileAtomic(caller: string, file: string, bytes: Uint8Array | string): Promise<void> {
  const { fs, path } = await fileSystem(caller);
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new Error(`${caller}: cannot write ${file}: ${reason(error)}`, { cause: error });
  }
}

export async function makeDirectory(caller: string, dir: string): Promise<void> {
  const { fs } = await fileSystem(caller);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new Error(`${caller}: cannot create the folder ${dir}: ${reason(error)}`, { cause: error });
  }
}

/** 'file', 'directory', or undefined when nothing is there. */
export async function pathKind(caller: string, target: string): Promise<'file' | 'directory' | undefined> {
  const { fs } = await fileSystem(caller);
  try {
    const stat = await fs.stat(target);
    return stat.isDirectory() ? 'directory' : 'file';
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new Error(`${caller}: cannot access ${target}: ${reason(error)}`, { cause: error });
  }
}

export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
