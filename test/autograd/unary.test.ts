// Gradients of one-operand ops (src/ops/unary.ts) against float64 finite differences,
// on scalars, odd sizes, empty tensors and strided views. Inputs keep clear of each
// op's kinks (0 for abs / relu, integers for floor, the bounds for clip).

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, type Gen, gen, known } from '../helpers/values.js';

const backends = await backendCases();

function rows(f: (x: wg.Tensor) => wg.Tensor, scalar: (v: number) => number, g: Gen = gen.uniform(-2, 2)): GradCase[] {
  const oracle = (x: ref.Nd) => ref.map(x, scalar);
  return [
    f32([], { gen: g }), f32([3], { gen: g }), f32([17], { gen: g }), f32([0], { gen: g }), f32([2, 3], { gen: g }),
    f32([3, 4], { gen: g, view: 'transpose' }), f32([3, 4], { gen: g, view: 'slice' }),
  ].map((input) => ({ inputs: [input], f, oracle }));
}

const awayFromZero = gen.awayFromZero(0.05, 2);
const positive = gen.uniform(0.2, 3);

describeGrads({
  neg: rows((x) => wg.neg(x), (v) => -v),
  abs: rows((x) => wg.abs(x), Math.abs, awayFromZero),
  sign: rows((x) => wg.sign(x), ref.sign, awayFromZero),
  exp: rows((x) => wg.exp(x), Math.exp),
  log: rows((x) => wg.log(x), Math.log, positive),
  log1p: rows((x) => wg.log1p(x), Math.log1p, gen.uniform(-0.8, 3)),
  expm1: rows((x) => wg.expm1(x), Math.expm1),
  sqrt: rows((x) => wg.sqrt(x), Math.sqrt, positive),
  rsqrt: rows((x) => wg.rsqrt(x), (v) => 1 / Math.sqrt(v), positive),
  square: rows((x) => wg.square(x), (v) => v * v),
  reciprocal: rows((x) => wg.reciprocal(x), (v) => 1 / v, gen.awayFromZero(0.3, 2)),
  floor: rows((x) => wg.floor(x), Math.floor, gen.awayFromGrid(-3, 3, 1, 0, 0.05)),
  ceil: rows((x) => wg.ceil(x), Math.ceil, gen.awayFromGrid(-3, 3, 1, 0, 0.05)),
  round: rows((x) => wg.round(x), ref.roundHalfEven, gen.awayFromGrid(-3, 3, 1, 0.5, 0.05)),
  sin: rows((x) => wg.sin(x), Math.sin, gen.uniform(-4, 4)),
  cos: rows((x) => wg.cos(x), Math.cos, gen.uniform(-4, 4)),
  relu: [
    ...rows((x) => wg.relu(x), ref.relu, awayFromZero),
    { name: 'gradient at exactly 0 is 0 (PyTorch)', inputs: [known([0, 0])], f: (x) => wg.relu(x), oracle: (x) => ref.map(x, (v) => 0 * v), h: 1e-9 },
  ],
  leakyRelu: [...rows((x) => wg.leakyRelu(x), ref.leakyRelu(0.2), awayFromZero), ...rows((x) => wg.leakyRelu(x, 0.05), ref.leakyRelu(0.05), awayFromZero).slice(1, 3)],
  elu: [...rows((x) => wg.elu(x), ref.elu(1), awayFromZero), ...rows((x) => wg.elu(x, 0.5), ref.elu(0.5), awayFromZero).slice(1, 3)],
  gelu: rows((x) => wg.gelu(x), ref.gelu, gen.uniform(-4, 4)),
  geluTanh: rows((x) => wg.gelu(x, { approximate: 'tanh' }), ref.geluTanh, gen.uniform(-5, 5)),
  sigmoid: rows((x) => wg.sigmoid(x), ref.sigmoid, gen.uniform(-6, 6)),
  tanh: rows((x) => wg.tanh(x), Math.tanh, gen.uniform(-3, 3)),
  softplus: rows((x) => wg.softplus(x), ref.softplus, gen.uniform(-6, 6)),
  clipByValue: rows((x) => wg.clipByValue(x, -0.5, 1), (v) => Math.min(Math.max(v, -0.5), 1), gen.awayFromGrid(-2, 2, 0.5, 0, 0.05)),
  'pow (number exponent)': [
    ...rows((x) => wg.pow(x, 2), (v) => v ** 2),
    ...rows((x) => wg.pow(x, 3), (v) => v ** 3).slice(1, 3),
    ...rows((x) => wg.pow(x, 0.5), Math.sqrt, positive).slice(1, 3),
    ...rows((x) => wg.pow(x, -1.5), (v) => v ** -1.5, positive).slice(1, 3),
  ],
  'cast to float32 (identity)': rows((x) => wg.cast(x, 'float32'), (v) => v),
}, backends);
