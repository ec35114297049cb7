// Learning-rate schedules: their values at many steps against Keras 3's formulas
// (re-derived here) and hand-computed points; an optimizer following a schedule step
// by step; the rate in fit's logs and History; a schedule's failure named at its step.
import { describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';
import { expectClose } from './helpers/compare.js';

const cases = await backendCases();
const STEPS = Array.from({ length: 301 }, (_, i) => i);

describe('schedule values', () => {
  it('cosineDecay without warmup: Keras 3 formula at 301 steps, and hand points', () => {
    const s = wg.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 200, alpha: 0.1 });
    for (const t of STEPS) {
      const p = Math.min(t, 200) / 200;
      expect(s(t)).toBeCloseTo(0.1 * (0.9 * 0.5 * (1 + Math.cos(Math.PI * p)) + 0.1), 12);
    }
    expect(s(0)).toBeCloseTo(0.1, 12);
    expect(s(100)).toBeCloseTo(0.1 * (0.9 * 0.5 + 0.1), 12); // half way: cos = 0
    expect(s(200)).toBeCloseTo(0.01, 12); // alpha × initial
    expect(s(1000)).toBeCloseTo(0.01, 12); // constant after
  });

  it('cosineDecay with warmup: linear from initial to warmupTarget, then cosine from the target', () => {
    const s = wg.schedules.cosineDecay({ initialLearningRate: 0, warmupTarget: 1e-3, warmupSteps: 10, decaySteps: 100 });
    expect(s(0)).toBe(0);
    expect(s(5)).toBeCloseTo(5e-4, 15);
    expect(s(9)).toBeCloseTo(9e-4, 15);
    expect(s(10)).toBeCloseTo(1e-3, 15);
    expect(s(60)).toBeCloseTo(5e-4, 15);
    expect(s(110)).toBeCloseTo(0, 15);
    expect(s(500)).toBeCloseTo(0, 15);
    for (const t of STEPS) {
      const want = t < 10 ? 1e-3 * (t / 10) : 1e-3 * 0.5 * (1 + Math.cos((Math.PI * Math.min(t - 10, 100)) / 100));
      expect(s(t)).toBeCloseTo(want, 15);
    }
  });

  it('exponentialDecay, continuous and staircase', () => {
    const smooth = wg.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    const stairs = wg.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect(smooth(10)).toBeCloseTo(0.05, 12);
    expect(smooth(15)).toBeCloseTo(0.1 * 0.5 ** 1.5, 12);
    expect(stairs(15)).toBeCloseTo(0.05, 12);
    expect(stairs(19)).toBeCloseTo(0.05, 12);
    expect(stairs(20)).toBeCloseTo(0.025, 12);
    for (const t of STEPS) expect(smooth(t)).toBeCloseTo(0.1 * Math.exp((t / 10) * Math.log(0.5)), 12);
  });

  it('piecewiseConstantDecay: values[i] while step <= boundaries[i]', () => {
    const s = wg.schedules.piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    expect([0, 10, 11, 20, 21, 300].map((t) => s(t))).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
  });

  it('polynomialDecay and linearWarmup', () => {
    const poly = wg.schedules.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1, power: 2 });
    expect(poly(0)).toBeCloseTo(1, 12);
    expect(poly(5)).toBeCloseTo(0.9 * 0.25 + 0.1, 12);
    expect(poly(10)).toBeCloseTo(0.1, 12);
    expect(poly(50)).toBeCloseTo(0.1, 12);
    const warm = wg.schedules.linearWarmup({ learningRate: 0.2, warmupSteps: 4 });
    expect([0, 1, 2, 4, 100].map((t) => warm(t))).toEqual([0, 0.05, 0.1, 0.2, 0.2]);
  });

  it('each schedule carries its class name and options, and comes back from them', () => {
    const s = wg.schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 50, warmupTarget: 0.1, warmupSteps: 5, alpha: 0.2 });
    expect(s.className).toBe('cosineDecay');
    const saved = wg.optimizers.adam({ learningRate: s }).getConfig();
    expect(saved.learningRate).toEqual({ className: 'cosineDecay', config: { initialLearningRate: 0.01, decaySteps: 50, alpha: 0.2, warmupSteps: 5, warmupTarget: 0.1 } });
    const again = wg.schedules[s.className as 'cosineDecay']({ ...(s.config as unknown as wg.CosineDecayOptions) });
    for (const t of [0, 3, 5, 20, 55, 80]) expect(again(t)).toBe(s(t));
  });

  it('bad options are refused with the schedule, the option and the value named', () => {
    expect(() => wg.schedules.cosineDecay({ initialLearningRate: -1, decaySteps: 10 })).toThrow(/schedules.cosineDecay: initialLearningRate should be a finite number >= 0, got -1/);
    expect(() => wg.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 0 })).toThrow(/schedules.cosineDecay: decaySteps should be a finite number > 0, got 0/);
    expect(() => wg.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: 5 })).toThrow(/warmupSteps 5 needs a warmupTarget/);
    expect(() => wg.schedules.cosineDecay({ initialLearningRate: 0.1 } as never)).toThrow(/schedules.cosineDecay: decaySteps is required/);
    expect(() => wg.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: NaN })).toThrow(/decayRate should be a finite number >= 0, got NaN/);
    expect(() => wg.schedules.piecewiseConstantDecay({ boundaries: [5, 3], values: [1, 2, 3] })).toThrow(/boundaries should increase, got 5 then 3/);
    expect(() => wg.schedules.piecewiseConstantDecay({ boundaries: [5], values: [1] })).toThrow(/values should have one more entry than boundaries \(2\), got 1/);
    expect(() => wg.schedules.linearWarmup({ learningRate: Infinity, warmupSteps: 3 })).toThrow(/schedules.linearWarmup: learningRate should be a finite number >= 0, got Infinity/);
    expect(() => wg.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupStep: 3 } as never)).toThrow(/unknown option 'warmupStep'; did you mean 'warmupSteps'\?/);
  });
});

