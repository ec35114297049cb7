// Making tensors (src/ops/creation.ts): from nested arrays, flat and typed arrays,
// with shape and dtype inference; zeros / ones / fill / range / eye / *Like; and
// seeded random draws (same seed, same values; moments about right).

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { EXACT } from '../helpers/compare.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { f32, i32 } from '../helpers/values.js';

const backends = await backendCases();

/** A row with no inputs: the op makes the tensor, the oracle says what it holds. */
function made(name: string, run: () => wg.Tensor, expected: unknown, dtype: ref.DType = 'float32', shape?: number[]): OpCase {
  return {
    name,
    inputs: [],
    run,
    oracle: () => (shape ? ref.nd(shape, ref.fromNested(expected).data, dtype) : ref.fromNested(expected, dtype)),
    tol: EXACT,
  };
}

describeOps({
  tensor: [
    made('nested 2-D', () => wg.tensor([[1, 2, 3], [4, 5, 6]]), [[1, 2, 3], [4, 5, 6]]),
    made('nested 3-D', () => wg.tensor([[[1], [2]], [[3], [4]]]), [[[1], [2]], [[3], [4]]]),
    made('a number is a scalar', () => wg.tensor(2.5), 2.5),
    made('flat array with a shape', () => wg.tensor([1, 2, 3, 4, 5, 6], [3, 2]), [[1, 2], [3, 4], [5, 6]]),
    made('Float32Array', () => wg.tensor(new Float32Array([1.5, -2, 3])), [1.5, -2, 3]),
    made('Float64Array rounds to float32', () => wg.tensor(new Float64Array([0.1, 1 / 3])), [Math.fround(0.1), Math.fround(1 / 3)]),
    made('Int32Array is int32', () => wg.tensor(new Int32Array([1, -2, 3]), [3, 1]), [[1], [-2], [3]], 'int32'),
    made('Uint8Array is bool', () => wg.tensor(new Uint8Array([1, 0, 1])), [1, 0, 1], 'bool'),
    made('booleans are bool', () => wg.tensor([[true, false], [false, true]]), [[1, 0], [0, 1]], 'bool'),
    made('dtype int32 truncates toward zero', () => wg.tensor([1.7, -1.7, 2], undefined, 'int32'), [1, -1, 2], 'int32'),
    made('dtype bool stores 0 / 1', () => wg.tensor([2, 0, -3, 0.5], undefined, 'bool'), [1, 0, 1, 1], 'bool'),
    made('a bool made from 2 equals true', () => wg.tidy(() => wg.equal(wg.tensor([2, 0], undefined, 'bool'), wg.tensor([true, false]))), [1, 1], 'bool'),
    made('empty array', () => wg.tensor([]), [], 'float32', [0]),
    made('empty rows', () => wg.tensor([[], []]), [], 'float32', [2, 0]),
    made('empty with a shape', () => wg.tensor([], [3, 0, 2]), [], 'float32', [3, 0, 2]),
    made('special values survive', () => wg.tensor([NaN, Infinity, -Infinity, -0]), [NaN, Infinity, -Infinity, -0]),
    made('129 values', () => wg.tensor(Array.from({ length: 129 }, (_, i) => i / 7)), Array.from({ length: 129 }, (_, i) => Math.fround(i / 7))),
    made('scalar()', () => wg.scalar(3), 3),
    made('scalar() int32', () => wg.scalar(3, 'int32'), 3, 'int32'),
    made('scalar() boolean', () => wg.scalar(true), 1, 'bool'),
  ],
  'zeros, ones, fill': [
    made('zeros [2,3]', () => wg.zeros([2, 3]), [[0, 0, 0], [0, 0, 0]]),
    made('zeros int32 [129]', () => wg.zeros([129], 'int32'), new Array(129).fill(0), 'int32'),
    made('zeros scalar', () => wg.zeros([]), 0),
    made('zeros empty', () => wg.zeros([0, 3]), [], 'float32', [0, 3]),
    made('ones [17]', () => wg.ones([17]), new Array(17).fill(1)),
    made('ones bool [3]', () => wg.ones([3], 'bool'), [1, 1, 1], 'bool'),
    made('fill [2,2] with -1.5', () => wg.fill([2, 2], -1.5), [[-1.5, -1.5], [-1.5, -1.5]]),
    made('fill int32 with 7', () => wg.fill([3], 7, 'int32'), [7, 7, 7], 'int32'),
    made('fill with NaN', () => wg.fill([2], NaN), [NaN, NaN]),
    made('fill bool with 2 stores true (1)', () => wg.fill([2], 2, 'bool'), [1, 1], 'bool'),
    {
      name: 'zerosLike / onesLike keep shape and dtype',
      inputs: [i32([2, 3]), f32([4], { view: 'slice' })],
      run: (a, b) => [wg.zerosLike(a), wg.onesLike(b)],
      oracle: (a, b) => [ref.map(a, () => 0), ref.map(b, () => 1)],
      tol: EXACT,
    },
  ],
  range: [
    made('range(5)', () => wg.range(5), [0, 1, 2, 3, 4]),
    made('range(2, 7)', () => wg.range(2, 7), [2, 3, 4, 5, 6]),
    made('range(0, 1, 0.25)', () => wg.range(0, 1, 0.25), [0, 0.25, 0.5, 0.75]),
    made('range(5, 0, -2)', () => wg.range(5, 0, -2), [5, 3, 1]),
    made('range(3, 3) is empty', () => wg.range(3, 3), [], 'float32', [0]),
    made('range(3, 0) is empty', () => wg.range(3, 0), [], 'float32', [0]),
    made('range int32', () => wg.range(0, 129, 1, 'int32'), Array.from({ length: 129 }, (_, i) => i), 'int32'),
  ],
  eye: [
    made('eye(3)', () => wg.eye(3), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    made('eye(2, 4)', () => wg.eye(2, 4), [[1, 0, 0, 0], [0, 1, 0, 0]]),
    made('eye(3, 1)', () => wg.eye(3, 1), [[1], [0], [0]]),
    made('eye(0)', () => wg.eye(0), [], 'float32', [0, 0]),
    made('eye int32', () => wg.eye(2, 2, 'int32'), [[1, 0], [0, 1]], 'int32'),
  ],
}, backends);

function moments(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  const v = Array.from(values);
  const mean = v.reduce((p, q) => p + q, 0) / v.length;
  const std = Math.sqrt(v.reduce((p, q) => p + (q - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

describe('seeded random', () => {
  for (const backend of backends) {
    describe.skipIf(backend.skip !== undefined)(backend.name, () => {
      const draws = {
        randomNormal: (seed?: number) => wg.randomNormal([100, 100], 2, 3, seed),
        randomUniform: (seed?: number) => wg.randomUniform([100, 100], -1, 5, seed),
        truncatedNormal: (seed?: number) => wg.truncatedNormal([100, 100], -1, 0.5, seed),
      };
      for (const [name, draw] of Object.entries(draws)) {
        it(`${name}: the same seed gives the same values, another seed others, and the same values as on cpu`, async () => {
          await wg.setBackend('cpu');
          const onCpu = draw(7);
          const cpuValues = await onCpu.data();
          onCpu.dispose();
          await wg.setBackend(backend.name);
          const [a, b, c] = [draw(7), draw(7), draw(8)];
          const [va, vb, vc] = await Promise.all([a.data(), b.data(), c.data()]);
          expect(va).toEqual(vb);
          expect(va).toEqual(cpuValues);
          expect(va).not.toEqual(vc);
          wg.dispose([a, b, c]);
        });
      }
      it('without a seed, wg.setSeed makes draws reproducible', async () => {
        await wg.setBackend(backend.name);
        wg.setSeed(123);
        const a = wg.randomNormal([50]);
        const a2 = wg.randomNormal([50]);
        wg.setSeed(123);
        const b = wg.randomNormal([50]);
        expect(await a.data()).toEqual(await b.data());
        expect(await a.data()).not.toEqual(await a2.data());
        wg.dispose([a, a2, b]);
      });
      it('moments are about right (10,000 draws)', async () => {
        await wg.setBackend(backend.name);
        const normal = wg.randomNormal([100, 100], 2, 3, 1);
        const uniform = wg.randomUniform([100, 100], -1, 5, 2);
        const truncated = wg.truncatedNormal([100, 100], -1, 0.5, 3);
        const n = moments(await normal.data());
        // Standard error of the mean is 3 / 100 = 0.03; allow 5 of them.
        expect(Math.abs(n.mean - 2)).toBeLessThan(0.15);
        expect(Math.abs(n.std - 3)).toBeLessThan(0.15);
        const u = moments(await uniform.data());
        expect(Math.abs(u.mean - 2)).toBeLessThan(0.1);
        expect(Math.abs(u.std - 6 / Math.sqrt(12))).toBeLessThan(0.1);
        expect(u.min).toBeGreaterThanOrEqual(-1);
        expect(u.max).toBeLessThan(5);
        const t = moments(await truncated.data());
        // A normal truncated at ±2σ has std ≈ 0.8796σ.
        expect(Math.abs(t.mean + 1)).toBeLessThan(0.03);
        expect(Math.abs(t.std - 0.8796 * 0.5)).toBeLessThan(0.03);
        expect(t.min).toBeGreaterThanOrEqual(-2);
        expect(t.max).toBeLessThanOrEqual(0);
        wg.dispose([normal, uniform, truncated]);
      });
      it('shapes: scalar and empty draws', async () => {
        await wg.setBackend(backend.name);
        const s = wg.randomUniform([], 0, 1, 5);
        const e = wg.randomNormal([0, 3], 0, 1, 5);
        expect(s.shape).toEqual([]);
        expect(e.shape).toEqual([0, 3]);
        expect((await e.data()).length).toBe(0);
        wg.dispose([s, e]);
      });
    });
  }
});
