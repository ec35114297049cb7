// Gradients of softmax and logSoftmax (src/ops/softmax.ts) along any axis.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, gen, type Input, known } from '../helpers/values.js';

const backends = await backendCases();

function rows(run: (x: wg.Tensor, axis?: number) => wg.Tensor, oracle: (x: ref.Nd, axis?: number) => ref.Nd): GradCase[] {
  const cases: [Input, number | undefined][] = [
    [f32([3]), undefined], [f32([1]), undefined], [f32([17], { gen: gen.uniform(-4, 4) }), 0], [f32([3, 4]), undefined], [f32([3, 4]), 0],
    [f32([2, 3, 4]), 1], [f32([4, 3], { view: 'transpose' }), -1], [f32([4, 5], { view: 'slice' }), 0],
  ];
  return [
    ...cases.map(([input, axis]): GradCase => ({
      name: `[${input.shape}]${input.view ? ` ${String(input.view)} view` : ''} axis ${axis ?? 'default -1'}`,
      inputs: [input],
      f: (x) => run(x, axis),
      oracle: (x) => oracle(x, axis),
    })),
    { name: 'large logits', inputs: [known([[500, 499, 498], [-300, -301, -299.5]])], f: (x) => run(x), oracle: (x) => oracle(x) },
  ];
}

describeGrads({
  softmax: rows((x, a) => wg.softmax(x, a), ref.softmax),
  logSoftmax: rows((x, a) => wg.logSoftmax(x, a), ref.logSoftmax),
}, backends);
