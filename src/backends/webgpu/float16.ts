// Dispatching the float16-storage kernels of shaders/float16.wgsl (see the `f16`
// rules in ../backend.ts): elementwise ops with any f16 operand, and the f16 gather.
// The one trap of packed storage is that two elements share a 32-bit word, so two
// invocations must never write halves of one word at once: a contiguous f16 out is
// written a whole word per invocation; a strided one in two passes (even element
// offsets, then odd), each touching a word at most once.

import type { View } from '../backend.js';
import { isContiguous, sizeOf } from '../strided.js';
import { type HalfElementwise, halfElementwiseKernel, halfGatherKernel } from './kernels.js';
import type { LmContext } from './lm.js';
import type { GpuStorage } from './memory.js';
import { elementwiseParams, indexParams } from './params.js';

/** True when any view is f16 (then the f16 kernels run). */
export function anyHalf(...views: readonly (View | undefined)[]): boolean {
  return views.some((v) => v?.dtype === 'f16');
}

/** Throws the error of a kernel that has no f16 variant (the op layer casts up first; see src/ops/float16.ts). */
export function refuseHalf(kernel: string, ...views: readonly (View | undefined)[]): void {
  if (!anyHalf(...views)) return;
  throw new Error(`webgpu ${kernel}: float16 operands are not supported by this kernel (cast them to float32 first; ops do so for you)`);
}

/** out = what(inputs) elementwise over out's shape, inputs of any storage dtype, math in f32. */
export function halfElementwise(
  ctx: LmContext, what: HalfElementwise, inputs: readonly View[], out: View, args?: readonly number[], word = 0,
): void {
  const count = sizeOf(out.shape);
  if (count === 0) return;
  const entry = ctx.pipelines.get(halfElementwiseKernel(what, inputs.map((v) => v.dtype), out.dtype, ctx.wg));
  const buffers = [...inputs, out].map((v) => v.storage as GpuStorage);
  // Modes of shaders/float16.wgsl's elementwise kernel.
  const modes = out.dtype !== 'f16' ? [3] : isContiguous(out) ? [0] : [1, 2];
  for (const mode of modes) {
    const { uniform } = elementwiseParams(`${what.kind} (float16)`, out.shape, [...inputs, out], args, word);
    uniform.u32[3] = mode;
    const invocations = mode === 0 ? Math.ceil((count + (out.offset & 1)) / 2) : count;
    ctx.queue.dispatch(entry, buffers, uniform, ctx.grid(Math.ceil(invocations / ctx.wg), what.kind));
  }
}

/** gather of an f16 x (contiguous, any offset) into an f16 out (contiguous, offset 0). */
export function halfGather(ctx: LmContext, x: View, indices: View, axis: number, out: View): void {
  const count = sizeOf(out.shape);
  const uniform = indexParams(count, x.shape[axis]!, sizeOf(indices.shape), sizeOf(x.shape.slice(axis + 1)), x.offset, indices.offset);
  ctx.queue.dispatch(
    ctx.pipelines.get(halfGatherKernel(ctx.wg)),
    [x.storage as GpuStorage, indices.storage as GpuStorage, out.storage as GpuStorage],
    uniform,
    ctx.grid(Math.ceil(Math.ceil(count / 2) / ctx.wg), 'gather'),
  );
}
