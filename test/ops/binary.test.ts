// Two-operand ops (src/ops/binary.ts) with numpy broadcasting in every direction:
// arithmetic, maximum / minimum / mod, comparisons and logic (bool results), where,
// and the dtype rules when int32, bool, float32 and plain numbers mix.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { EXACT } from '../helpers/compare.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { binaryRows } from '../helpers/rows.js';
import { bool, f32, gen, i32, known } from '../helpers/values.js';

const backends = await backendCases();

const small = { gen: gen.ints(-6, 6), dtype: 'int32' as const };
const nonzeroInts = { gen: gen.oneOf([-5, -3, -2, -1, 1, 2, 3, 7]), dtype: 'int32' as const };
const ints = (run: (a: wg.Tensor, b: wg.Tensor) => wg.Tensor, f: (a: number, b: number) => number, b = small): OpCase[] =>
  binaryRows(run, f, { a: small, b, tol: EXACT }).filter((_, i) => [1, 3, 7, 9, 12, 15].includes(i)).map((r) => ({ ...r, name: `int32 ${r.inputs.map((x) => `[${x.shape}]`).join(', ')}${r.inputs[0]!.view ? ' (views)' : ''}` }));
const compare = (run: (a: wg.Tensor, b: wg.Tensor) => wg.Tensor, f: (a: number, b: number) => boolean): OpCase[] => [
  // Few distinct values so that equal pairs occur.
  ...binaryRows(run, (a, b) => Number(f(a, b)), { a: { gen: gen.oneOf([-1, 0, 0.5, 2]) }, outDtype: 'bool', tol: EXACT }),
  ...ints(run, (a, b) => Number(f(a, b))).map((r) => ({ ...r, oracle: (a: ref.Nd, b: ref.Nd) => ref.binary(a, b, (x, y) => Number(f(x, y)), 'bool') })),
  {
    name: 'NaN compares unequal to everything',
    inputs: [known([NaN, NaN, 1, Infinity, -Infinity]), known([NaN, 1, NaN, Infinity, -Infinity])],
    run,
    oracle: (a, b) => ref.binary(a, b, (x, y) => Number(f(x, y)), 'bool'),
    tol: EXACT,
  },
];

