// Inside the worker: `expose(handlers)` answers the page's calls. Each call gets an
// AbortSignal (aborted when the page's signal aborts; pass it to fit's `signal`) and
// a `progress` function whose values reach the page's `onProgress`.

import { type Endpoint, type PageMessage, type WorkerMessage, deserializeError, isPageMessage, serializeError } from './protocol.js';
import { unwrapTransfer } from './transfer.js';
import { fromNode, isNodeEndpoint, type NodeEndpoint } from './node-port.js';

/** What a handler gets besides its input. */
export interface HandlerContext<P = never> {
  /** Sends a progress value to the page (`onProgress`); `transfer` moves buffers instead of copying. */
  progress(value: P, transfer?: readonly Transferable[]): void;
  /** Aborted when the page aborts this call; pass it on to `fit({ signal })`. */
  readonly signal: AbortSignal;
}

/**
 * A function the page can call: it takes one structured-cloneable input and returns
 * (or resolves to) a cloneable result, optionally wrapped by `transfer(...)`.
 */
export type Handler = (input: never, context: HandlerContext<never>) => unknown;

/** The functions a worker exposes, by name. */
export type Handlers = Readonly<Record<string, Handler>>;

/**
 * Serves `handlers` to the page that created this worker. Call it once, at the top
 * of the worker module. `port` defaults to the worker's global scope; in a Node
 * `worker_threads` worker pass `parentPort`.
 * Returns a function that stops serving.
 */
export function expose<H extends Handlers>(handlers: H, port: Endpoint | NodeEndpoint = globalThis as unknown as Endpoint): () => void {
  // Node's parentPort is an EventEmitter: adapt it
  const endpoint: Endpoint = isNodeEndpoint(port) ? fromNode(port) : port;
  const running = new Map<number, AbortController>();
  const post = (message: WorkerMessage, transfer: Transferable[] = []): void => endpoint.postMessage(message, transfer);

  const call = async (id: number, method: string, input: unknown): Promise<void> => {
    const handler = Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method] : undefined;
    const controller = new AbortController();
    running.set(id, controller);
    try {
      if (typeof handler !== 'function') {
        throw new Error(`worker: no handler named '${method}'; this worker exposes ${Object.keys(handlers).map((k) => `'${k}'`).join(', ') || 'nothing'}`);
      }
      const context: HandlerContext<unknown> = {
        progress: (value, transfer = []) => {
          if (running.has(id) && !controller.signal.aborted) post({ type: 'webgrad:progress', id, value }, [...transfer]);
        },
        signal: controller.signal,
      };
      const result = await (handler as (input: unknown, context: HandlerContext<unknown>) => unknown)(input, context);
      const { value, list } = unwrapTransfer(result);
      post({ type: 'webgrad:result', id, value }, list);
    } catch (error) {
      post({ type: 'webgrad:error', id, error: serializeError(error) });
    } finally {
      running.delete(id);
    }
  };

  const onMessage = (event: MessageEvent): void => {
    const message: unknown = event.data;
    if (!isPageMessage(message)) return;
    const m = message as PageMessage;
    if (m.type === 'webgrad:call') void call(m.id, m.method, m.input);
    else if (m.type === 'webgrad:abort') running.get(m.id)?.abort(deserializeError(m.reason));
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();
  return () => {
    endpoint.removeEventListener?.('message', onMessage);
    for (const controller of running.values()) controller.abort(new Error('worker: stopped serving'));
    running.clear();
  };
}
