// Dynamic loss scaling (wg.optimizers.lossScale, Keras 3's LossScaleOptimizer), tested
// in float32 with forced overflows: the oracle is the same optimizer without scaling.
// A power-of-two scale multiplies and divides exactly, so SGD's trajectory with scaling
// is bit-identical to the one without; Adam's bias correction is computed on the device
// from its count of applied updates (float32 powers, where the host takes float64
// ones), so it agrees within rounding, which Adam's normalisation amplifies a little.
import { describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';
import { settleGarbage } from './helpers/gc.js';

const cases = await backendCases();

const X = [[1, 2], [0.5, -1], [-2, 0.25]];
const Y = [[1], [-1], [0.5]];

interface Problem {
  w: wg.Variable;
  b: wg.Variable;
  loss(factor?: number): wg.Tensor;
  dispose(): void;
}

/** loss(W, b) = sum((X W + b − Y)²) · factor: a huge factor overflows the scaled gradients. */
function problem(): Problem {
  const x = wg.tensor(X);
  const y = wg.tensor(Y);
  const w = wg.variable(wg.tensor([[0.3], [-0.2]]));
  const b = wg.variable(wg.tensor([0.1]));
  return {
    w, b,
    loss: (factor = 1) => wg.mul(wg.square(wg.sub(wg.add(wg.matmul(x, w), b), y)).sum(), factor),
    dispose: () => wg.dispose([x, y, w, b]),
  };
}

/** One training step: plain, or with the loss's gradient scaled as fit does. */
function step(p: Problem, optimizer: wg.Optimizer, factor = 1): void {
  const scaled = optimizer instanceof wg.LossScaleOptimizer;
  const { value, grads } = wg.valueAndGrad(() => {
    const l = p.loss(factor);
    return scaled ? optimizer.scaleLossGradient(l) : l;
  }, [p.w, p.b]);
  optimizer.applyGradients(grads, [p.w, p.b]);
  wg.dispose([value, grads]);
}

async function weights(p: Problem): Promise<number[]> {
  return [...(await p.w.data()), ...(await p.b.data())];
}

async function stateOf(optimizer: wg.Optimizer, p: Problem): Promise<number[]> {
  const s = optimizer.getState([p.w, p.b]);
  const out: number[] = [];
  for (const slots of s.slots) for (const t of slots) out.push(...(await t.data()));
  return out;
}

function expectNear(actual: readonly number[], expected: readonly number[], rel: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    expect(Math.abs(a - e), `${what}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  });
}

describe.each(cases)('loss scaling ($name)', ({ name, skip }) => {
  it.skipIf(skip)('SGD with momentum: the scaled trajectory is bit-identical to the plain one (power-of-two scales)', async () => {
    await wg.setBackend(name);
    const plain = problem();
    const scaled = problem();
    const sgd = wg.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 });
    // growth every 2 steps: the scale changes during the run (2^4 → 2^7)
    const ls = wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), { initialScale: 16, dynamicGrowthSteps: 2 });
    await settleGarbage();
    const before = wg.memory().numTensors;
    for (let i = 0; i < 6; i++) {
      step(plain, sgd);
      step(scaled, ls);
      expect(await weights(scaled), `step ${i + 1}`).toEqual(await weights(plain));
    }
    expect(await ls.readLossScale()).toBe(128);
    expect(ls.iterations).toBe(6);
    // the scale, its counters and one device step count remain; the momentum buffers as plain's
    expect(wg.memory().numTensors - before).toBeLessThanOrEqual(2 + 2 + 4 + 1);
    ls.dispose();
    sgd.dispose();
    plain.dispose();
    scaled.dispose();
  });

  it.skipIf(skip)('Adam: the scaled trajectory matches the plain one within rounding', async () => {
    await wg.setBackend(name);
    const plain = problem();
    const scaled = problem();
    const adam = wg.optimizers.adam({ learningRate: 0.05 });
    const ls = wg.optimizers.lossScale(wg.optimizers.adam({ learningRate: 0.05 }), { initialScale: 1024 });
    for (let i = 0; i < 5; i++) {
      step(plain, adam);
      step(scaled, ls);
      expectNear(await weights(scaled), await weights(plain), 1e-5, `weights after step ${i + 1}`);
    }
    expectNear(await stateOf(ls, scaled), await stateOf(adam, plain), 5e-5, 'Adam m and v');
    wg.dispose([ls, adam]);
    plain.dispose();
    scaled.dispose();
  });

  it.skipIf(skip)('a forced overflow skips exactly that update (weights and Adam state bit-identical), halves the scale, and training recovers', async () => {
    await wg.setBackend(name);
    const plain = problem();
    const scaled = problem();
    const adam = wg.optimizers.adam({ learningRate: 0.05 });
    const ls = wg.optimizers.lossScale(wg.optimizers.adam({ learningRate: 0.05 }), { initialScale: 2 ** 15 });
    step(plain, adam);
    step(scaled, ls);
    const w1 = await weights(scaled);
    const s1 = await stateOf(ls, scaled);
    // 1e36 × 2^15 overflows float32 in the backward: the gradients are ±inf or NaN
    step(scaled, ls, 1e36);
    expect(await weights(scaled), 'weights after the skipped step').toEqual(w1);
    expect(await stateOf(ls, scaled), 'Adam state after the skipped step').toEqual(s1);
    expect(await ls.readLossScale()).toBe(2 ** 14);
    // attempts count on the host (schedules), applied updates on the device (bias correction)
    expect(ls.iterations).toBe(2);
    // recovery: the next updates are Adam's 2nd and 3rd, as if the skipped one never happened
    for (let i = 0; i < 2; i++) {
      step(plain, adam);
      step(scaled, ls);
      expectNear(await weights(scaled), await weights(plain), 1e-5, `weights after recovery step ${i + 1}`);
    }
    expectNear(await stateOf(ls, scaled), await stateOf(adam, plain), 5e-5, 'Adam m and v after recovery');
    wg.dispose([ls, adam]);
    plain.dispose();
    scaled.dispose();
  });

  it.skipIf(skip)('an injected inf or NaN gradient skips the update (SGD with momentum, weights and buffer unchanged)', async () => {
    await wg.setBackend(name);
    const w = wg.variable(wg.tensor([1, 2, 3]));
    const ls = wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: 0.5, momentum: 0.9 }), { initialScale: 8 });
    ls.applyGradients([wg.tensor([8, 8, 8])], [w]); // unscaled: 1 each
    const after1 = [...(await w.data())];
    expect(after1).toEqual([0.5, 1.5, 2.5]);
    const buf = [...(await ls.getState([w]).slots[0]![0]!.data())];
    for (const bad of [Infinity, -Infinity, NaN]) {
      ls.applyGradients([wg.tensor([8, bad, 8])], [w]);
      expect([...(await w.data())]).toEqual(after1);
      expect([...(await ls.getState([w]).slots[0]![0]!.data())]).toEqual(buf);
    }
    expect(await ls.readLossScale()).toBe(1);
    // the next finite update is momentum's second step: buf = 0.9 · 1 + 2, w -= 0.5 · buf
    ls.applyGradients([wg.tensor([2, 2, 2])], [w]); // unscaled by 1: 2 each
    expectNear([...(await w.data())], after1.map((v) => v - 0.5 * (0.9 * 1 + 2)), 1e-6, 'w after the second update');
    wg.dispose([ls, w]);
  });

  const rules: [string, () => wg.Optimizer][] = [
    ['sgd with weight decay', () => wg.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.01 })],
    ['nesterov', () => wg.optimizers.sgd({ learningRate: 0.1, momentum: 0.8, nesterov: true })],
    ['adagrad with lrDecay', () => wg.optimizers.adagrad({ learningRate: 0.1, lrDecay: 0.5 })],
    ['rmsprop', () => wg.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 })],
    ['rmsprop centered', () => wg.optimizers.rmsprop({ learningRate: 0.01, centered: true })],
    ['adamw', () => wg.optimizers.adamw({ learningRate: 0.05 })],
  ];
  it.skipIf(skip).each(rules)('%s: a skipped overflow in the middle leaves the run of the plain optimizer without that step', async (_label, make) => {
    await wg.setBackend(name);
    const plain = problem();
    const scaled = problem();
    const inner = make();
    const ls = wg.optimizers.lossScale(make(), { initialScale: 2 ** 10 });
    for (let i = 0; i < 4; i++) {
      if (i === 2) {
        const w = await weights(scaled);
        const s = await stateOf(ls, scaled);
        step(scaled, ls, 1e36);
        expect(await weights(scaled)).toEqual(w);
        expect(await stateOf(ls, scaled)).toEqual(s);
      }
      step(plain, inner);
      step(scaled, ls);
      expectNear(await weights(scaled), await weights(plain), 1e-5, `weights after update ${i + 1}`);
    }
    expectNear(await stateOf(ls, scaled), await stateOf(inner, plain), 5e-5, 'state');
    wg.dispose([ls, inner]);
    plain.dispose();
    scaled.dispose();
  });

  it.skipIf(skip)('the scale doubles after dynamicGrowthSteps finite updates in a row; an overflow resets the run', async () => {
    await wg.setBackend(name);
    const w = wg.variable(wg.tensor([0]));
    const ls = wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: 0 }), { initialScale: 4, dynamicGrowthSteps: 3 });
    expect(ls.initialScale).toBe(4);
    const scales: number[] = [];
    const pattern = [1, 1, 1, 1, 1, 1, 1, Infinity, 1, 1, 1, 1];
    for (const g of pattern) {
      ls.applyGradients([wg.tensor([g])], [w]);
      scales.push(await ls.readLossScale());
    }
    // grows at the 3rd and 6th, halves at the overflow (8th), grows 3 finite updates later
    expect(scales).toEqual([4, 4, 8, 8, 8, 16, 16, 8, 8, 8, 16, 16]);
    if (name !== 'webgpu') expect(ls.lossScale).toBe(16);
    wg.dispose([ls, w]);
  });

  it.skipIf(skip)('globalClipNorm sees the unscaled gradients: identical to clipping without scaling', async () => {
    await wg.setBackend(name);
    const plain = problem();
    const scaled = problem();
    const sgd = wg.optimizers.sgd({ learningRate: 0.1, globalClipNorm: 0.5 });
    const ls = wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: 0.1, globalClipNorm: 0.5 }), { initialScale: 2 ** 12 });
    for (let i = 0; i < 3; i++) {
      step(plain, sgd);
      step(scaled, ls);
      expect(await weights(scaled), `step ${i + 1}`).toEqual(await weights(plain));
    }
    expect(ls.clipping).toEqual({ globalClipNorm: 0.5 });
    wg.dispose([ls, sgd]);
    plain.dispose();
    scaled.dispose();
  });

  it.skipIf(skip)('gradientAccumulationSteps: micro-batches unscaled then averaged; one bad micro-batch skips the whole update', async () => {
    await wg.setBackend(name);
    const plain = problem();
    const scaled = problem();
    const sgd = wg.optimizers.sgd({ learningRate: 0.1, gradientAccumulationSteps: 2 });
    const ls = wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: 0.1, gradientAccumulationSteps: 2 }), { initialScale: 256, dynamicGrowthSteps: 1 });
    for (let i = 0; i < 4; i++) {
      step(plain, sgd);
      step(scaled, ls);
      expect(await weights(scaled), `micro-batch ${i + 1}`).toEqual(await weights(plain));
    }
    // the scale moves once per update (growth every update here), not per micro-batch
    expect(await ls.readLossScale()).toBe(1024);
    const w = await weights(scaled);
    step(scaled, ls, 1e36); // overflows
    step(scaled, ls); // finite, but its update holds the bad micro-batch: skipped
    expect(await weights(scaled)).toEqual(w);
    expect(await ls.readLossScale()).toBe(512);
    // the next update is whole again
    step(plain, sgd);
    step(plain, sgd);
    step(scaled, ls);
    step(scaled, ls);
    expect(await weights(scaled)).toEqual(await weights(plain));
    wg.dispose([ls, sgd]);
    plain.dispose();
    scaled.dispose();
  });

  it.skipIf(skip)('minimize scales the loss\'s gradient and returns the true loss', async () => {
    await wg.setBackend(name);
    const plain = problem();
    const scaled = problem();
    const sgd = wg.optimizers.sgd({ learningRate: 0.05 });
    const ls = wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: 0.05 }), { initialScale: 2 ** 20 });
    for (let i = 0; i < 3; i++) {
      const a = sgd.minimize(() => plain.loss(), true, [plain.w, plain.b])!;
      const b = ls.minimize(() => scaled.loss(), true, [scaled.w, scaled.b])!;
      expect(await b.data()).toEqual(await a.data());
      expect(await weights(scaled)).toEqual(await weights(plain));
      wg.dispose([a, b]);
    }
    // Keras' scale_loss: the value times the scale
    const l = wg.tensor(3);
    const s = ls.scaleLoss(l);
    expect((await s.data())[0]).toBe(3 * 2 ** 20);
    wg.dispose([ls, sgd, l, s]);
    plain.dispose();
    scaled.dispose();
  });

  it.skipIf(skip)('a learning-rate schedule counts attempts (as a PyTorch scheduler stepped each iteration)', async () => {
    await wg.setBackend(name);
    const w = wg.variable(wg.tensor([0]));
    const rates: number[] = [];
    const schedule = (s: number): number => {
      rates.push(s);
      return 0.1;
    };
    const ls = wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: schedule }), { initialScale: 2 });
    for (const g of [1, Infinity, 1]) ls.applyGradients([wg.tensor([g])], [w]);
    expect(rates).toEqual([0, 1, 2]);
    expect(ls.learningRate).toBe(schedule);
    wg.dispose([ls, w]);
  });

  it.skipIf(skip)('fit with a loss-scale optimizer: the same weights as without, and lossScale in History', async () => {
    await wg.setBackend(name);
    const make = (): wg.Sequential => {
      const m = wg.sequential({ layers: [wg.layers.dense({ units: 3, inputShape: [2], activation: 'tanh', kernelInitializer: 'ones' }), wg.layers.dense({ units: 1, kernelInitializer: 'ones' })] });
      return m;
    };
    const x = wg.tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [-0.7, 0.8]]);
    const y = wg.tensor([[1], [0], [1], [0]]);
    const a = make();
    a.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const b = make();
    b.compile({ optimizer: wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: 0.1 }), { initialScale: 64, dynamicGrowthSteps: 2 }), loss: 'meanSquaredError' });
    const ha = await a.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    const hb = await b.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    expect(hb.history.loss).toEqual(ha.history.loss);
    // 2 updates an epoch, growth every 2: 128 after the first epoch, 256 after the second
    expect(hb.history.lossScale).toEqual([128, 256]);
    expect(ha.history.lossScale).toBeUndefined();
    for (const [i, wa] of a.weights.entries()) expect([...(await b.weights[i]!.data())]).toEqual([...(await wa.data())]);
    a.dispose();
    b.dispose();
    wg.dispose([x, y]);
  });

  it.skipIf(skip)('fit on a dataset scales too: the same weights as without, and lossScale in History', async () => {
    await wg.setBackend(name);
    const rows = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [-0.7, 0.8]];
    const targets = [[1], [0], [1], [0]];
    const batches: wg.Dataset = {
      *[Symbol.iterator]() {
        for (let i = 0; i < rows.length; i += 2) yield { x: wg.tensor(rows.slice(i, i + 2)), y: wg.tensor(targets.slice(i, i + 2)) };
      },
    };
    const make = (optimizer: wg.Optimizer): wg.Sequential => {
      const m = wg.sequential({ layers: [wg.layers.dense({ units: 3, inputShape: [2], activation: 'tanh', kernelInitializer: 'ones' }), wg.layers.dense({ units: 1, kernelInitializer: 'ones' })] });
      m.compile({ optimizer, loss: 'meanSquaredError' });
      return m;
    };
    const a = make(wg.optimizers.sgd({ learningRate: 0.1 }));
    const b = make(wg.optimizers.lossScale(wg.optimizers.sgd({ learningRate: 0.1 }), { initialScale: 2 ** 9, dynamicGrowthSteps: 2 }));
    const ha = await a.fit(batches, { epochs: 2, verbose: 0 });
    const hb = await b.fit(batches, { epochs: 2, verbose: 0 });
    expect(hb.history.loss).toEqual(ha.history.loss);
    expect(hb.history.lossScale).toEqual([2 ** 10, 2 ** 11]);
    for (const [i, wa] of a.weights.entries()) expect([...(await b.weights[i]!.data())]).toEqual([...(await wa.data())]);
    a.dispose();
    b.dispose();
  });
});
