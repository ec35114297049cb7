// Transposed convolution (src/ops/conv-transpose.ts): forward against a direct float64
// scatter (test/helpers/conv-reference.ts) and gradients of x, filter and bias against
// finite differences, on strides 1 and 2 (and non-square), 'same' with even and odd
// kernels, dilation, explicit asymmetric padding, an explicit output shape, 1x1.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { MATMUL } from '../helpers/compare.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as cref from '../helpers/conv-reference.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, type Input } from '../helpers/values.js';

const backends = await backendCases();

type Options = Omit<wg.Conv2dTransposeOptions, 'bias'> & { bias?: boolean };
const ACTIVATIONS = { linear: (v: number) => v, relu: ref.relu, sigmoid: ref.sigmoid, tanh: Math.tanh } as const;

function label(x: Input, filter: readonly number[], o: Options): string {
  const parts = [`x [${x.shape}]`, `filter [${filter}]`];
  for (const [key, value] of Object.entries(o)) parts.push(key === 'bias' ? 'bias' : `${key} ${JSON.stringify(value)}`);
  return parts.join(', ');
}

function parts(x: Input, filter: readonly number[], o: Options) {
  const { bias: withBias, ...rest } = o;
  return {
    name: label(x, filter, o),
    inputs: [x, f32(filter), ...(withBias ? [f32([filter[2]!])] : [])],
    run: (t: wg.Tensor, f: wg.Tensor, b?: wg.Tensor) => wg.conv2dTranspose(t, f, { ...rest, ...(b ? { bias: b } : {}) }),
    oracle: (t: ref.Nd, f: ref.Nd, b?: ref.Nd) => {
      let y = cref.conv2dTranspose(t, f, {
        ...(o.strides !== undefined ? { strides: o.strides } : {}),
        ...(o.dilation !== undefined ? { dilation: o.dilation } : {}),
        ...(o.padding !== undefined ? { padding: o.padding } : {}),
        ...(o.outputShape ? { size: [o.outputShape[1], o.outputShape[2]] as const } : {}),
      });
      if (b) y = ref.binary(y, b, (p, q) => p + q);
      return ref.map(y, ACTIVATIONS[o.activation ?? 'linear']);
    },
  };
}

const row = (x: Input, filter: readonly number[], o: Options = {}): OpCase => {
  const p = parts(x, filter, o);
  return { name: p.name, inputs: p.inputs, run: p.run, oracle: p.oracle, tol: MATMUL };
};
const gradRow = (x: Input, filter: readonly number[], o: Options = {}): GradCase => {
  const p = parts(x, filter, o);
  return { name: p.name, inputs: p.inputs, f: p.run, oracle: p.oracle };
};

const CASES: readonly [Input, readonly number[], Options][] = [
  [f32([1, 3, 3, 2]), [3, 3, 4, 2], {}],
  [f32([2, 3, 4, 3]), [3, 3, 2, 3], { strides: 2, padding: 'same' }],
  [f32([1, 4, 3, 2]), [2, 2, 3, 2], { strides: 2, padding: 'same', bias: true }],
  [f32([1, 3, 3, 1]), [4, 4, 2, 1], { strides: [2, 1], padding: 'same' }],
  [f32([1, 3, 4, 2]), [3, 2, 2, 2], { strides: 2 }],
  [f32([1, 4, 4, 2]), [3, 3, 2, 2], { dilation: 2, padding: 'same' }],
  [f32([1, 3, 3, 2]), [3, 3, 2, 2], { strides: 2, padding: [[1, 0], [0, 2]] }],
  [f32([1, 3, 3, 2]), [3, 3, 2, 2], { strides: 2, padding: 'same', outputShape: [1, 5, 6, 2] }],
  [f32([2, 3, 3, 3]), [1, 1, 4, 3], { bias: true, activation: 'tanh' }],
  [f32([1, 2, 3, 2]), [3, 3, 3, 2], { strides: 2, padding: 'valid', outputShape: [1, 6, 8, 3], activation: 'sigmoid' }],
];

describeOps({
  conv2dTranspose: [
    ...CASES.map(([x, f, o]) => row(x, f, o)),
    row(f32([2, 8, 8, 8]), [3, 3, 16, 8], { strides: 2, padding: 'same', bias: true, activation: 'relu' }),
    row(f32([0, 3, 3, 2]), [3, 3, 2, 2], { strides: 2, padding: 'same' }),
    {
      name: 'known values: a 2x2 ones filter with stride 2 repeats each pixel',
      inputs: [f32([1, 2, 2, 1], { values: [1, 2, 3, 4] }), f32([2, 2, 1, 1], { values: [1, 1, 1, 1] })],
      run: (x, f) => wg.conv2dTranspose(x, f, { strides: 2 }),
      oracle: () => ref.nd([1, 4, 4, 1], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]),
    },
  ],
}, backends);

describeGrads({ conv2dTranspose: CASES.map(([x, f, o]) => gradRow(x, f, o)) }, backends);
