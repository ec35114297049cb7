// softmax and logSoftmax (src/ops/softmax.ts) along any axis, numerically stable
// for large logits, on odd sizes and strided views.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { f32, gen, type Input, known } from '../helpers/values.js';

const backends = await backendCases();

function rows(run: (x: wg.Tensor, axis?: number) => wg.Tensor, oracle: (x: ref.Nd, axis?: number) => ref.Nd, method: (x: wg.Tensor, axis?: number) => wg.Tensor): OpCase[] {
  const cases: [Input, number | undefined][] = [
    [f32([1]), undefined], [f32([3]), undefined], [f32([17]), 0], [f32([129], { gen: gen.uniform(-10, 10) }), undefined],
    [f32([3, 4]), undefined], [f32([3, 4]), 0], [f32([2, 3, 4]), 1], [f32([2, 3, 4]), -3], [f32([0, 5]), -1], [f32([5, 1]), 1],
    [f32([4, 3], { view: 'transpose' }), -1], [f32([4, 5], { view: 'slice' }), 0], [f32([3, 5], { view: { broadcastFrom: [5] } }), -1],
  ];
  return [
    ...cases.map(([input, axis]): OpCase => ({
      name: `[${input.shape}]${input.view ? ` ${typeof input.view === 'string' ? input.view : 'broadcast'} view` : ''} axis ${axis ?? 'default -1'}`,
      inputs: [input],
      run: (x) => run(x, axis),
      oracle: (x) => oracle(x, axis),
    })),
    { name: 'large logits do not overflow', inputs: [known([[1000, 999, -1000], [-1e30, 0, 1e30], [88, 89, 90]])], run: (x) => run(x), oracle: (x) => oracle(x) },
    { name: '-Infinity logits', inputs: [known([[-Infinity, 0, 1], [2, -Infinity, -Infinity]])], run: (x) => run(x), oracle: (x) => oracle(x) },
    { name: 'tensor method', inputs: [f32([3, 4])], run: (x) => method(x, 0), oracle: (x) => oracle(x, 0) },
  ];
}

describeOps({
  softmax: rows((x, a) => wg.softmax(x, a), ref.softmax, (x, a) => x.softmax(a)),
  logSoftmax: rows((x, a) => wg.logSoftmax(x, a), ref.logSoftmax, (x, a) => x.logSoftmax(a)),
}, backends);
