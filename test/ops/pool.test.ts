// Max and average pooling (src/ops/pool.ts): forward against a direct float64
// reference (test/helpers/conv-reference.ts) and gradients against finite
// differences, with TensorFlow's 'same' rule on odd sizes, overlapping windows
// (strides < poolSize), non-square pools and strides, explicit padding, a pool
// as large as the input, and strided views.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as cref from '../helpers/conv-reference.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, type Input, Rng, seedOf } from '../helpers/values.js';

const backends = await backendCases();

type Op = 'max' | 'avg';
const POOL = { max: wg.maxPool2d, avg: wg.avgPool2d } as const;

function label(op: Op, x: Input, o: wg.Pool2dOptions): string {
  const view = x.view === undefined ? '' : ` (${typeof x.view === 'string' ? x.view : 'broadcast'} view)`;
  return `${op} x [${x.shape}]${view}, ${Object.entries(o).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`;
}

/**
 * Values 0.05 apart in a seeded order: a max pool's winner is unique and a finite
 * difference step cannot change it.
 */
function distinct(shape: readonly number[], seed: string): Input {
  const n = shape.reduce((p, d) => p * d, 1);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  const rng = new Rng(seedOf(seed));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return f32(shape, { values });
}

function row(op: Op, x: Input, o: wg.Pool2dOptions): OpCase {
  return { name: label(op, x, o), inputs: [x], run: (t) => POOL[op](t, o), oracle: (t) => cref.pool2d(op, t, o) };
}

function gradRow(op: Op, shape: readonly number[], o: wg.Pool2dOptions): GradCase {
  const x = distinct(shape, `${op}${shape}${JSON.stringify(o)}`);
  return { name: label(op, x, o), inputs: [x], f: (t) => POOL[op](t, o), oracle: (t) => cref.pool2d(op, t, o) };
}

// [shape, options]: each runs for max and avg.
const CASES: readonly [readonly number[], wg.Pool2dOptions][] = [
  [[2, 4, 6, 3], { poolSize: 2 }],
  [[1, 5, 5, 2], { poolSize: 3, strides: 2, padding: 'same' }],
  [[1, 5, 4, 2], { poolSize: 3, strides: 1 }],
  [[1, 4, 5, 1], { poolSize: 3, strides: 1, padding: 'same' }],
  [[2, 5, 7, 2], { poolSize: [2, 3], strides: [1, 2], padding: 'same' }],
  [[1, 7, 5, 2], { poolSize: 2, padding: 'same' }],
  [[1, 4, 4, 2], { poolSize: 2, strides: 1, padding: [[1, 0], [0, 1]] }],
  [[1, 5, 5, 1], { poolSize: 3, strides: 2, padding: 1 }],
  [[2, 3, 4, 5], { poolSize: [3, 4] }],
  [[1, 1, 1, 3], { poolSize: 1 }],
];

const forward: OpCase[] = [];
const grads: GradCase[] = [];
for (const op of ['max', 'avg'] as const) {
  for (const [shape, o] of CASES) {
    forward.push(row(op, f32(shape), o));
    grads.push(gradRow(op, shape, o));
  }
  forward.push(row(op, f32([2, 5, 4, 3], { view: 'transpose' }), { poolSize: 2, padding: 'same' }));
  forward.push(row(op, f32([1, 4, 5, 2], { view: 'slice' }), { poolSize: 3, strides: 1 }));
  forward.push(row(op, f32([2, 16, 16, 8]), { poolSize: 3, strides: 2, padding: 'same' }));
  forward.push(row(op, f32([0, 4, 4, 2]), { poolSize: 2 }));
}
forward.push({
  name: 'known values: max and avg of 2x2 windows, same padding',
  inputs: [f32([1, 3, 3, 1], { values: [1, 2, 3, 4, 5, 6, 7, 8, 9] })],
  run: (x) => [wg.maxPool2d(x, { poolSize: 2, padding: 'same' }), wg.avgPool2d(x, { poolSize: 2, padding: 'same' })],
  // Windows at the bottom / right see only the image's last row / column (padding is not counted).
  oracle: () => [ref.nd([1, 2, 2, 1], [5, 6, 8, 9]), ref.nd([1, 2, 2, 1], [3, 4.5, 7.5, 9])],
});

describeOps({ pool2d: forward }, backends);
describeGrads({ pool2d: grads }, backends);
