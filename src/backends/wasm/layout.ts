// Shape arithmetic done in JS before a job is written: merging dimensions that are
// laid out back to back in every operand (so contiguous views become rank 1 and
// run down the SIMD fast paths), for elementwise jobs and reductions.

import { MAX_RANK } from '../../generated/wasm-abi.js';
import type { View } from '../backend.js';

/** A coalesced iteration space: `rank` dims (outermost first) and per-operand strides. */
export class Space {
  rank = 0;
  readonly shape = new Int32Array(MAX_RANK);
  /** strides[op * MAX_RANK + dim] */
  readonly strides = new Int32Array(4 * MAX_RANK);
}

/**
 * Coalesces `shape` for the operands' strides into `space`: size-1 dims are dropped
 * and a dim merges into the next inner one when every operand steps over it exactly.
 * A scalar space becomes [1] with stride 0. Throws when more than MAX_RANK dims remain.
 */
export function coalesce(shape: readonly number[], operands: readonly (readonly number[])[], space: Space, what: string): void {
  const ops = operands.length;
  // Built innermost first, reversed at the end.
  let rank = 0;
  const dims = space.shape;
  const strides = space.strides;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n === 1) continue;
    if (rank > 0) {
      const last = rank - 1;
      let merge = true;
      for (let o = 0; o < ops; o++) {
        if (operands[o]![d] !== strides[o * MAX_RANK + last]! * dims[last]!) {
          merge = false;
          break;
        }
      }
      if (merge) {
        dims[last] = dims[last]! * n;
        continue;
      }
    }
    if (rank === MAX_RANK) {
      throw new Error(`wasm backend: ${what}: views of more than ${MAX_RANK} non-mergeable dimensions are not supported, got shape [${shape.join(',')}]`);
    }
    dims[rank] = n;
    for (let o = 0; o < ops; o++) strides[o * MAX_RANK + rank] = operands[o]![d]!;
    rank++;
  }
  if (rank === 0) {
    dims[0] = 1;
    for (let o = 0; o < ops; o++) strides[o * MAX_RANK] = 0;
    rank = 1;
  }
  // Reverse to outermost first.
  for (let i = 0, j = rank - 1; i < j; i++, j--) {
    const t = dims[i]!;
    dims[i] = dims[j]!;
    dims[j] = t;
    for (let o = 0; o < ops; o++) {
      const a = o * MAX_RANK + i;
      const b = o * MAX_RANK + j;
      const s = strides[a]!;
      strides[a] = strides[b]!;
      strides[b] = s;
    }
  }
  space.rank = rank;
}

/**
 * Coalesces the dims of one view that are (reduced = true) or are not in `axes`,
 * keeping their order: the kept and the reduced index spaces of a reduction.
 */
export function coalesceAxes(view: View, axes: readonly number[], reduced: boolean, space: Space): void {
  let rank = 0;
  const dims = space.shape;
  const strides = space.strides;
  for (let d = view.shape.length - 1; d >= 0; d--) {
    if (axes.includes(d) !== reduced) continue;
    const n = view.shape[d]!;
    const s = view.strides[d]!;
    if (n === 1) continue;
    if (rank > 0 && s === strides[rank - 1]! * dims[rank - 1]!) {
      dims[rank - 1] = dims[rank - 1]! * n;
      continue;
    }
    if (rank === MAX_RANK) {
      throw new Error(`wasm backend: reduce: views of more than ${MAX_RANK} non-mergeable dimensions are not supported, got shape [${view.shape.join(',')}]`);
    }
    dims[rank] = n;
    strides[rank] = s;
    rank++;
  }
  if (rank === 0) {
    dims[0] = 1;
    strides[0] = 0;
    rank = 1;
  }
  for (let i = 0, j = rank - 1; i < j; i++, j--) {
    const t = dims[i]!;
    dims[i] = dims[j]!;
    dims[j] = t;
    const u = strides[i]!;
    strides[i] = strides[j]!;
    strides[j] = u;
  }
  space.rank = rank;
}
