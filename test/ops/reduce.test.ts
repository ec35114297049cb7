// Reductions (src/ops/reduce.ts) over no, one, several and all axes, negative axes,
// keepDims, empty and scalar tensors and strided views: sum, mean, max, min, prod,
// argMax, argMin and logSumExp.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { EXACT, type Tolerance } from '../helpers/compare.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { bool, f32, gen, i32, type Input, known } from '../helpers/values.js';

const backends = await backendCases();

type Axis = number | number[] | undefined;
type Reduction = (x: wg.Tensor, axis?: Axis, keepDims?: boolean) => wg.Tensor;

/** [input, axis, keepDims] for every reduction. */
const CASES: [Input, Axis, boolean][] = [
  [f32([]), undefined, false],
  [f32([1]), undefined, false],
  [f32([3]), 0, false],
  [f32([17]), -1, true],
  [f32([129]), undefined, false],
  [f32([129]), 0, true],
  [f32([3, 4]), undefined, false],
  [f32([3, 4]), undefined, true],
  [f32([3, 4]), 0, false],
  [f32([3, 4]), 1, false],
  [f32([3, 4]), -1, false],
  [f32([3, 4]), [0, 1], false],
  [f32([3, 4]), 0, true],
  [f32([3, 4]), [-1], true],
  [f32([3, 4]), [], false],
  [f32([2, 3, 4]), [0, 2], false],
  [f32([2, 3, 4]), [-1, -3], true],
  [f32([2, 3, 4]), 1, true],
  [f32([2, 3, 4]), [1, 0], false],
  [f32([2, 3, 4]), [0, 1, 2], false],
  [f32([17, 3]), 0, false],
  [f32([4, 3], { view: 'transpose' }), 0, false],
  [f32([4, 3], { view: 'transpose' }), 1, true],
  [f32([4, 5], { view: 'slice' }), 1, false],
  [f32([4, 5], { view: 'slice' }), undefined, false],
  [f32([3, 5], { view: { broadcastFrom: [1, 5] } }), 0, false],
  [f32([2, 3, 4], { view: { broadcastFrom: [3, 1] } }), [0, 2], true],
  [f32([2, 0, 3]), 0, false],
  // Sizes past the 256 / 4096 element boundaries where device reductions split their work.
  [f32([4099]), undefined, false],
  [f32([1031, 3]), 0, false],
  [f32([3, 1031]), -1, true],
];
/** Cases whose reduced axes are empty: fine for sum / mean / prod, an error for max / min. */
const EMPTY_CASES: [Input, Axis, boolean][] = [
  [f32([0]), undefined, false],
  [f32([2, 0, 3]), 1, false],
  [f32([2, 0, 3]), [1, 2], true],
];

function label(input: Input, axis: Axis, keepDims: boolean): string {
  const view = input.view === undefined ? '' : input.view === 'transpose' ? ' transposed' : input.view === 'slice' ? ' sliced' : ' broadcast';
  return `[${input.shape}]${view} axis ${JSON.stringify(axis) ?? 'all'}${keepDims ? ' keepDims' : ''}`;
}

function rows(
  run: Reduction, f: (values: number[]) => number, options: { empty?: boolean; dtype?: ref.DType; tol?: Tolerance; gen?: (x: Input) => Input; method?: Reduction } = {},
): OpCase[] {
  const cases = options.empty ? [...CASES, ...EMPTY_CASES] : CASES;
  const out: OpCase[] = cases.map(([input, axis, keepDims]) => ({
    name: label(input, axis, keepDims),
    inputs: [options.gen ? options.gen(input) : input],
    run: (x) => run(x, axis, keepDims),
    oracle: (x) => ref.reduce(x, axis, keepDims, f, options.dtype ?? x.dtype),
    ...(options.tol ? { tol: options.tol } : {}),
  }));
  const method = options.method;
  if (method) {
    out.push({ name: 'tensor method, [2,3,4] axis [0,2] keepDims', inputs: [f32([2, 3, 4])], run: (x) => method(x, [0, 2], true), oracle: (x) => ref.reduce(x, [0, 2], true, f, options.dtype ?? x.dtype) });
  }
  return out;
}

const SUM_TOL: Tolerance = { rel: 1e-5, abs: 1e-4 };

function argRows(run: (x: wg.Tensor, axis?: number) => wg.Tensor, pick: (values: number[]) => number, method: (x: wg.Tensor, axis?: number) => wg.Tensor): OpCase[] {
  const oracle = (axis: number) => (x: ref.Nd) => (x.rank === 0 ? ref.scalar(0, 'int32') : ref.reduce(x, axis, false, pick, 'int32'));
  const cases: [Input, number | undefined][] = [
    [f32([]), undefined], [f32([1]), undefined], [f32([3]), 0], [f32([17]), -1], [f32([129]), undefined],
    [f32([3, 4]), undefined], [f32([3, 4]), 1], [f32([3, 4]), -2], [f32([2, 3, 4]), 1], [f32([2, 3, 4]), -1],
    [f32([4, 3], { view: 'transpose' }), 1], [f32([4, 5], { view: 'slice' }), 0], [f32([2, 0, 3]), 2],
    [i32([17], { gen: gen.ints(-3, 3) }), 0], [bool([3, 5]), 1],
  ];
  return [
    ...cases.map(([input, axis]): OpCase => ({ name: label(input, axis, false).replace('axis undefined', 'default axis 0'), inputs: [input], run: (x) => run(x, axis), oracle: oracle(axis ?? 0), tol: EXACT })),
    { name: 'the first of equal extremes wins', inputs: [known([[1, 3, 3, 2], [5, 5, 5, 5], [-1, -4, -1, -4]])], run: (x) => run(x, 1), oracle: oracle(1), tol: EXACT },
    { name: 'NaN counts as the extreme (numpy)', inputs: [known([[1, NaN, 3, NaN], [2, 1, Infinity, -Infinity]])], run: (x) => run(x, 1), oracle: oracle(1), tol: EXACT },
    { name: 'tensor method', inputs: [f32([3, 4])], run: (x) => method(x, 1), oracle: oracle(1), tol: EXACT },
  ];
}

