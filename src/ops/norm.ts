// Layer normalization over the last axis (Ba et al.; PyTorch's F.layer_norm with
// normalized_shape = [n], Keras' LayerNormalization on axis -1).

import { describe } from '../autograd.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { add, mul, sub } from './binary.js';
import { mean } from './reduce.js';
import { rsqrt, square } from './unary.js';
import { asTensor, checkTensor, shapeString, type TensorLike } from './util.js';

export interface LayerNormOptions {
  /** Scale, shape [n] (x's last dimension); none means 1. */
  gamma?: Tensor;
  /** Offset, shape [n]; none means 0. */
  beta?: Tensor;
  /** Added to the variance before the square root (default 1e-5, PyTorch's; Keras' layer uses 1e-3). */
  epsilon?: number;
}

/**
 * Normalizes each row of x over its last axis: (x - mean) / sqrt(var + epsilon) * gamma
 * + beta, with the biased variance (divided by n), as PyTorch and Keras do. Gradients
 * flow to x, gamma and beta.
 */
export function layerNorm(input: TensorLike, options: LayerNormOptions = {}): Tensor {
  const x = asTensor(input, 'layerNorm', 'x');
  try {
    checkLayerNorm(x, options);
  } catch (error) {
    if (x !== input) x.dispose();
    throw error;
  }
  const { gamma, beta, epsilon = 1e-5 } = options;
  const y = tidy(() => {
    const mu = mean(x, -1, true);
    const centred = sub(x, mu);
    const variance = mean(square(centred), -1, true);
    let out = mul(centred, rsqrt(add(variance, epsilon)));
    if (gamma) out = mul(out, gamma);
    if (beta) out = add(out, beta);
    return out;
  });
  if (x !== input) x.dispose();
  return y;
}

/** Every layerNorm check, on shapes alone, so that a wrong call creates nothing. */
function checkLayerNorm(x: Tensor, options: LayerNormOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`layerNorm: options should be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!['gamma', 'beta', 'epsilon'].includes(key)) throw new Error(`layerNorm: unknown option '${key}' (expected gamma, beta, epsilon)`);
  }
  if (x.dtype !== 'float32') throw new TypeError(`layerNorm: x should be float32, got ${x.dtype}; cast it with wg.cast(x, 'float32')`);
  if (x.rank === 0) throw new Error('layerNorm: x should have at least one dimension (normalized over the last), got a scalar');
  const n = x.shape[x.rank - 1]!;
  for (const name of ['gamma', 'beta'] as const) {
    const t = options[name];
    if (t === undefined) continue;
    checkTensor(t, 'layerNorm', name);
    if (t.dtype !== 'float32') throw new TypeError(`layerNorm: ${name} should be float32, got ${t.dtype}`);
    if (t.rank !== 1 || t.shape[0] !== n) {
      throw new Error(`layerNorm: ${name} should have shape [${n}] (x's last dimension; x is ${shapeString(x.shape)}), got ${shapeString(t.shape)}`);
    }
  }
  const eps = options.epsilon;
  if (eps !== undefined && (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0)) {
    throw new Error(`layerNorm: epsilon should be a finite number >= 0, got ${describe(eps)}`);
  }
}
