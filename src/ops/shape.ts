// Ops that rearrange elements: reshape, transpose, slice, concat, stack, pad, tile,
// broadcastTo and friends. Most are views over the same storage (no copy); the
// rest copy with the backend's strided `copy`.

import { contiguousStrides, sizeOf } from '../backends/strided.js';
import { describe, record, RegionGrad } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from './binary.js';
import { reduceSum } from './reduce.js';
import {
  asTensor, backend, broadcastShapes, broadcastStrides, checkShape, checkTensor, normalizeAxis, output, shapeString, type TensorLike, upcast,
} from './util.js';

/** A view of `x` with a new shape/strides/offset whose gradient maps back through `back`. */
function viewOf(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number, back: (dy: Tensor) => Tensor | RegionGrad): Tensor {
  const y = x.share(shape, strides, offset);
  record([x], y, [], (dy) => [() => back(dy)]);
  return y;
}

/** A contiguous copy of x (or a new handle on x's storage when it already is contiguous). */
export function contiguous(input: Tensor): Tensor {
  const x = checkTensor(input, 'contiguous', 'x');
  let out: Tensor;
  if (x.contiguous) {
    out = x.share();
  } else {
    out = output(x.shape, x.dtype, 'contiguous');
    if (out.size > 0) backend().copy(x.view(), out.view());
  }
  record([x], out, [], (dy) => [() => dy.share()]);
  return out;
}

/** Resolves one -1 in a requested shape and checks the element count. */
function resolveShape(op: string, from: readonly number[], requested: readonly number[]): number[] {
  if (!Array.isArray(requested) || !requested.every((d) => Number.isInteger(d) && d >= -1)) {
    throw new Error(`${op}: shape should be an array of non-negative integers (one may be -1), got ${JSON.stringify(requested)}`);
  }
  const size = sizeOf(from);
  const unknown = requested.indexOf(-1);
  if (unknown !== requested.lastIndexOf(-1)) throw new Error(`${op}: only one dimension may be -1, got ${shapeString(requested)}`);
  const shape = [...requested];
  if (unknown >= 0) {
    const known = sizeOf(requested.filter((d) => d !== -1));
    if (known === 0 || size % known !== 0) {
      throw new Error(`${op}: cannot reshape ${shapeString(from)} (${size} elements) into ${shapeString(requested)}`);
    }
    shape[unknown] = size / known;
  }
  if (sizeOf(shape) !== size) {
    throw new Error(`${op}: cannot reshape ${shapeString(from)} (${size} elements) into ${shapeString(requested)} (${sizeOf(shape)} elements)`);
  }
  return shape;
}

export function reshape(input: TensorLike, shape: readonly number[]): Tensor {
  const x = asTensor(input, 'reshape', 'x');
  const target = resolveShape('reshape', x.shape, shape);
  const source = x.contiguous ? x : contiguous(x);
  const y = viewOf(source, target, contiguousStrides(target), source.offset, (dy) => reshape(dy, x.shape));
  if (source !== x) source.dispose();
  if (x !== input) x.dispose();
  return y;
}

/** Permutes the dimensions (default: reverses them). A view: no copy. */
export function transpose(input: TensorLike, perm?: readonly number[]): Tensor {
  const x = asTensor(input, 'transpose', 'x');
  const p = perm ?? [...x.shape.keys()].reverse();
  if (!Array.isArray(p) || p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new Error(`transpose: perm should be a permutation of [0..${x.rank - 1}] for shape ${shapeString(x.shape)}, got ${JSON.stringify(perm)}`);
  }
  const inverse = new Array<number>(p.length);
  p.forEach((axis, i) => (inverse[axis] = i));
  const y = viewOf(x, p.map((a) => x.shape[a]!), p.map((a) => x.strides[a]!), x.offset, (dy) => transpose(dy, inverse));
  if (x !== input) x.dispose();
  return y;
}

