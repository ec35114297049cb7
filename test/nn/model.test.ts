// Layers and the sequential model: building, weights in Keras order, seeded
// initializers, predict against a plain-JS forward pass, summary, and wrong calls.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();

/** Plain-JS float64 dense layer: act(x · W + b). */
function denseRef(x: number[][], w: number[][], b: number[], act: (v: number) => number): number[][] {
  return x.map((row) => b.map((bj, j) => act(row.reduce((s, v, i) => s + v * w[i]![j]!, bj))));
}
const relu = (v: number) => Math.max(v, 0);
const identity = (v: number) => v;

describe.each(cases)('sequential model ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('builds from inputShape and gives weights in Keras order and shapes', async () => {
    await wg.setBackend(name);
    const model = wg.sequential([
      wg.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }),
      wg.layers.dense({ units: 2, useBias: false }),
      wg.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    expect(model.built).toBe(true);
    expect(model.getWeights().map((w) => w.shape)).toEqual([[3, 4], [4], [4, 2], [2, 1], [1]]);
    expect(model.weights.map((w) => w.name)).toEqual([
      `${model.layers[0]!.name}/kernel`, `${model.layers[0]!.name}/bias`, `${model.layers[1]!.name}/kernel`,
      `${model.layers[2]!.name}/kernel`, `${model.layers[2]!.name}/bias`,
    ]);
    expect(model.countParams()).toBe(3 * 4 + 4 + 4 * 2 + 2 + 1);
    expect(model.outputShape).toEqual([1]);
    model.dispose();
  });

  run('the same seed gives the same weights; another seed other weights; biases start at zero', async () => {
    await wg.setBackend(name);
    const make = (seed: number) => {
      wg.setSeed(seed);
      return wg.sequential([wg.layers.dense({ units: 5, inputDim: 4 }), wg.layers.dense({ units: 3, kernelInitializer: 'heNormal' })]);
    };
    const [a, b, c] = [make(11), make(11), make(12)];
    const [wa, wb, wc] = await Promise.all([a, b, c].map(async (m) => Promise.all(m.getWeights().map((w) => w.data()))));
    wa!.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(wb![i]!)));
    expect(Array.from(wa![0]!)).not.toEqual(Array.from(wc![0]!));
    expect(Array.from(wa![1]!)).toEqual([0, 0, 0, 0, 0]);
    // glorotUniform stays within sqrt(6 / (fanIn + fanOut))
    const limit = Math.sqrt(6 / (4 + 5));
    expect(Array.from(wa![0]!).every((v) => Math.abs(v) <= limit)).toBe(true);
    // an initializer's own seed wins over the global stream
    const seeded = () => wg.sequential([wg.layers.dense({ units: 3, inputDim: 2, kernelInitializer: wg.initializers.glorotNormal({ seed: 5 }) })]);
    wg.setSeed(1);
    const s1 = await seeded().getWeights()[0]!.data();
    wg.setSeed(2);
    const s2 = await seeded().getWeights()[0]!.data();
    expect(Array.from(s1)).toEqual(Array.from(s2));
  });

  run('heNormal and glorotUniform have the variance Keras defines', async () => {
    await wg.setBackend(name);
    const draw = async (init: wg.Initializer) => Array.from(await init.apply([400, 300]).data());
    const variance = (xs: number[]) => xs.reduce((s, v) => s + v * v, 0) / xs.length;
    expect(variance(await draw(wg.initializers.heNormal({ seed: 1 })))).toBeCloseTo(2 / 400, 3);
    expect(variance(await draw(wg.initializers.glorotUniform({ seed: 1 })))).toBeCloseTo(2 / 700, 3);
  });

  run('predict equals a plain forward pass with the model’s weights, batched or not', async () => {
    await wg.setBackend(name);
    wg.setSeed(3);
    const model = wg.sequential([
      wg.layers.dense({ units: 6, inputDim: 5, activation: 'relu', biasInitializer: wg.initializers.randomNormal({ seed: 2 }) }),
      wg.layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    const rows = Array.from({ length: 37 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(i * 5 + j)));
    const [w1, b1, w2, b2] = await Promise.all(model.getWeights().map((w) => w.array())) as [number[][], number[], number[][], number[]];
    const hidden = denseRef(rows, w1, b1, relu);
    const logits = denseRef(hidden, w2, b2, identity);
    const expected = logits.map((r) => {
      const m = Math.max(...r);
      const e = r.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    for (const batchSize of [8, 64]) {
      const got = (await model.predict(wg.tensor(rows), { batchSize }).array()) as number[][];
      expect(got).toHaveLength(37);
      got.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
    }
  });

  run('setWeights replaces every weight; wrong calls change nothing', async () => {
    await wg.setBackend(name);
    const model = wg.sequential([wg.layers.dense({ units: 2, inputDim: 3 })]);
    const kernel = wg.tensor([[1, 2], [3, 4], [5, 6]]);
    model.setWeights([kernel, wg.tensor([0.5, -0.5])]);
    expect(await model.predict(wg.tensor([[1, 1, 1]])).array()).toEqual([[9.5, 11.5]]);
    const before = await Promise.all(model.getWeights().map((w) => w.array()));
    expect(() => model.setWeights([wg.zeros([2, 3]), wg.zeros([2])])).toThrow(/setWeights: weight 0 \(.*\/kernel\) should have shape \[3,2\], got \[2,3\]/);
    expect(() => model.setWeights([wg.zeros([3, 2])])).toThrow(/setWeights: expected 2 tensors .*got 1/);
    expect(() => model.setWeights([wg.zeros([3, 2]), wg.zeros([2], 'int32')])).toThrow(/should be float32, got int32/);
    expect(await Promise.all(model.getWeights().map((w) => w.array()))).toEqual(before);
    // getWeights returns copies: changing the model does not change them
    const copy = model.getWeights()[1]!;
    model.setWeights([kernel, wg.tensor([7, 7])]);
    expect(Array.from(await copy.data())).toEqual([0.5, -0.5]);
  });

  run('a model without an input shape builds on its first call', async () => {
    await wg.setBackend(name);
    const model = wg.sequential([wg.layers.flatten(), wg.layers.dense({ units: 2 })]);
    expect(model.built).toBe(false);
    const y = model.predict(wg.ones([4, 2, 3]));
    expect(y.shape).toEqual([4, 2]);
    expect(model.getWeights()[0]!.shape).toEqual([6, 2]);
  });

  run('dropout is seeded, active only in training, and keeps the expected value', async () => {
    await wg.setBackend(name);
    const x = wg.ones([200, 50]);
    const layer = wg.layers.dropout({ rate: 0.4, seed: 9 });
    expect(Array.from(await layer.apply(x, false).data()).every((v) => v === 1)).toBe(true);
    const train = Array.from(await layer.apply(x, true).data());
    const zeros = train.filter((v) => v === 0).length / train.length;
    expect(zeros).toBeGreaterThan(0.36);
    expect(zeros).toBeLessThan(0.44);
    expect(train.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.6) < 1e-6)).toBe(true);
    const again = Array.from(await wg.layers.dropout({ rate: 0.4, seed: 9 }).apply(x, true).data());
    expect(again).toEqual(train);
  });

  run('activation and flatten layers', async () => {
    await wg.setBackend(name);
    const model = wg.sequential([wg.layers.flatten({ inputShape: [2, 2] }), wg.layers.activation({ activation: 'relu' })]);
    expect(await model.predict(wg.tensor([[[1, -2], [-3, 4]]])).array()).toEqual([[1, 0, 0, 4]]);
    expect(model.outputShape).toEqual([4]);
  });

  run('summary lists layers, output shapes and parameter counts', async () => {
    await wg.setBackend(name);
    const lines: string[] = [];
    const model = wg.sequential({ name: 'tiny', layers: [wg.layers.dense({ units: 8, inputDim: 4, name: 'hidden' }), wg.layers.dense({ units: 2, name: 'out' })] });
    const text = model.summary(65, undefined, (l) => lines.push(l));
    expect(lines.join('\n')).toBe(text);
    expect(text).toMatch(/Model: tiny/);
    expect(text).toMatch(/hidden \(Dense\)\s+\[null,8\]\s+40/);
    expect(text).toMatch(/out \(Dense\)\s+\[null,2\]\s+18/);
    expect(text).toMatch(/Total params: 58/);
  });
});

