// Matrix products (src/ops/matmul.ts): wg.matmul with transposes, batches with
// broadcast batch dims, 1-D operands (numpy rules), empty dims and strided views;
// and wg.dense, the fused act(x·W + b).

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { MATMUL } from '../helpers/compare.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { f32, type Input } from '../helpers/values.js';

const backends = await backendCases();

function product(a: Input, b: Input, transposeA = false, transposeB = false): OpCase {
  const flags = `${transposeA ? ' transposeA' : ''}${transposeB ? ' transposeB' : ''}`;
  const view = (x: Input) => (x.view === undefined ? '' : x.view === 'transpose' ? 'ᵀview' : x.view === 'slice' ? ' sliced' : ' broadcast');
  return {
    name: `[${a.shape}]${view(a)} · [${b.shape}]${view(b)}${flags}`,
    inputs: [a, b],
    run: (x, y) => wg.matmul(x, y, transposeA, transposeB),
    oracle: (x, y) => ref.matmul(x, y, transposeA, transposeB),
    tol: MATMUL,
  };
}

const sigmoid = (v: number) => ref.sigmoid(v);
const ACTIVATIONS = { linear: (v: number) => v, relu: ref.relu, sigmoid, tanh: Math.tanh } as const;

function denseRow(x: readonly number[], units: number, activation: keyof typeof ACTIVATIONS, withBias: boolean): OpCase {
  const inputs = [f32(x), f32([x[x.length - 1]!, units]), ...(withBias ? [f32([units])] : [])];
  return {
    name: `x [${x}], kernel [${x[x.length - 1]},${units}]${withBias ? ', bias' : ''}, ${activation}`,
    inputs,
    run: (t, k, b) => wg.dense(t, k, { ...(b ? { bias: b } : {}), activation }),
    oracle: (t, k, b) => {
      const z = ref.matmul(t, k);
      return ref.map(b ? ref.binary(z, b, (p, q) => p + q) : z, ACTIVATIONS[activation]);
    },
    tol: MATMUL,
  };
}

describeOps({
  matmul: [
    product(f32([1, 1]), f32([1, 1])),
    product(f32([3, 4]), f32([4, 5])),
    product(f32([1, 17]), f32([17, 1])),
    product(f32([17, 129]), f32([129, 3])),
    product(f32([129, 3]), f32([3, 17])),
    // Past the 32 / 64 tile edges of blocked kernels, in every dimension.
    product(f32([65, 67]), f32([67, 66])),
    product(f32([67, 65]), f32([66, 67]), true, true),
    product(f32([3, 33, 17]), f32([17, 65])),
    product(f32([0, 3]), f32([3, 4])),
    product(f32([3, 4]), f32([4, 0])),
    product(f32([3, 0]), f32([0, 4])),
    product(f32([4, 3]), f32([4, 5]), true),
    product(f32([3, 4]), f32([5, 4]), false, true),
    product(f32([4, 3]), f32([5, 4]), true, true),
    product(f32([2, 3, 4]), f32([2, 4, 5])),
    product(f32([2, 4, 3]), f32([2, 5, 4]), true, true),
    product(f32([2, 1, 3, 4]), f32([5, 4, 2])),
    product(f32([3, 4]), f32([2, 4, 5])),
    product(f32([2, 3, 4]), f32([4, 5])),
    product(f32([1, 3, 4]), f32([6, 5, 4]), false, true),
    product(f32([0, 3, 4]), f32([4, 2])),
    product(f32([4]), f32([4])),
    product(f32([17]), f32([17, 5])),
    product(f32([3, 17]), f32([17])),
    product(f32([2, 3, 4]), f32([4])),
    product(f32([4]), f32([2, 4, 5])),
    product(f32([4, 5]), f32([4]), true),
    product(f32([4]), f32([5, 4]), false, true),
    product(f32([3, 4], { view: 'transpose' }), f32([4, 5], { view: 'transpose' })),
    product(f32([4, 3], { view: 'transpose' }), f32([4, 5]), true),
    product(f32([3, 4], { view: 'slice' }), f32([4, 5], { view: 'slice' })),
    product(f32([2, 3, 4], { view: { broadcastFrom: [3, 4] } }), f32([2, 4, 5])),
    product(f32([3, 4], { view: { broadcastFrom: [3, 1] } }), f32([5, 4], { view: 'slice' }), false, true),
    {
      name: 'known values',
      inputs: [f32([2, 3], { values: [[1, 2, 3], [4, 5, 6]] }), f32([3, 2], { values: [[7, 8], [9, 10], [11, 12]] })],
      run: (a, b) => wg.matmul(a, b),
      oracle: () => ref.fromNested([[58, 64], [139, 154]]),
    },
    { name: 'tensor method with transposeB', inputs: [f32([3, 4]), f32([5, 4])], run: (a, b) => a.matmul(b, false, true), oracle: (a, b) => ref.matmul(a, b, false, true), tol: MATMUL },
  ],
  dense: [
    denseRow([5, 3], 4, 'linear', false),
    denseRow([5, 3], 4, 'linear', true),
    denseRow([17, 129], 3, 'relu', true),
    denseRow([1, 3], 1, 'sigmoid', true),
    denseRow([2, 5, 3], 4, 'tanh', true),
    denseRow([3], 4, 'relu', true),
    denseRow([0, 3], 4, 'sigmoid', true),
  ],
}, backends);
