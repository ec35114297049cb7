// Gradient clipping (clipNorm, globalClipNorm, clipValue) on SGD and Adam against
// PyTorch: the trajectories in fixtures/clipping.fixture.ts come from
// torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (and Keras' per-tensor
// clip_by_norm written in torch) followed by torch.optim's step, in float64.
import { describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';
import { expectClose } from './helpers/compare.js';
import fixture from './fixtures/clipping.fixture.js';
import { settleGarbage } from './helpers/gc.js';

const cases = await backendCases();
// abs: Adam moves W[0,0] through zero, where float32 steps of lr = 0.05 leave ~1e-6 of rounding.
const TOL = { rel: 1e-5, abs: 1e-5 };

type Clip = 'globalClipNorm' | 'clipNorm' | 'clipValue' | 'none';

function makeOptimizer(name: string, learningRate: number, clip: Clip, value: number): wg.Optimizer {
  const options = { learningRate, ...(clip === 'none' ? {} : { [clip]: value }) };
  return name === 'sgd' ? wg.optimizers.sgd(options) : wg.optimizers.adam(options);
}

/** loss(W, b) = sum((X W + b − Y)²), the fixture's problem. */
function lossOf(x: wg.Tensor, y: wg.Tensor, w: wg.Tensor, b: wg.Tensor): wg.Tensor {
  return wg.square(wg.sub(wg.add(wg.matmul(x, w), b), y)).sum();
}

describe.each(cases)('gradient clipping ($name)', ({ name, skip }) => {
  it.skipIf(skip).each(fixture.cases.map((c) => ({ ...c, label: `${c.optimizer} ${c.clip}` })))(
    '$label follows PyTorch for 4 steps', async (row) => {
      await wg.setBackend(name);
      const x = wg.tensor(fixture.X);
      const y = wg.tensor(fixture.Y);
      const w = wg.variable(wg.tensor(fixture.W0));
      const b = wg.variable(wg.tensor(fixture.B0));
      const optimizer = makeOptimizer(row.optimizer, row.learningRate, row.clip as Clip, row.value);
      await settleGarbage(); // what earlier tests forgot is reclaimed at awaits: settle it before the baseline
      const before = wg.memory().numTensors;
      for (const [step, expected] of row.trajectory.entries()) {
        const { value, grads } = wg.valueAndGrad(() => lossOf(x, y, w, b), [w, b]);
        optimizer.applyGradients(grads, [w, b]);
        wg.dispose([value, grads]);
        expectClose(await w.data(), expected.W, [3, 2], TOL, `W after step ${step + 1}`);
        expectClose(await b.data(), expected.b, [2], TOL, `b after step ${step + 1}`);
      }
      // Clipping makes its temporaries and frees them: only the optimizer's state remains.
      expect(wg.memory().numTensors - before).toBeLessThanOrEqual(row.optimizer === 'adam' ? 4 : 0);
      optimizer.dispose();
      wg.dispose([x, y, w, b]);
    },
  );

  it.skipIf(skip)('globalClipNorm by hand: one factor c / (‖G‖ + 1e-6) for all gradients, none below the norm', async () => {
    await wg.setBackend(name);
    // gradients [3] and [4, 0]: ‖G‖ = 5; clipped to 2 → factor 2 / (5 + 1e-6)
    const a = wg.variable(wg.tensor([0]));
    const c = wg.variable(wg.tensor([0, 0]));
    const sgd = wg.optimizers.sgd({ learningRate: 1, globalClipNorm: 2 });
    sgd.applyGradients([wg.tensor([3]), wg.tensor([4, 0])], [a, c]);
    const f = 2 / (5 + 1e-6);
    expectClose(await a.data(), [-3 * f], [1], TOL, 'a');
    expectClose(await c.data(), [-4 * f, 0], [2], TOL, 'c');
    // below the threshold the gradients pass unchanged (factor min(1, …) = 1)
    const loose = wg.optimizers.sgd({ learningRate: 1, globalClipNorm: 10 });
    loose.applyGradients([wg.tensor([3]), wg.tensor([4, 0])], [a, c]);
    expectClose(await a.data(), [-3 * f - 3], [1], TOL, 'a unclipped');
  });

  it.skipIf(skip)('clipNorm scales each tensor by its own norm; clipValue clamps each element', async () => {
    await wg.setBackend(name);
    const a = wg.variable(wg.tensor([0, 0]));
    const c = wg.variable(wg.tensor([0]));
    wg.optimizers.sgd({ learningRate: 1, clipNorm: 1 }).applyGradients([wg.tensor([3, 4]), wg.tensor([0.5])], [a, c]);
    expectClose(await a.data(), [-0.6, -0.8], [2], TOL, 'a (norm 5 → 1)');
    expectClose(await c.data(), [-0.5], [1], TOL, 'c (norm 0.5, unchanged)');
    wg.optimizers.sgd({ learningRate: 1, clipValue: 0.7 }).applyGradients([wg.tensor([3, -0.2]), wg.tensor([-5])], [a, c]);
    expectClose(await a.data(), [-1.3, -0.6], [2], TOL, 'a (clamped)');
    expectClose(await c.data(), [0.2], [1], TOL, 'c (clamped)');
  });

  it.skipIf(skip)('fit clips too: a compiled optimizer with globalClipNorm trains like the hand loop', async () => {
    await wg.setBackend(name);
    const run = async (useFit: boolean): Promise<Float32Array> => {
      wg.setSeed(3);
      const model = wg.sequential({ layers: [wg.layers.dense({ units: 2, inputShape: [3] })] });
      const optimizer = wg.optimizers.sgd({ learningRate: 0.01, globalClipNorm: 0.5 });
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const x = wg.tensor(fixture.X);
      const y = wg.tensor(fixture.Y);
      if (useFit) {
        await model.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
      } else {
        for (let i = 0; i < 3; i++) {
          const { value, grads } = wg.valueAndGrad(() => wg.losses.meanSquaredError(y, model.apply(x, true)), model.trainableWeights);
          optimizer.applyGradients(grads, model.trainableWeights);
          wg.dispose([value, grads]);
        }
      }
      const out = (await model.trainableWeights[0]!.data()) as Float32Array;
      wg.dispose([x, y]);
      model.dispose();
      return out;
    };
    expectClose(await run(true), await run(false), [3, 2], TOL, 'kernel after 3 epochs');
  });
});
