// What `model.fit(dataset)` consumes: any iterable or async iterable of { x, y }
// batches (the datasets of wg.data, a generator, an array), Keras / TF.js style.

import { given } from '../options.js';
import { Tensor } from '../tensor.js';

/** One batch: inputs and targets with the same leading (batch) dimension. */
export interface Batch {
  readonly x: Tensor;
  readonly y: Tensor;
}

/**
 * Batches for `fit`: an iterable or async iterable of { x, y }. Iterating it again
 * starts a new pass (an epoch); an iterator that cannot restart (a ReadableStream)
 * feeds one epoch. fit disposes each batch's tensors once its step is queued, so a
 * dataset yields fresh tensors per batch.
 */
export type Dataset = Iterable<Batch> | AsyncIterable<Batch>;

export function isDataset(value: unknown): value is Dataset {
  if (value === null || typeof value !== 'object' || value instanceof Tensor) return false;
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
    || typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** A new pass over the dataset, as an async iterator. */
export function startPass(dataset: Dataset): AsyncIterator<Batch> | Iterator<Batch> {
  const asyncIt = (dataset as AsyncIterable<Batch>)[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return asyncIt.call(dataset);
  return (dataset as Iterable<Batch>)[Symbol.iterator]();
}

/** Checks one batch's shape of things; names the function, the batch and what was given. */
export function checkBatch(fn: string, value: unknown, index: number): Batch {
  const b = value as Partial<Batch> | null;
  if (b === null || typeof b !== 'object' || !(b.x instanceof Tensor) || !(b.y instanceof Tensor)) {
    const x = b && typeof b === 'object' ? given(b.x) : '';
    throw new TypeError(`${fn}: batch ${index + 1} of the dataset should be { x: Tensor, y: Tensor }, got ${given(value)}${x ? ` with x ${x}` : ''}`);
  }
  return b as Batch;
}
