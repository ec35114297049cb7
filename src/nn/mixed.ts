// What a layer does under mixed precision (src/precision.ts): its float32 inputs and
// weights are cast to float16 for the layer's matmuls and elementwise math, which run
// on float16 storage (float32 arithmetic inside the kernels). Weights stay float32
// Variables (the master copy the optimizer updates); the per-step cast is recorded, so
// each weight's gradient comes back float32. Layers without a float16 path (layer
// normalization, softmax, attention's core) compute in float32 by the op layer's rule
// (src/ops/float16.ts).

import { cast } from '../ops/unary.js';
import type { Precision } from '../precision.js';
import type { Tensor } from '../tensor.js';

/** `t` in the compute dtype of `precision`: a float16 copy of a float32 tensor under 'mixed_float16', else `t` itself. */
export function toCompute(precision: Precision, t: Tensor): Tensor {
  return precision === 'mixed_float16' && t.dtype === 'float32' ? cast(t, 'float16') : t;
}

/** Runs `body` on the tensors in `precision`'s compute dtype, disposing the copies it made. */
export function withCompute(precision: Precision, tensors: readonly Tensor[], body: (...ts: Tensor[]) => Tensor): Tensor {
  if (precision !== 'mixed_float16') return body(...tensors);
  const converted = tensors.map((t) => toCompute(precision, t));
  try {
    return body(...converted);
  } finally {
    converted.forEach((t, i) => { if (t !== tensors[i]) t.dispose(); });
  }
}
