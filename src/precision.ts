// The global training precision (Keras' dtype policy): 'float32', or 'mixed_float16'
// (float16 activations and matmul operands with float32 accumulation, float32 master
// weights and optimizer state, dynamic loss scaling). Layers read it when they are
// constructed, as Keras layers capture the global policy, so a model built after
// `setPrecision('mixed_float16')` computes in float16 wherever its layers support it.

import { checkChoice } from './options.js';

/** A training precision: Keras' dtype-policy names. */
export type Precision = 'float32' | 'mixed_float16';

export const PRECISIONS: readonly Precision[] = ['float32', 'mixed_float16'];

let globalPrecision: Precision = 'float32';

/**
 * Sets the precision of layers constructed from now on. 'mixed_float16' stores
 * activations and matmul operands as float16 on WebGPU (any adapter: packed halves in
 * 32-bit words; float16 arithmetic where the adapter has `shader-f16`), keeps weights
 * and optimizer state in float32, and scales the loss dynamically during `fit`.
 */
export function setPrecision(precision: Precision): void {
  if (precision === undefined) throw new Error(`setPrecision: precision should be ${PRECISIONS.map((p) => `'${p}'`).join(' or ')}, got undefined`);
  globalPrecision = checkChoice('setPrecision', 'precision', precision, 'float32', PRECISIONS);
}

/** The precision that newly constructed layers take. */
export function getPrecision(): Precision {
  return globalPrecision;
}

/** The dtype a layer of this precision computes (and stores activations) in. */
export function computeDtypeOf(precision: Precision): 'float32' | 'float16' {
  return precision === 'mixed_float16' ? 'float16' : 'float32';
}
