// Random tensors drawn on the device by the counter-based generator of
// Backend.random (src/backends/random-bits.ts): nothing is uploaded, and a given
// (seed, offset) gives the same words on every backend. Dropout draws its masks
// here; the seeded creation ops (randomUniform, randomNormal) keep their host stream
// (xoshiro128**), whose values are documented and relied on.

import type { RandomDistribution } from '../backends/backend.js';
import { checkNumber } from '../options.js';
import type { Tensor } from '../tensor.js';
import { backend, checkShape, output } from './util.js';

function draw(op: string, shape: readonly number[], seed: number, offset: number, dist: RandomDistribution): Tensor {
  checkShape(op, shape);
  checkNumber(op, 'seed', seed, 0, { integer: true, min: 0, max: 0xffffffff });
  checkNumber(op, 'offset', offset, 0, { integer: true, min: 0, max: 0xffffffff });
  const out = output(shape, dist === 'bits' ? 'int32' : 'float32', op);
  if (out.size > 0) backend().random(out.view(), seed, offset, dist);
  return out;
}

/** @internal the raw 32-bit words for counters offset, offset + 1, … (int32, bit pattern of the unsigned word). */
export function randomBitsOnDevice(shape: readonly number[], seed: number, offset = 0): Tensor {
  return draw('randomBitsOnDevice', shape, seed, offset, 'bits');
}

/** @internal floats in [0, 1), 24 random bits each, from counters offset, offset + 1, … */
export function uniformOnDevice(shape: readonly number[], seed: number, offset = 0): Tensor {
  return draw('uniformOnDevice', shape, seed, offset, 'uniform');
}
