// BatchNormalization: batch statistics while training, moving statistics at inference,
// the moving-average update (Keras' rule, biased batch variance) by hand, the update
// inside fit (with the optimizer never seeing the moving statistics), a refused NaN
// step leaving them alone, and the parameter counts summary shows.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { batchNormRef, channelStats } from '../helpers/cnn-reference.js';
import { expectClose, FORWARD } from '../helpers/compare.js';
import { Nd, nd } from '../helpers/reference.js';
import { Rng } from '../helpers/values.js';

const cases = await backendCases();
const TOL = { rel: 1e-4, abs: 1e-5 };

function randomNd(shape: readonly number[], seed: number, lo = -2, hi = 2): Nd {
  const rng = new Rng(seed);
  return nd(shape, () => Math.fround(lo + (hi - lo) * rng.next()));
}
const tensorOf = (x: Nd) => wg.tensor(Float32Array.from(x.data), x.shape);
const values = async (t: wg.Tensor) => Array.from(await t.data());

describe.each(cases)('batchNormalization ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('training: batch mean and biased variance; moving statistics move by Keras’ rule', async () => {
    await wg.setBackend(name);
    const layer = wg.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, inputShape: [3, 3, 2] });
    const model = wg.sequential([layer]);
    const [gamma, beta, mm, mv] = [randomNd([2], 1, 0.5, 2), randomNd([2], 2), randomNd([2], 3), randomNd([2], 4, 0.5, 3)];
    model.setWeights([gamma, beta, mm, mv].map(tensorOf));
    const x = randomNd([4, 3, 3, 2], 5, -3, 5);
    const y = layer.apply(tensorOf(x), true);
    const stats = channelStats(x);
    expectClose(await y.data(), batchNormRef(x, stats, gamma.data, beta.data, 1e-3).data, x.shape, TOL, 'training output');
    const [, , newMean, newVariance] = await Promise.all(model.getWeights().map(values));
    expectClose(newMean!, Array.from(mm.data, (m, c) => 0.9 * m + 0.1 * stats.mean[c]!), [2], FORWARD, 'moving mean');
    expectClose(newVariance!, Array.from(mv.data, (v, c) => 0.9 * v + 0.1 * stats.variance[c]!), [2], FORWARD, 'moving variance (biased batch variance)');
  });

  run('inference (predict, training = false) normalises with the moving statistics and changes nothing', async () => {
    await wg.setBackend(name);
    const model = wg.sequential([wg.layers.batchNormalization({ inputShape: [2, 3] })]);
    const weights = [randomNd([3], 11, 0.5, 2), randomNd([3], 12), randomNd([3], 13), randomNd([3], 14, 0.5, 3)];
    model.setWeights(weights.map(tensorOf));
    const x = randomNd([5, 2, 3], 15);
    const [gamma, beta, mean, variance] = weights as [Nd, Nd, Nd, Nd];
    const expected = batchNormRef(x, { mean: mean.data, variance: variance.data }, gamma.data, beta.data, 1e-3);
    expectClose(await model.predict(tensorOf(x)).data(), expected.data, x.shape, TOL, 'predict');
    const after = await Promise.all(model.getWeights().map(values));
    after.forEach((w, i) => expectClose(w, weights[i]!.data, [3], { rel: 0, abs: 0 }, `weight ${i} after predict`));
  });

  run('fit: two steps move the moving statistics by hand; the optimizer trains only gamma, beta and the dense layer', async () => {
    await wg.setBackend(name);
    wg.setSeed(4);
    const bn = wg.layers.batchNormalization({ momentum: 0.8, inputShape: [3] });
    const model = wg.sequential([bn, wg.layers.dense({ units: 1 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    expect(model.trainableWeights.map((w) => w.name)).toEqual([`${bn.name}/gamma`, `${bn.name}/beta`, `${model.layers[1]!.name}/kernel`, `${model.layers[1]!.name}/bias`]);
    expect(model.weights.map((w) => w.name.split('/')[1])).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance', 'kernel', 'bias']);
    const x = randomNd([8, 3], 21, -1, 4);
    const y = randomNd([8, 1], 22);
    const gammaBefore = await values(model.getWeights()[0]!);
    await model.fit(tensorOf(x), tensorOf(y), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    // Keras: moving = moving · m + batch · (1 − m), batch 1 then batch 2; the first layer sees x itself.
    const half = (k: number) => new Nd([4, 3], x.data.slice(k * 12, k * 12 + 12));
    const [s1, s2] = [channelStats(half(0)), channelStats(half(1))];
    const expectedMean = [0, 1, 2].map((c) => (0 * 0.8 + 0.2 * s1.mean[c]!) * 0.8 + 0.2 * s2.mean[c]!);
    const expectedVariance = [0, 1, 2].map((c) => (1 * 0.8 + 0.2 * s1.variance[c]!) * 0.8 + 0.2 * s2.variance[c]!);
    const [gamma, , mean, variance] = await Promise.all(model.getWeights().map(values));
    expectClose(mean!, expectedMean, [3], TOL, 'moving mean after two steps');
    expectClose(variance!, expectedVariance, [3], TOL, 'moving variance after two steps');
    expect(gamma).not.toEqual(gammaBefore);
    // evaluate uses the moving statistics: the same number as a float64 forward pass with them
    const [g, b, m, v, k, bias] = await Promise.all(model.getWeights().map(values));
    const normed = batchNormRef(x, { mean: m!, variance: v! }, g!, b!, 1e-3);
    const predictions = Array.from({ length: 8 }, (_, i) => bias![0]! + [0, 1, 2].reduce((s, c) => s + normed.data[i * 3 + c]! * k![c]!, 0));
    const mse = predictions.reduce((s, p, i) => s + (p - y.data[i]!) ** 2, 0) / 8;
    expect((await model.evaluate(tensorOf(x), tensorOf(y))).loss).toBeCloseTo(mse, 4);
  });

  run('a step whose loss is NaN leaves the moving statistics as they were', async () => {
    await wg.setBackend(name);
    const model = wg.sequential([wg.layers.batchNormalization({ momentum: 0.5, inputShape: [2] }), wg.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    // fit refuses non-finite data up front, so the second batch's loss overflows instead (a target of 1e30 squared)
    const x = [[1, 2], [3, 5], [0, 1], [2, 2]];
    const y = [[0], [0], [1e30], [0]];
    const history = await model.fit(wg.tensor(x), wg.tensor(y), { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
    expect(history.stoppedOnNaN).toBeDefined();
    const [, , mean, variance] = await Promise.all(model.getWeights().map(values));
    // Synchronous backends refuse the bad step itself; WebGPU learns of it at the epoch's end and restores its start.
    const synchronous = name !== 'webgpu';
    expectClose(mean!, synchronous ? [0.5 * 2, 0.5 * 3.5] : [0, 0], [2], FORWARD, 'moving mean');
    expectClose(variance!, synchronous ? [0.5 + 0.5 * 1, 0.5 + 0.5 * 2.25] : [1, 1], [2], FORWARD, 'moving variance');
  });

  run('axis 1 (channels first) normalises along that axis', async () => {
    await wg.setBackend(name);
    const layer = wg.layers.batchNormalization({ axis: 1, center: false, scale: false });
    const x = randomNd([3, 2, 4], 31);
    const y = await layer.apply(tensorOf(x), true).data();
    expect(layer.weights.map((w) => w.shape)).toEqual([[2], [2]]);
    // move the channel last, normalise with the reference, move it back
    const last = nd([3, 4, 2], (_, [n, l, c]) => x.at([n!, c!, l!]));
    const ref = batchNormRef(last, channelStats(last), [1, 1], [0, 0], 1e-3);
    const back = nd([3, 2, 4], (_, [n, c, l]) => ref.at([n!, l!, c!]));
    expectClose(y, back.data, x.shape, TOL, 'axis 1');
  });

  run('a frozen layer (trainable: false) normalises with its moving statistics even while training', async () => {
    await wg.setBackend(name);
    const layer = wg.layers.batchNormalization({ trainable: false, inputShape: [2] });
    wg.sequential([layer]).setWeights([wg.tensor([2, 2]), wg.tensor([1, 1]), wg.tensor([1, -1]), wg.tensor([4, 4])]);
    const y = await layer.apply(wg.tensor([[3, 3]]), true).data();
    expectClose(y, [2 * (2 / Math.sqrt(4.001)) + 1, 2 * (4 / Math.sqrt(4.001)) + 1], [1, 2], FORWARD, 'frozen');
    expect(Array.from(await layer.weights[2]!.data())).toEqual([1, -1]);
  });

  run('summary counts the moving statistics as non-trainable', async () => {
    await wg.setBackend(name);
    const model = wg.sequential([wg.layers.dense({ units: 4, inputDim: 3, name: 'd' }), wg.layers.batchNormalization({ name: 'bn' })]);
    const text = model.summary(65, undefined, () => {});
    expect(text).toMatch(/bn \(BatchNormalization\)\s+\[null,4\]\s+16/);
    expect(text).toMatch(/Total params: 32/);
    expect(text).toMatch(/Trainable params: 24/);
    expect(text).toMatch(/Non-trainable params: 8/);
  });
});
