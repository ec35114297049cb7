// Gradients of rearranging ops (src/ops/shape.ts): views map gradients back
// (reshape, transpose, expandDims, squeeze, broadcastTo sums), slices scatter into
// zeros, concat / stack / split / unstack route each part, pad crops, tile sums.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32 } from '../helpers/values.js';

const backends = await backendCases();

const T = { view: 'transpose' } as const;
const S = { view: 'slice' } as const;
const row = (name: string, inputs: GradCase['inputs'], f: GradCase['f'], oracle: GradCase['oracle']): GradCase => ({ name, inputs, f, oracle });

describeGrads({
  reshape: [
    row('[3,4] to [2,-1]', [f32([3, 4])], (x) => wg.reshape(x, [2, -1]), (x) => ref.reshape(x, [2, 6])),
    row('transposed view to [12] (copies)', [f32([3, 4], T)], (x) => wg.reshape(x, [12]), (x) => ref.reshape(x, [12])),
    row('scalar to [1,1]', [f32([])], (x) => wg.reshape(x, [1, 1]), (x) => ref.reshape(x, [1, 1])),
  ],
  transpose: [
    row('[3,4]', [f32([3, 4])], (x) => wg.transpose(x), (x) => ref.transpose(x)),
    row('[2,3,4] perm [2,0,1]', [f32([2, 3, 4])], (x) => wg.transpose(x, [2, 0, 1]), (x) => ref.transpose(x, [2, 0, 1])),
    row('sliced view', [f32([3, 4], S)], (x) => wg.transpose(x), (x) => ref.transpose(x)),
  ],
  expandDims: [row('[3,4] axis 1', [f32([3, 4])], (x) => wg.expandDims(x, 1), (x) => ref.expandDims(x, 1))],
  squeeze: [row('[1,3,1]', [f32([1, 3, 1])], (x) => wg.squeeze(x), (x) => ref.reshape(x, [3]))],
  broadcastTo: [
    row('[3,1] to [2,3,4]: summed back', [f32([3, 1])], (x) => wg.broadcastTo(x, [2, 3, 4]), (x) => ref.broadcastTo(x, [2, 3, 4])),
    row('scalar to [17]', [f32([])], (x) => wg.broadcastTo(x, [17]), (x) => ref.broadcastTo(x, [17])),
    row('transposed view [4,1] to [4,3]', [f32([4, 1], T)], (x) => wg.broadcastTo(x, [4, 3]), (x) => ref.broadcastTo(x, [4, 3])),
  ],
  slice: [
    row('[5,6] begin [1,2] size [3,-1]', [f32([5, 6])], (x) => wg.slice(x, [1, 2], [3, -1]), (x) => ref.slice(x, [1, 2], [3, -1])),
    row('[17] begin 16', [f32([17])], (x) => wg.slice(x, 16), (x) => ref.slice(x, [16], [-1])),
    row('empty slice', [f32([4])], (x) => wg.slice(x, 2, 0), (x) => ref.slice(x, [2], [0])),
    row('slice of a transposed view', [f32([5, 6], T)], (x) => wg.slice(x, [1, 1], [3, 4]), (x) => ref.slice(x, [1, 1], [3, 4])),
    row('two overlapping slices add up', [f32([6])], (x) => wg.concat([wg.slice(x, 0, 4), wg.slice(x, 2, 4)]), (x) => ref.concat([ref.slice(x, [0], [4]), ref.slice(x, [2], [4])])),
    // Slices of one tensor that do not overlap are written into one gradient (zeros only
    // in the gaps); these mix them with gaps, a direct use, an overlap and nesting.
    row('disjoint slices with gaps, and the tensor itself', [f32([7])],
      (x) => wg.concat([wg.slice(x, 0, 2), wg.square(wg.slice(x, 4, 2)), x]),
      (x) => ref.concat([ref.slice(x, [0], [2]), ref.map(ref.slice(x, [4], [2]), (v) => v * v), x])),
    row('three disjoint slices covering it, then one overlapping them', [f32([7])],
      (x) => wg.concat([wg.slice(x, 0, 2), wg.slice(x, 2, 3), wg.mul(wg.slice(x, 5, 2), 3), wg.square(wg.slice(x, 1, 3))]),
      (x) => ref.concat([ref.slice(x, [0], [5]), ref.map(ref.slice(x, [5], [2]), (v) => 3 * v), ref.map(ref.slice(x, [1], [3]), (v) => v * v)])),
    row('rows of a slice of a transposed view, some unused', [f32([6, 4], T)],
      (x) => {
        const rows = wg.unstack(wg.slice(x, [1, 0], [4, 4]), 0);
        return wg.stack([wg.mul(rows[0]!, 2), wg.square(rows[2]!), rows[3]!]);
      },
      (x) => ref.stack([
        ref.map(ref.reshape(ref.slice(x, [1, 0], [1, 4]), [4]), (v) => 2 * v),
        ref.map(ref.reshape(ref.slice(x, [3, 0], [1, 4]), [4]), (v) => v * v),
        ref.reshape(ref.slice(x, [4, 0], [1, 4]), [4]),
      ])),
  ],
  pad: [
    row('[2,3] with [[1,0],[2,1]]', [f32([2, 3])], (x) => wg.pad(x, [[1, 0], [2, 1]], 5), (x) => ref.pad(x, [[1, 0], [2, 1]], 5)),
    row('transposed view', [f32([3, 2], T)], (x) => wg.pad(x, [[0, 2], [1, 1]]), (x) => ref.pad(x, [[0, 2], [1, 1]])),
  ],
  concat: [
    row('[2,3] and [2,5] on axis 1', [f32([2, 3]), f32([2, 5])], (a, b) => wg.concat([a, b], 1), (a, b) => ref.concat([a, b], 1)),
    row('three on axis 0 with an empty part', [f32([1, 3]), f32([0, 3]), f32([2, 3])], (a, b, c) => wg.concat([a, b, c]), (a, b, c) => ref.concat([a, b, c])),
    row('the same tensor twice', [f32([3])], (a) => wg.concat([a, a]), (a) => ref.concat([a, a])),
    row('views', [f32([3, 4], T), f32([3, 2], S)], (a, b) => wg.concat([a, b], -1), (a, b) => ref.concat([a, b], 1)),
  ],
  stack: [
    row('two [2,3] on axis 1', [f32([2, 3]), f32([2, 3])], (a, b) => wg.stack([a, b], 1), (a, b) => ref.stack([a, b], 1)),
    row('scalars', [f32([]), f32([])], (a, b) => wg.stack([a, b]), (a, b) => ref.stack([a, b])),
  ],
  unstack: [
    row('[3,4] axis 1, parts weighted 1..4', [f32([3, 4])],
      (x) => wg.stack(wg.unstack(x, 1).map((p, i) => wg.mul(p, i + 1))),
      (x) => ref.stack([0, 1, 2, 3].map((i) => ref.map(ref.reshape(ref.slice(x, [0, i], [3, 1]), [3]), (v) => v * (i + 1))))),
  ],
  split: [
    row('[2,7] into [2,5] on axis 1, second part squared', [f32([2, 7])],
      (x) => {
        const [a, b] = wg.split(x, [2, 5], 1);
        return wg.concat([a!, wg.square(b!)], 1);
      },
      (x) => ref.concat([ref.slice(x, [0, 0], [2, 2]), ref.map(ref.slice(x, [0, 2], [2, 5]), (v) => v * v)], 1)),
  ],
  tile: [
    row('[2,3] reps [2,2]', [f32([2, 3])], (x) => wg.tile(x, [2, 2]), (x) => ref.tile(x, [2, 2])),
    row('[3] reps [3]', [f32([3])], (x) => wg.tile(x, [3]), (x) => ref.tile(x, [3])),
    row('[2,1,3] reps [1,4,2]', [f32([2, 1, 3])], (x) => wg.tile(x, [1, 4, 2]), (x) => ref.tile(x, [1, 4, 2])),
  ],
  flatten: [row('[2,3,2]', [f32([2, 3, 2])], (x) => wg.flatten(x), (x) => ref.reshape(x, [2, 6]))],
  contiguous: [
    row('transposed view', [f32([3, 4], T)], (x) => wg.contiguous(x), (x) => x),
    row('already contiguous', [f32([3, 4])], (x) => wg.contiguous(x), (x) => x),
  ],
  clone: [row('[3,4]', [f32([3, 4])], (x) => wg.clone(x), (x) => x)],
}, backends);
