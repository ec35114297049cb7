// The fused sparse cross-entropy behind sparseCategoricalCrossentropy({ fromLogits: true })
// (src/ops/cross-entropy.ts): values and gradients on every backend against a float64
// oracle, [batch, time, vocab] logits, vocabularies longer than a workgroup, and the
// WebGPU label check that surfaces on the next read.

import { expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as lm from '../helpers/lm-reference.js';
import { type Nd, nd } from '../helpers/reference.js';
import { f32, gen, i32 } from '../helpers/values.js';

const backends = await backendCases();

const mean = (x: Nd): Nd => nd([], [x.data.reduce((a, b) => a + b, 0) / x.size]);
const loss = (labels: wg.Tensor, logits: wg.Tensor) => wg.losses.sparseCategoricalCrossentropy(labels, logits, { fromLogits: true });

function row(name: string, logits: number[], vocab: number, spread = 3): OpCase {
  return {
    name,
    inputs: [f32([...logits, vocab], { gen: gen.uniform(-spread, spread) }), i32(logits, { gen: gen.ints(0, vocab - 1) })],
    run: (x, y) => loss(y!, x!),
    oracle: (x, y) => mean(lm.sparseCrossEntropyRows(x!, y!)),
    tol: { rel: 2e-5, abs: 2e-6 },
  };
}

describeOps({
  sparseCrossEntropy: [
    row('[4] rows of 5', [4], 5),
    row('[2,3] x 7 (batch, time)', [2, 3], 7),
    row('[3,4] x 1000 (longer than a workgroup)', [3, 4], 1000),
    row('[2] x 50257 (GPT-2 vocabulary)', [2], 50257),
    row('large logits', [3, 2], 11, 80),
  ],
}, backends);

function grad(name: string, logits: number[], vocab: number): GradCase {
  return {
    name,
    inputs: [f32([...logits, vocab]), i32(logits, { gen: gen.ints(0, vocab - 1) })],
    wrt: [0],
    f: (x, y) => loss(y!, x!),
    oracle: (x, y) => mean(lm.sparseCrossEntropyRows(x!, y!)),
  };
}

describeGrads({
  sparseCrossEntropy: [grad('[3] x 4', [3], 4), grad('[2,3] x 6', [2, 3], 6), grad('[2] x 300', [2], 300)],
}, backends);

for (const backend of backends) {
  it.skipIf(backend.skip !== undefined)(`${backend.name}: an out-of-range label is a clear error, before the work (cpu, wasm) or at the next read (webgpu)`, async () => {
    await wg.setBackend(backend.name);
    const logits = wg.zeros([2, 3, 5]);
    const labels = wg.tensor([0, 1, 2, 3, 7, 4], [2, 3], 'int32');
    const says = /^sparseCategoricalCrossentropy: labels should be integers in \[0, 4\] \(5 classes\), got 7 at position 4/;
    if (backend.name === 'webgpu') {
      const l = loss(labels, logits);
      await expect(l.data()).rejects.toThrow(says);
      l.dispose();
      // The flag is cleared once reported: good labels read fine afterwards.
      const goodLabels = wg.tensor([0, 1, 2, 3, 4, 4], [2, 3], 'int32');
      const good = loss(goodLabels, logits);
      expect((await good.data())[0]).toBeCloseTo(Math.log(5), 5);
      wg.dispose([good, goodLabels]);
    } else {
      expect(() => loss(labels, logits)).toThrow(says);
    }
    wg.dispose([logits, labels]);
  });
}
