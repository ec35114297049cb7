// The functional API (wg.input, layer.apply(symbolic), wg.model), the merge layers,
// the embedding layer and custom layers: each checked against an independent oracle
// (a plain-JS forward pass, a Sequential model with the same weights, closed-form
// gradients), trained, saved and loaded, on every backend.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { hostSideHere } from '../helpers/runtime.js';
import { settleGarbage } from '../helpers/gc.js';
import { saveInMemory } from '../helpers/model-files.js';

const cases = await backendCases();

type Matrix = number[][];
const matmulRef = (x: Matrix, w: Matrix, b: number[]) => x.map((row) => b.map((bj, j) => row.reduce((s, v, i) => s + v * w[i]![j]!, bj)));
const relu = (m: Matrix) => m.map((r) => r.map((v) => Math.max(v, 0)));
const close = (actual: number[], expected: number[], tol = 1e-5) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!))));
};
const rowsOf = (n: number, d: number, k = 1) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(k * (i * d + j) + 0.3)));

/** A custom layer: y = x * scale + shift, both learned per feature. */
class ScaleShift extends wg.Layer {
  private scale: wg.Variable | undefined;
  private shift: wg.Variable | undefined;
  constructor(args: wg.LayerArgs = {}) {
    super('ScaleShift', args, 'scale_shift');
  }
  computeOutputShape(inputShape: wg.Shape): wg.Shape {
    return inputShape;
  }
  protected override createWeights(inputShape: wg.Shape): void {
    const d = inputShape[inputShape.length - 1] as number;
    this.scale = this.addWeight('scale', [d], wg.initializers.ones());
    this.shift = this.addWeight('shift', [d], wg.initializers.zeros());
  }
  protected call(x: wg.Tensor): wg.Tensor {
    return wg.tidy(() => wg.add(wg.mul(x, this.scale!), this.shift!));
  }
  getConfig(): Record<string, unknown> {
    return {};
  }
}
wg.registerLayer('ScaleShift', (config) => new ScaleShift(config as wg.LayerArgs));

