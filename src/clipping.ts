// Gradient clipping, Keras' three options, computed on the device (no read-back):
// - clipValue c: each element clamped to [−c, c].
// - clipNorm c: each gradient tensor scaled by c / max(‖g‖, c) (Keras' clip_by_norm),
//   so a tensor whose own L2 norm is above c comes out with norm c.
// - globalClipNorm c: every gradient scaled by one factor min(1, c / (‖G‖ + 1e-6)),
//   ‖G‖ the L2 norm of all gradients together: PyTorch's clip_grad_norm_ formula
//   (Keras' clip_by_global_norm has no 1e-6; the two differ by ~1e-6 relative).

import { noGrad } from './autograd.js';
import { checkNumber } from './options.js';
import * as ops from './ops/index.js';
import { tidy } from './scope.js';
import type { Tensor } from './tensor.js';

/** PyTorch's clip_grad_norm_ adds this to the total norm before dividing. */
export const GLOBAL_NORM_EPS = 1e-6;

export interface ClipOptions {
  /** Scale each gradient tensor whose L2 norm exceeds this to this norm. */
  clipNorm?: number;
  /** Scale all gradients together when their joint L2 norm exceeds this (PyTorch's clip_grad_norm_). */
  globalClipNorm?: number;
  /** Clamp every gradient element to [−clipValue, clipValue]. */
  clipValue?: number;
}

export const CLIP_KEYS = ['clipNorm', 'globalClipNorm', 'clipValue'] as const;

/** Checks the clipping options of optimizer `fn`: at most one, each finite and > 0. */
export function checkClipOptions(fn: string, options: ClipOptions): ClipOptions {
  const out: { -readonly [K in keyof ClipOptions]: number } = {};
  for (const key of CLIP_KEYS) {
    if (options[key] !== undefined) out[key] = checkNumber(fn, key, options[key], 0, { min: 0, minExclusive: true });
  }
  const given = CLIP_KEYS.filter((k) => out[k] !== undefined);
  if (given.length > 1) throw new Error(`${fn}: give at most one of clipNorm, globalClipNorm and clipValue, got ${given.join(' and ')}`);
  return out;
}

/** The clipped gradients: new tensors, or the same ones when no option is set. */
export function clipGradients(grads: readonly Tensor[], options: ClipOptions): Tensor[] {
  const { clipNorm, globalClipNorm, clipValue } = options;
  if (grads.length === 0 || (clipValue === undefined && clipNorm === undefined && globalClipNorm === undefined)) return [...grads];
  return noGrad(() => tidy(() => {
    if (clipValue !== undefined) return grads.map((g) => ops.clipByValue(g, -clipValue, clipValue));
    if (clipNorm !== undefined) return grads.map((g) => ops.mul(g, ops.div(clipNorm, ops.maximum(l2(g), clipNorm))));
    let total = ops.sum(ops.square(grads[0]!));
    for (const g of grads.slice(1)) total = ops.add(total, ops.sum(ops.square(g)));
    const scale = ops.minimum(1, ops.div(globalClipNorm!, ops.add(ops.sqrt(total), GLOBAL_NORM_EPS)));
    return grads.map((g) => ops.mul(g, scale));
  }));
}

function l2(g: Tensor): Tensor {
  return ops.sqrt(ops.sum(ops.square(g)));
}
