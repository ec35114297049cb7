// Gradients of matrix products (src/ops/matmul.ts): plain, transposed operands,
// batched with broadcast batch dims (summed back), 1-D operands, strided views;
// and dense with bias and each fusable activation.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, gen, type Input } from '../helpers/values.js';

const backends = await backendCases();

function product(a: Input, b: Input, transposeA = false, transposeB = false): GradCase {
  const view = (x: Input) => (x.view === undefined ? '' : x.view === 'transpose' ? 'ᵀview' : ' sliced');
  return {
    name: `[${a.shape}]${view(a)} · [${b.shape}]${view(b)}${transposeA ? ' transposeA' : ''}${transposeB ? ' transposeB' : ''}`,
    inputs: [a, b],
    f: (x, y) => wg.matmul(x, y, transposeA, transposeB),
    oracle: (x, y) => ref.matmul(x, y, transposeA, transposeB),
  };
}

const ACTIVATIONS = { linear: (v: number) => v, relu: ref.relu, sigmoid: ref.sigmoid, tanh: Math.tanh } as const;

function dense(x: number[], units: number, activation: keyof typeof ACTIVATIONS, withBias = true): GradCase {
  // Pre-activations stay clear of relu's kink at 0: inputs and weights are positive or negative, never tiny.
  const g = activation === 'relu' ? gen.awayFromZero(0.3, 1) : gen.uniform(-1, 1);
  return {
    name: `x [${x}], ${units} units, ${activation}${withBias ? ', bias' : ''}`,
    inputs: [f32(x, { gen: g }), f32([x[x.length - 1]!, units], { gen: activation === 'relu' ? gen.uniform(0.2, 1) : g }), ...(withBias ? [f32([units], { gen: g })] : [])],
    f: (t, k, b) => wg.dense(t, k, { ...(b ? { bias: b } : {}), activation }),
    oracle: (t, k, b) => ref.map(b ? ref.binary(ref.matmul(t, k), b, (p, q) => p + q) : ref.matmul(t, k), ACTIVATIONS[activation]),
    ...(activation === 'relu' ? { wrt: withBias ? [0, 1, 2] : [0, 1] } : {}),
  };
}

describeGrads({
  matmul: [
    product(f32([3, 4]), f32([4, 5])),
    product(f32([1, 1]), f32([1, 1])),
    product(f32([4, 3]), f32([4, 5]), true),
    product(f32([3, 4]), f32([5, 4]), false, true),
    product(f32([4, 3]), f32([5, 4]), true, true),
    product(f32([2, 3, 4]), f32([2, 4, 5])),
    product(f32([2, 1, 3, 4]), f32([3, 4, 2])),
    product(f32([3, 4]), f32([2, 4, 5])),
    product(f32([2, 4, 3]), f32([5, 4]), true, true),
    product(f32([1, 3, 4]), f32([2, 5, 4]), false, true),
    product(f32([4]), f32([4])),
    product(f32([4]), f32([4, 3])),
    product(f32([3, 4]), f32([4])),
    product(f32([2, 3, 4]), f32([4])),
    product(f32([4]), f32([2, 4, 3])),
    product(f32([3, 4], { view: 'transpose' }), f32([4, 2], { view: 'slice' })),
    product(f32([4, 3], { view: 'transpose' }), f32([2, 4], { view: 'transpose' }), true, true),
    product(f32([17, 3]), f32([3, 2])),
    product(f32([0, 3]), f32([3, 2])),
    product(f32([3, 0]), f32([0, 2])),
  ],
  dense: [
    dense([5, 3], 4, 'linear', false),
    dense([5, 3], 4, 'linear'),
    dense([4, 3], 2, 'relu'),
    dense([4, 3], 2, 'sigmoid'),
    dense([4, 3], 2, 'tanh'),
    dense([2, 3, 3], 2, 'tanh'),
    dense([3], 2, 'sigmoid'),
  ],
}, backends);
