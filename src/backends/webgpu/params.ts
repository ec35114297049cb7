// Packing kernel parameters into the uniform structs declared in shaders/, and
// the shape arithmetic that keeps them small (collapsing dimensions that every
// operand walks contiguously). Word offsets here mirror the WGSL structs.

import type { View } from '../backend.js';

/** Every dispatch gets one uniform slot of this many bytes (the minimum offset alignment WebGPU guarantees). */
export const UNIFORM_SLOT = 256;

/** Dimensions a strided walk supports after collapsing (array<vec4u, 2> in the shaders). */
export const MAX_RANK = 8;

export class Uniform {
  readonly bytes = new ArrayBuffer(UNIFORM_SLOT);
  readonly u32 = new Uint32Array(this.bytes);
  readonly i32 = new Int32Array(this.bytes);
  readonly f32 = new Float32Array(this.bytes);
}

/**
 * Merges adjacent dimensions that every operand steps through as one (stride of
 * the outer = stride of the inner × its size) and drops size-1 dimensions.
 * Returns the new shape and each operand's strides.
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * size);
    if (mergeable) {
      outShape[last] = outShape[last]! * size;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(size);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

function checkRank(kernel: string, rank: number, shape: readonly number[]): void {
  if (rank > MAX_RANK) {
    throw new Error(
      `webgpu ${kernel}: a strided view of shape [${shape.join(',')}] still has ${rank} dimensions after merging contiguous ones; at most ${MAX_RANK} are supported`,
    );
  }
}

/**
 * The Elementwise struct (strided.wgsl): operands 0..3 walked in the row-major
 * order of `shape`. Words: 0 count, 1 rank, 2 word, 4.. shape, 12.. strides
 * (vec4 per dim), 44.. offsets, 48.. args; word 3 is word2 (random's counter offset).
 */
export function elementwiseParams(
  kernel: string, shape: readonly number[], operands: readonly Pick<View, 'strides' | 'offset'>[],
  args: readonly number[] = [], word = 0,
): { uniform: Uniform; count: number; linear: boolean; vec4: boolean } {
  const count = shape.reduce((a, b) => a * b, 1);
  const c = collapse(shape, operands.map((o) => o.strides));
  checkRank(kernel, c.shape.length, shape);
  const p = new Uniform();
  p.u32[0] = count;
  p.u32[1] = c.shape.length;
  p.u32[2] = word >>> 0;
  c.shape.forEach((size, d) => (p.u32[4 + d] = size));
  c.strides.forEach((s, k) => s.forEach((stride, d) => (p.i32[12 + d * 4 + k] = stride)));
  operands.forEach((o, k) => (p.i32[44 + k] = o.offset));
  args.slice(0, 4).forEach((a, i) => (p.f32[48 + i] = a));
  const linear = c.shape.length <= 1;
  // Whole vec4s of words: every operand contiguous from a multiple of 4, or (an input,
  // not the output) one word broadcast; the output always contiguous.
  const last = operands.length - 1;
  const vec4 = c.shape.length === 1 && count % 4 === 0 && operands.every((o, k) => {
    const stride = c.strides[k]![0];
    return (stride === 1 && o.offset % 4 === 0) || (stride === 0 && k < last);
  });
  return { uniform: p, count, linear, vec4 };
}

/**
 * The Reduce struct (reduce.wgsl). Words: 0 outer count, 1 inner count, 2 outer
 * rank, 3 inner rank, 4 offset, 8.. outer shape, 16.. inner shape, 24.. outer
 * strides, 32.. inner strides.
 */
export function reduceParams(x: View, axes: readonly number[]): { uniform: Uniform; outer: number; inner: number } {
  const keptDims = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outer = collapse(keptDims.map((i) => x.shape[i]!), [keptDims.map((i) => x.strides[i]!)]);
  const inner = collapse(axes.map((i) => x.shape[i]!), [axes.map((i) => x.strides[i]!)]);
  checkRank('reduce', outer.shape.length, x.shape);
  checkRank('reduce', inner.shape.length, x.shape);
  const outerCount = keptDims.reduce((a, i) => a * x.shape[i]!, 1);
  const innerCount = axes.reduce((a, i) => a * x.shape[i]!, 1);
  const p = new Uniform();
  p.u32[0] = outerCount;
  p.u32[1] = innerCount;
  p.u32[2] = outer.shape.length;
  p.u32[3] = inner.shape.length;
  p.i32[4] = x.offset;
  outer.shape.forEach((s, d) => (p.u32[8 + d] = s));
  inner.shape.forEach((s, d) => (p.u32[16 + d] = s));
  outer.strides[0]!.forEach((s, d) => (p.i32[24 + d] = s));
  inner.strides[0]!.forEach((s, d) => (p.i32[32 + d] = s));
  return { uniform: p, outer: outerCount, inner: innerCount };
}

