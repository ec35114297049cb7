// The image layers: each layer's forward pass equals the op it runs and a float64
// reference (conv2d with strides, dilation, groups and activations; depthwise from its
// own definition; pooling; global pooling; reshape), the summary of a CNN, gradients of
// a small CNN (conv, batch norm, pooling, depthwise, dense) against float64 finite
// differences, and training parity: the same CNN gives the same loss curve on every backend.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { batchNormRef, channelStats, conv2dRef, denseRef, mapNd, type Padding, poolRef, reshapeNd } from '../helpers/cnn-reference.js';
import { trainParityCnn } from '../helpers/cnn-parity.js';
import { expectClose } from '../helpers/compare.js';
import { Nd, nd } from '../helpers/reference.js';
import { Rng } from '../helpers/values.js';

const cases = await backendCases();
const TOL = { rel: 1e-4, abs: 1e-5 };

function randomNd(shape: readonly number[], seed: number, lo = -1, hi = 1): Nd {
  const rng = new Rng(seed);
  return nd(shape, () => Math.fround(lo + (hi - lo) * rng.next()));
}
const tensorOf = (x: Nd) => wg.tensor(Float32Array.from(x.data), x.shape);
const ndOf = async (t: wg.Tensor) => new Nd([...t.shape], Float64Array.from(await t.data()));

interface ConvRow {
  readonly name: string;
  readonly image: readonly [number, number, number];
  readonly args: wg.Conv2DArgs;
  readonly act: (v: number) => number;
}
const CONV_ROWS: readonly ConvRow[] = [
  { name: "3×3 'same', relu (fused)", image: [6, 5, 2], args: { filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }, act: (v) => Math.max(v, 0) },
  { name: "stride 2, 'same', even kernel, tanh", image: [7, 6, 3], args: { filters: 4, kernelSize: [2, 4], strides: 2, padding: 'same', activation: 'tanh' }, act: Math.tanh },
  { name: 'dilation 2, no bias, elu (not fused)', image: [7, 7, 2], args: { filters: 2, kernelSize: 3, dilationRate: 2, useBias: false, activation: 'elu' }, act: (v) => (v > 0 ? v : Math.expm1(v)) },
  { name: 'groups 2, non-square strides', image: [6, 8, 4], args: { filters: 6, kernelSize: 3, strides: [1, 2], groups: 2 }, act: (v) => v },
];