describeOps({
  sum: [
    ...rows((x, a, k) => wg.sum(x, a, k), ref.sumOf, { empty: true, tol: SUM_TOL, method: (x, a, k) => x.sum(a, k) }),
    ...rows((x, a, k) => wg.sum(x, a, k), ref.sumOf, { tol: EXACT, gen: (x) => ({ ...x, dtype: 'int32' }) }).slice(0, 20).map((r) => ({ ...r, name: `int32 ${r.name}` })),
    { name: 'bool counts in int32', inputs: [bool([3, 17])], run: (x) => wg.sum(x, 1), oracle: (x) => ref.sum(x, 1), tol: EXACT },
  ],
  mean: rows((x, a, k) => wg.mean(x, a, k), ref.meanOf, { empty: true, dtype: 'float32', method: (x, a, k) => x.mean(a, k) }).concat([
    { name: 'int32 input gives a float32 mean', inputs: [known([[1, 2], [4, 4]], 'int32')], run: (x) => wg.mean(x, 1), oracle: () => ref.fromNested([1.5, 4]) },
  ]),
  max: [
    ...rows((x, a, k) => wg.max(x, a, k), ref.maxOf, { method: (x, a, k) => x.max(a, k) }),
    { name: 'NaN propagates (numpy)', inputs: [known([[1, NaN, 3], [-Infinity, -1, -2]])], run: (x) => wg.max(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.maxOf) },
    { name: 'int32', inputs: [i32([3, 17], { gen: gen.ints(-100, 100) })], run: (x) => wg.max(x, -1), oracle: (x) => ref.reduce(x, -1, false, ref.maxOf), tol: EXACT },
  ],
  min: [
    ...rows((x, a, k) => wg.min(x, a, k), ref.minOf, { method: (x, a, k) => x.min(a, k) }),
    { name: 'NaN propagates (numpy)', inputs: [known([[1, NaN, 3], [Infinity, 1, 2]])], run: (x) => wg.min(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.minOf) },
    { name: 'int32', inputs: [i32([3, 17], { gen: gen.ints(-100, 100) })], run: (x) => wg.min(x, 0), oracle: (x) => ref.reduce(x, 0, false, ref.minOf), tol: EXACT },
  ],
  prod: [
    // Values near ±1 keep products of 129 elements finite and well scaled.
    // A float32 product of n factors carries about sqrt(n) roundings: allow more than one.
    ...rows((x, a, k) => wg.prod(x, a, k), ref.prodOf, { empty: true, gen: (x) => ({ ...x, gen: gen.uniform(0.8, 1.2) }), tol: { rel: 1e-4, abs: 1e-6 }, method: (x, a, k) => x.prod(a, k) }),
    { name: 'a zero makes the product zero', inputs: [known([[1, 0, 3], [-2, 2, 0.5]])], run: (x) => wg.prod(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.prodOf) },
    { name: 'int32', inputs: [i32([2, 5], { gen: gen.ints(-4, 4) })], run: (x) => wg.prod(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.prodOf), tol: EXACT },
  ],
  logSumExp: [
    ...rows((x, a, k) => wg.logSumExp(x, a, k), ref.logSumExpOf, { empty: true, method: (x, a, k) => x.logSumExp(a, k) }),
    { name: 'large values do not overflow', inputs: [known([[1000, 1000, 999], [-1000, -1000, -1e30]])], run: (x) => wg.logSumExp(x, 1), oracle: (x) => ref.reduce(x, 1, false, ref.logSumExpOf) },
    { name: 'all -Infinity gives -Infinity', inputs: [known([[-Infinity, -Infinity], [0, -Infinity]])], run: (x) => wg.logSumExp(x, -1), oracle: () => ref.fromNested([-Infinity, 0]) },
    { name: '+Infinity gives +Infinity', inputs: [known([[Infinity, 1], [Infinity, -Infinity]])], run: (x) => wg.logSumExp(x, -1), oracle: () => ref.fromNested([Infinity, Infinity]) },
  ],
  argMax: argRows((x, a) => wg.argMax(x, a), ref.argmaxOf, (x, a) => x.argMax(a)),
  argMin: argRows((x, a) => wg.argMin(x, a), ref.argminOf, (x, a) => x.argMin(a)),
}, backends);