describe.each(cases)('functional model ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  // The graph, the shared training loop and save / load are the front end's: in Chromium
  // these three run on cpu and wasm only (test/helpers/runtime.ts, hostSideHere).
  if (hostSideHere(name)) run('a residual graph with add and concatenate equals a plain-JS forward pass', async () => {
    await wg.setBackend(name);
    wg.setSeed(5);
    const x = wg.input({ shape: [4] });
    const d1 = wg.layers.dense({ units: 4, activation: 'relu', biasInitializer: wg.initializers.randomNormal({ seed: 1 }) });
    const d2 = wg.layers.dense({ units: 3 });
    const h = d1.apply(x);
    const sum = wg.layers.add().apply([x, h]);
    const joined = wg.layers.concatenate().apply([sum, x]);
    const y = d2.apply(joined);
    expect(y.shape).toEqual([null, 3]);
    const model = wg.model({ inputs: x, outputs: y });
    expect(model.layers.map((l) => l.className)).toEqual(['Dense', 'Add', 'Concatenate', 'Dense']);
    expect(model.outputShape).toEqual([3]);
    const rows = rowsOf(5, 4);
    const copies = model.getWeights();
    const [w1, b1, w2, b2] = (await Promise.all(copies.map((w) => w.array()))) as [Matrix, number[], Matrix, number[]];
    wg.dispose(copies);
    const hidden = relu(matmulRef(rows, w1, b1));
    const expected = matmulRef(rows.map((r, i) => [...r.map((v, j) => v + hidden[i]![j]!), ...r]), w2, b2);
    // what earlier tests forgot is reclaimed by the finalizer at any await: settle it first
    await settleGarbage();
    const before = wg.memory().numTensors;
    const input = wg.tensor(rows);
    const out = model.predict(input);
    close(Array.from(await out.data()), expected.flat());
    wg.dispose([out, input]);
    expect(wg.memory().numTensors).toBe(before); // predict kept nothing
    model.dispose();
  });

  if (hostSideHere(name)) run('trains step for step like a Sequential model with the same weights (one shared training loop)', async () => {
    await wg.setBackend(name);
    wg.setSeed(9);
    const seq = wg.sequential([wg.layers.dense({ units: 5, inputShape: [3], activation: 'tanh' }), wg.layers.dense({ units: 2 })]);
    const x = wg.input({ shape: [3] });
    const a = wg.layers.dense({ units: 5, activation: 'tanh' });
    const b = wg.layers.dense({ units: 2 });
    const fn = wg.model({ inputs: x, outputs: b.apply(a.apply(x)) });
    fn.setWeights(seq.getWeights());
    for (const m of [seq, fn]) m.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    const xs = wg.tensor(rowsOf(16, 3));
    const ys = wg.tensor(rowsOf(16, 2, 7));
    const h1 = await seq.fit(xs, ys, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
    const h2 = await fn.fit(xs, ys, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
    expect(h2.history.loss).toEqual(h1.history.loss);
    expect(h1.history.loss![3]!).toBeLessThan(h1.history.loss![0]!);
    expect(await fn.evaluate(xs, ys)).toEqual(await seq.evaluate(xs, ys));
    seq.dispose();
    fn.dispose();
  });

  run('embedding picks table rows and its gradient adds up the rows each id used', async () => {
    await wg.setBackend(name);
    const emb = wg.layers.embedding({ inputDim: 5, outputDim: 3, embeddingsInitializer: wg.initializers.randomNormal({ seed: 4, stddev: 1 }) });
    const ids = wg.tensor([[1, 4, 1], [0, 2, 2]], [2, 3], 'int32');
    const out = emb.apply(ids);
    expect(out.shape).toEqual([2, 3, 3]);
    const table = (await emb.embeddings.array()) as Matrix;
    close(Array.from(await out.data()), [1, 4, 1, 0, 2, 2].flatMap((i) => table[i]!));
    // d/dtable of sum(emb(ids) * w) is, for each row r, the sum of w at the positions whose id is r.
    const w = wg.tensor(rowsOf(6, 3).flat(), [2, 3, 3]);
    const { grads } = wg.valueAndGrad(() => wg.sum(wg.mul(emb.apply(ids), w)), [emb.embeddings]);
    const wv = rowsOf(6, 3);
    const expected = Array.from({ length: 5 }, (_, r) => [0, 1, 2].map((j) => [1, 4, 1, 0, 2, 2].reduce((s, id, p) => s + (id === r ? wv[p]![j]! : 0), 0)));
    close(Array.from(await grads[0]!.data()), expected.flat());
    expect(emb.computeOutputShape([7])).toEqual([7, 3]);
  });

  if (hostSideHere(name)) run('an embedding model with int32 input trains, and saves and loads to identical predictions', async () => {
    await wg.setBackend(name);
    wg.setSeed(2);
    const ids = wg.input({ shape: [4], dtype: 'int32' });
    const e = wg.layers.embedding({ inputDim: 6, outputDim: 8 }).apply(ids);
    const flat = wg.layers.flatten().apply(e);
    const out = wg.layers.dense({ units: 6 }).apply(new ScaleShift().apply(flat));
    const model = wg.model({ inputs: ids, outputs: out, name: 'tiny_lm' });
    const x = wg.tensor(Array.from({ length: 12 * 4 }, (_, i) => (i * 7) % 6), [12, 4], 'int32');
    const y = wg.tensor(Array.from({ length: 12 }, (_, i) => (i * 5) % 6), [12], 'int32');
    // the dense layer gives logits: a custom loss says so (a GPT does it by name, see outputsLogits)
    model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.05 }), loss: (yt, yp) => wg.losses.sparseCategoricalCrossentropy(yt, yp, { fromLogits: true }) });
    const history = await model.fit(x, y, { epochs: 30, batchSize: 12, verbose: 0 });
    const losses = history.history.loss!;
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
    const loaded = await wg.loadModel(await saveInMemory(model));
    expect(loaded).toBeInstanceOf(wg.Model);
    expect(loaded.layers.map((l) => l.className)).toEqual(model.layers.map((l) => l.className));
    const [p1, p2] = [model.predict(x), loaded.predict(x)];
    expect(Array.from(await p2.data())).toEqual(Array.from(await p1.data()));
    model.dispose();
    loaded.dispose();
  });

  run('a layer used twice shares its weights; summary shows the graph', async () => {
    await wg.setBackend(name);
    const x = wg.input({ shape: [3], name: 'features' });
    const shared = wg.layers.dense({ units: 3, useBias: false });
    const y = wg.layers.add().apply([shared.apply(x), shared.apply(shared.apply(x))]);
    const model = wg.model({ inputs: x, outputs: y });
    expect(model.layers.length).toBe(2);
    expect(model.weights.length).toBe(1);
    expect(model.countParams()).toBe(9);
    const w = (await shared.weights[0]!.array()) as Matrix;
    const rows = rowsOf(2, 3);
    const once = matmulRef(rows, w, [0, 0, 0]);
    const twice = matmulRef(once, w, [0, 0, 0]);
    close(Array.from(await model.predict(wg.tensor(rows)).data()), once.flatMap((r, i) => r.map((v, j) => v + twice[i]![j]!)));
    const lines: string[] = [];
    const text = model.summary(65, undefined, (l) => lines.push(l));
    expect(text).toContain('Connected to');
    expect(text).toMatch(new RegExp(`${model.layers[1]!.name} \\(Add\\)\\s+\\[null,3\\]\\s+0\\s+${shared.name}, ${shared.name}`));
    expect(text).toContain('Total params: 9');
    model.dispose();
  });

  run('wrong wiring is refused with messages that name the problem, before anything is allocated', async () => {
    await wg.setBackend(name);
    const before = wg.memory().numTensors;
    const a = wg.input({ shape: [3] });
    const b = wg.input({ shape: [4] });
    const c = wg.input({ shape: [3] });
    expect(() => wg.layers.add().apply([a, b])).toThrow(/add(_\d+)?: inputs should all have one shape, got \[batch,3\], \[batch,4\]/);
    expect(() => wg.layers.add().apply(a)).toThrow(/takes a list of 2 or more inputs, got one tensor/);
    expect(() => wg.layers.dense({ units: 2 }).apply([a, c])).toThrow(/takes one input tensor, got a list of 2/);
    expect(() => wg.layers.concatenate({ axis: 2 }).apply([wg.input({ shape: [2, 3] }), wg.input({ shape: [3, 3] })])).toThrow(/should agree on every axis but 2/);
    const y = wg.layers.add().apply([a, c]);
    expect(() => wg.model({ inputs: a, outputs: y })).toThrow(/outputs depend on the input 'input_\d+' .* not among the model's inputs/);
    expect(() => wg.model({ inputs: y, outputs: y })).toThrow(/inputs\[0\] .* is the output of layer/);
    const concrete = wg.zeros([2]);
    expect(() => wg.model({ inputs: a, outputs: concrete as unknown as wg.SymbolicTensor })).toThrow(/outputs should be a symbolic tensor .* got/);
    concrete.dispose();
    expect(() => wg.input({ shape: [0] })).toThrow(/input: shape should be an array of positive integers/);
    expect(() => wg.input({ shape: [2], dtype: 'bool' as 'int32' })).toThrow(/input: dtype should be 'float32' or 'int32', got "bool"/);
    expect(() => wg.layers.embedding({ inputDim: 0, outputDim: 2 })).toThrow(/embedding: inputDim/);
    expect(() => wg.layers.concatenate({ axis: 0 })).toThrow(/axis 0 is the batch axis/);
    const emb = wg.layers.embedding({ inputDim: 4, outputDim: 2 });
    const floats = wg.tensor([[1, 2]]);
    expect(() => emb.apply(floats)).toThrow(/ids should be an int32 tensor of token ids, got float32/);
    const dense = wg.layers.dense({ units: 2 });
    const m = wg.model({ inputs: a, outputs: dense.apply(a) });
    expect(() => m.predict(floats)).toThrow(/predict: x should have shape \[batch,3\] for this model, got \[1,2\]/);
    expect(() => dense.apply(a, { useCausalMask: true } as wg.ApplyOptions)).toThrow(/apply: unknown option 'useCausalMask'/);
    floats.dispose();
    m.dispose();
    emb.dispose();
    expect(wg.memory().numTensors).toBe(before);
    const ids = wg.tensor([[1, 4]], [1, 2], 'int32');
    if (ids.backend.readSync) {
      const e = wg.layers.embedding({ inputDim: 4, outputDim: 2 });
      expect(() => e.apply(ids)).toThrow(/ids should be in \[0, 3\] \(vocabulary of 4\), got 4 at position 1/);
      e.dispose();
    }
    ids.dispose();
  });
});
