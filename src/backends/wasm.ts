// The WebAssembly backend's entry: choose the module flavour and the thread count,
// create the memory, instantiate, start the worker pool. select.ts imports this
// file lazily, so bundles that never select 'wasm' do not carry it.

import { checkOptions } from '../options.js';
import type { Backend } from './backend.js';
import { reservedLayout, WasmBackend } from './wasm/backend.js';
import { type Flavour, loadModule } from './wasm/module.js';
import { coreCount, MAX_THREADS, threadsAvailable, WorkerPool } from './wasm/pool.js';

export interface WasmBackendOptions {
  /**
   * Threads to split large kernels across (the main thread included). Default: the
   * WEBGRAD_WASM_THREADS environment variable in Node, else one per core. Threads
   * need shared memory and workers (Node, Deno, cross-origin isolated pages);
   * elsewhere the backend runs single-threaded with the same results.
   */
  threads?: number;
  /** Module flavour; 'auto' (default) picks relaxed SIMD where the runtime validates it. */
  flavour?: Flavour | 'auto';
}

const PAGE = 65536;
/** wasm32 addresses up to 4 GiB. */
const MAX_PAGES = 65536;

function envThreads(): number | undefined {
  const env = typeof process !== 'undefined' ? process.env?.WEBGRAD_WASM_THREADS : undefined;
  if (env === undefined || env === '') return undefined;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new Error(`WEBGRAD_WASM_THREADS should be a positive integer, got ${JSON.stringify(env)}`);
  return n;
}

export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  checkOptions('wasm backend', options, ['threads', 'flavour']);
  if (options.flavour !== undefined && !['relaxed', 'simd', 'auto'].includes(options.flavour)) {
    throw new Error(`wasm backend: flavour should be 'relaxed', 'simd' or 'auto', got ${JSON.stringify(options.flavour)}`);
  }
  const requested = options.threads ?? envThreads() ?? Math.min(await coreCount(), MAX_THREADS);
  if (!Number.isInteger(requested) || requested < 1) {
    throw new Error(`createWasmBackend: threads should be a positive integer, got ${String(options.threads)}`);
  }
  if (requested > MAX_THREADS) {
    // each thread is a worker with its own stack in the shared memory: past a few per core they only cost
    throw new Error(`createWasmBackend: threads should be at most ${MAX_THREADS} (the default is one per core: ${await coreCount()} here), got ${requested}`);
  }
  const threads = requested > 1 && threadsAvailable() ? requested : 1;
  const shared = threads > 1;
  const loaded = await loadModule(options.flavour ?? 'auto', shared);
  const memory = new WebAssembly.Memory(
    shared ? { initial: 32, maximum: MAX_PAGES, shared: true } : { initial: 32 },
  );
  const instance = await WebAssembly.instantiate(loaded.module, { env: { memory } });
  const exports = instance.exports as {
    dispatch: (kind: number, desc: number, part: number, parts: number, thread: number) => void;
    heapBase: () => number;
  };
  const heapBase = exports.heapBase() >>> 0;
  const pool = shared
    ? await WorkerPool.create(loaded.module, memory, reservedLayout(heapBase, threads).control, threads - 1)
    : undefined;
  return new WasmBackend({
    flavour: loaded.flavour,
    memory,
    dispatch: exports.dispatch,
    heapBase,
    pool,
    memoryLimit: MAX_PAGES * PAGE,
  });
}
