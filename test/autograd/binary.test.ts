// Gradients of two-operand ops (src/ops/binary.ts), with broadcasting in every
// direction so that gradients are summed back to each operand's shape; ties of
// maximum / minimum (split evenly, as finite differences, PyTorch and JAX give);
// where; and plain-number operands.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { bool, f32, type Gen, gen, i32, type Input, known } from '../helpers/values.js';

const backends = await backendCases();

const PAIRS: [number[], number[]][] = [
  [[], []], [[3], [3]], [[], [4]], [[4], []], [[3, 1], [1, 4]], [[2, 3, 4], [4]], [[4], [2, 3, 4]], [[2, 1, 4], [3, 1]], [[17], [1]], [[0, 3], [1, 3]],
];

function rows(f: (a: wg.Tensor, b: wg.Tensor) => wg.Tensor, scalar: (a: number, b: number) => number, ga: Gen = gen.uniform(-2, 2), gb: Gen = ga): GradCase[] {
  const oracle = (a: ref.Nd, b: ref.Nd) => ref.binary(a, b, scalar);
  const views: [Input, Input] = [f32([3, 4], { gen: ga, view: 'transpose' }), f32([3, 4], { gen: gb, view: 'slice' })];
  return [...PAIRS.map(([a, b]): [Input, Input] => [f32(a, { gen: ga }), f32(b, { gen: gb })]), views].map((inputs) => ({ inputs, f, oracle }));
}

describeGrads({
  add: [
    ...rows((a, b) => wg.add(a, b), (a, b) => a + b),
    { name: 'x + x (one tensor used twice)', inputs: [f32([3])], f: (x) => wg.add(x, x), oracle: (x) => ref.map(x, (v) => 2 * v) },
    { name: 'tensor + number', inputs: [f32([3])], f: (x) => wg.add(x, 2), oracle: (x) => ref.map(x, (v) => v + 2) },
  ],
  sub: [
    ...rows((a, b) => wg.sub(a, b), (a, b) => a - b),
    { name: 'number - tensor', inputs: [f32([3])], f: (x) => wg.sub(1, x), oracle: (x) => ref.map(x, (v) => 1 - v) },
  ],
  mul: [
    ...rows((a, b) => wg.mul(a, b), (a, b) => a * b),
    { name: 'x * x', inputs: [f32([5])], f: (x) => wg.mul(x, x), oracle: (x) => ref.map(x, (v) => v * v) },
    { name: 'float32 param times an int32 tensor (no gradient for it)', inputs: [f32([2, 3]), i32([3])], f: (a, b) => wg.mul(a, b), oracle: (a, b) => ref.binary(a, b, (x, y) => x * y) },
  ],
  div: [
    ...rows((a, b) => wg.div(a, b), (a, b) => a / b, gen.uniform(-2, 2), gen.awayFromZero(0.4, 2)),
    { name: 'number / tensor', inputs: [f32([3], { gen: gen.awayFromZero(0.4, 2) })], f: (x) => wg.div(1, x), oracle: (x) => ref.map(x, (v) => 1 / v) },
  ],
  'pow (tensor exponent)': [
    ...rows((a, b) => wg.pow(a, b), Math.pow, gen.uniform(0.3, 2.5), gen.uniform(-2, 2)),
    { name: 'number base', inputs: [f32([4])], f: (x) => wg.pow(2, x), oracle: (x) => ref.map(x, (v) => 2 ** v) },
  ],
  maximum: [
    ...rows((a, b) => wg.maximum(a, b), Math.max),
    { name: 'ties split the gradient evenly', inputs: [known([1, 2, -3, 0.5]), known([1, 1, -3, 0.5])], f: (a, b) => wg.maximum(a, b), oracle: (a, b) => ref.binary(a, b, Math.max) },
  ],
  minimum: [
    ...rows((a, b) => wg.minimum(a, b), Math.min),
    { name: 'ties split the gradient evenly', inputs: [known([1, 2, -3, 0.5]), known([1, 1, -3, 0.5])], f: (a, b) => wg.minimum(a, b), oracle: (a, b) => ref.binary(a, b, Math.min) },
  ],
  // |b| in {1, 2, 4} and a at least 0.05 from an integer keep a / b away from the jumps.
  mod: rows((a, b) => wg.mod(a, b), ref.pyMod, gen.awayFromGrid(-6, 6, 1, 0, 0.05), gen.oneOf([1, 2, 4, -1, -2, -4])),
  squaredDifference: rows((a, b) => wg.squaredDifference(a, b), (a, b) => (a - b) ** 2),
  where: [
    ...[
      [[3], [3], [3]], [[3, 1], [1, 4], [3, 4]], [[2, 3, 4], [4], [3, 1]], [[4], [], [4]], [[17], [17], [1]],
    ].map(([c, a, b]): GradCase => ({ inputs: [bool(c!), f32(a!), f32(b!)], f: (cond, x, y) => wg.where(cond, x, y), oracle: ref.where })),
    { name: 'number for b', inputs: [bool([5]), f32([5])], f: (c, x) => wg.where(c, x, 0), oracle: (c, x) => ref.where(c, x, ref.scalar(0)) },
    { name: 'views', inputs: [bool([3, 4], { view: 'transpose' }), f32([3, 4], { view: 'slice' }), f32([3, 4], { view: 'transpose' })], f: (c, x, y) => wg.where(c, x, y), oracle: ref.where },
  ],
}, backends);
