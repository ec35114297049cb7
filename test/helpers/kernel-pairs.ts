// Helpers for testing a backend's primitives against the cpu reference directly:
// operands with the same contents on both backends, laid out as contiguous, offset,
// transposed, broadcast or strided views, and comparisons with a tolerance.

import type { Backend, DType, Storage, View } from '../../src/backends/backend.js';
import { contiguousStrides, sizeOf } from '../../src/backends/strided.js';
import { Random } from '../../src/random.js';

export type Layout = 'contiguous' | 'offset' | 'transposed' | 'broadcast' | 'strided';
export const LAYOUTS: readonly Layout[] = ['contiguous', 'offset', 'transposed', 'broadcast', 'strided'];

/** The same view on two backends. */
export interface Pair {
  readonly test: View;
  readonly ref: View;
  /** The elements of the reference view, row-major. */
  readonly values: Float32Array | Int32Array;
}

/** Strides and offset of a view of `shape` laid out as `layout`, and the storage span it needs. */
export function layoutOf(shape: readonly number[], layout: Layout): { strides: number[]; offset: number; span: number } {
  const rank = shape.length;
  let strides = contiguousStrides(shape);
  let offset = 0;
  if (layout === 'offset') offset = 3;
  if (layout === 'transposed' && rank >= 2) {
    // Stored with the last two dims swapped, viewed back in the original order.
    const stored = [...shape];
    [stored[rank - 2], stored[rank - 1]] = [stored[rank - 1]!, stored[rank - 2]!];
    const s = contiguousStrides(stored);
    [s[rank - 2], s[rank - 1]] = [s[rank - 1]!, s[rank - 2]!];
    strides = s;
  }
  if (layout === 'broadcast' && rank >= 1) {
    // The first dim repeats one slice (stride 0).
    const rest = contiguousStrides(shape.slice(1));
    strides = [0, ...rest];
  }
  if (layout === 'strided' && rank >= 1) {
    // Every other element of the last dim, starting at 1.
    const wide = [...shape];
    wide[rank - 1] = wide[rank - 1]! * 2;
    strides = contiguousStrides(wide);
    strides[rank - 1] = 2;
    offset = 1;
  }
  let span = offset + 1;
  for (let d = 0; d < rank; d++) span += Math.max(0, shape[d]! - 1) * strides[d]!;
  if (sizeOf(shape) === 0) span = offset;
  return { strides, offset, span };
}

export interface ValueOptions {
  /** Include NaN, ±Infinity, ±0 and rounding ties among the values. */
  specials?: boolean;
  /** Standard deviation of the normal values (f32). */
  scale?: number;
  /** Only values above this (f32), e.g. 0 for log. */
  min?: number;
  /** Integer range [-range, range] for i32. */
  range?: number;
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, -2.5, 1, -1, 100, -100, 1e-8, -1e-30];

export function randomValues(n: number, dtype: DType, rng: Random, o: ValueOptions = {}): Float32Array | Int32Array {
  if (dtype === 'i32') {
    const r = o.range ?? 50;
    return Int32Array.from({ length: n }, () => rng.int(2 * r + 1) - r);
  }
  const scale = o.scale ?? 2;
  return Float32Array.from({ length: n }, () => {
    if (o.specials && rng.next() < 0.15) return SPECIALS[rng.int(SPECIALS.length)]!;
    let v = rng.normal() * scale;
    if (o.min !== undefined) v = o.min + Math.abs(v);
    return v;
  });
}

/** Storages made by these helpers, so a test can free them (see `freeAll`). */
const made: [Backend, Storage][] = [];

function alloc(backend: Backend, bytes: number): Storage {
  const s = backend.alloc(bytes);
  made.push([backend, s]);
  return s;
}

/** Frees every storage the helpers allocated. */
export function freeAll(): void {
  for (const [backend, s] of made.splice(0)) backend.free(s);
}

/** Allocates `span` elements on both backends, fills them identically and views them. */
export function makePair(
  test: Backend, ref: Backend, shape: readonly number[], dtype: DType, layout: Layout, rng: Random, o: ValueOptions = {},
): Pair {
  const { strides, offset, span } = layoutOf(shape, layout);
  const data = randomValues(span, dtype, rng, o);
  return pairFrom(test, ref, data, shape, strides, offset);
}

/** Both backends' views of the same host data. */
export function pairFrom(
  test: Backend, ref: Backend, data: Float32Array | Int32Array, shape: readonly number[], strides: readonly number[], offset: number,
): Pair {
  const dtype: DType = data instanceof Float32Array ? 'f32' : 'i32';
  const span = data.length;
  const ts = alloc(test, span * 4);
  const rs = alloc(ref, span * 4);
  if (span > 0) {
    test.write(ts, data);
    ref.write(rs, data);
  }
  const mk = (storage: Storage): View => ({ storage, dtype, shape: [...shape], strides: [...strides], offset });
  const refView = mk(rs);
  return { test: mk(ts), ref: refView, values: ref.readSync!(refView) };
}

/** A contiguous output of `shape` on both backends (filled with garbage so stale data shows). */
export function outputPair(test: Backend, ref: Backend, shape: readonly number[], dtype: DType): { test: View; ref: View } {
  const n = sizeOf(shape);
  const garbage = dtype === 'f32' ? new Float32Array(n).fill(12345.5) : new Int32Array(n).fill(12345);
  const ts = alloc(test, n * 4);
  const rs = alloc(ref, n * 4);
  if (n > 0) {
    test.write(ts, garbage);
    ref.write(rs, garbage);
  }
  const strides = contiguousStrides(shape);
  return {
    test: { storage: ts, dtype, shape: [...shape], strides, offset: 0 },
    ref: { storage: rs, dtype, shape: [...shape], strides, offset: 0 },
  };
}

export interface Tolerance {
  /** Relative tolerance. */
  rtol: number;
  /** Absolute floor (subnormal noise). */
  atol?: number;
  /** Per-element scale for the relative part instead of |expected| (matmul: sum |a||b|). */
  scale?: ArrayLike<number>;
}

/** Index and description of the first element outside the tolerance, or undefined. */
export function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  const atol = tol.atol ?? 1e-30;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      return `[${i}]: got ${a}, expected ${e}`;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a === e) continue;
      return `[${i}]: got ${a}, expected ${e}`;
    }
    const scale = tol.scale ? tol.scale[i]! : Math.abs(e);
    if (Math.abs(a - e) > tol.rtol * scale + atol) return `[${i}]: got ${a}, expected ${e} (diff ${Math.abs(a - e)}, allowed ${tol.rtol * scale + atol})`;
  }
  return undefined;
}

/** Bitwise equality of two float32 or int32 arrays (NaN payloads included). */
export function sameBits(a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