/** Where a new dimension goes in a rank-`rank` tensor: [-rank-1, rank], negative from the end. */
function insertionAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank - 1 || axis > rank) {
    throw new Error(`${op}: axis should be an integer in [${-rank - 1}, ${rank}] to add a dimension to rank-${rank} tensors, got ${axis}`);
  }
  return axis < 0 ? axis + rank + 1 : axis;
}

export function expandDims(input: TensorLike, axis = 0): Tensor {
  const x = asTensor(input, 'expandDims', 'x');
  const a = insertionAxis('expandDims', axis, x.rank);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  const strides = [...x.strides];
  strides.splice(a, 0, 0);
  const y = viewOf(x, shape, strides, x.offset, (dy) => reshape(dy, x.shape));
  if (x !== input) x.dispose();
  return y;
}

/** Removes size-1 dimensions (all of them, or those in `axis`). */
export function squeeze(input: TensorLike, axis?: number | readonly number[]): Tensor {
  const x = asTensor(input, 'squeeze', 'x');
  const list = typeof axis === 'number' ? [axis] : axis;
  const axes = list === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : list.map((a) => normalizeAxis('squeeze', a, x.rank));
  for (const a of axes) {
    if (x.shape[a] !== 1) throw new Error(`squeeze: dimension ${a} of shape ${shapeString(x.shape)} is ${x.shape[a]}, expected 1`);
  }
  const keep = (_: number, i: number) => !axes.includes(i);
  const y = viewOf(x, x.shape.filter(keep), x.strides.filter(keep), x.offset, (dy) => reshape(dy, x.shape));
  if (x !== input) x.dispose();
  return y;
}

/** A view of x stretched to `shape` by numpy broadcasting. */
export function broadcastTo(input: TensorLike, shape: readonly number[]): Tensor {
  const x = asTensor(input, 'broadcastTo', 'x');
  checkShape('broadcastTo', shape);
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (target.length !== shape.length || target.some((d, i) => d !== shape[i])) {
    throw new Error(`broadcastTo: cannot broadcast ${shapeString(x.shape)} to ${shapeString(shape)}`);
  }
  const y = viewOf(x, target, broadcastStrides(x.shape, x.strides, target), x.offset, (dy) => unbroadcast(dy.share(), x.shape));
  if (x !== input) x.dispose();
  return y;
}

/**
 * `size` elements starting at `begin` along each dimension (size -1: to the end).
 * Numbers apply to the first dimension. A view: no copy.
 */
export function slice(input: TensorLike, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  const x = asTensor(input, 'slice', 'x');
  const b = typeof begin === 'number' ? [begin] : [...begin];
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
  if (b.length > x.rank || s.length > x.rank) {
    throw new Error(`slice: begin ${JSON.stringify(begin)} and size ${JSON.stringify(size)} should have at most ${x.rank} entries for shape ${shapeString(x.shape)}`);
  }
  const starts = x.shape.map((_, i) => b[i] ?? 0);
  const sizes = x.shape.map((d, i) => {
    const v = s[i] ?? -1;
    return v === -1 ? d - starts[i]! : v;
  });
  x.shape.forEach((d, i) => {
    const st = starts[i]!;
    const sz = sizes[i]!;
    if (!Number.isInteger(st) || !Number.isInteger(sz) || st < 0 || sz < 0 || st + sz > d) {
      throw new Error(`slice: begin ${st} and size ${sz} on dimension ${i} do not fit shape ${shapeString(x.shape)}`);
    }
  });
  const offset = x.offset + starts.reduce((acc, st, i) => acc + st * x.strides[i]!, 0);
  // zero outside the slice: backward writes the slices of one tensor into one gradient
  const y = viewOf(x, sizes, x.strides, offset, (dy) => new RegionGrad(x.shape, starts, dy.share()));
  if (x !== input) x.dispose();
  return y;
}

