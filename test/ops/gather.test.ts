// Indexing (src/ops/gather.ts): gather along any axis with indices of any shape,
// repeated and out-of-range indices, strided views; and oneHot.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { EXACT } from '../helpers/compare.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { f32, gen, i32, type Input, known } from '../helpers/values.js';

const backends = await backendCases();

function gatherRow(x: Input, indices: Input, axis?: number): OpCase {
  return {
    name: `x [${x.shape}]${x.view ? ` (${typeof x.view === 'string' ? x.view : 'broadcast'} view)` : ''}, indices [${indices.shape}], axis ${axis ?? 'default 0'}`,
    inputs: [x, indices],
    run: (t, i) => wg.gather(t, i, axis),
    oracle: (t, i) => ref.gather(t, i, axis ?? 0),
    tol: EXACT,
  };
}

const idx = (shape: number[], hi: number): Input => i32(shape, { gen: gen.ints(0, hi - 1) });

describeOps({
  gather: [
    gatherRow(f32([5]), idx([3], 5)),
    gatherRow(f32([129]), idx([17], 129)),
    gatherRow(f32([5, 3]), idx([4], 5)),
    gatherRow(f32([5, 3]), idx([4], 3), 1),
    gatherRow(f32([2, 5, 3]), idx([2, 3], 5), 1),
    gatherRow(f32([2, 5, 3]), idx([7], 3), -1),
    gatherRow(f32([5, 3]), idx([], 5)),
    gatherRow(f32([5, 3]), idx([0], 5)),
    gatherRow(f32([0, 3]), i32([0]), 0),
    gatherRow(f32([5, 3], { view: 'transpose' }), idx([4], 5)),
    gatherRow(f32([5, 4], { view: 'slice' }), idx([6], 4), 1),
    gatherRow(i32([5, 3]), idx([4], 5)),
    gatherRow(f32([4, 3]), known([3, 3, 0, 3], 'int32')),
    { name: 'out-of-range indices give 0', inputs: [f32([4, 2]), known([-1, 4, 1, 100], 'int32')], run: (t, i) => wg.gather(t, i), oracle: (t, i) => ref.gather(t, i), tol: EXACT },
    { name: 'indices as a plain array', inputs: [f32([4, 3])], run: (t) => wg.gather(t, [2, 0, 2]), oracle: (t) => ref.gather(t, ref.fromNested([2, 0, 2], 'int32')), tol: EXACT },
    { name: 'tensor method', inputs: [f32([4, 3]), idx([2, 2], 3)], run: (t, i) => t.gather(i, 1), oracle: (t, i) => ref.gather(t, i, 1), tol: EXACT },
  ],
  oneHot: [
    { name: 'indices [5], depth 3', inputs: [idx([5], 3)], run: (i) => wg.oneHot(i, 3), oracle: (i) => ref.oneHot(i, 3), tol: EXACT },
    { name: 'indices [2,3], depth 17', inputs: [idx([2, 3], 17)], run: (i) => wg.oneHot(i, 17), oracle: (i) => ref.oneHot(i, 17), tol: EXACT },
    { name: 'scalar index', inputs: [idx([], 4)], run: (i) => wg.oneHot(i, 4), oracle: (i) => ref.oneHot(i, 4), tol: EXACT },
    { name: 'on / off values', inputs: [idx([129], 10)], run: (i) => wg.oneHot(i, 10, 0.9, 0.01), oracle: (i) => ref.oneHot(i, 10, 0.9, 0.01) },
    { name: 'out-of-range indices give a row of offValue', inputs: [known([-1, 3, 1], 'int32')], run: (i) => wg.oneHot(i, 3, 5, -5), oracle: (i) => ref.oneHot(i, 3, 5, -5), tol: EXACT },
    { name: 'empty indices', inputs: [i32([0])], run: (i) => wg.oneHot(i, 3), oracle: (i) => ref.oneHot(i, 3), tol: EXACT },
    { name: 'indices as a plain array', inputs: [], run: () => wg.oneHot([0, 2], 3), oracle: () => ref.fromNested([[1, 0, 0], [0, 0, 1]]), tol: EXACT },
    { name: 'sliced view of indices', inputs: [i32([3, 4], { view: 'slice', gen: gen.ints(0, 4) })], run: (i) => wg.oneHot(i, 5), oracle: (i) => ref.oneHot(i, 5), tol: EXACT },
  ],
}, backends);
