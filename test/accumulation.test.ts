// Gradient accumulation (Keras 3's gradient_accumulation_steps): n micro-batches of b
// samples, averaged and applied as one update, train exactly like batches of n × b,
// through applyGradients and through fit; schedules and bias correction count updates.
import { describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';
import { expectClose } from './helpers/compare.js';

const cases = await backendCases();
const TOL = { rel: 1e-5, abs: 1e-6 };

/** 32 samples of 3 features → 2 targets, deterministic. */
function problem(): { x: wg.Tensor; y: wg.Tensor } {
  const rng = new wg.Random(7);
  const rows = Array.from({ length: 32 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  return { x: wg.tensor(rows), y: wg.tensor(rows.map((r) => [r[0]! - 2 * r[1]! + 0.5, r[2]! * r[0]!])) };
}

function model(): wg.Sequential {
  wg.setSeed(5);
  return wg.sequential([wg.layers.dense({ units: 4, inputDim: 3, activation: 'tanh' }), wg.layers.dense({ units: 2 })]);
}

const weights = async (m: wg.Sequential) => Promise.all(m.getWeights().map(async (w) => Array.from(await w.data())));

async function expectSameWeights(a: wg.Sequential, b: wg.Sequential, what: string): Promise<void> {
  const [wa, wb] = [await weights(a), await weights(b)];
  wa.forEach((w, i) => expectClose(w, wb[i]!, [w.length], TOL, `${what}: weight ${i}`));
}

const OPTIMIZERS: { label: string; make: (n?: number) => wg.Optimizer }[] = [
  { label: 'sgd momentum', make: (n) => wg.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, gradientAccumulationSteps: n }) },
  {
    label: 'adam + cosine schedule + globalClipNorm',
    make: (n) => wg.optimizers.adam({
      learningRate: wg.schedules.cosineDecay({ initialLearningRate: 0.001, warmupTarget: 0.02, warmupSteps: 2, decaySteps: 5 }),
      globalClipNorm: 0.3, gradientAccumulationSteps: n,
    }),
  },
];

describe.each(cases)('gradient accumulation ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run.each(OPTIMIZERS)('applyGradients, $label: 4 micro-batches of 4 = one batch of 16, for 6 updates', async ({ make }) => {
    await wg.setBackend(name);
    const { x, y } = problem();
    const full = model();
    const micro = model();
    const fullOpt = make();
    const microOpt = make(4);
    const step = (m: wg.Sequential, opt: wg.Optimizer, start: number, size: number) => {
      const { value, grads } = wg.valueAndGrad(
        () => wg.losses.meanSquaredError(wg.slice(y, [start], [size]), m.apply(wg.slice(x, [start], [size]), true)),
        m.trainableWeights,
      );
      opt.applyGradients(grads, m.trainableWeights);
      wg.dispose([value, grads]);
    };
    for (let u = 0; u < 6; u++) {
      const start = (u % 2) * 16;
      step(full, fullOpt, start, 16);
      for (let k = 0; k < 4; k++) {
        step(micro, microOpt, start + 4 * k, 4);
        // no update until the 4th micro-batch
        if (k < 3) expect(microOpt.iterations).toBe(u);
      }
      expect(microOpt.iterations).toBe(u + 1);
      expect(microOpt.lastLearningRate).toBe(fullOpt.lastLearningRate);
      await expectSameWeights(micro, full, `after update ${u + 1}`);
    }
    const before = wg.memory().numTensors;
    microOpt.dispose();
    fullOpt.dispose();
    // the micro-batch sums are freed with the rest of the state
    expect(wg.memory().numTensors).toBeLessThan(before);
    for (const m of [full, micro]) m.dispose();
    wg.dispose([x, y]);
  });

  run('fit with batchSize 4 and gradientAccumulationSteps 4 = fit with batchSize 16', async () => {
    await wg.setBackend(name);
    const { x, y } = problem();
    const full = model();
    const micro = model();
    full.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    micro.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01, gradientAccumulationSteps: 4 }), loss: 'mse' });
    await full.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
    await micro.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    expect(micro.optimizer!.iterations).toBe(6);
    await expectSameWeights(micro, full, 'after 3 epochs');
    // control: without accumulation, batches of 4 train elsewhere
    const plain = model();
    plain.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    await plain.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    const [wp, wf] = [await weights(plain), await weights(full)];
    expect(Math.max(...wp[0]!.map((v, i) => Math.abs(v - wf[0]![i]!)))).toBeGreaterThan(1e-3);
    for (const m of [full, micro, plain]) m.dispose();
    wg.dispose([x, y]);
  });

  run('getState / setState carry the pending micro-batches', async () => {
    await wg.setBackend(name);
    const p = wg.variable(wg.tensor([1, 2]));
    const a = wg.optimizers.sgd({ learningRate: 0.5, gradientAccumulationSteps: 3 });
    a.applyGradients([wg.tensor([1, 1])], [p]);
    a.applyGradients([wg.tensor([2, 0])], [p]);
    const saved = a.getState([p]);
    expect(saved.pending).toBe(2);
    const b = wg.optimizers.sgd({ learningRate: 0.5, gradientAccumulationSteps: 3 });
    b.setState([p], saved);
    b.applyGradients([wg.tensor([0, 2])], [p]);
    // mean gradient (3, 3) / 3 = (1, 1); p − 0.5 × (1, 1)
    expectClose(await p.data(), [0.5, 1.5], [2], TOL, 'p');
    expect(b.iterations).toBe(1);
    expect(() => wg.optimizers.sgd().setState([p], saved)).toThrow(/sgd.setState: pending should be an integer from 0 to 0 \(gradientAccumulationSteps - 1\), got 2/);
  });
});

describe('gradientAccumulationSteps checks', () => {
  it('must be a positive integer', () => {
    expect(() => wg.optimizers.adam({ gradientAccumulationSteps: 0 })).toThrow(/^adam: gradientAccumulationSteps should be an integer >= 1, got 0$/);
    expect(() => wg.optimizers.sgd({ gradientAccumulationSteps: 2.5 })).toThrow(/^sgd: gradientAccumulationSteps should be an integer >= 1, got 2.5$/);
    expect(() => wg.optimizers.rmsprop({ gradientAccumulationSteps: NaN })).toThrow(/rmsprop: gradientAccumulationSteps should be an integer >= 1, got NaN/);
  });
});
