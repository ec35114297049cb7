// Ops that rearrange elements (src/ops/shape.ts): reshape, transpose, expandDims,
// squeeze, broadcastTo, slice, pad, concat, stack, unstack, split, tile, flatten,
// contiguous and clone — on contiguous tensors and on views of views.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { EXACT } from '../helpers/compare.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { f32, i32, type Input } from '../helpers/values.js';

const backends = await backendCases();

/** Rearranging copies values: results must match exactly. */
function row(name: string, inputs: Input[], run: OpCase['run'], oracle: OpCase['oracle']): OpCase {
  return { name, inputs, run, oracle, tol: EXACT };
}

const T = { view: 'transpose' } as const;
const S = { view: 'slice' } as const;

describeOps({
  reshape: [
    row('[3,4] to [4,3]', [f32([3, 4])], (x) => wg.reshape(x, [4, 3]), (x) => ref.reshape(x, [4, 3])),
    row('[2,3,4] to [-1,4]', [f32([2, 3, 4])], (x) => wg.reshape(x, [-1, 4]), (x) => ref.reshape(x, [6, 4])),
    row('[129] to [3,-1]', [f32([129])], (x) => wg.reshape(x, [3, -1]), (x) => ref.reshape(x, [3, 43])),
    row('scalar to [1,1]', [f32([])], (x) => wg.reshape(x, [1, 1]), (x) => ref.reshape(x, [1, 1])),
    row('[1,1,1] to scalar', [f32([1, 1, 1])], (x) => wg.reshape(x, []), (x) => ref.reshape(x, [])),
    row('[0,3] to [3,0]', [f32([0, 3])], (x) => wg.reshape(x, [3, 0]), (x) => ref.reshape(x, [3, 0])),
    row('[0,3] to [-1,3]', [f32([0, 3])], (x) => wg.reshape(x, [-1, 3]), (x) => ref.reshape(x, [0, 3])),
    row('transposed view [3,4] to [12]', [f32([3, 4], T)], (x) => wg.reshape(x, [12]), (x) => ref.reshape(x, [12])),
    row('sliced view [4,5] to [5,2,2]', [f32([4, 5], S)], (x) => wg.reshape(x, [5, 2, 2]), (x) => ref.reshape(x, [5, 2, 2])),
    row('broadcast view [3,4] to [2,6]', [f32([3, 4], { view: { broadcastFrom: [1, 4] } })], (x) => wg.reshape(x, [2, 6]), (x) => ref.reshape(x, [2, 6])),
    row('int32 [2,3] to [3,2]', [i32([2, 3])], (x) => wg.reshape(x, [3, 2]), (x) => ref.reshape(x, [3, 2])),
    row('tensor method', [f32([2, 3])], (x) => x.reshape([6]), (x) => ref.reshape(x, [6])),
  ],
  transpose: [
    row('[3,4] default', [f32([3, 4])], (x) => wg.transpose(x), (x) => ref.transpose(x)),
    row('[2,3,4] default reverses', [f32([2, 3, 4])], (x) => wg.transpose(x), (x) => ref.transpose(x)),
    row('[2,3,4] perm [1,0,2]', [f32([2, 3, 4])], (x) => wg.transpose(x, [1, 0, 2]), (x) => ref.transpose(x, [1, 0, 2])),
    row('[2,3,4] perm [2,0,1]', [f32([2, 3, 4])], (x) => wg.transpose(x, [2, 0, 1]), (x) => ref.transpose(x, [2, 0, 1])),
    row('[17] is itself', [f32([17])], (x) => wg.transpose(x), (x) => x),
    row('scalar is itself', [f32([])], (x) => wg.transpose(x), (x) => x),
    row('[0,3]', [f32([0, 3])], (x) => wg.transpose(x), (x) => ref.transpose(x)),
    row('transposed view back', [f32([3, 4], T)], (x) => wg.transpose(x), (x) => ref.transpose(x)),
    row('sliced view [4,5]', [f32([4, 5], S)], (x) => wg.transpose(x), (x) => ref.transpose(x)),
    row('tensor method', [f32([2, 3, 4])], (x) => x.transpose([0, 2, 1]), (x) => ref.transpose(x, [0, 2, 1])),
  ],
  expandDims: [
    row('[3] axis 0 (default)', [f32([3])], (x) => wg.expandDims(x), (x) => ref.expandDims(x, 0)),
    row('[3] axis 1', [f32([3])], (x) => wg.expandDims(x, 1), (x) => ref.expandDims(x, 1)),
    row('[2,3] axis -1', [f32([2, 3])], (x) => wg.expandDims(x, -1), (x) => ref.expandDims(x, -1)),
    row('[2,3] axis 1', [f32([2, 3])], (x) => wg.expandDims(x, 1), (x) => ref.expandDims(x, 1)),
    row('scalar', [f32([])], (x) => wg.expandDims(x), (x) => ref.expandDims(x, 0)),
    row('transposed view', [f32([3, 4], T)], (x) => wg.expandDims(x, 1), (x) => ref.expandDims(x, 1)),
    row('tensor method', [f32([3, 4])], (x) => x.expandDims(2), (x) => ref.expandDims(x, 2)),
  ],
  squeeze: [
    row('all size-1 dims', [f32([1, 3, 1, 4, 1])], (x) => wg.squeeze(x), (x) => ref.reshape(x, [3, 4])),
    row('given axes', [f32([1, 3, 1, 4, 1])], (x) => wg.squeeze(x, [0, -1]), (x) => ref.reshape(x, [3, 1, 4])),
    row('[1] to scalar', [f32([1])], (x) => wg.squeeze(x), (x) => ref.reshape(x, [])),
    row('axis as a number', [f32([3, 1])], (x) => wg.squeeze(x, -1), (x) => ref.reshape(x, [3])),
    row('nothing to squeeze', [f32([3, 4])], (x) => wg.squeeze(x), (x) => x),
    row('broadcast view', [f32([3, 1, 4], { view: { broadcastFrom: [1, 1, 4] } })], (x) => wg.squeeze(x, [1]), (x) => ref.reshape(x, [3, 4])),
    row('tensor method', [f32([2, 1])], (x) => x.squeeze(), (x) => ref.reshape(x, [2])),
  ],
  broadcastTo: [
    row('[3] to [2,3]', [f32([3])], (x) => wg.broadcastTo(x, [2, 3]), (x) => ref.broadcastTo(x, [2, 3])),
    row('[3,1] to [3,4]', [f32([3, 1])], (x) => wg.broadcastTo(x, [3, 4])           , (x) => ref.broadcastTo(x, [3, 4])),
    row('scalar to [2,17]', [f32([])], (x) => wg.broadcastTo(x, [2, 17]), (x) => ref.broadcastTo(x, [2, 17])),
    row('[1,4] to [0,4]', [f32([1, 4])], (x) => wg.broadcastTo(x, [0, 4]), (x) => ref.broadcastTo(x, [0, 4])),
    row('same shape', [f32([3, 4])], (x) => wg.broadcastTo(x, [3, 4]), (x) => x),
    row('transposed view [4,1] to [2,4,3]', [f32([4, 1], T)], (x) => wg.broadcastTo(x, [2, 4, 3]), (x) => ref.broadcastTo(x, [2, 4, 3])),
    row('int32', [i32([1, 3])], (x) => wg.broadcastTo(x, [129, 3]), (x) => ref.broadcastTo(x, [129, 3])),
    row('tensor method', [f32([3, 1])], (x) => x.broadcastTo([2, 3, 5]), (x) => ref.broadcastTo(x, [2, 3, 5])),
  ],
  slice: [
    row('[17] begin 3 size 5', [f32([17])], (x) => wg.slice(x, 3, 5), (x) => ref.slice(x, [3], [5])),
    row('[17] begin 3 to the end', [f32([17])], (x) => wg.slice(x, 3), (x) => ref.slice(x, [3], [-1])),
    row('[5,6] begin [1,2] size [3,-1]', [f32([5, 6])], (x) => wg.slice(x, [1, 2], [3, -1]), (x) => ref.slice(x, [1, 2], [3, -1])),
    row('[2,3,4] begin [1] (first dim only)', [f32([2, 3, 4])], (x) => wg.slice(x, [1]), (x) => ref.slice(x, [1, 0, 0], [-1, -1, -1])),
    row('empty result', [f32([5, 6])], (x) => wg.slice(x, [2, 0], [0, 6]), (x) => ref.slice(x, [2, 0], [0, 6])),
    row('whole tensor', [f32([3, 4])], (x) => wg.slice(x, [0, 0], [3, 4]), (x) => x),
    row('slice of a transposed view', [f32([5, 6], T)], (x) => wg.slice(x, [1, 1], [3, 4]), (x) => ref.slice(x, [1, 1], [3, 4])),
    row('slice of a sliced view', [f32([5, 6], S)], (x) => wg.slice(x, [2, 3], [-1, 2]), (x) => ref.slice(x, [2, 3], [-1, 2])),
    row('slice of a broadcast view', [f32([5, 6], { view: { broadcastFrom: [6] } })], (x) => wg.slice(x, [1, 1], [2, 3]), (x) => ref.slice(x, [1, 1], [2, 3])),
    row('int32', [i32([129])], (x) => wg.slice(x, 100, 29), (x) => ref.slice(x, [100], [29])),
    row('tensor method', [f32([4, 4])], (x) => x.slice([1, 1], [2, 2]), (x) => ref.slice(x, [1, 1], [2, 2])),
  ],
  pad: [
    row('[3] with [1,2]', [f32([3])], (x) => wg.pad(x, [[1, 2]]), (x) => ref.pad(x, [[1, 2]])),
    row('[2,3] with value 7', [f32([2, 3])], (x) => wg.pad(x, [[0, 1], [2, 0]], 7), (x) => ref.pad(x, [[0, 1], [2, 0]], 7)),
    row('no padding', [f32([2, 3])], (x) => wg.pad(x, [[0, 0], [0, 0]]), (x) => x),
    row('scalar', [f32([])], (x) => wg.pad(x, []), (x) => x),
    row('empty input', [f32([0, 2])], (x) => wg.pad(x, [[1, 1], [0, 1]], -1), (x) => ref.pad(x, [[1, 1], [0, 1]], -1)),
    row('transposed view', [f32([3, 4], T)], (x) => wg.pad(x, [[1, 0], [0, 2]]), (x) => ref.pad(x, [[1, 0], [0, 2]])),
    row('int32', [i32([2, 2])], (x) => wg.pad(x, [[1, 1], [1, 1]], 9), (x) => ref.pad(x, [[1, 1], [1, 1]], 9)),
    row('tensor method', [f32([2, 3])], (x) => x.pad([[1, 1], [0, 0]]), (x) => ref.pad(x, [[1, 1], [0, 0]])),
  ],
  concat: [
    row('two [2,3] on axis 0 (default)', [f32([2, 3]), f32([2, 3])], (a, b) => wg.concat([a, b]), (a, b) => ref.concat([a, b], 0)),
    row('[2,3] and [2,5] on axis 1', [f32([2, 3]), f32([2, 5])], (a, b) => wg.concat([a, b], 1), (a, b) => ref.concat([a, b], 1)),
    row('three on axis -1', [f32([2, 1]), f32([2, 17]), f32([2, 3])], (a, b, c) => wg.concat([a, b, c], -1), (a, b, c) => ref.concat([a, b, c], 1)),
    row('with an empty part', [f32([0, 3]), f32([2, 3])], (a, b) => wg.concat([a, b], 0), (a, b) => ref.concat([a, b], 0)),
    row('single tensor', [f32([3])], (a) => wg.concat([a]), (a) => a),
    row('the same tensor twice', [f32([3])], (a) => wg.concat([a, a]), (a) => ref.concat([a, a])),
    row('views: transposed, sliced, broadcast', [f32([3, 4], T), f32([3, 2], S), f32([3, 5], { view: { broadcastFrom: [5] } })], (a, b, c) => wg.concat([a, b, c], 1), (a, b, c) => ref.concat([a, b, c], 1)),
    row('[129] and [1] (1-D)', [f32([129]), f32([1])], (a, b) => wg.concat([a, b]), (a, b) => ref.concat([a, b])),
    row('int32 on axis 1 of 3-D', [i32([2, 2, 3]), i32([2, 1, 3])], (a, b) => wg.concat([a, b], 1), (a, b) => ref.concat([a, b], 1)),
  ],
  stack: [
    row('two [3] on axis 0', [f32([3]), f32([3])], (a, b) => wg.stack([a, b]), (a, b) => ref.stack([a, b], 0)),
    row('three [2,3] on axis 1', [f32([2, 3]), f32([2, 3]), f32([2, 3])], (a, b, c) => wg.stack([a, b, c], 1), (a, b, c) => ref.stack([a, b, c], 1)),
    row('two [2,3] on axis -1', [f32([2, 3]), f32([2, 3])], (a, b) => wg.stack([a, b], -1), (a, b) => ref.stack([a, b], -1)),
    row('scalars', [f32([]), f32([]), f32([])], (a, b, c) => wg.stack([a, b, c]), (a, b, c) => ref.stack([a, b, c], 0)),
    row('views', [f32([3, 4], T), f32([3, 4], S)], (a, b) => wg.stack([a, b], 2), (a, b) => ref.stack([a, b], 2)),
  ],
  unstack: [
    row('[3,4] axis 0', [f32([3, 4])], (x) => wg.unstack(x), (x) => [0, 1, 2].map((i) => ref.reshape(ref.slice(x, [i, 0], [1, 4]), [4]))),
    row('[3,4] axis -1', [f32([3, 4])], (x) => wg.unstack(x, -1), (x) => [0, 1, 2, 3].map((i) => ref.reshape(ref.slice(x, [0, i], [3, 1]), [3]))),
    row('transposed view axis 1', [f32([2, 3], T)], (x) => wg.unstack(x, 1), (x) => [0, 1, 2].map((i) => ref.reshape(ref.slice(x, [0, i], [2, 1]), [2]))),
    row('[0,3] gives no tensors', [f32([0, 3])], (x) => wg.unstack(x), () => []),
  ],
  split: [
    row('[6,2] into 3 equal parts', [f32([6, 2])], (x) => wg.split(x, 3), (x) => [0, 2, 4].map((i) => ref.slice(x, [i, 0], [2, 2]))),
    row('[2,7] into sizes [2,0,5] on axis 1', [f32([2, 7])], (x) => wg.split(x, [2, 0, 5], 1), (x) => [[0, 2], [2, 0], [2, 5]].map(([b, s]) => ref.slice(x, [0, b!], [2, s!]))),
    row('sliced view on axis -1', [f32([3, 4], S)], (x) => wg.split(x, 2, -1), (x) => [0, 2].map((i) => ref.slice(x, [0, i], [3, 2]))),
  ],
  tile: [
    row('[3] reps [2]', [f32([3])], (x) => wg.tile(x, [2]), (x) => ref.tile(x, [2])),
    row('[2,3] reps [2,1]', [f32([2, 3])], (x) => wg.tile(x, [2, 1]), (x) => ref.tile(x, [2, 1])),
    row('[2,3] reps [1,3]', [f32([2, 3])], (x) => wg.tile(x, [1, 3]), (x) => ref.tile(x, [1, 3])),
    row('[2,1,3] reps [2,3,2]', [f32([2, 1, 3])], (x) => wg.tile(x, [2, 3, 2]), (x) => ref.tile(x, [2, 3, 2])),
    row('reps 0 gives empty', [f32([2, 3])], (x) => wg.tile(x, [0, 2]), (x) => ref.tile(x, [0, 2])),
    row('transposed view', [f32([3, 2], T)], (x) => wg.tile(x, [2, 2]), (x) => ref.tile(x, [2, 2])),
    row('tensor method', [f32([2, 2])], (x) => x.tile([3, 1]), (x) => ref.tile(x, [3, 1])),
  ],
  flatten: [
    row('[2,3,4] to [2,12]', [f32([2, 3, 4])], (x) => wg.flatten(x), (x) => ref.reshape(x, [2, 12])),
    row('[5] to [5,1]', [f32([5])], (x) => wg.flatten(x), (x) => ref.reshape(x, [5, 1])),
    row('transposed view', [f32([3, 4], T)], (x) => x.flatten(), (x) => ref.reshape(x, [3, 4])),
  ],
  contiguous: [
    row('transposed view', [f32([3, 4], T)], (x) => wg.contiguous(x), (x) => x),
    row('already contiguous', [f32([3, 4])], (x) => wg.contiguous(x), (x) => x),
    row('broadcast view', [f32([3, 4], { view: { broadcastFrom: [4] } })], (x) => wg.contiguous(x), (x) => x),
  ],
  clone: [
    row('[3,4]', [f32([3, 4])], (x) => wg.clone(x), (x) => x),
    row('sliced view', [f32([3, 4], S)], (x) => x.clone(), (x) => x),
    row('int32 scalar', [i32([])], (x) => wg.clone(x), (x) => x),
    row('empty', [f32([0, 4])], (x) => wg.clone(x), (x) => x),
  ],
}, backends);
