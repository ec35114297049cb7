// Layer normalization over the last axis (Ba et al.; PyTorch's F.layer_norm with
// normalized_shape = [n], Keras' LayerNormalization on axis -1).

import { describe, needsGradient, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { sizeOf } from '../backends/strided.js';
import { asTensor, backend, checkTensor, contiguousHandle, output, shapeString, type TensorLike } from './util.js';

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
  const n = x.shape[x.rank - 1]!;
  const rows = n === 0 ? 0 : sizeOf(x.shape) / n;
  const xc = contiguousHandle(x);
  const y = output(x.shape, 'float32', 'layerNorm');
  const mean = output([rows], 'float32', 'layerNorm');
  const rstd = output([rows], 'float32', 'layerNorm');
  if (y.size > 0) {
    backend().layerNorm(rowsView(xc, rows, n), gamma?.view(), beta?.view(), rowsView(y, rows, n), mean.view(), rstd.view(), epsilon);
  }
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  // Which gradients are wanted is known now (the tape is not active during backward).
  const wantGamma = gamma !== undefined && needsGradient([gamma]);
  const wantBeta = beta !== undefined && needsGradient([beta]);
  record(inputs, y, [xc, mean, rstd, ...(gamma ? [gamma] : [])], (dy, [sx, sm, sr, sg]) => {
    // One kernel computes every gradient; each closure takes its own.
    let grads: { dx: Tensor; dgamma?: Tensor; dbeta?: Tensor } | undefined;
    const all = () => {
      if (grads) return grads;
      const dyc = contiguousHandle(dy);
      const dx = output(x.shape, 'float32', 'layerNorm gradient');
      const dgamma = wantGamma ? output([n], 'float32', 'layerNorm gradient') : undefined;
      const dbeta = wantBeta ? output([n], 'float32', 'layerNorm gradient') : undefined;
      if (dx.size > 0) {
        backend().layerNormGrad(rowsView(dyc, rows, n), rowsView(sx!, rows, n), sg?.view(), sm!.view(), sr!.view(), rowsView(dx, rows, n), dgamma?.view(), dbeta?.view());
      } else {
        for (const t of [dgamma, dbeta]) if (t && t.size > 0) backend().fill(t.view(), 0);
      }
      if (dyc !== dy) dyc.dispose();
      grads = { dx, ...(dgamma ? { dgamma } : {}), ...(dbeta ? { dbeta } : {}) };
      return grads;
    };
    return [
      () => all().dx,
      ...(gamma ? [() => all().dgamma!] : []),
      ...(beta ? [() => all().dbeta!] : []),
    ];
  });
  xc.dispose();
  mean.dispose();
  rstd.dispose();
  if (x !== input) x.dispose();
  return y;
}

function rowsView(t: Tensor, rows: number, n: number) {
  return { ...t.view(), shape: [rows, n], strides: [n, 1] };
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
