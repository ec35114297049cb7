// layerNormalization and multiHeadAttention against plain-JS float64 references
// (Keras' definitions and weight layouts), inside functional models that train and
// save / load, on every backend.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { hostSideHere } from '../helpers/runtime.js';
import { saveInMemory } from '../helpers/model-files.js';

const cases = await backendCases();

type M = number[][];
const seq = (b: number, t: number, d: number, k: number) =>
  Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => Array.from({ length: d }, (_, c) => Math.sin(k * (i * 31 + j * 7 + c) + 0.2))));
const close = (actual: ArrayLike<number>, expected: number[], tol = 2e-5) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!)));
};

function layerNormRef(x: number[], gamma: number[], beta: number[], eps: number): number[] {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[i]! + beta[i]!);
}

/** Keras' MultiHeadAttention on one sample: kernels [d, h, k], output kernel [h, v, out]. */
function mhaRef(q: M, v: M, k: M, w: { q: number[][][]; qb: M; k: number[][][]; kb: M; v: number[][][]; vb: M; o: number[][][]; ob: number[] }, causal: boolean): M {
  const heads = w.qb.length;
  const project = (x: M, kernel: number[][][], bias: M) => x.map((row) => bias.map((hb, h) => hb.map((b0, j) => row.reduce((s, xv, i) => s + xv * kernel[i]![h]![j]!, b0))));
  const [Q, K, V] = [project(q, w.q, w.qb), project(k, w.k, w.kb), project(v, w.v, w.vb)];
  const keyDim = w.qb[0]!.length;
  return q.map((_, t) => {
    const perHead = Array.from({ length: heads }, (_, h) => {
      const scores = K.map((kr, s) => (causal && s > t ? -Infinity : Q[t]![h]!.reduce((acc, qv, j) => acc + qv * kr[h]![j]!, 0) / Math.sqrt(keyDim)));
      const m = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - m));
      const z = e.reduce((a, b) => a + b, 0);
      return V[0]![h]!.map((_, j) => V.reduce((acc, vr, s) => acc + (e[s]! / z) * vr[h]![j]!, 0));
    });
    return w.ob.map((b0, o) => perHead.reduce((acc, hv, h) => acc + hv.reduce((a, x, j) => a + x * w.o[h]![j]![o]!, 0), b0));
  });
}

