// On the page: `connect(worker)` returns an object with one async method per handler
// the worker exposes, typed from the worker module's handlers:
//
//   import type { handlers } from './train.worker.js';
//   const trainer = connect<typeof handlers>(new Worker(new URL('./train.worker.js', import.meta.url), { type: 'module' }));
//   const result = await trainer.train(input, { onProgress: (p) => draw(p), signal });

import type { HandlerContext, Handlers } from './expose.js';
import { type Endpoint, type PageMessage, type WorkerMessage, deserializeError, isWorkerMessage, serializeError } from './protocol.js';
import type { Transferred } from './transfer.js';
import { fromNode, isNodeEndpoint, type NodeEndpoint } from './node-port.js';

/** Options of one call from the page. */
export interface CallOptions<P> {
  /** Receives every value the handler passes to `progress`, in order. */
  onProgress?: (value: P) => void;
  /** Aborting rejects the call at once with the signal's reason and aborts the handler's signal. */
  signal?: AbortSignal;
  /** Buffers in the input that move to the worker instead of being copied. */
  transfer?: readonly Transferable[];
}

type InputOf<F> = F extends (input: infer I, ...rest: never[]) => unknown ? I : never;
type ProgressOf<F> = F extends (input: never, context: HandlerContext<infer P>) => unknown ? P : never;
type ResultOf<F> = F extends (...args: never[]) => infer R ? (Awaited<R> extends Transferred<infer T> ? T : Awaited<R>) : never;

/** The page's view of a worker's handlers: the same names, each returning a promise. */
export type WorkerClient<H extends Handlers> = {
  readonly [K in keyof H]: (input: InputOf<H[K]>, options?: CallOptions<ProgressOf<H[K]>>) => Promise<ResultOf<H[K]>>;
};

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress?: ((value: never) => void) | undefined;
}

/**
 * Connects to a worker that called `expose(handlers)`: a Web Worker, a MessagePort,
 * or in Node a `worker_threads` Worker. A worker that fails to load, throws outside a
 * handler or (Node) exits rejects every pending call with that error.
 */
export function connect<H extends Handlers>(target: Endpoint | NodeEndpoint): WorkerClient<H> {
  // a Node worker_threads Worker is an EventEmitter: adapt it
  const worker: Endpoint = isNodeEndpoint(target) ? fromNode(target) : target;
  const pending = new Map<number, Pending>();
  let nextId = 1;

  worker.addEventListener('message', (event: MessageEvent) => {
    const message: unknown = event.data;
    if (!isWorkerMessage(message)) return;
    const m = message as WorkerMessage;
    const call = pending.get(m.id);
    if (!call) return; // aborted on this side already
    if (m.type === 'webgrad:progress') call.onProgress?.(m.value as never);
    else {
      pending.delete(m.id);
      if (m.type === 'webgrad:result') call.resolve(m.value);
      else call.reject(deserializeError(m.error));
    }
  });
  const failAll = (error: Error): void => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  worker.addEventListener('error', (event: Event) => {
    const message = (event as ErrorEvent).message;
    event.preventDefault?.();
    failAll(new Error(`worker: ${message || 'the worker failed (it may not have loaded: check its URL and that it is a module worker)'}`));
  });
  worker.addEventListener('messageerror', () => failAll(new Error('worker: a message could not be deserialized')));
  worker.start?.();

  const invoke = (method: string, input: unknown, options: CallOptions<never> = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const id = nextId++;
      const onAbort = (): void => {
        if (!pending.delete(id)) return;
        worker.postMessage({ type: 'webgrad:abort', id, reason: serializeError(signal!.reason) } satisfies PageMessage);
        reject(signal!.reason);
      };
      pending.set(id, {
        resolve: (value) => (signal?.removeEventListener('abort', onAbort), resolve(value)),
        reject: (error) => (signal?.removeEventListener('abort', onAbort), reject(error)),
        onProgress: options.onProgress,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        worker.postMessage({ type: 'webgrad:call', id, method, input } satisfies PageMessage, [...(options.transfer ?? [])]);
      } catch (error) {
        pending.delete(id);
        reject(error); // e.g. DataCloneError: the input holds a function or a tensor
      }
    });

  return new Proxy({} as WorkerClient<H>, {
    get: (_, method) => (typeof method === 'string' && method !== 'then'
      ? (input: unknown, options?: CallOptions<never>) => invoke(method, input, options)
      : undefined),
  });
}
