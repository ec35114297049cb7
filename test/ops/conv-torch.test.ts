// conv2d, conv2dTranspose, maxPool2d and avgPool2d against PyTorch (test/fixtures/conv-torch.py,
// float64, layouts converted from NCHW / OIHW): the forward values and the
// gradients of sum(op(inputs) * W) for every input, on every backend.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { CONV_TORCH } from '../fixtures/conv-torch.js';
import type { TorchArray, TorchCase } from '../fixtures/torch-case.js';
import { settleGarbage } from '../helpers/gc.js';

const backends = await backendCases();

const upload = (a: TorchArray) => wg.tensor(Float32Array.from(a.values), a.shape);

function apply(c: TorchCase, xs: wg.Tensor[]): wg.Tensor {
  if (c.op === 'conv2d') {
    const options = { ...(c.options as wg.Conv2dOptions), ...(xs[2] ? { bias: xs[2] } : {}) };
    return wg.conv2d(xs[0]!, xs[1]!, options);
  }
  if (c.op === 'conv2dTranspose') {
    const options = { ...(c.options as wg.Conv2dTransposeOptions), ...(xs[2] ? { bias: xs[2] } : {}) };
    return wg.conv2dTranspose(xs[0]!, xs[1]!, options);
  }
  return wg[c.op](xs[0]!, c.options as unknown as wg.Pool2dOptions);
}

describe('convolutions and pooling vs PyTorch', () => {
  for (const backend of backends) {
    describe.skipIf(backend.skip !== undefined)(backend.name, () => {
      for (const c of CONV_TORCH) {
        it(`${c.op} x [${c.inputs[0]!.shape}] ${JSON.stringify(c.options)}`, async () => {
          await wg.setBackend(backend.name);
          await settleGarbage(); // what earlier tests forgot is reclaimed at awaits: settle it before the baseline
          const start = wg.memory().numTensors;
          const xs = c.inputs.map(upload);
          const w = upload(c.weights);
          const y = apply(c, xs);
          expect(y.shape).toEqual(c.output.shape);
          expectClose(await y.data(), c.output.values, y.shape, { rel: 1e-4, abs: 1e-5 }, `${c.op} forward vs PyTorch`);
          const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.mul(apply(c, xs), w)), xs);
          for (let i = 0; i < xs.length; i++) {
            expect(grads[i]!.shape).toEqual(c.inputs[i]!.shape);
            expectClose(await grads[i]!.data(), c.grads[i]!, grads[i]!.shape, { rel: 1e-3, abs: 1e-4 }, `${c.op} d/d(input ${i}) vs PyTorch`);
          }
          wg.dispose([xs, w, y, value, grads]);
          expect(wg.memory().numTensors, 'tensors left alive').toBe(start);
        });
      }
    });
  }
});
