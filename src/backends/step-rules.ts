// The optimizer update rules for one scalar parameter, exactly as torch.optim
// documents them. The cpu backend applies these per element; the WASM and WebGPU
// fused kernels must compute the same thing.
//
// Every rule's `hyper` starts with [learningRate, weightDecay]; the rest follows.
//   sgd                       state []                         hyper [lr, wd]
//   momentum, nesterov        state [buf]                      hyper [lr, wd, momentum, dampening, isFirstStep]
//   adagrad                   state [sum]                      hyper [clr, wd, eps]   (clr = lr / (1 + (t-1) lrDecay))
//   rmsprop                   state [squareAvg, buf]           hyper [lr, wd, alpha, eps, momentum]
//   rmspropCentered           state [squareAvg, gradAvg, buf]  hyper [lr, wd, alpha, eps, momentum]
//   adam, adamw               state [m, v]                     hyper [lr, wd, beta1, beta2, eps, 1-beta1^t, 1-beta2^t]
// Weight decay is L2 (added to the gradient) for all rules but adamw, where it is
// decoupled (the parameter shrinks by lr * wd before the Adam step).

import type { OptimizerRule } from './backend.js';

/** Returns the updated parameter; updates `state` in place. */
export function applyStepRule(
  rule: OptimizerRule, p: number, g: number, state: Float64Array, hyper: readonly number[],
): number {
  const lr = hyper[0]!;
  const wd = hyper[1]!;
  if (rule !== 'adamw' && wd !== 0) g += wd * p;
  switch (rule) {
    case 'sgd':
      return p - lr * g;
    case 'momentum':
    case 'nesterov': {
      const [, , momentum, dampening, first] = hyper as [number, number, number, number, number];
      const buf = first ? g : momentum * state[0]! + (1 - dampening) * g;
      state[0] = buf;
      return p - lr * (rule === 'nesterov' ? g + momentum * buf : buf);
    }
    case 'adagrad': {
      const eps = hyper[2]!;
      const sum = state[0]! + g * g;
      state[0] = sum;
      return p - (lr * g) / (Math.sqrt(sum) + eps);
    }
    case 'rmsprop':
    case 'rmspropCentered': {
      const [, , alpha, eps, momentum] = hyper as [number, number, number, number, number];
      const centered = rule === 'rmspropCentered';
      const sq = alpha * state[0]! + (1 - alpha) * g * g;
      state[0] = sq;
      let avgSq = sq;
      if (centered) {
        const ga = alpha * state[1]! + (1 - alpha) * g;
        state[1] = ga;
        avgSq = sq - ga * ga;
      }
      const denom = Math.sqrt(avgSq) + eps;
      const b = centered ? 2 : 1;
      const buf = momentum * state[b]! + g / denom;
      state[b] = buf;
      return p - lr * buf;
    }
    case 'adam':
    case 'adamw': {
      const [, , beta1, beta2, eps, bc1, bc2] = hyper as [number, number, number, number, number, number, number];
      if (rule === 'adamw') p *= 1 - lr * wd;
      const m = beta1 * state[0]! + (1 - beta1) * g;
      const v = beta2 * state[1]! + (1 - beta2) * g * g;
      state[0] = m;
      state[1] = v;
      const denom = Math.sqrt(v) / Math.sqrt(bc2) + eps;
      return p - (lr / bc1) * (m / denom);
    }
  }
}

/** How many state buffers (each the parameter's size) a rule keeps. */
export const STATE_SLOTS: Readonly<Record<OptimizerRule, number>> = {
  sgd: 0, momentum: 1, nesterov: 1, adagrad: 1, rmsprop: 2, rmspropCentered: 3, adam: 2, adamw: 2,
};
