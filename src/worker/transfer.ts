// Marks a value to be sent with a transfer list: its ArrayBuffers move to the other
// side instead of being copied (and become empty on this side).

const TRANSFER = Symbol.for('webgrad.worker.transfer');

/** A value with the buffers that should move with it, as `transfer(value, list)` returns it. */
export interface Transferred<T> {
  readonly [TRANSFER]: readonly Transferable[];
  readonly value: T;
}

/**
 * Returns `value` marked so that the buffers in `list` move instead of being copied.
 * A handler returns `transfer(result, [result.weights.buffer])`; the page receives `result`.
 */
export function transfer<T>(value: T, list: readonly Transferable[]): Transferred<T> {
  return { [TRANSFER]: list, value };
}

export function unwrapTransfer(value: unknown): { value: unknown; list: Transferable[] } {
  if (typeof value === 'object' && value !== null && TRANSFER in value) {
    const marked = value as Transferred<unknown>;
    return { value: marked.value, list: [...marked[TRANSFER]] };
  }
  return { value, list: [] };
}
