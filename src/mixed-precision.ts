// The training side of the 'mixed_float16' policy (precision.ts): which backend may
// train it, and loss scaling around the compiled optimizer, as Keras' Model.compile
// wraps the optimizer in a LossScaleOptimizer when the dtype policy is mixed_float16.
//
// float16 storage is WebGPU's (packed halves, on any adapter): cpu and wasm refuse a
// mixed model at compile and at fit, naming the backend. setPrecision itself does not
// refuse, since the policy may be set before the backend is chosen (as in Keras).

import type { Backend } from './backends/backend.js';
import { LossScaleOptimizer, type LossScaleOptions } from './loss-scaling.js';
import { checkNumber, checkOptions, given } from './options.js';
import type { Optimizer } from './optimizers.js';
import type { Precision } from './precision.js';

/** compile's `lossScaling`: true or options to scale, false not to (default: scale when the layers are mixed). */
export type LossScaling = boolean | LossScaleOptions;

/** The layers' precision: 'mixed_float16' when any layer computes in it, else 'float32'. */
export function modelPrecision(layers: readonly { readonly precision: Precision }[]): Precision {
  return layers.some((l) => l.precision === 'mixed_float16') ? 'mixed_float16' : 'float32';
}

/** Refuses a mixed-precision model whose weights live (or will, once built) on a backend without float16 storage. */
export function checkMixedBackend(fn: string, precision: Precision, backend: Backend): void {
  if (precision !== 'mixed_float16' || backend.name === 'webgpu') return;
  throw new Error(
    `${fn}: the model's layers compute in 'mixed_float16', which needs the webgpu backend (float16 storage); ` +
      `the active backend is ${backend.name}. Call await wg.setBackend('webgpu') before building the model, ` +
      `or build it after wg.setPrecision('float32') to train in float32 here`,
  );
}

/** Checks compile's `lossScaling` option. */
export function checkLossScaling(fn: string, value: unknown): LossScaling | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${fn}: lossScaling should be true, false or { initialScale, dynamicGrowthSteps }, got ${given(value)}`);
  }
  checkOptions(`${fn}: lossScaling`, value, ['initialScale', 'dynamicGrowthSteps']);
  const o = value as LossScaleOptions;
  const out: LossScaleOptions = {};
  if (o.initialScale !== undefined) out.initialScale = checkNumber(fn, 'lossScaling.initialScale', o.initialScale, 0, { min: 0, minExclusive: true });
  if (o.dynamicGrowthSteps !== undefined) out.dynamicGrowthSteps = checkNumber(fn, 'lossScaling.dynamicGrowthSteps', o.dynamicGrowthSteps, 0, { integer: true, min: 1 });
  return out;
}

/**
 * The optimizer compile keeps: wrapped in loss scaling when `lossScaling` asks for it,
 * or by default when the model is mixed; left alone when it already scales.
 */
export function withLossScaling(fn: string, optimizer: Optimizer, precision: Precision, lossScaling: LossScaling | undefined): Optimizer {
  if (optimizer instanceof LossScaleOptimizer) {
    if (lossScaling === false) throw new Error(`${fn}: lossScaling is false, but the optimizer is a wg.optimizers.lossScale; pass its inner optimizer instead`);
    if (typeof lossScaling === 'object') throw new Error(`${fn}: the optimizer already scales the loss (wg.optimizers.lossScale); give its options there, not in lossScaling`);
    return optimizer;
  }
  const wanted = lossScaling === undefined ? precision === 'mixed_float16' : lossScaling !== false;
  if (!wanted) return optimizer;
  return new LossScaleOptimizer(optimizer, typeof lossScaling === 'object' ? lossScaling : {});
}

/** What model.json records of loss scaling: the options, or false when compiled without it. */
export function lossScalingConfig(optimizer: Optimizer): Required<LossScaleOptions> | false {
  return optimizer instanceof LossScaleOptimizer ? { initialScale: optimizer.initialScale, dynamicGrowthSteps: optimizer.dynamicGrowthSteps } : false;
}
