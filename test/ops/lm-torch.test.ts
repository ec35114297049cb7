// The language-model ops against PyTorch (test/fixtures/lm-torch.json, made by
// test/fixtures/lm-torch.py in float64): values and gradients of attention (batch x
// heads, Lq ≠ Lk, dv ≠ d, causal, a padding mask, k / v broadcast over heads), layer
// norm, GELU's tanh form and cross-entropy from [batch, time, vocab] logits.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import text from '../fixtures/lm-torch.json?raw';
import { settleGarbage } from '../helpers/gc.js';

interface Arr { shape: number[]; values: number[] }
interface Case {
  name: string;
  op: 'attention' | 'layerNorm' | 'geluTanh' | 'crossEntropy';
  inputs: Arr[];
  weights: number[];
  out: Arr;
  grads: number[][];
  causal?: boolean;
  scale?: number;
  mask?: Arr;
  epsilon?: number;
  labels?: Arr;
}

const fixture = JSON.parse(text) as { torch: string; cases: Case[] };
const backends = await backendCases();
const tol = { rel: 1e-4, abs: 2e-5 };

function run(c: Case, xs: wg.Tensor[]): wg.Tensor {
  switch (c.op) {
    case 'attention': {
      const mask = c.mask ? wg.tensor(c.mask.values.map(Boolean), c.mask.shape, 'bool') : undefined;
      const out = wg.scaledDotProductAttention(xs[0]!, xs[1]!, xs[2]!, {
        ...(c.causal ? { causal: true } : {}), ...(c.scale ? { scale: c.scale } : {}), ...(mask ? { mask } : {}),
      });
      mask?.dispose();
      return out;
    }
    case 'layerNorm': return wg.layerNorm(xs[0]!, { gamma: xs[1]!, beta: xs[2]!, epsilon: c.epsilon! });
    case 'geluTanh': return wg.gelu(xs[0]!, { approximate: 'tanh' });
    case 'crossEntropy': {
      const labels = wg.tensor(c.labels!.values, c.labels!.shape, 'int32');
      const loss = wg.losses.sparseCategoricalCrossentropy(labels, xs[0]!, { fromLogits: true });
      labels.dispose();
      return wg.reshape(loss, [1]);
    }
  }
}

describe(`PyTorch ${fixture.torch} fixtures`, () => {
  for (const backend of backends) {
    describe.skipIf(backend.skip !== undefined)(backend.name, () => {
      for (const c of fixture.cases) {
        it(c.name, async () => {
          await wg.setBackend(backend.name);
          await settleGarbage(); // what earlier tests forgot is reclaimed at awaits: settle it before the baseline
          const start = wg.memory().numTensors;
          const xs = c.inputs.map((x) => wg.tensor(Float32Array.from(x.values), x.shape));
          const w = wg.tensor(Float32Array.from(c.weights), c.out.shape);
          const { value, grads } = wg.valueAndGrad(() => wg.tidy(() => wg.sum(wg.mul(run(c, xs), w))), xs);
          const out = wg.tidy(() => run(c, xs));
          expect(out.shape).toEqual(c.out.shape);
          expectClose(await out.data(), c.out.values, c.out.shape, tol, `${c.name} on ${backend.name}: values vs PyTorch`);
          for (let i = 0; i < grads.length; i++) {
            expectClose(await grads[i]!.data(), c.grads[i]!, c.inputs[i]!.shape, tol, `${c.name} on ${backend.name}: gradient of input ${i} vs PyTorch`);
          }
          wg.dispose([xs, w, value, grads, out]);
          expect(wg.memory().numTensors).toBe(start);
        });
      }
    });
  }
});