describeOps({
  add: [
    ...binaryRows((a, b) => wg.add(a, b), (a, b) => a + b, { method: (a, b) => a.add(b) }),
    ...ints((a, b) => wg.add(a, b), (a, b) => a + b),
    { name: 'float32 + int32 is float32', inputs: [f32([3, 4]), i32([4])], run: (a, b) => wg.add(a, b), oracle: (a, b) => ref.binary(a, b, (x, y) => x + y, 'float32') },
    { name: 'int32 + number 2 stays int32', inputs: [i32([5])], run: (a) => wg.add(a, 2), oracle: (a) => ref.map(a, (v) => v + 2), tol: EXACT },
    { name: 'int32 + number 1.5 is float32', inputs: [i32([5])], run: (a) => wg.add(a, 1.5), oracle: (a) => ref.map(a, (v) => v + 1.5, 'float32') },
    { name: 'number + tensor', inputs: [f32([5])], run: (b) => wg.add(10, b), oracle: (b) => ref.map(b, (v) => 10 + v) },
    { name: 'bool + bool counts in int32', inputs: [bool([17]), bool([17])], run: (a, b) => wg.add(a, b), oracle: (a, b) => ref.binary(a, b, (x, y) => x + y, 'int32'), tol: EXACT },
    { name: 'Infinity - Infinity is NaN', inputs: [known([Infinity, -Infinity, NaN]), known([-Infinity, -Infinity, 1])], run: (a, b) => wg.add(a, b), oracle: (a, b) => ref.binary(a, b, (x, y) => x + y) },
  ],
  sub: [
    ...binaryRows((a, b) => wg.sub(a, b), (a, b) => a - b, { method: (a, b) => a.sub(b) }),
    ...ints((a, b) => wg.sub(a, b), (a, b) => a - b),
    { name: 'number - tensor', inputs: [f32([5])], run: (b) => wg.sub(1, b), oracle: (b) => ref.map(b, (v) => 1 - v) },
  ],
  mul: [
    ...binaryRows((a, b) => wg.mul(a, b), (a, b) => a * b, { method: (a, b) => a.mul(b) }),
    ...ints((a, b) => wg.mul(a, b), (a, b) => a * b),
    { name: 'int32 products beyond 2^24 are exact', inputs: [known([46340, -46340, 12345], 'int32'), known([46341, 46341, 54321], 'int32')], run: (a, b) => wg.mul(a, b), oracle: (a, b) => ref.binary(a, b, (x, y) => x * y), tol: EXACT },
  ],
  div: [
    ...binaryRows((a, b) => wg.div(a, b), (a, b) => a / b, { b: { gen: gen.awayFromZero() }, method: (a, b) => a.div(b) }),
    ...ints((a, b) => wg.div(a, b), (a, b) => Math.floor(a / b), nonzeroInts),
    {
      name: 'int32 division floors (Python //)',
      inputs: [known([7, -7, 7, -7, 6, 0], 'int32'), known([2, 2, -2, -2, 3, 5], 'int32')],
      run: (a, b) => wg.div(a, b),
      oracle: () => ref.fromNested([3, -4, -4, 3, 2, 0], 'int32'),
      tol: EXACT,
    },
    { name: 'int32 division by zero gives 0', inputs: [known([7, -7, 0], 'int32'), known([0, 0, 0], 'int32')], run: (a, b) => wg.div(a, b), oracle: () => ref.fromNested([0, 0, 0], 'int32'), tol: EXACT },
    { name: 'float division by zero', inputs: [known([1, -1, 0]), known([0, 0, 0])], run: (a, b) => wg.div(a, b), oracle: () => ref.fromNested([Infinity, -Infinity, NaN]) },
  ],
  'pow (tensor exponent)': [
    ...binaryRows((a, b) => wg.pow(a, b), Math.pow, { a: { gen: gen.uniform(0.1, 3) }, b: { gen: gen.uniform(-2, 2) }, method: (a, b) => a.pow(b) }),
    ...ints((a, b) => wg.pow(a, b), Math.pow, { gen: gen.ints(0, 4), dtype: 'int32' }),
    { name: 'special cases', inputs: [known([0, 0, -8, 2, -2, 1, NaN]), known([0, -1, 1 / 3, -1, 3, NaN, 0])], run: (a, b) => wg.pow(a, b), oracle: (a, b) => ref.binary(a, b, Math.pow) },
  ],
  maximum: [
    ...binaryRows((a, b) => wg.maximum(a, b), Math.max, { method: (a, b) => a.maximum(b) }),
    ...ints((a, b) => wg.maximum(a, b), Math.max),
    { name: 'NaN propagates', inputs: [known([NaN, 1, NaN]), known([1, NaN, NaN])], run: (a, b) => wg.maximum(a, b), oracle: () => ref.fromNested([NaN, NaN, NaN]) },
  ],
  minimum: [
    ...binaryRows((a, b) => wg.minimum(a, b), Math.min, { method: (a, b) => a.minimum(b) }),
    ...ints((a, b) => wg.minimum(a, b), Math.min),
    { name: 'NaN propagates', inputs: [known([NaN, 1, NaN]), known([1, NaN, NaN])], run: (a, b) => wg.minimum(a, b), oracle: () => ref.fromNested([NaN, NaN, NaN]) },
  ],
  mod: [
    ...binaryRows((a, b) => wg.mod(a, b), ref.pyMod, { a: { gen: gen.uniform(-10, 10) }, b: { gen: gen.awayFromZero(0.5, 3) }, method: (a, b) => a.mod(b), tol: { rel: 1e-5, abs: 1e-5 } }),
    ...ints((a, b) => wg.mod(a, b), ref.pyMod, nonzeroInts),
    {
      name: 'the result takes the sign of the divisor (float)',
      inputs: [known([5.5, -5.5, 5.5, -5.5, 6, -6]), known([2, 2, -2, -2, 3, 3])],
      run: (a, b) => wg.mod(a, b),
      oracle: () => ref.fromNested([1.5, 0.5, -0.5, -1.5, 0, 0]),
    },
    {
      name: 'the result takes the sign of the divisor (int32)',
      inputs: [known([7, -7, 7, -7, 0], 'int32'), known([3, 3, -3, -3, 3], 'int32')],
      run: (a, b) => wg.mod(a, b),
      oracle: () => ref.fromNested([1, 2, -2, -1, 0], 'int32'),
      tol: EXACT,
    },
    { name: 'int32 mod by zero gives 0; float mod by zero is NaN', inputs: [known([7, -7], 'int32'), known([0, 0], 'int32'), known([7, -7]), known([0, 0])], run: (a, b, c, d) => [wg.mod(a, b), wg.mod(c, d)], oracle: () => [ref.fromNested([0, 0], 'int32'), ref.fromNested([NaN, NaN])], tol: EXACT },
  ],
  squaredDifference: [
    ...binaryRows((a, b) => wg.squaredDifference(a, b), (a, b) => (a - b) ** 2, { method: (a, b) => a.squaredDifference(b) }),
    ...ints((a, b) => wg.squaredDifference(a, b), (a, b) => (a - b) ** 2),
  ],
  equal: compare((a, b) => wg.equal(a, b), (a, b) => a === b),
  notEqual: compare((a, b) => wg.notEqual(a, b), (a, b) => a !== b),
  less: compare((a, b) => wg.less(a, b), (a, b) => a < b),
  lessEqual: compare((a, b) => wg.lessEqual(a, b), (a, b) => a <= b),
  greater: compare((a, b) => wg.greater(a, b), (a, b) => a > b),
  greaterEqual: compare((a, b) => wg.greaterEqual(a, b), (a, b) => a >= b),
  'comparison methods and mixed operands': [
    { name: 'a.equal(b)', inputs: [f32([3, 1], { gen: gen.oneOf([0, 1]) }), f32([1, 4], { gen: gen.oneOf([0, 1]) })], run: (a, b) => a.equal(b), oracle: (a, b) => ref.binary(a, b, (x, y) => Number(x === y), 'bool'), tol: EXACT },
    { name: 'a.notEqual(b)', inputs: [f32([3, 1], { gen: gen.oneOf([0, 1]) }), f32([1, 4], { gen: gen.oneOf([0, 1]) })], run: (a, b) => a.notEqual(b), oracle: (a, b) => ref.binary(a, b, (x, y) => Number(x !== y), 'bool'), tol: EXACT },
    { name: 'a.less(b)', inputs: [f32([17]), f32([17])], run: (a, b) => a.less(b), oracle: (a, b) => ref.binary(a, b, (x, y) => Number(x < y), 'bool'), tol: EXACT },
    { name: 'a.lessEqual(b)', inputs: [f32([17]), f32([17])], run: (a, b) => a.lessEqual(b), oracle: (a, b) => ref.binary(a, b, (x, y) => Number(x <= y), 'bool'), tol: EXACT },
    { name: 'a.greater(b)', inputs: [f32([17]), f32([17])], run: (a, b) => a.greater(b), oracle: (a, b) => ref.binary(a, b, (x, y) => Number(x > y), 'bool'), tol: EXACT },
    { name: 'a.greaterEqual(b)', inputs: [f32([17]), f32([17])], run: (a, b) => a.greaterEqual(b), oracle: (a, b) => ref.binary(a, b, (x, y) => Number(x >= y), 'bool'), tol: EXACT },
    { name: 'int32 tensor vs float number', inputs: [i32([17])], run: (a) => wg.greater(a, 0.5), oracle: (a) => ref.map(a, (x) => Number(x > 0.5), 'bool'), tol: EXACT },
    { name: 'int32 vs float32 tensors', inputs: [i32([3, 1]), f32([4], { gen: gen.oneOf([-1, 0, 1.5]) })], run: (a, b) => wg.lessEqual(a, b), oracle: (a, b) => ref.binary(a, b, (x, y) => Number(x <= y), 'bool'), tol: EXACT },
    { name: 'bool vs bool', inputs: [bool([17]), bool([17])], run: (a, b) => wg.equal(a, b), oracle: (a, b) => ref.binary(a, b, (x, y) => Number(x === y), 'bool'), tol: EXACT },
    { name: 'bool vs number 1', inputs: [bool([17])], run: (a) => wg.equal(a, 1), oracle: (a) => ref.map(a, (x) => Number(x === 1), 'bool'), tol: EXACT },
  ],
  logicalAnd: [
    ...binaryRows((a, b) => wg.logicalAnd(a, b), (a, b) => Number(a !== 0 && b !== 0), { a: { dtype: 'bool' }, outDtype: 'bool', tol: EXACT, method: (a, b) => a.logicalAnd(b) }),
    { name: 'float operands: nonzero is true', inputs: [known([0, 1, -2, NaN, 0]), known([3, 0, 0.5, 1, 0])], run: (a, b) => wg.logicalAnd(a, b), oracle: () => ref.fromNested([0, 0, 1, 1, 0], 'bool'), tol: EXACT },
  ],
  logicalOr: [
    ...binaryRows((a, b) => wg.logicalOr(a, b), (a, b) => Number(a !== 0 || b !== 0), { a: { dtype: 'bool' }, outDtype: 'bool', tol: EXACT, method: (a, b) => a.logicalOr(b) }),
    { name: 'int32 operands: nonzero is true', inputs: [known([0, 1, -2, 0], 'int32'), known([0, 0, 5, 7], 'int32')], run: (a, b) => wg.logicalOr(a, b), oracle: () => ref.fromNested([0, 1, 1, 1], 'bool'), tol: EXACT },
  ],
  where: [
    ...[
      [[3], [3], [3]], [[], [4], [4]], [[4], [], []], [[3, 1], [1, 4], [3, 4]], [[1, 4], [3, 1], []], [[2, 3, 4], [4], [3, 1]],
      [[129], [129], [1]], [[17], [1], [17]], [[0, 3], [1, 3], [3]], [[2, 0], [2, 1], [1]],
    ].map(([c, a, b]): OpCase => ({
      inputs: [bool(c!), f32(a!), f32(b!)],
      run: (cond, x, y) => wg.where(cond, x, y),
      oracle: ref.where,
    })),
    { name: 'views for all three', inputs: [bool([3, 4], { view: 'transpose' }), f32([3, 4], { view: 'slice' }), f32([3, 4], { view: { broadcastFrom: [4] } })], run: (c, x, y) => wg.where(c, x, y), oracle: ref.where },
    { name: 'float condition: nonzero picks a', inputs: [known([0, 1, -0.5, NaN]), f32([4]), f32([4])], run: (c, x, y) => wg.where(c, x, y), oracle: ref.where },
    { name: 'int32 branches stay int32', inputs: [bool([17]), i32([17]), i32([1])], run: (c, x, y) => wg.where(c, x, y), oracle: ref.where, tol: EXACT },
    { name: 'number branches', inputs: [bool([3, 4])], run: (c) => wg.where(c, 1, -1), oracle: (c) => ref.map(c, (v) => (v ? 1 : -1), 'float32') },
    { name: 'condition from a comparison', inputs: [f32([3, 4]), f32([3, 4])], run: (x, y) => {
      const c = wg.greater(x, 0);
      const out = wg.where(c, x, y);
      c.dispose();
      return out;
    }, oracle: (x, y) => ref.zip([x, y], (a, b) => (a > 0 ? a : b), 'float32') },
  ],
}, backends);
