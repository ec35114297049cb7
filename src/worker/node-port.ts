// Node's worker_threads speak EventEmitter: a `Worker` (and `parentPort` inside it)
// emits 'message' with the value itself, 'error' with an Error and 'exit' with a code,
// and has no addEventListener. This adapter lets `connect(worker)` and
// `expose(handlers, parentPort)` take them directly, with no import of
// node:worker_threads (the library stays importable in browsers).

import type { Endpoint } from './protocol.js';

/**
 * A Node `worker_threads` Worker, or the `parentPort` inside one: anything with
 * `postMessage` and EventEmitter's `on` (and `off`).
 */
export interface NodeEndpoint {
  postMessage(value: unknown, transferList?: readonly never[]): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off?(event: string, listener: (...args: never[]) => void): unknown;
}

/** Whether `port` is a Node EventEmitter-style endpoint rather than a DOM one. */
export function isNodeEndpoint(port: unknown): port is NodeEndpoint {
  const p = port as { on?: unknown; postMessage?: unknown } | null;
  return typeof p === 'object' && p !== null && typeof p.on === 'function' && typeof p.postMessage === 'function';
}

/** The DOM-style Endpoint `connect` and `expose` use, over a Node worker or port. */
export function fromNode(port: NodeEndpoint): Endpoint {
  // the wrappers given to `on`, by the listener they call, so removeEventListener can find them
  const wrapped = new Map<unknown, (...args: never[]) => void>();
  const on = (event: string, listener: (...args: never[]) => void): void => {
    port.on(event, listener);
  };
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer as never[] | undefined),
    addEventListener: (type: string, listener: (event: never) => void) => {
      let wrapper: (...args: never[]) => void;
      if (type === 'message') {
        wrapper = ((value: unknown) => (listener as (e: { data: unknown }) => void)({ data: value })) as never;
        on('message', wrapper);
      } else if (type === 'error') {
        wrapper = ((error: unknown) => (listener as (e: { message: string; error: unknown }) => void)({ message: error instanceof Error ? error.message : String(error), error })) as never;
        on('error', wrapper);
        // a worker that exits with calls pending would otherwise leave them waiting for ever
        on('exit', ((code: number) => (listener as (e: { message: string }) => void)({ message: `the worker exited with code ${code}` })) as never);
      } else {
        wrapper = ((error: unknown) => (listener as (e: unknown) => void)(error)) as never;
        on(type, wrapper);
      }
      wrapped.set(listener, wrapper);
    },
    removeEventListener: (type: string, listener: (event: never) => void) => {
      const wrapper = wrapped.get(listener);
      if (wrapper) port.off?.(type, wrapper);
      wrapped.delete(listener);
    },
  } as Endpoint;
}