describe.each(cases)('image layers ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  for (const row of CONV_ROWS) {
    run(`conv2d ${row.name}: the op with the layer's weights, and a float64 reference`, async () => {
      await wg.setBackend(name);
      wg.setSeed(5);
      const layer = wg.layers.conv2d({ ...row.args, inputShape: [...row.image], biasInitializer: wg.initializers.randomNormal({ seed: 3, stddev: 0.5 }) });
      const model = wg.sequential([layer]);
      const x = randomNd([2, ...row.image], 9, -2, 2);
      const y = model.predict(tensorOf(x));
      expect(y.shape).toEqual([2, ...(model.outputShape as number[])]);
      const [kernel, bias] = await Promise.all(layer.weights.map(ndOf));
      const c = row.image[2];
      expect(kernel!.shape).toEqual([...layer.kernelSize, c / layer.groups, layer.filters]);
      const opts = { strides: layer.strides, dilation: layer.dilationRate, padding: layer.padding as Padding, groups: layer.groups };
      expectClose(await y.data(), mapNd(conv2dRef(x, kernel!, opts, row.args.useBias === false ? undefined : bias), row.act).data, y.shape, TOL, 'layer vs float64');
      const byOp = wg.conv2d(tensorOf(x), layer.weights[0]!, { strides: layer.strides, dilation: layer.dilationRate, padding: layer.padding, groups: layer.groups, ...(layer.weights[1] ? { bias: layer.weights[1] } : {}) });
      const activated = row.args.activation ? wg.layers.activation({ activation: row.args.activation }).apply(byOp) : byOp;
      expectClose(await y.data(), await activated.data(), y.shape, { rel: 1e-6, abs: 1e-6 }, 'layer vs op');
    });
  }

  run('depthwiseConv2d: each channel convolved with its own depthMultiplier filters (float64, from the definition)', async () => {
    await wg.setBackend(name);
    wg.setSeed(6);
    const layer = wg.layers.depthwiseConv2d({ kernelSize: [3, 2], depthMultiplier: 2, padding: 'same', strides: [2, 1], inputShape: [5, 4, 3], biasInitializer: wg.initializers.randomUniform({ seed: 1 }) });
    const model = wg.sequential([layer]);
    expect(layer.weights.map((w) => [w.name.split('/')[1], w.shape])).toEqual([['depthwise_kernel', [3, 2, 3, 2]], ['bias', [6]]]);
    const x = randomNd([2, 5, 4, 3], 4);
    const y = model.predict(tensorOf(x));
    const [k, b] = await Promise.all(layer.weights.map(ndOf));
    // out[.., c·M + m] = b + Σ x[.., c] k[p, q, c, m]: one single-channel conv per (c, m)
    const parts = [0, 1, 2].flatMap((c) => [0, 1].map((m) => {
      const xc = nd([2, 5, 4, 1], (_, [n, i, j]) => x.at([n!, i!, j!, c]));
      const kc = nd([3, 2, 1, 1], (_, [p, q]) => k!.at([p!, q!, c, m]));
      return conv2dRef(xc, kc, { strides: [2, 1], padding: 'same' }, nd([1], [b!.data[c * 2 + m]!]));
    }));
    const expected = nd([2, 3, 4, 6], (_, [n, i, j, o]) => parts[o!]!.at([n!, i!, j!, 0]));
    expect(y.shape).toEqual([2, 3, 4, 6]);
    expectClose(await y.data(), expected.data, y.shape, TOL, 'depthwise vs float64');
  });

  for (const [kind, make] of [['max', wg.layers.maxPooling2d], ['avg', wg.layers.averagePooling2d]] as const) {
    run(`${kind} pooling layers: Keras defaults (pool 2, strides = pool, 'valid') and 'same' with strides, against the op and float64`, async () => {
      await wg.setBackend(name);
      const x = randomNd([2, 5, 7, 3], 12, -3, 3);
      const plain = make();
      expect(plain.poolSize).toEqual([2, 2]);
      expect(plain.strides).toEqual([2, 2]);
      const y1 = plain.apply(tensorOf(x));
      expectClose(await y1.data(), poolRef(x, kind, [2, 2]).data, y1.shape, TOL, `${kind} default`);
      const same = make({ poolSize: [3, 2], strides: [2, 3], padding: 'same' });
      const y2 = same.apply(tensorOf(x));
      expect(y2.shape).toEqual([2, ...(same.computeOutputShape([5, 7, 3]) as number[])]);
      expectClose(await y2.data(), poolRef(x, kind, [3, 2], [2, 3], 'same').data, y2.shape, TOL, `${kind} same`);
      const op = kind === 'max' ? wg.maxPool2d : wg.avgPool2d;
      expectClose(await y2.data(), await op(tensorOf(x), { poolSize: [3, 2], strides: [2, 3], padding: 'same' }).data(), y2.shape, { rel: 0, abs: 0 }, 'layer vs op');
    });
  }

  run('global pooling and reshape', async () => {
    await wg.setBackend(name);
    const x = randomNd([3, 4, 2, 5], 14);
    const avg = await wg.layers.globalAveragePooling2d().apply(tensorOf(x)).data();
    const max = await wg.layers.globalMaxPooling2d().apply(tensorOf(x)).data();
    const ref = (kind: 'avg' | 'max') => reshapeNd(poolRef(x, kind, [4, 2]), [3, 5]).data;
    expectClose(avg, ref('avg'), [3, 5], TOL, 'global average');
    expectClose(max, ref('max'), [3, 5], { rel: 0, abs: 0 }, 'global max');
    const reshaped = wg.layers.reshape({ targetShape: [-1, 5] }).apply(tensorOf(x));
    expect(reshaped.shape).toEqual([3, 8, 5]);
    expect(Array.from(await reshaped.data())).toEqual(Array.from(Float32Array.from(x.data)));
  });

  run('summary of a CNN: output shapes and parameter counts, trainable and not', async () => {
    await wg.setBackend(name);
    const model = wg.sequential({ name: 'cnn', layers: [
      wg.layers.reshape({ targetShape: [8, 8, 1], inputShape: [64], name: 'image' }),
      wg.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c1' }),
      wg.layers.batchNormalization({ name: 'bn' }),
      wg.layers.maxPooling2d({ name: 'p1' }),
      wg.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'dw' }),
      wg.layers.averagePooling2d({ name: 'p2' }),
      wg.layers.globalMaxPooling2d({ name: 'g' }),
      wg.layers.dense({ units: 10, name: 'out' }),
    ] });
    const text = model.summary(65, undefined, () => {});
    expect(text).toMatch(/image \(Reshape\)\s+\[null,8,8,1\]\s+0/);
    expect(text).toMatch(/c1 \(Conv2D\)\s+\[null,8,8,8\]\s+80\b/);
    expect(text).toMatch(/bn \(BatchNormalization\)\s+\[null,8,8,8\]\s+32\b/);
    expect(text).toMatch(/p1 \(MaxPooling2D\)\s+\[null,4,4,8\]\s+0/);
    expect(text).toMatch(/dw \(DepthwiseConv2D\)\s+\[null,2,2,16\]\s+160\b/);
    expect(text).toMatch(/p2 \(AveragePooling2D\)\s+\[null,1,1,16\]\s+0/);
    expect(text).toMatch(/g \(GlobalMaxPooling2D\)\s+\[null,16\]\s+0/);
    expect(text).toMatch(/out \(Dense\)\s+\[null,10\]\s+170\b/);
    expect(text).toMatch(/Total params: 442\b/);
    expect(text).toMatch(/Trainable params: 426\b/);
    expect(text).toMatch(/Non-trainable params: 16\b/);
  });

  run('gradients of a small CNN (conv, batch norm in training, max pool, depthwise, dense) match float64 finite differences', async () => {
    await wg.setBackend(name);
    wg.setSeed(11);
    const model = wg.sequential([
      wg.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', inputShape: [5, 5, 2] }),
      wg.layers.batchNormalization(),
      wg.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
      wg.layers.depthwiseConv2d({ kernelSize: 2, strides: 2, activation: 'sigmoid' }),
      wg.layers.flatten(),
      wg.layers.dense({ units: 2 }),
    ]);
    // random gamma / beta so that batch normalization's own gradients are not the trivial ones
    const weights = await Promise.all(model.getWeights().map(ndOf));
    weights[2] = randomNd([3], 21, 0.5, 1.5);
    weights[3] = randomNd([3], 22, -0.5, 0.5);
    weights[0] = randomNd(weights[0]!.shape, 23, -0.6, 0.6);
    weights[6] = randomNd(weights[6]!.shape, 24, -1, 1);
    model.setWeights(weights.map(tensorOf));
    const x = randomNd([3, 5, 5, 2], 25, -1, 1);
    const w = randomNd([3, 2], 26, -1, 1);
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const forward = (ws: Nd[]): number => {
      const [k1, b1, gamma, beta, , , dk, db, k2, b2] = ws as Nd[];
      const h1 = mapNd(conv2dRef(x, k1!, { padding: 'same' }, b1), Math.tanh);
      const h2 = batchNormRef(h1, channelStats(h1), gamma!.data, beta!.data, 1e-3);
      const h3 = poolRef(h2, 'max', [2, 2], [1, 1]);
      const filter = reshapeNd(dk!, [2, 2, 1, 3]);
      const h4 = mapNd(conv2dRef(h3, filter, { strides: [2, 2], groups: 3 }, db), sigmoid);
      const out = denseRef(reshapeNd(h4, [3, 12]), k2!, b2!);
      return out.data.reduce((s, v, i) => s + v * w.data[i]!, 0);
    };
    const params = model.trainableWeights;
    const trainableIndex = model.weights.map((v, i) => [v, i] as const).filter(([v]) => params.includes(v)).map(([, i]) => i);
    const xt = tensorOf(x);
    const wt = tensorOf(w);
    const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.mul(model.apply(xt, true), wt)), params);
    expect((await value.data())[0]).toBeCloseTo(forward(weights), 4);
    const h = 1e-4;
    for (const [g, k] of grads.map((gr, i) => [gr, trainableIndex[i]!] as const)) {
      const numeric = new Float64Array(weights[k]!.size);
      for (let j = 0; j < numeric.length; j++) {
        const shifted = (delta: number) => weights.map((v, i) => (i === k ? nd(v.shape, (f) => v.data[f]! + (f === j ? delta : 0)) : v));
        numeric[j] = (forward(shifted(h)) - forward(shifted(-h))) / (2 * h);
      }
      expectClose(await g.data(), numeric, g.shape, { rel: 2e-3, abs: 2e-4 }, `d/d ${model.weights[k]!.name}`);
    }
  });

  run('training parity: the parity CNN gives the cpu loss curve and weights', async () => {
    const ours = await trainParityCnn(wg, name);
    expect(ours.backend).toBe(name);
    expect(ours.losses.at(-1)!).toBeLessThan(ours.losses[0]! * 0.8);
    if (name === 'cpu') return;
    const cpu = await trainParityCnn(wg, 'cpu');
    expectClose(ours.losses, cpu.losses, [ours.losses.length], { rel: 1e-4, abs: 1e-5 }, `loss curve on ${name} vs cpu`);
    ours.weights.forEach((w, i) => expectClose(w, cpu.weights[i]!, [w.length], { rel: 1e-3, abs: 1e-4 }, `${cpu.names[i]} on ${name} vs cpu`));
  });
});
