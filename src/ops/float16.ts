// float16 at the op layer: the differentiable cast between float dtypes, and the one
// rule for ops without a float16 kernel.
//
// The rule (PyTorch autocast's "float32 ops"): an op whose backend kernels take
// float16 operands (FLOAT16_OPS: elementwise math, matmul / dense, gather, shape ops)
// computes in float32 inside the kernel and returns float16 for float16 inputs. Every
// other op (reductions, softmax, layer norm, attention, losses, convolution, pooling,
// scatter) casts float16 inputs to float32 on entry (a recorded cast, so gradients
// flow back to the float16 tensor) and returns float32. `asTensor` (util.ts) applies
// the rule to every tensor argument, so no op ever hands a kernel a float16 tensor it
// cannot read; ops that take tensors through `checkTensor` call `float32Input`.
// Mixed float16 / float32 operands of a binary op promote to float32 (as PyTorch).

import { record } from '../autograd.js';
import { isFloat, type Tensor, type DataType } from '../tensor.js';
import { castTo } from './util.js';

/** Ops (by the name their errors use) whose kernels read float16 operands directly. */
const FLOAT16_OPS = new Set([
  // unary
  'neg', 'abs', 'sign', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'floor', 'ceil', 'round',
  'sin', 'cos', 'relu', 'leakyRelu', 'elu', 'gelu', 'sigmoid', 'tanh', 'softplus', 'clipByValue', 'pow', 'logicalNot', 'cast',
  // binary and where
  'add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'mod', 'squaredDifference',
  'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr', 'where',
  // products and indexing
  'matmul', 'dense', 'gather',
  // shape ops (views and copies)
  'reshape', 'transpose', 'expandDims', 'squeeze', 'broadcastTo', 'slice', 'pad', 'tile', 'flatten', 'contiguous',
  'concat', 'stack', 'unstack', 'split',
]);

/** True when `op` reads float16 tensors without casting them up. */
export function hasFloat16Kernel(op: string): boolean {
  return FLOAT16_OPS.has(op);
}

/**
 * `x` converted to `dtype`, recorded on the tape when both are float dtypes: the
 * gradient is cast back to x's dtype, so a float32 master weight cast to float16 gets
 * a float32 gradient. Returns a new tensor (a handle on x's storage for the same dtype).
 */
export function castRecorded(x: Tensor, dtype: DataType): Tensor {
  const converted = castTo(x, dtype);
  const y = converted === x ? x.share() : converted;
  if (isFloat(x.dtype) && isFloat(dtype)) {
    const from = x.dtype;
    record([x], y, [], (dy) => [() => (dy.dtype === from ? dy.share() : castTo(dy, from))]);
  }
  return y;
}

/**
 * The rule for ops without a float16 kernel: `x` itself unless it is float16 and `op`
 * lacks a float16 kernel; then a new float32 tensor (the caller disposes it, as it does
 * tensors `asTensor` made).
 */
export function float32Input(x: Tensor, op: string): Tensor {
  if (x.dtype !== 'float16' || FLOAT16_OPS.has(op)) return x;
  return castRecorded(x, 'float32');
}
