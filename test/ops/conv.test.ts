// 2-D convolution (src/ops/conv.ts): forward against a direct float64 convolution
// (test/helpers/conv-reference.ts, no im2col) and gradients of x, filter and bias
// against finite differences, on the awkward geometries: 'same' with stride 2 and
// even kernels, non-square strides, dilation, groups and depthwise, 1x1 (the
// matmul-only path), a kernel as large as the input, batch 1, explicit asymmetric
// padding, fused bias and activation, strided views.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { MATMUL } from '../helpers/compare.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as cref from '../helpers/conv-reference.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, type Input } from '../helpers/values.js';

const backends = await backendCases();

type Options = Omit<wg.Conv2dOptions, 'bias'> & { bias?: boolean };
const ACTIVATIONS = { linear: (v: number) => v, relu: ref.relu, sigmoid: ref.sigmoid, tanh: Math.tanh } as const;

function label(x: Input, filter: readonly number[], o: Options): string {
  const parts = [`x [${x.shape}]${x.view === undefined ? '' : ` (${typeof x.view === 'string' ? x.view : 'broadcast'} view)`}`, `filter [${filter}]`];
  for (const key of ['strides', 'padding', 'dilation', 'groups', 'activation'] as const) {
    if (o[key] !== undefined) parts.push(`${key} ${JSON.stringify(o[key])}`);
  }
  if (o.bias) parts.push('bias');
  return parts.join(', ');
}

function call(o: Options) {
  return (x: wg.Tensor, f: wg.Tensor, b?: wg.Tensor): wg.Tensor => {
    const { bias: _, ...rest } = o;
    return wg.conv2d(x, f, { ...rest, ...(b ? { bias: b } : {}) });
  };
}

function oracle(o: Options) {
  return (x: ref.Nd, f: ref.Nd, b?: ref.Nd): ref.Nd => {
    const y = cref.conv2d(x, f, {
      ...(o.strides !== undefined ? { strides: o.strides } : {}),
      ...(o.dilation !== undefined ? { dilation: o.dilation } : {}),
      ...(o.padding !== undefined ? { padding: o.padding } : {}),
      ...(o.groups !== undefined ? { groups: o.groups } : {}),
      ...(b ? { bias: b } : {}),
    });
    return ref.map(y, ACTIVATIONS[o.activation ?? 'linear']);
  };
}

function inputsOf(x: Input, filter: readonly number[], o: Options): Input[] {
  return [x, f32(filter), ...(o.bias ? [f32([filter[3]!])] : [])];
}

function row(x: Input, filter: readonly number[], o: Options = {}): OpCase {
  return { name: label(x, filter, o), inputs: inputsOf(x, filter, o), run: call(o), oracle: oracle(o), tol: MATMUL };
}

function gradRow(x: Input, filter: readonly number[], o: Options = {}): GradCase {
  return { name: label(x, filter, o), inputs: inputsOf(x, filter, o), f: call(o), oracle: oracle(o) };
}

// Shapes shared by the forward and gradient tables: [x, filter, options].
const CASES: readonly [Input, readonly number[], Options][] = [
  [f32([1, 5, 5, 2]), [3, 3, 2, 3], {}],
  [f32([2, 6, 7, 3]), [2, 2, 3, 4], { strides: 2, padding: 'same' }],
  [f32([1, 5, 5, 1]), [4, 4, 1, 2], { strides: 2, padding: 'same' }],
  [f32([2, 7, 6, 2]), [3, 2, 2, 3], { strides: [2, 1] }],
  [f32([1, 7, 6, 2]), [3, 3, 2, 2], { dilation: 2, padding: 'same' }],
  [f32([1, 7, 7, 1]), [2, 3, 1, 2], { dilation: [2, 1], strides: [1, 2] }],
  [f32([2, 5, 5, 4]), [3, 3, 2, 6], { groups: 2, padding: 'same' }],
  [f32([1, 6, 6, 3]), [3, 3, 1, 6], { groups: 3, strides: 2, padding: 'same' }],
  [f32([1, 5, 4, 3]), [3, 3, 1, 3], { groups: 3, padding: 1 }],
  [f32([2, 4, 4, 3]), [1, 1, 3, 5], {}],
  [f32([1, 5, 5, 3]), [1, 1, 3, 2], { strides: 2 }],
  [f32([2, 4, 5, 2]), [4, 5, 2, 3], {}],
  [f32([1, 5, 4, 2]), [3, 3, 2, 2], { padding: [[1, 0], [2, 1]] }],
  [f32([1, 6, 5, 2]), [3, 3, 2, 2], { padding: 1, strides: 2 }],
  [f32([2, 5, 5, 2]), [3, 3, 2, 3], { padding: 'same', bias: true, activation: 'tanh' }],
  [f32([1, 4, 4, 4]), [2, 2, 2, 4], { groups: 2, bias: true, activation: 'sigmoid' }],
  [f32([1, 3, 3, 2]), [1, 1, 2, 3], { bias: true }],
  [f32([2, 4, 5, 3], { view: 'transpose' }), [3, 3, 3, 2], { padding: 'same' }],
  [f32([1, 4, 4, 2], { view: 'slice' }), [2, 2, 1, 2], { strides: 2, groups: 2 }],
];

describeOps({
  conv2d: [
    ...CASES.map(([x, f, o]) => row(x, f, o)),
    row(f32([2, 5, 5, 2]), [3, 3, 2, 4], { padding: 'same', bias: true, activation: 'relu' }),
    // Large enough for the blocked / tiled products and for parts split across threads.
    row(f32([2, 12, 12, 8]), [3, 3, 8, 16], { padding: 'same', bias: true, activation: 'relu' }),
    row(f32([1, 9, 9, 16]), [3, 3, 1, 16], { groups: 16, padding: 'same' }),
    row(f32([0, 4, 4, 2]), [3, 3, 2, 2], { padding: 'same' }),
    {
      name: 'known values: a 2x2 box filter',
      inputs: [f32([1, 3, 3, 1], { values: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), f32([2, 2, 1, 1], { values: [1, 1, 1, 1] })],
      run: (x, f) => wg.conv2d(x, f),
      oracle: () => ref.nd([1, 2, 2, 1], [12, 16, 24, 28]),
    },
  ],
}, backends);

describeGrads({ conv2d: CASES.map(([x, f, o]) => gradRow(x, f, o)) }, backends);