describe.each(cases)('schedules in training ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('sgd follows the schedule: update t uses rate(t), t from 0', async () => {
    await wg.setBackend(name);
    const schedule = wg.schedules.exponentialDecay({ initialLearningRate: 0.5, decaySteps: 2, decayRate: 0.3 });
    const p = wg.variable(wg.tensor([1, -2]));
    const sgd = wg.optimizers.sgd({ learningRate: schedule });
    let want = [1, -2];
    for (let t = 0; t < 6; t++) {
      expect(sgd.currentLearningRate).toBeCloseTo(schedule(t), 12);
      // gradient of sum(p²) is 2p
      const { value, grads } = wg.valueAndGrad(() => wg.square(p).sum(), [p]);
      sgd.applyGradients(grads, [p]);
      wg.dispose([value, grads]);
      want = want.map((v) => v - schedule(t) * 2 * v);
      expect(sgd.lastLearningRate).toBeCloseTo(schedule(t), 12);
    }
    expectClose(await p.data(), want, [2], { rel: 1e-5, abs: 1e-7 }, 'p after 6 steps');
    expect(sgd.iterations).toBe(6);
  });

  run('fit logs the rate of each epoch’s last update as learningRate, in History and batch logs', async () => {
    await wg.setBackend(name);
    wg.setSeed(1);
    const schedule = wg.schedules.cosineDecay({ initialLearningRate: 0, warmupTarget: 0.05, warmupSteps: 3, decaySteps: 6 });
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 2 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: schedule }), loss: 'mse' });
    const x = wg.tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const y = wg.tensor([[1], [2], [3], [4]]);
    const batchRates: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 4, batchSize: 2, verbose: 0, shuffle: false,
      callbacks: { onBatchEnd: (_b, logs) => void batchRates.push(logs!.learningRate!) },
    });
    // 2 updates per epoch: epoch e ends with update 2e + 1
    expect(history.history.learningRate).toEqual([1, 3, 5, 7].map((t) => schedule(t)));
    expect(batchRates).toEqual(Array.from({ length: 8 }, (_, t) => schedule(t)));
    model.dispose();
    wg.dispose([x, y]);
  });

  run('fit on a dataset logs learningRate as fit on tensors does (the same logs assembly)', async () => {
    await wg.setBackend(name);
    const schedule = wg.schedules.cosineDecay({ initialLearningRate: 0, warmupTarget: 0.05, warmupSteps: 3, decaySteps: 6 });
    const rows = [[1, 2], [3, 4], [5, 6], [7, 8]];
    const targets = [[1], [2], [3], [4]];
    const batches: wg.Dataset = {
      *[Symbol.iterator]() {
        for (let i = 0; i < rows.length; i += 2) yield { x: wg.tensor(rows.slice(i, i + 2)), y: wg.tensor(targets.slice(i, i + 2)) };
      },
    };
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 2 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: schedule }), loss: 'mse' });
    const batchRates: number[] = [];
    const history = await model.fit(batches, { epochs: 3, verbose: 0, callbacks: { onBatchEnd: (_b, logs) => void batchRates.push(logs!.learningRate!) } });
    expect(history.history.learningRate).toEqual([1, 3, 5].map((t) => schedule(t)));
    expect(batchRates).toEqual(Array.from({ length: 6 }, (_, t) => schedule(t)));
    model.dispose();
  });

  run('a schedule that returns a non-finite rate stops at that step, named, before the update', async () => {
    await wg.setBackend(name);
    const p = wg.variable(wg.tensor([1]));
    const sgd = wg.optimizers.sgd({ learningRate: (t: number) => (t === 2 ? NaN : 0.1) });
    sgd.applyGradients([wg.tensor([1])], [p]);
    sgd.applyGradients([wg.tensor([1])], [p]);
    const before = wg.memory().numTensors;
    const g = wg.tensor([1]);
    expect(() => sgd.applyGradients([g], [p])).toThrow(/^sgd.applyGradients: the learning-rate schedule returned NaN at step 2; expected a finite number >= 0$/);
    expect(wg.memory().numTensors).toBe(before + 1);
    expect((await p.data())[0]).toBeCloseTo(0.8, 6);
    expect(sgd.iterations).toBe(2);
    const negative = wg.optimizers.adam({ learningRate: () => -1 });
    expect(() => negative.applyGradients([g], [p])).toThrow(/adam.applyGradients: the learning-rate schedule returned -1 at step 0/);
    // inside fit the step is named too, and fit rejects
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 1 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: (t: number) => (t < 3 ? 0.01 : Infinity) }), loss: 'mse' });
    const x = wg.ones([8, 1]);
    await expect(model.fit(x, x, { epochs: 2, batchSize: 2, verbose: 0 })).rejects.toThrow(/returned Infinity at step 3/);
    model.dispose();
    wg.dispose([g, p, x]);
  });
});