describe.each(cases)('language layers ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('layerNormalization normalises the last axis with Keras’ epsilon and learned gamma and beta', async () => {
    await wg.setBackend(name);
    const ln = wg.layers.layerNormalization({ gammaInitializer: wg.initializers.randomNormal({ seed: 1, mean: 1, stddev: 0.3 }), betaInitializer: wg.initializers.randomNormal({ seed: 2 }) });
    expect(ln.epsilon).toBe(1e-3);
    const rows = seq(2, 3, 5, 1);
    const y = ln.apply(wg.tensor(rows));
    expect(ln.weights.map((w) => [w.name.split('/')[1], w.shape])).toEqual([['gamma', [5]], ['beta', [5]]]);
    const [gamma, beta] = (await Promise.all(ln.weights.map((w) => w.array()))) as [number[], number[]];
    close(await y.data(), rows.flat().flatMap((r) => layerNormRef(r, gamma, beta, 1e-3)));
    const plain = wg.layers.layerNormalization({ center: false, scale: false, epsilon: 1e-5 });
    close(await plain.apply(wg.tensor(rows)).data(), rows.flat().flatMap((r) => layerNormRef(r, [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], 1e-5)));
    expect(plain.weights.length).toBe(0);
  });

  run('multiHeadAttention matches Keras’ definition: self, cross, causal, valueDim and outputShape', async () => {
    await wg.setBackend(name);
    const init = (seed: number) => wg.initializers.randomNormal({ seed, stddev: 0.4 });
    for (const causal of [false, true]) {
      const mha = wg.layers.multiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 4, outputShape: 5, kernelInitializer: init(3), biasInitializer: init(4) });
      const q = seq(2, 4, 6, 1);
      const v = seq(2, 4, 7, 2);
      const k = seq(2, 4, 8, 3);
      const out = mha.apply([wg.tensor(q), wg.tensor(v), wg.tensor(k)], { useCausalMask: causal });
      expect(out.shape).toEqual([2, 4, 5]);
      expect(mha.weights.map((w) => [w.name.slice(mha.name.length + 1), w.shape])).toEqual([
        ['query/kernel', [6, 2, 3]], ['query/bias', [2, 3]], ['key/kernel', [8, 2, 3]], ['key/bias', [2, 3]],
        ['value/kernel', [7, 2, 4]], ['value/bias', [2, 4]], ['attention_output/kernel', [2, 4, 5]], ['attention_output/bias', [5]],
      ]);
      const [wq, qb, wk, kb, wv, vb, wo, ob] = (await Promise.all(mha.weights.map((w) => w.array()))) as [number[][][], M, number[][][], M, number[][][], M, number[][][], number[]];
      const expected = q.flatMap((_, b) => mhaRef(q[b]!, v[b]!, k[b]!, { q: wq, qb, k: wk, kb, v: wv, vb, o: wo, ob }, causal));
      close(await out.data(), expected.flat(), 1e-4);
    }
    // cross-attention: 3 queries over 5 keys, key = value
    const cross = wg.layers.multiHeadAttention({ numHeads: 1, keyDim: 2, useBias: false, kernelInitializer: init(9) });
    const q = seq(1, 3, 4, 4);
    const v = seq(1, 5, 4, 5);
    const y = cross.apply([wg.tensor(q), wg.tensor(v)]);
    expect(y.shape).toEqual([1, 3, 4]);
    const [wq, wk, wv, wo] = (await Promise.all(cross.weights.map((w) => w.array()))) as number[][][][];
    const zeros = (h: number, d: number) => Array.from({ length: h }, () => new Array(d).fill(0));
    close(await y.data(), mhaRef(q[0]!, v[0]!, v[0]!, { q: wq!, qb: zeros(1, 2), k: wk!, kb: zeros(1, 2), v: wv!, vb: zeros(1, 2), o: wo!, ob: [0, 0, 0, 0] }, false).flat(), 1e-4);
  });

  run('multiHeadAttention dropout acts only while training and is seeded', async () => {
    await wg.setBackend(name);
    const make = () => wg.layers.multiHeadAttention({ numHeads: 2, keyDim: 2, dropout: 0.5, seed: 8, kernelInitializer: wg.initializers.glorotUniform({ seed: 1 }) });
    const [a, b] = [make(), make()];
    const x = wg.tensor(seq(1, 5, 4, 6));
    const run1 = async (m: wg.MultiHeadAttention, training: boolean) => Array.from(await m.apply([x, x], { training }).data());
    const inference = await run1(a, false);
    expect(await run1(a, false)).toEqual(inference);
    const trainedA = await run1(a, true);
    expect(trainedA).not.toEqual(inference);
    expect(await run1(b, true)).toEqual(trainedA);
  });

  // The graph, fit and save / load are the front end's: in Chromium on cpu and wasm only
  // (hostSideHere); the GPT suites train attention on webgpu there.
  if (hostSideHere(name)) run('a transformer block built with the functional API trains and saves / loads to identical predictions', async () => {
    await wg.setBackend(name);
    wg.setSeed(4);
    const ids = wg.input({ shape: [6], dtype: 'int32' });
    const x = wg.layers.embedding({ inputDim: 7, outputDim: 8 }).apply(ids);
    const h = wg.layers.layerNormalization().apply(x);
    const a = wg.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 }).apply([h, h], { useCausalMask: true });
    const r = wg.layers.add().apply([x, a]);
    const logits = wg.layers.dense({ units: 7 }).apply(wg.layers.layerNormalization().apply(r));
    const model = wg.model({ inputs: ids, outputs: logits });
    expect(model.outputShape).toEqual([6, 7]);
    model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.03 }), loss: (y, p) => wg.losses.sparseCategoricalCrossentropy(y, p, { fromLogits: true }) });
    const xs = wg.tensor(Array.from({ length: 8 * 6 }, (_, i) => (i * 3) % 7), [8, 6], 'int32');
    const ys = wg.tensor(Array.from({ length: 8 * 6 }, (_, i) => (i * 3 + 3) % 7), [8, 6], 'int32');
    const history = await model.fit(xs, ys, { epochs: 25, batchSize: 8, verbose: 0 });
    const loss = history.history.loss!;
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! * 0.5);
    // causal: the first position's logits do not depend on later tokens
    const other = wg.tensor([[0, 6, 6, 6, 6, 6]], undefined, 'int32');
    const first = wg.tensor([[0, 1, 2, 3, 4, 5]], undefined, 'int32');
    const [p1, p2] = [await model.predict(first).array(), await model.predict(other).array()] as number[][][][];
    close(p2![0]![0]!, p1![0]![0]!, 1e-6);
    const saved = await saveInMemory(model);
    const loaded = await wg.loadModel(saved);
    expect(Array.from(await loaded.predict(xs).data())).toEqual(Array.from(await model.predict(xs).data()));
    model.dispose();
    loaded.dispose();
  });

  run('wrong calls name the layer and what it expected', async () => {
    await wg.setBackend(name);
    const a = wg.input({ shape: [4, 6] });
    const mha = wg.layers.multiHeadAttention({ numHeads: 2, keyDim: 3 });
    expect(() => mha.apply(a)).toThrow(/takes a list of 2 to 3 inputs, got one tensor/);
    expect(() => mha.apply([a, wg.input({ shape: [6] })])).toThrow(/query, value and key should be \[batch, time, features\]/);
    expect(() => mha.apply([a, wg.input({ shape: [5, 6] }), wg.input({ shape: [4, 6] })])).toThrow(/key and value should have the same length/);
    expect(() => wg.layers.multiHeadAttention({ numHeads: 2 } as wg.MultiHeadAttentionArgs)).toThrow(/multiHeadAttention: keyDim should be a positive integer, got undefined/);
    expect(() => wg.layers.layerNormalization({ epsilon: 0 })).toThrow(/layerNormalization: epsilon/);
    expect(() => wg.layers.layerNormalization({ axis: 1 as -1 })).toThrow(/only axis -1/);
  });
});