describe('model argument checks', () => {
  it('unknown activations, initializers and options are named with a suggestion', () => {
    expect(() => wg.layers.dense({ units: 2, activation: 'rellu' as never })).toThrow(/dense: unknown activation "rellu"; did you mean 'relu'\?/);
    expect(() => wg.layers.dense({ units: 2, kernelInitializer: 'glorot' as never })).toThrow(/dense: unknown initializer "glorot"/);
    expect(() => wg.layers.dense({ units: 2, activaton: 'relu' } as never)).toThrow(/dense: unknown option 'activaton'; did you mean 'activation'\?/);
    expect(() => wg.layers.dense({ units: 0 })).toThrow(/dense: units should be an integer >= 1, got 0/);
    expect(() => wg.layers.dense({} as never)).toThrow(/dense: units should be a positive integer, got undefined/);
    expect(() => wg.layers.dropout({ rate: 1 })).toThrow(/dropout: rate should be a number in \[0, 1\), got 1/);
  });
  it('compile refuses unknown losses, optimizers and metrics', () => {
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 2 })]);
    // @ts-expect-error a misspelt loss name is a compile error too
    expect(() => model.compile({ optimizer: 'sgd', loss: 'meanSquareError' })).toThrow(/compile: unknown loss "meanSquareError"; did you mean 'meanSquaredError'\?/);
    expect(() => model.compile({ optimizer: 'adamm' as never, loss: 'mse' })).toThrow(/compile: unknown optimizer "adamm"; did you mean 'adam'\?/);
    // @ts-expect-error a misspelt metric name is a compile error too
    expect(() => model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['acuracy'] })).toThrow(/compile: unknown metric "acuracy"/);
    expect(() => model.compile({ optimizer: 'sgd' } as never)).toThrow(/compile: loss is required/);
  });
  it('inputs of the wrong shape are refused with both shapes', async () => {
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(() => model.predict(wg.zeros([2, 4]))).toThrow(/predict: x should have shape \[batch,3\] for this model, got \[2,4\]/);
    await expect(model.fit(wg.zeros([5, 3]), wg.zeros([4, 1]))).rejects.toThrow(/fit: x and y should have the same number of samples, got x \[5,3\] and y \[4,1\]/);
    await expect(model.fit(wg.zeros([5, 3]), wg.zeros([5, 1]), { epoch: 3 } as never)).rejects.toThrow(/fit: unknown option 'epoch'; did you mean 'epochs'\?/);
    const uncompiled = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3 })]);
    await expect(uncompiled.fit(wg.zeros([5, 3]), wg.zeros([5, 1]))).rejects.toThrow(/call model.compile/);
    expect(() => wg.sequential([wg.layers.dense({ units: 2, inputDim: 3 }), wg.layers.dense({ units: 1, inputDim: 5 })])).toThrow(/declares inputShape \[5\], but the previous layer outputs \[2\]/);
  });
  it('sparse labels outside the classes are refused before training', async () => {
    const model = wg.sequential([wg.layers.dense({ units: 3, inputDim: 2 })]);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await expect(model.fit(wg.zeros([2, 2]), wg.tensor([0, 3], [2], 'int32'), { verbose: 0 })).rejects.toThrow(/labels should be integers in \[0, 2\] \(3 classes\), got 3 at position 1/);
  });
});