/** A tensor of `shape` filled with `value`, with `src` copied in at `starts`. */
function padInto(src: Tensor, shape: readonly number[], starts: readonly number[], value: number): Tensor {
  const out = output(shape, src.dtype);
  if (out.size > 0) backend().fill(out.view(), value);
  copyInto(out, src, starts);
  return out;
}

function copyInto(out: Tensor, src: Tensor, starts: readonly number[]): void {
  if (src.size === 0) return;
  const strides = contiguousStrides(out.shape);
  const offset = starts.reduce((acc, st, i) => acc + st * strides[i]!, 0);
  backend().copy(src.view(), { ...out.view(), shape: src.shape, strides, offset });
}

/**
 * @internal autograd's sum of slice gradients that do not overlap: each part copied
 * into its box, zeros only where the boxes leave gaps; the parts are disposed.
 */
export function assembleBoxes(boxes: readonly RegionGrad[]): Tensor {
  const out = output(boxes[0]!.shape, boxes[0]!.part.dtype);
  const covered = boxes.reduce((n, b) => n + b.part.size, 0);
  if (covered < out.size) backend().fill(out.view(), 0);
  for (const b of boxes) {
    copyInto(out, b.part, b.starts);
    b.part.dispose();
  }
  return out;
}

/** Pads each dimension with [before, after] elements of `value`. */
export function pad(input: TensorLike, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
  const x = asTensor(input, 'pad', 'x');
  if (!Array.isArray(paddings) || paddings.length !== x.rank || !paddings.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0))) {
    throw new Error(`pad: paddings should be ${x.rank} pairs of non-negative integers for shape ${shapeString(x.shape)}, got ${JSON.stringify(paddings)}`);
  }
  const shape = x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const starts = paddings.map((p) => p[0]);
  const y = padInto(x, shape, starts, value);
  record([x], y, [], (dy) => [
    () => {
      const part = slice(dy, starts, x.shape);
      const c = contiguous(part);
      part.dispose();
      return c;
    },
  ]);
  if (x !== input) x.dispose();
  return y;
}

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`concat: expected a non-empty array of tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => checkTensor(t, 'concat', `tensors[${i}]`));
  const first = tensors[0]!;
  const a = normalizeAxis('concat', axis, first.rank);
  tensors.forEach((t, i) => {
    if (t.rank !== first.rank || t.shape.some((d: number, j: number) => j !== a && d !== first.shape[j])) {
      throw new Error(`concat: tensors[${i}] has shape ${shapeString(t.shape)}, which differs from tensors[0]'s ${shapeString(first.shape)} outside axis ${a}`);
    }
  });
  const dtype = tensors.reduce((d, t) => (d === t.dtype ? d : upcast(d, t.dtype)), first.dtype);
  if (tensors.some((t) => t.dtype !== dtype)) {
    throw new Error(`concat: all tensors should have the same dtype, got ${tensors.map((t) => t.dtype).join(', ')}`);
  }
  const shape = [...first.shape];
  shape[a] = tensors.reduce((acc, t) => acc + t.shape[a]!, 0);
  const out = output(shape, dtype, 'concat');
  const strides = contiguousStrides(shape);
  const be = backend();
  let start = 0;
  const starts: number[] = [];
  for (const t of tensors) {
    starts.push(start);
    if (t.size > 0) be.copy(t.view(), { ...out.view(), shape: t.shape, strides, offset: start * strides[a]! });
    start += t.shape[a]!;
  }
  record(tensors, out, [], (dy) =>
    tensors.map((t, i) => () => {
      const begin = shape.map((_, j) => (j === a ? starts[i]! : 0));
      const part = slice(dy, begin, t.shape);
      const c = contiguous(part);
      part.dispose();
      return c;
    }),
  );
  return out;
}

