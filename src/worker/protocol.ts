// The messages between a page and a worker that webgrad/worker's `connect` and
// `expose` exchange. Every message carries the call's id, so one worker can serve
// several calls at a time (a prediction while training runs, say).

/** An error as it crosses the worker boundary (Error objects do not clone everywhere). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type PageMessage =
  | { readonly type: 'webgrad:call'; readonly id: number; readonly method: string; readonly input: unknown }
  | { readonly type: 'webgrad:abort'; readonly id: number; readonly reason: SerializedError };

export type WorkerMessage =
  | { readonly type: 'webgrad:progress'; readonly id: number; readonly value: unknown }
  | { readonly type: 'webgrad:result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'webgrad:error'; readonly id: number; readonly error: SerializedError };

/**
 * What `connect` and `expose` talk through: a Worker on the page, the worker's
 * global scope (`self`) inside it, or either end of a MessageChannel.
 */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  removeEventListener?(type: 'message', listener: (event: MessageEvent) => void): void;
  /** MessagePorts deliver nothing until started. */
  start?(): void;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)) {
    const e = error as Error;
    return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : safeString(error) };
}

/** Rebuilds an error with the worker's name, message and stack. */
export function deserializeError(error: SerializedError): Error {
  const result = new Error(error.message);
  result.name = error.name;
  if (error.stack) result.stack = error.stack;
  return result;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isEnvelope(data: unknown): boolean {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string'
    && (data as { type: string }).type.startsWith('webgrad:') && typeof (data as { id?: unknown }).id === 'number';
}

/** Messages from a worker's `expose` (other messages on the same worker are ignored). */
export const isWorkerMessage = isEnvelope as (data: unknown) => data is WorkerMessage;
/** Messages from a page's `connect`. */
export const isPageMessage = isEnvelope as (data: unknown) => data is PageMessage;
