// The float16 oracle: the cpu backend computing in float32 on float16-rounded inputs,
// with its outputs rounded to float16 (src/float16.ts's rule, itself tested against
// known bit patterns in test/ops/float16-host.test.ts).

import { expect } from 'vitest';
import * as wg from '../../src/index.js';
import { roundArrayToFloat16, roundToFloat16 } from '../../src/float16.js';
import { Rng } from './values.js';

export interface HalfInput {
  readonly shape: readonly number[];
  readonly values: Float32Array;
  /** 'int32' for indices; float16 otherwise. */
  readonly dtype?: 'float16' | 'int32' | 'float32';
}

/** Values of `shape` drawn uniformly in [lo, hi) and already rounded to float16. */
export function halfValues(shape: readonly number[], seed: number, lo = -2, hi = 2): HalfInput {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = lo + (hi - lo) * rng.next();
  return { shape, values: roundArrayToFloat16(values) };
}

/** Runs `fn` on the cpu backend with float32 tensors of the inputs; its output rounded to float16 (`round`) or as is. */
export async function cpuOracle(inputs: readonly HalfInput[], fn: (...xs: wg.Tensor[]) => wg.Tensor, round = true): Promise<Float32Array> {
  const previous = wg.getBackend();
  await wg.setBackend('cpu');
  try {
    return wg.tidy(() => {
      const xs = inputs.map((x) => wg.tensor(x.dtype === 'int32' ? Int32Array.from(x.values) : x.values, [...x.shape]));
      const y = fn(...xs).dataSync() as Float32Array;
      return round ? roundArrayToFloat16(y) : Float32Array.from(y);
    });
  } finally {
    await wg.setBackend(previous);
  }
}

/** The spacing of float16 numbers at |v| (2⁻²⁴ among subnormals). */
export function halfUlp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -14) return 2 ** -24;
  return 2 ** (Math.floor(Math.log2(a)) - 10);
}

/**
 * Elementwise: |actual − expected| within `ulps` float16 ulps of expected plus `abs`
 * (non-finite values must match exactly). `ulps` 0 demands bit-equal float16 values.
 */
export function expectHalfClose(actual: ArrayLike<number>, expected: ArrayLike<number>, ulps: number, abs = 0, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) throw new Error(`${label}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    const excess = Math.abs(a - e) - (ulps * halfUlp(e) + abs);
    if (excess > worst) [worst, at] = [excess, i];
  }
  if (at >= 0) throw new Error(`${label}: element ${at} is ${actual[at]}, expected ${expected[at]} (beyond ${ulps} float16 ulps + ${abs})`);
}

/** True when every value is a float16 (so a float16 output really was rounded). */
export function allHalf(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v) && roundToFloat16(v) !== v) return false;
  }
  return true;
}
