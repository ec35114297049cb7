// Indexing: gather (embeddings, picking by label) with its scatter-add gradient, and oneHot.

import { record } from '../autograd.js';
import { idOutOfRange } from '../backends/lookup-check.js';
import { isFloat, type Tensor } from '../tensor.js';
import { binaryKernel } from './binary.js';
import { range } from './creation.js';
import { expandDims } from './shape.js';
import { asTensor, backend, castTo, checkTensor, fromValues, normalizeAxis, output, shapeString, type TensorLike } from './util.js';

/**
 * Picks slices of x along `axis` at `indices` (int32, any shape):
 * out[pre, i..., post] = x[pre, indices[i...], post]. Out-of-range indices give 0.
 */
export function gather(input: TensorLike, indices: Tensor | readonly number[], axis = 0): Tensor {
  return gatherRows(input, indices, axis, undefined);
}

/**
 * @internal An embedding lookup: rows of `table` [rows, ...] at int32 `ids` (any shape),
 * named `caller` in errors. Unlike gather, an id outside [0, rows) is an error, never a
 * row of zeros: refused here, before anything is queued, where the backend reads
 * synchronously (cpu, wasm); on WebGPU the kernel flags it and the next read throws
 * (see Backend.gather's `lookup`).
 */
export function lookupRows(table: Tensor, ids: Tensor, caller: string): Tensor {
  checkTensor(ids, caller, 'ids');
  if (ids.dtype !== 'int32') throw new TypeError(`${caller}: ids should be an int32 tensor of token ids, got ${ids.dtype} of shape ${shapeString(ids.shape)}`);
  if (ids.backend.readSync) {
    const values = ids.dataSync();
    const rows = table.shape[0]!;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!(v >= 0 && v < rows)) throw new Error(idOutOfRange(caller, v, i, rows));
    }
  }
  return gatherRows(table, ids, 0, caller);
}

function gatherRows(input: TensorLike, indices: Tensor | readonly number[], axis: number, lookup: string | undefined): Tensor {
  const x = asTensor(input, 'gather', 'x');
  if (x.rank === 0) {
    if (x !== input) x.dispose();
    throw new Error('gather: x should have at least one dimension, got a scalar');
  }
  // Every check before the indices tensor is made, so that a wrong call leaves nothing behind.
  const a = normalizeAxis('gather', axis, x.rank);
  if (!Array.isArray(indices)) {
    checkTensor(indices as Tensor, 'gather', 'indices');
    if ((indices as Tensor).dtype !== 'int32') throw new TypeError(`gather: indices should be int32, got ${(indices as Tensor).dtype}`);
  }
  const idx = Array.isArray(indices) ? tensorOfIndices('gather', indices as readonly number[]) : (indices as Tensor);
  const shape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
  const out = output(shape, x.dtype, 'gather');
  if (out.size > 0) backend().gather(x.view(), idx.view(), a, out.view(), lookup);
  if (isFloat(x.dtype)) {
    record([x, idx], out, [idx], (dy, [si]) => [
      () => {
        // scatterAdd has no float16 kernel: a float16 table's gradient is summed in float32.
        const g = output(x.shape, 'float32');
        const be = backend();
        const dy32 = castTo(dy, 'float32');
        if (g.size > 0) be.fill(g.view(), 0);
        if (dy.size > 0) be.scatterAdd(dy32.view(), si!.view(), a, g.view());
        if (dy32 !== dy) dy32.dispose();
        return g;
      },
      undefined,
    ]);
  }
  if (idx !== indices) idx.dispose();
  if (x !== input) x.dispose();
  return out;
}

function tensorOfIndices(op: string, values: readonly number[]): Tensor {
  if (!values.every(Number.isInteger)) throw new TypeError(`${op}: indices should be integers, got ${JSON.stringify(values)}`);
  return fromValues(Int32Array.from(values), [values.length], 'int32');
}

/**
 * A float32 tensor with a trailing dimension of `depth`: `onValue` at each index,
 * `offValue` elsewhere. Indices outside [0, depth) give a row of `offValue`.
 */
export function oneHot(indices: Tensor | readonly number[], depth: number, onValue = 1, offValue = 0): Tensor {
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`oneHot: depth should be a positive integer, got ${depth}`);
  const idx = Array.isArray(indices) ? tensorOfIndices('oneHot', indices as readonly number[]) : checkTensor(indices as Tensor, 'oneHot', 'indices');
  if (idx.dtype !== 'int32') throw new TypeError(`oneHot: indices should be int32, got ${idx.dtype} of shape ${shapeString(idx.shape)}`);
  const classes = range(0, depth, 1, 'int32');
  const column = expandDims(idx, idx.rank);
  let out = binaryKernel('eq', column, classes, 'float32');
  column.dispose();
  classes.dispose();
  if (onValue !== 1 || offValue !== 0) {
    // off + hit * (on - off)
    const scale = asTensor(onValue - offValue, 'oneHot', 'onValue');
    const shift = asTensor(offValue, 'oneHot', 'offValue');
    const scaled = binaryKernel('mul', out, scale);
    out.dispose();
    out = binaryKernel('add', scaled, shift);
    scaled.dispose();
    scale.dispose();
    shift.dispose();
  }
  if (idx !== indices) idx.dispose();
  return out;
}
