// Shape and stride arithmetic shared by the backends and the front-end.

import type { View } from './backend.js';

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when the view's elements are laid out row-major with no gaps (any offset). */
export function isContiguous(view: Pick<View, 'shape' | 'strides'>): boolean {
  let expected = 1;
  for (let i = view.shape.length - 1; i >= 0; i--) {
    const d = view.shape[i]!;
    if (d !== 1 && view.strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** Storage offset of every element of a strided view, in row-major order of its shape. */
export function elementOffsets(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  if (n === 0) return out;
  if (isContiguous({ shape, strides })) {
    for (let i = 0; i < n; i++) out[i] = offset + i;
    return out;
  }
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let o = offset;
  for (let i = 0; i < n; i++) {
    out[i] = o;
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      o += strides[d]!;
      if (index[d]! < shape[d]!) break;
      o -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
