// Every op, in one namespace. Import ops from here, not from their files.

import { setAutogradOps } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { add, pow as powTensor } from './binary.js';
import { onesLike, zerosLike } from './creation.js';
import { powScalar } from './unary.js';
import { assembleBoxes } from './shape.js';
import type { TensorLike } from './util.js';

export {
  add, sub, mul, div, maximum, minimum, mod, squaredDifference,
  equal, notEqual, less, lessEqual, greater, greaterEqual, logicalAnd, logicalOr, where,
} from './binary.js';
export {
  tensor, scalar, fill, zeros, ones, zerosLike, onesLike, range, eye,
  randomNormal, randomUniform, truncatedNormal, clone, variable,
  type TensorValues, type VariableOptions,
} from './creation.js';
export { conv2d, type Conv2dOptions, type Padding, type Pair } from './conv.js';
export { conv2dTranspose, type Conv2dTransposeOptions } from './conv-transpose.js';
export { gather, oneHot } from './gather.js';
export { matmul, dense, type DenseOptions } from './matmul.js';
export { maxPool2d, avgPool2d, type Pool2dOptions } from './pool.js';
export { sum, mean, max, min, prod, argMax, argMin, logSumExp } from './reduce.js';
export {
  reshape, transpose, expandDims, squeeze, broadcastTo, slice, pad, concat, stack, unstack, split, tile, flatten, contiguous,
} from './shape.js';
export { softmax, logSoftmax } from './softmax.js';
export {
  neg, abs, sign, exp, log, log1p, expm1, sqrt, rsqrt, square, reciprocal, floor, ceil, round, sin, cos,
  relu, sigmoid, tanh, softplus, gelu, leakyRelu, elu, clipByValue, logicalNot, cast, type GeluOptions,
} from './unary.js';
export { layerNorm, type LayerNormOptions } from './norm.js';
export { scaledDotProductAttention, type AttentionOptions } from './attention.js';
export type { TensorLike } from './util.js';

/**
 * base ** exponent elementwise, broadcasting; a number exponent of a float32 base uses a
 * cheaper kernel. Integer bases follow the tensor rule (int ** int stays int32).
 */
export function pow(base: TensorLike, exponent: TensorLike): Tensor {
  const floatBase = base instanceof Tensor ? base.dtype === 'float32' : typeof base === 'number';
  return typeof exponent === 'number' && floatBase ? powScalar(base, exponent) : powTensor(base, exponent);
}

setAutogradOps({ add, onesLike, zerosLike, assembleBoxes });