/** Joins same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`stack: expected a non-empty array of tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => {
    checkTensor(t, 'stack', `tensors[${i}]`);
    if (t.rank !== tensors[0]!.rank || t.shape.some((d: number, j: number) => d !== tensors[0]!.shape[j])) {
      throw new Error(`stack: tensors[${i}] has shape ${shapeString(t.shape)}, expected ${shapeString(tensors[0]!.shape)} like tensors[0]`);
    }
  });
  const a = insertionAxis('stack', axis, tensors[0]!.rank);
  const expanded = tensors.map((t) => expandDims(t, a));
  const out = concat(expanded, a);
  for (const e of expanded) e.dispose();
  return out;
}

/** Splits along `axis` into tensors with that dimension removed. */
export function unstack(input: Tensor, axis = 0): Tensor[] {
  const x = checkTensor(input, 'unstack', 'x');
  const a = normalizeAxis('unstack', axis, x.rank);
  const out: Tensor[] = [];
  for (let i = 0; i < x.shape[a]!; i++) {
    const part = slice(x, x.shape.map((_, j) => (j === a ? i : 0)), x.shape.map((d, j) => (j === a ? 1 : d)));
    out.push(squeeze(part, [a]));
    part.dispose();
  }
  return out;
}

/** Splits along `axis` into `n` equal parts, or parts of the given sizes. */
export function split(input: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const x = checkTensor(input, 'split', 'x');
  const a = normalizeAxis('split', axis, x.rank);
  const d = x.shape[a]!;
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0 || d % sizes !== 0) throw new Error(`split: dimension ${a} of size ${d} cannot be split into ${sizes} equal parts`);
    parts = new Array<number>(sizes).fill(d / sizes);
  } else {
    parts = [...sizes];
    // A negative size would reach slice, where -1 means "to the end".
    if (!parts.every((v) => Number.isInteger(v) && v >= 0)) throw new Error(`split: sizes should be non-negative integers, got ${JSON.stringify(sizes)}`);
    if (parts.reduce((p, v) => p + v, 0) !== d) throw new Error(`split: sizes [${parts.join(',')}] should add up to ${d}, the size of dimension ${a}`);
  }
  let start = 0;
  return parts.map((n) => {
    const t = slice(x, x.shape.map((_, j) => (j === a ? start : 0)), x.shape.map((dd, j) => (j === a ? n : dd)));
    start += n;
    return t;
  });
}

/** Repeats x `reps[i]` times along each dimension. */
export function tile(input: TensorLike, reps: readonly number[]): Tensor {
  const x = asTensor(input, 'tile', 'x');
  if (!Array.isArray(reps) || reps.length !== x.rank || !reps.every((r) => Number.isInteger(r) && r >= 0)) {
    throw new Error(`tile: reps should be ${x.rank} non-negative integers for shape ${shapeString(x.shape)}, got ${JSON.stringify(reps)}`);
  }
  // View x as [1, d0, 1, d1, ...], broadcast to [r0, d0, r1, d1, ...], copy, then merge pairs.
  const wide = x.shape.flatMap((d, i) => [reps[i]!, d]);
  const strides = x.strides.flatMap((s) => [0, s]);
  const out = output(wide, x.dtype, 'tile');
  if (out.size > 0) backend().copy({ ...x.view(), shape: wide, strides }, out.view());
  const finalShape = x.shape.map((d, i) => d * reps[i]!);
  const y = out.share(finalShape, contiguousStrides(finalShape));
  out.dispose();
  record([x], y, [], (dy) => [
    () => {
      const r = reshape(dy, wide);
      const s = reduceSum(r, reps.map((_, i) => 2 * i));
      r.dispose();
      return s;
    },
  ]);
  if (x !== input) x.dispose();
  return y;
}

/** Flattens all but the first dimension: [n, ...] → [n, prod(...)]. */
export function flatten(input: TensorLike): Tensor {
  const x = asTensor(input, 'flatten', 'x');
  const y = reshape(x, x.rank === 0 ? [1] : [x.shape[0]!, sizeOf(x.shape.slice(1))]);
  if (x !== input) x.dispose();
  return y;
}
