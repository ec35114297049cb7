// Gradients of reductions (src/ops/reduce.ts) over one, several and all axes, with
// keepDims and negative axes; max / min ties (split evenly between the tied
// elements, as finite differences give); prod with zeros; logSumExp.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, type Gen, gen, type Input, known } from '../helpers/values.js';

const backends = await backendCases();

type Axis = number | number[] | undefined;
const CASES: [number[], Axis, boolean, Input['view']?][] = [
  [[], undefined, false],
  [[3], undefined, false],
  [[17], 0, true],
  [[3, 4], 0, false],
  [[3, 4], 1, true],
  [[3, 4], 0, true],
  [[3, 4], -1, false],
  [[2, 3, 4], [0, 2], false],
  [[2, 3, 4], [0, 2], true],
  [[2, 3, 4], 1, true],
  [[2, 3, 4], [-1, -2], true],
  [[2, 3, 4], undefined, true],
  [[4, 3], 0, true, 'transpose'],
  [[4, 5], 1, false, 'slice'],
];

function rows(run: (x: wg.Tensor, axis: Axis, keepDims: boolean) => wg.Tensor, f: (values: number[]) => number, g: Gen = gen.uniform(-2, 2)): GradCase[] {
  return CASES.map(([shape, axis, keepDims, view]) => ({
    name: `[${shape}]${view ? ` ${view}` : ''} axis ${JSON.stringify(axis) ?? 'all'}${keepDims ? ' keepDims' : ''}`,
    inputs: [f32(shape, { gen: g, ...(view ? { view } : {}) })],
    f: (x) => run(x, axis, keepDims),
    oracle: (x) => ref.reduce(x, axis, keepDims, f),
  }));
}

describeGrads({
  sum: [...rows((x, a, k) => wg.sum(x, a, k), ref.sumOf), { name: 'empty', inputs: [f32([0, 3])], f: (x) => wg.sum(x, 0), oracle: (x) => ref.sum(x, 0) }],
  mean: rows((x, a, k) => wg.mean(x, a, k), ref.meanOf),
  max: [
    ...rows((x, a, k) => wg.max(x, a, k), ref.maxOf),
    // Central differences at a tie of two give each 1/2 (a tie of three would give 1/2, not 1/3: see below).
    { name: 'ties share the gradient evenly', inputs: [known([[3, 3, 1], [2, 5, 5], [4, 1, 4]])], f: (x) => wg.max(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.maxOf) },
    { name: 'ties over all axes', inputs: [known([[3, 1], [2, 3]])], f: (x) => wg.max(x), oracle: (x) => ref.reduce(x, undefined, false, ref.maxOf) },
  ],
  min: [
    ...rows((x, a, k) => wg.min(x, a, k), ref.minOf),
    { name: 'ties share the gradient evenly', inputs: [known([[1, 1, 3], [2, -5, -5]])], f: (x) => wg.min(x, -1, true), oracle: (x) => ref.reduce(x, -1, true, ref.minOf) },
  ],
  prod: [
    ...rows((x, a, k) => wg.prod(x, a, k), ref.prodOf, gen.uniform(0.5, 1.5)),
    { name: 'one zero: its gradient is the product of the others', inputs: [known([[0, 2, 3], [1, -2, 0.5]])], f: (x) => wg.prod(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.prodOf) },
    { name: 'two zeros: every gradient is 0', inputs: [known([[0, 2, 0], [0, 0, 0]])], f: (x) => wg.prod(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.prodOf) },
    { name: 'negative values', inputs: [f32([2, 3], { gen: gen.awayFromZero(0.5, 1.5) })], f: (x) => wg.prod(x, 0, true), oracle: (x) => ref.reduce(x, 0, true, ref.prodOf) },
  ],
  logSumExp: [
    ...rows((x, a, k) => wg.logSumExp(x, a, k), ref.logSumExpOf, gen.uniform(-4, 4)),
    { name: 'large values', inputs: [known([[1000, 999, 998], [-500, -501, -499]])], f: (x) => wg.logSumExp(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.logSumExpOf) },
  ],
}, backends);

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`max / min ties on ${backend.name}`, () => {
    it('a tie of three gives each 1/3, so the gradients of a group sum to 1', async () => {
      await wg.setBackend(backend.name);
      const x = wg.tensor([[4, 4, 4, 1], [2, 7, 7, 7]]);
      const gMax = wg.grad((t) => wg.sum(wg.max(t, 1)))(x);
      const gMin = wg.grad((t) => wg.min(t))(x);
      const third = Math.fround(1 / 3);
      expect(await gMax.array()).toEqual([[third, third, third, 0], [0, third, third, third]]);
      expect(await gMin.array()).toEqual([[0, 0, 0, 1], [0, 0, 0, 0]]);
      wg.dispose([x, gMax, gMin]);
    });
  });
}
