// One-operand ops (src/ops/unary.ts): math, activations, clip, pow with a number
// exponent, logicalNot and cast, on every layout, against float64 closed forms.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { EXACT } from '../helpers/compare.js';
import { describeOps } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { someLayouts, unaryRows } from '../helpers/rows.js';
import { bool, f32, gen, i32, known } from '../helpers/values.js';

const backends = await backendCases();

const positive = gen.uniform(0.01, 10);
const specials = known([NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 3, -7]);
const special = (run: (x: wg.Tensor) => wg.Tensor, f: (v: number) => number) => ({ name: 'NaN, ±Infinity, ±0, halves', inputs: [specials], run, oracle: (x: ref.Nd) => ref.map(x, f) });
const ints = (run: (x: wg.Tensor) => wg.Tensor, f: (v: number) => number) => unaryRows(run, f, { dtype: 'int32', layouts: someLayouts({ dtype: 'int32', gen: gen.ints(-9, 9) }), tol: EXACT });

describeOps({
  neg: [...unaryRows((x) => wg.neg(x), (v) => -v, { method: (x) => x.neg() }), ...ints((x) => wg.neg(x), (v) => -v), special((x) => wg.neg(x), (v) => -v)],
  abs: [...unaryRows((x) => wg.abs(x), Math.abs, { method: (x) => x.abs() }), ...ints((x) => wg.abs(x), Math.abs), special((x) => wg.abs(x), Math.abs)],
  sign: [...unaryRows((x) => wg.sign(x), ref.sign, { method: (x) => x.sign() }), ...ints((x) => wg.sign(x), ref.sign), special((x) => wg.sign(x), ref.sign)],
  exp: [...unaryRows((x) => wg.exp(x), Math.exp, { gen: gen.uniform(-8, 8), method: (x) => x.exp() }), special((x) => wg.exp(x), Math.exp)],
  log: [...unaryRows((x) => wg.log(x), Math.log, { gen: positive, method: (x) => x.log() }), special((x) => wg.log(x), Math.log)],
  log1p: unaryRows((x) => wg.log1p(x), Math.log1p, { gen: gen.uniform(-0.99, 5), method: (x) => x.log1p() }),
  expm1: unaryRows((x) => wg.expm1(x), Math.expm1, { gen: gen.uniform(-5, 5), method: (x) => x.expm1() }),
  sqrt: [...unaryRows((x) => wg.sqrt(x), Math.sqrt, { gen: gen.uniform(0, 10), method: (x) => x.sqrt() }), special((x) => wg.sqrt(x), Math.sqrt)],
  rsqrt: unaryRows((x) => wg.rsqrt(x), (v) => 1 / Math.sqrt(v), { gen: positive, method: (x) => x.rsqrt() }),
  square: [...unaryRows((x) => wg.square(x), (v) => v * v, { method: (x) => x.square() }), ...ints((x) => wg.square(x), (v) => v * v)],
  reciprocal: [...unaryRows((x) => wg.reciprocal(x), (v) => 1 / v, { gen: gen.awayFromZero(), method: (x) => x.reciprocal() }), special((x) => wg.reciprocal(x), (v) => 1 / v)],
  floor: [...unaryRows((x) => wg.floor(x), Math.floor, { gen: gen.uniform(-5, 5), method: (x) => x.floor() }), ...ints((x) => wg.floor(x), (v) => v), special((x) => wg.floor(x), Math.floor)],
  ceil: [...unaryRows((x) => wg.ceil(x), Math.ceil, { gen: gen.uniform(-5, 5), method: (x) => x.ceil() }), special((x) => wg.ceil(x), Math.ceil)],
  round: [
    ...unaryRows((x) => wg.round(x), ref.roundHalfEven, { gen: gen.uniform(-5, 5), method: (x) => x.round() }),
    special((x) => wg.round(x), ref.roundHalfEven),
    {
      name: 'halves go to the even neighbour (numpy, PyTorch)',
      inputs: [known([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.49999997, 2.5000002, 4194304.5])],
      run: (x) => wg.round(x),
      oracle: () => ref.fromNested([0, 2, 2, 4, -0, -2, -2, 0, 3, 4194304]),
    },
  ],
  sin: unaryRows((x) => wg.sin(x), Math.sin, { gen: gen.uniform(-6, 6), method: (x) => x.sin() }),
  cos: unaryRows((x) => wg.cos(x), Math.cos, { gen: gen.uniform(-6, 6), method: (x) => x.cos() }),
  relu: [...unaryRows((x) => wg.relu(x), ref.relu, { method: (x) => x.relu() }), ...ints((x) => wg.relu(x), ref.relu), special((x) => wg.relu(x), ref.relu)],
  leakyRelu: [
    ...unaryRows((x) => wg.leakyRelu(x), ref.leakyRelu(0.2), { method: (x) => x.leakyRelu() }),
    ...unaryRows((x) => wg.leakyRelu(x, 0.01), ref.leakyRelu(0.01), { layouts: someLayouts(), method: (x) => x.leakyRelu(0.01) }),
  ],
  elu: [
    ...unaryRows((x) => wg.elu(x), ref.elu(1), { gen: gen.uniform(-6, 3), method: (x) => x.elu() }),
    ...unaryRows((x) => wg.elu(x, 0.5), ref.elu(0.5), { layouts: someLayouts({ gen: gen.uniform(-6, 3) }), method: (x) => x.elu(0.5) }),
  ],
  gelu: unaryRows((x) => wg.gelu(x), ref.gelu, { gen: gen.uniform(-6, 6), method: (x) => x.gelu() }),
  geluTanh: unaryRows((x) => wg.gelu(x, { approximate: 'tanh' }), ref.geluTanh, { gen: gen.uniform(-9, 9) }),
  sigmoid: [...unaryRows((x) => wg.sigmoid(x), ref.sigmoid, { gen: gen.uniform(-12, 12), method: (x) => x.sigmoid() }), special((x) => wg.sigmoid(x), ref.sigmoid)],
  tanh: [...unaryRows((x) => wg.tanh(x), Math.tanh, { gen: gen.uniform(-6, 6), method: (x) => x.tanh() }), special((x) => wg.tanh(x), Math.tanh)],
  softplus: [
    ...unaryRows((x) => wg.softplus(x), ref.softplus, { gen: gen.uniform(-30, 30), method: (x) => x.softplus() }),
    { name: 'large |x| does not overflow', inputs: [known([-100, -30, 0, 30, 100, 1e30])], run: (x) => wg.softplus(x), oracle: (x) => ref.map(x, ref.softplus) },
  ],
  clipByValue: [
    ...unaryRows((x) => wg.clipByValue(x, -0.5, 1), (v) => Math.min(Math.max(v, -0.5), 1), { method: (x) => x.clipByValue(-0.5, 1) }),
    ...ints((x) => wg.clipByValue(x, -3, 4), (v) => Math.min(Math.max(v, -3), 4)),
    { name: 'clip alias and method', inputs: [f32([3, 17])], run: (x) => wg.clip(x, 0, 0.5), oracle: (x) => ref.map(x, (v) => Math.min(Math.max(v, 0), 0.5)) },
    { name: 'tensor method clip', inputs: [f32([3, 17])], run: (x) => x.clip(0, 0.5), oracle: (x) => ref.map(x, (v) => Math.min(Math.max(v, 0), 0.5)) },
    special((x) => wg.clipByValue(x, -1, 2), (v) => (Number.isNaN(v) ? NaN : Math.min(Math.max(v, -1), 2))),
  ],
  'pow (number exponent)': [
    ...unaryRows((x) => wg.pow(x, 2), (v) => v ** 2, { method: (x) => x.pow(2) }),
    ...unaryRows((x) => wg.pow(x, 0.5), Math.sqrt, { layouts: someLayouts({ gen: gen.uniform(0, 4) }) }),
    ...unaryRows((x) => wg.pow(x, 3), (v) => v ** 3, { layouts: someLayouts() }),
    ...unaryRows((x) => wg.pow(x, -1.5), (v) => v ** -1.5, { layouts: someLayouts({ gen: positive }) }),
    ...unaryRows((x) => wg.pow(x, 0), () => 1, { layouts: someLayouts() }),
    { name: 'negative base, fractional exponent is NaN', inputs: [known([-8, -1, 0, 8])], run: (x) => wg.pow(x, 1 / 3), oracle: (x) => ref.map(x, (v) => Math.pow(v, 1 / 3)) },
    { name: 'int32 base', inputs: [i32([17], { gen: gen.ints(-4, 4) })], run: (x) => wg.pow(x, 2), oracle: (x) => ref.map(x, (v) => v * v), tol: EXACT },
    { name: 'int32 base, fractional exponent gives float32', inputs: [i32([17], { gen: gen.ints(0, 9) })], run: (x) => wg.pow(x, 0.5), oracle: (x) => ref.map(x, Math.sqrt, 'float32') },
  ],
  logicalNot: [
    ...unaryRows((x) => wg.logicalNot(x), (v) => (v === 0 ? 1 : 0), { dtype: 'bool', outDtype: 'bool', tol: EXACT, method: (x) => x.logicalNot() }),
    ...unaryRows((x) => wg.logicalNot(x), (v) => (v === 0 ? 1 : 0), { layouts: someLayouts({ gen: gen.oneOf([0, -0, 1, -2.5, NaN]) }), outDtype: 'bool', tol: EXACT }),
  ],
  cast: [
    ...unaryRows((x) => wg.cast(x, 'int32'), (v) => (Number.isFinite(v) ? Math.trunc(v) : 0), { gen: gen.uniform(-9, 9), outDtype: 'int32', tol: EXACT, method: (x) => x.cast('int32') }),
    ...unaryRows((x) => wg.cast(x, 'bool'), (v) => (v !== 0 ? 1 : 0), { layouts: someLayouts({ gen: gen.oneOf([0, -0, 1, -2.5, NaN]) }), outDtype: 'bool', tol: EXACT }),
    ...unaryRows((x) => wg.cast(x, 'float32'), (v) => v, { layouts: someLayouts({ dtype: 'int32' }), outDtype: 'float32', tol: EXACT }),
    ...unaryRows((x) => wg.cast(x, 'float32'), (v) => v, { layouts: someLayouts({ dtype: 'bool' }), outDtype: 'float32', tol: EXACT }),
    ...unaryRows((x) => wg.cast(x, 'bool'), (v) => (v !== 0 ? 1 : 0), { layouts: someLayouts({ dtype: 'int32', gen: gen.ints(-2, 2) }), outDtype: 'bool', tol: EXACT }),
    ...unaryRows((x) => wg.cast(x, 'float32'), (v) => v, { layouts: someLayouts(), tol: EXACT }),
    { name: 'bool to int32', inputs: [bool([17])], run: (x) => wg.cast(x, 'int32'), oracle: (x) => ref.cast(x, 'int32'), tol: EXACT },
  ],
}, backends);
