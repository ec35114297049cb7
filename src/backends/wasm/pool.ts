// The worker pool (main side). Workers share the module's memory; a job is
// published through the control block and its parts are claimed by whichever
// thread is free, the main thread included (see control.ts). Workers are unref'd
// in Node, so an idle pool never keeps a process alive.

import { workerSource } from '../../generated/wasm-worker.js';
import { claim, CONTROL_BYTES, DESCRIPTOR, DONE, GENERATION, KIND, MAIN_SPIN_MS, NEXT, packParts, STOP, waitWhile, type WorkerInit } from './control.js';

type Dispatch = (kind: number, desc: number, part: number, parts: number, thread: number) => void;

interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
  /** Node: lets the process exit while the worker lives. */
  unref?(): void;
}

interface NodeWorker extends PoolWorker {
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  unref(): void;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node && !('Deno' in globalThis);
const isDeno = 'Deno' in globalThis;
/**
 * Node and Deno run the pool on worker_threads: unlike Web Workers, those can be
 * unref'd, so an idle pool never keeps the process alive.
 */
const useWorkerThreads = isNode || isDeno;

/**
 * A Node built-in module, obtained so that bundlers targeting browsers never see an
 * import of it: process.getBuiltinModule (Node >= 20.16), else an import with a
 * specifier they cannot resolve statically.
 */
async function nodeBuiltin<T>(id: string): Promise<T> {
  const get = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  if (get) return get(id) as T;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ id)) as T;
}

/** Whether this runtime can run workers over shared WebAssembly memory. */
/** The most threads a wasm backend runs (a worker each, with its own stack in the shared memory). */
export const MAX_THREADS = 64;

export function threadsAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  if (useWorkerThreads) return true;
  return typeof Worker !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Number of logical cores, or 1 where the runtime does not say. */
export async function coreCount(): Promise<number> {
  if (isNode) {
    const os = await nodeBuiltin<typeof import('node:os')>('node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

async function spawn(): Promise<PoolWorker & { onMessage(listener: (message: unknown) => void): void }> {
  if (useWorkerThreads) {
    const { Worker } = await nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
    const worker = new Worker(workerSource, { eval: true }) as unknown as NodeWorker;
    return Object.assign(worker, {
      onMessage(listener: (message: unknown) => void) {
        worker.on('message', listener);
        worker.on('error', (error) => listener(`error: ${error.message}`));
      },
    });
  }
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module' });
  URL.revokeObjectURL(url);
  return Object.assign(worker, {
    onMessage(listener: (message: unknown) => void) {
      worker.onmessage = (event) => listener(event.data);
      worker.onerror = (event) => listener(`error: ${event.message}`);
    },
  });
}

export class WorkerPool {
  private readonly ctl: Int32Array;
  private canWait: boolean | undefined;
  private failure: string | undefined;

  private constructor(private readonly workers: PoolWorker[], memory: WebAssembly.Memory, control: number) {
    this.ctl = new Int32Array(memory.buffer, control, CONTROL_BYTES / 4);
  }

  /** Starts `count` workers and resolves once each has instantiated the module. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, control: number, count: number): Promise<WorkerPool> {
    const workers = await Promise.all(Array.from({ length: count }, () => spawn()));
    const pool = new WorkerPool(workers, memory, control);
    try {
      await Promise.all(
        workers.map(
          (worker, i) =>
            new Promise<void>((resolve, reject) => {
              worker.onMessage((message) => {
                if (message === 'ready') resolve();
                else if (typeof message === 'string' && message.startsWith('error')) {
                  pool.failure ??= message;
                  reject(new Error(`wasm worker ${i + 1}: ${message}`));
                }
              });
              const init: WorkerInit = { module, memory, control, index: i + 1 };
              worker.postMessage(init);
            }),
        ),
      );
    } catch (error) {
      pool.dispose();
      throw error;
    }
    // Only now: an unref'd worker would not keep the process waiting for 'ready', and
    // attaching a 'message' listener refs a Node worker again.
    for (const worker of workers) worker.unref?.();
    return pool;
  }

  /** Number of threads a job is split into (the workers and the main thread). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Runs the `parts` of a job on all threads and returns when every part is done. */
  run(kind: number, desc: number, parts: number, dispatch: Dispatch): void {
    if (this.failure) throw new Error(`wasm backend: a worker failed: ${this.failure}`);
    const ctl = this.ctl;
    Atomics.store(ctl, KIND, kind);
    Atomics.store(ctl, DESCRIPTOR, desc);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, packParts(parts));
    Atomics.add(ctl, GENERATION, 1);
    Atomics.notify(ctl, GENERATION);
    try {
      for (let part = claim(ctl); part; part = claim(ctl)) {
        dispatch(kind, desc, part[0], parts, 0);
        Atomics.add(ctl, DONE, 1);
      }
    } finally {
      // After an error, the parts nobody took yet are dropped; the workers' parts
      // still finish before the next job.
      for (let part = claim(ctl); part; part = claim(ctl)) Atomics.add(ctl, DONE, 1);
      for (let done = Atomics.load(ctl, DONE); done < parts; done = Atomics.load(ctl, DONE)) {
        waitWhile(ctl, DONE, done, MAIN_SPIN_MS, () => this.mayBlock());
      }
    }
  }

  /** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
  private mayBlock(): boolean {
    if (this.canWait === undefined) {
      try {
        Atomics.wait(this.ctl, STOP, 1, 0);
        this.canWait = true;
      } catch {
        this.canWait = false;
      }
    }
    return this.canWait;
  }

  dispose(): void {
    Atomics.store(this.ctl, STOP, 1);
    Atomics.add(this.ctl, GENERATION, 1);
    Atomics.notify(this.ctl, GENERATION);
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
  }
}