export interface MatmulGeometry {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batch: number;
  readonly aRow: number;
  readonly aCol: number;
  readonly bRow: number;
  readonly bCol: number;
  /** Batch dims after collapsing, with a's and b's strides over them. */
  readonly batchShape: readonly number[];
  readonly aBatch: readonly number[];
  readonly bBatch: readonly number[];
}

export function matmulGeometry(a: View, b: View, out: View): MatmulGeometry {
  const r = out.shape.length;
  const lead = out.shape.slice(0, r - 2);
  const c = collapse(lead, [a.strides.slice(0, r - 2), b.strides.slice(0, r - 2)]);
  checkRank('matmul', c.shape.length, out.shape);
  return {
    m: out.shape[r - 2]!,
    n: out.shape[r - 1]!,
    k: a.shape[r - 1]!,
    batch: lead.reduce((x, y) => x * y, 1),
    aRow: a.strides[r - 2]!,
    aCol: a.strides[r - 1]!,
    bRow: b.strides[r - 2]!,
    bCol: b.strides[r - 1]!,
    batchShape: c.shape,
    aBatch: c.strides[0]!,
    bBatch: c.strides[1]!,
  };
}

/**
 * The Matmul struct (matmul.wgsl). Words: 0 m, 1 n, 2 k, 3 batch rank, 4 a offset,
 * 5 b offset, 6 bias offset, 7 bias stride, 8 a_row, 9 a_col, 10 b_row, 11 b_col,
 * 12 first batch, 13 batch count, 16.. batch shape, 24.. a batch strides, 32.. b batch strides.
 */
export function matmulParams(
  g: MatmulGeometry, aOffset: number, bOffset: number, bias: Pick<View, 'offset' | 'strides'> | undefined,
  batchFirst: number, batchCount: number,
): Uniform {
  const p = new Uniform();
  p.u32[0] = g.m;
  p.u32[1] = g.n;
  p.u32[2] = g.k;
  p.u32[3] = g.batchShape.length;
  p.i32[4] = aOffset;
  p.i32[5] = bOffset;
  p.i32[6] = bias?.offset ?? 0;
  p.i32[7] = bias?.strides[0] ?? 0;
  p.i32[8] = g.aRow;
  p.i32[9] = g.aCol;
  p.i32[10] = g.bRow;
  p.i32[11] = g.bCol;
  p.u32[12] = batchFirst;
  p.u32[13] = batchCount;
  g.batchShape.forEach((s, d) => (p.u32[16 + d] = s));
  g.aBatch.forEach((s, d) => (p.i32[24 + d] = s));
  g.bBatch.forEach((s, d) => (p.i32[32 + d] = s));
  return p;
}

/** The Gather / Scatter structs: count, axis length, index count, inner, two offsets. */
export function indexParams(count: number, axisLen: number, indexCount: number, inner: number, dataOffset: number, indexOffset: number, call = 0): Uniform {
  const p = new Uniform();
  p.u32.set([count, axisLen, indexCount, inner, dataOffset, indexOffset, call]);
  return p;
}

/** The Step struct (step.wgsl): count, param / grad / device-scalar offsets, state offsets and the device mask, hyper[8]. */
export function stepParams(
  count: number, paramOffset: number, gradOffset: number, stateOffsets: readonly number[], hyper: readonly number[], hyperOffset = 0, deviceMask = 0,
): Uniform {
  const p = new Uniform();
  p.u32[0] = count;
  p.u32[1] = paramOffset;
  p.u32[2] = gradOffset;
  p.u32[3] = hyperOffset;
  p.u32[7] = deviceMask;
  stateOffsets.forEach((o, i) => (p.u32[4 + i] = o));
  hyper.slice(0, 8).forEach((h, i) => (p.f32[8 + i] = h));
  return p;
}
