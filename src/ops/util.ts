// Plumbing every op shares: turning arguments into tensors (with checks that name
// the op), allocating outputs, broadcasting views, and axis arithmetic.

import type { Backend, View } from '../backends/backend.js';
import { activeBackend } from '../backends/select.js';
import { sizeOf } from '../backends/strided.js';
import { describe } from '../autograd.js';
import { allocate, type DataType, storageType, Tensor } from '../tensor.js';
import { packFloat16 } from '../float16.js';
import { float32Input } from './float16.js';

export type TensorLike = Tensor | number | boolean;

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Checks that a tensor argument is alive and on the active backend. */
export function checkTensor(t: Tensor, op: string, arg: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${arg} should be a Tensor, got ${describe(t)}`);
  if (t.isDisposed) {
    throw new Error(`${op}: ${arg} (tensor ${t.id}, shape ${shapeString(t.shape)}) was used after dispose()`);
  }
  const backend = activeBackend();
  if (t.backend !== backend) {
    throw new Error(
      `${op}: ${arg} lives on the ${t.backend.name} backend but the active backend is ${backend.name}; ` +
        `move it with wg.toBackend(tensor) or create it after setBackend()`,
    );
  }
  return t;
}

/** Uploads host values into a new tensor on the active backend (`op`: who asked, for errors). */
export function fromValues(values: Float32Array | Int32Array, shape: readonly number[], dtype: DataType, op = 'tensor'): Tensor {
  const backend = activeBackend();
  const ref = allocate(values.length, dtype, backend, { op, what: `the values of a ${shapeString(shape)} ${dtype} tensor` });
  // float16 goes up packed, two values per word (see DType in backends/backend.ts).
  if (values.length > 0) backend.write(ref.storage, dtype === 'float16' ? new Int32Array(packFloat16(values).buffer) : values);
  return new Tensor(ref, shape, dtype);
}

export function scalarOf(value: number, dtype: DataType): Tensor {
  return fromValues(dtype === 'float32' || dtype === 'float16' ? Float32Array.of(value) : Int32Array.of(value), [], dtype);
}

/**
 * A tensor for an op argument; plain numbers and booleans become scalars of
 * `dtypeHint` (int32 only when the number is an integer; float16 beside a float16
 * tensor). A float16 tensor given to an op without a float16 kernel comes back cast
 * to float32 (src/ops/float16.ts); callers dispose what differs from `value`.
 */
export function asTensor(value: TensorLike, op: string, arg: string, dtypeHint: DataType = 'float32'): Tensor {
  if (value instanceof Tensor) return float32Input(checkTensor(value, op, arg), op);
  if (typeof value === 'boolean') return scalarOf(value ? 1 : 0, 'bool');
  if (typeof value === 'number') {
    if (dtypeHint === 'float16') return scalarOf(value, 'float16');
    const dtype = dtypeHint === 'float32' || !Number.isInteger(value) ? 'float32' : 'int32';
    return scalarOf(value, dtype);
  }
  throw new TypeError(`${op}: ${arg} should be a Tensor or a number, got ${describe(value)}`);
}

/** A new contiguous output tensor on the active backend (`op`: who asked, for errors). */
export function output(shape: readonly number[], dtype: DataType, op?: string): Tensor {
  const purpose = op === undefined ? undefined : { op, what: `its output ${shapeString(shape)} ${dtype}` };
  return new Tensor(allocate(sizeOf(shape), dtype, activeBackend(), purpose), shape, dtype);
}

export function backend(): Backend {
  return activeBackend();
}

/** numpy's broadcasting rule; the error names the op and both shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${shapeString(a)} and ${shapeString(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that stretch a view of `shape` to `target` (broadcast dims get stride 0). */
export function broadcastStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] {
  const lead = target.length - shape.length;
  return target.map((d, i) => {
    if (i < lead) return 0;
    const own = shape[i - lead]!;
    return own === 1 && d !== 1 ? 0 : strides[i - lead]!;
  });
}

/** A view of `t` stretched to `shape`; no copy. */
export function broadcastView(t: Tensor, shape: readonly number[], dtype = storageType(t.dtype)): View {
  const v = t.view();
  if (v.shape.length === shape.length && v.shape.every((d, i) => d === shape[i])) return dtype === v.dtype ? v : { ...v, dtype };
  return { storage: v.storage, dtype, shape, strides: broadcastStrides(t.shape, t.strides, shape), offset: v.offset };
}

/** The dims of `shape` that broadcasting to `target` stretched, for summing gradients back. */
export function broadcastAxes(shape: readonly number[], target: readonly number[]): number[] {
  const lead = target.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < target.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && target[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Normalizes an axis (negative counts from the end) and checks its range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    // A scalar has no axis 0: accepting it made sum(scalar, 0) reduce a missing dimension.
    const expected = rank === 0 ? 'a scalar (rank-0 tensor) has no axes' : `axis should be an integer in [${-rank}, ${rank - 1}] for a rank-${rank} tensor`;
    throw new Error(`${op}: ${expected}, got ${axis}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Sorted unique axes; `undefined` means all. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined || axis === null) return [...Array(rank).keys()];
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) throw new TypeError(`${op}: axis should be a number or an array of numbers, got ${describe(axis)}`);
  const axes = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(axes).size !== axes.length) throw new Error(`${op}: axis lists a dimension twice: [${list.join(',')}]`);
  return axes.sort((a, b) => a - b);
}

/** Throws unless `shape` is a list of non-negative integers. */
export function checkShape(op: string, shape: unknown, what = 'shape'): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${op}: ${what} should be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

/** The result type of mixing two dtypes in arithmetic. */
export function upcast(a: DataType, b: DataType): DataType {
  if (a === 'float32' || b === 'float32') return 'float32';
  // float16 with float16, int32 or bool stays float16 (float16 with float32 is float32, above), as in PyTorch.
  if (a === 'float16' || b === 'float16') return 'float16';
  return 'int32';
}

/** `t` as `dtype`; a new tensor when a cast is needed, otherwise `t` itself. */
export function castTo(t: Tensor, dtype: DataType): Tensor {
  if (t.dtype === dtype) return t;
  if (storageType(t.dtype) === storageType(dtype) && dtype !== 'bool') {
    // bool → int32: the same 0/1 storage, relabelled (share() would keep 'bool').
    t.ref.retain();
    return new Tensor(t.ref, t.shape, dtype, t.strides, t.offset);
  }
  const out = output(t.shape, dtype);
  if (dtype === 'bool') {
    const zero = scalarOf(0, t.dtype);
    backend().binary('ne', t.view(), broadcastView(zero, t.shape), out.view());
    zero.dispose();
  } else {
    backend().copy(t.view(), out.view());
  }
  return out;
}

/**
 * x itself (a new handle on its storage) when contiguous, else a contiguous copy; not
 * recorded on the tape (for kernels that take contiguous operands).
 */
export function contiguousHandle(x: Tensor): Tensor {
  if (x.contiguous) return x.share();
  const out = output(x.shape, x.dtype, 'contiguous');
  if (out.size > 0) backend().copy(x.view(), out.view());
  return out;
}
