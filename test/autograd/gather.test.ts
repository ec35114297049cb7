// Gradients of gather (src/ops/gather.ts): a scatter-add of the upstream gradient,
// so repeated indices accumulate and unpicked rows get 0.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeGrads } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, gen, i32, known } from '../helpers/values.js';

const backends = await backendCases();

describeGrads({
  gather: [
    { name: 'repeated indices accumulate', inputs: [f32([4, 3]), known([3, 0, 3, 3], 'int32')], f: (x, i) => wg.gather(x, i), oracle: (x, i) => ref.gather(x, i) },
    { name: 'axis 1, 2-D indices', inputs: [f32([2, 5, 3]), i32([2, 4], { gen: gen.ints(0, 4) })], f: (x, i) => wg.gather(x, i, 1), oracle: (x, i) => ref.gather(x, i, 1) },
    { name: 'axis -1, scalar index', inputs: [f32([3, 4]), known(2, 'int32')], f: (x, i) => wg.gather(x, i, -1), oracle: (x, i) => ref.gather(x, i, 1) },
    { name: 'out-of-range indices take no gradient', inputs: [f32([3, 2]), known([-1, 1, 3], 'int32')], f: (x, i) => wg.gather(x, i), oracle: (x, i) => ref.gather(x, i) },
    { name: 'transposed view of x', inputs: [f32([4, 3], { view: 'transpose' }), known([1, 1, 2], 'int32')], f: (x, i) => wg.gather(x, i), oracle: (x, i) => ref.gather(x, i) },
    { name: 'indices as a plain array (embedding lookup)', inputs: [f32([5, 2])], f: (x) => wg.gather(x, [4, 0, 4]), oracle: (x) => ref.gather(x, ref.fromNested([4, 0, 4], 'int32')) },
  ],
}, backends);
