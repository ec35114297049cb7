// Elementwise closeness with a readable failure: which elements, where, and by how much.

import { expect } from 'vitest';
import { unravel } from './reference.js';

export interface Tolerance {
  /** Allowed |actual - expected| relative to |expected|. */
  readonly rel: number;
  /** Allowed |actual - expected| near zero. */
  readonly abs: number;
}

/** Forward results: float32 rounding of a float64 computation. */
export const FORWARD: Tolerance = { rel: 1e-5, abs: 1e-6 };
/** Matrix products (sums of many rounded terms). */
export const MATMUL: Tolerance = { rel: 1e-4, abs: 1e-4 };
/** Exact: integer and boolean results, copies. */
export const EXACT: Tolerance = { rel: 0, abs: 0 };

function close(a: number, e: number, tol: Tolerance): boolean {
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= tol.abs + tol.rel * Math.abs(e);
}

/** Asserts that two flat arrays of the same shape agree within `tol`, NaN matching NaN. */
export function expectClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, shape: readonly number[], tol: Tolerance, what: string,
): void {
  expect(actual.length, `${what}: element count`).toBe(expected.length);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (close(a, e, tol)) continue;
    count++;
    if (bad.length < 6) bad.push(`  at [${unravel(i, shape).join(',')}]: got ${a}, expected ${e} (diff ${Math.abs(a - e).toPrecision(3)})`);
  }
  if (count > 0) {
    expect.fail(`${what}: ${count} of ${expected.length} elements differ beyond rel ${tol.rel} / abs ${tol.abs}\n${bad.join('\n')}`);
  }
}
