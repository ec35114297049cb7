// A GPT trained from text datasets: fit on wg.data.textDataset takes the same steps as
// fit on the same windows as tensors; fit on a text stream (wg.data.textFile read in
// chunks) the same as on the ids in memory; ids outside the vocabulary are refused.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { hostSideHere } from '../helpers/runtime.js';

const cases = await backendCases();
const TEXT = 'the cat sat on the mat. the dog sat on the log.\n'.repeat(4);
const T = 8;

function tinyGpt(vocabSize: number): wg.GPT {
  wg.setSeed(7);
  const model = wg.models.gpt({ vocabSize, contextLength: T, numLayers: 1, numHeads: 2, embedDim: 16 });
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

async function weightsOf(model: wg.GPT): Promise<Float32Array[]> {
  return Promise.all(model.weights.map((w) => w.data<Float32Array>()));
}

/**
 * The same steps end on the same weights, up to float rounding: WebGPU's embedding
 * gradient adds with atomics in no fixed order, and Adam turns a near-zero gradient's
 * rounding into a step of up to lr, so the bound is a fraction of lr (0.01) there.
 */
function expectSameWeights(a: Float32Array[], b: Float32Array[]): void {
  expect(b.length).toBe(a.length);
  const digits = wg.getBackend() === 'webgpu' ? 2 : 4;
  a.forEach((w, i) => w.forEach((v, j) => expect(b[i]![j]).toBeCloseTo(v, digits)));
}

describe.each(cases)('GPT on text datasets ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  // the dataset plumbing is host-side: not on webgpu in Chromium, where gpt.test.ts trains
  // the GPT (test/helpers/runtime.ts)
  if (hostSideHere(name)) run('fit(textDataset) equals fit on the same windows as tensors; a stream equals ids in memory', async () => {
    await wg.setBackend(name);
    const tok = wg.text.charTokenizer(TEXT);
    const ids = tok.encode(TEXT);
    const options = { contextLength: T, batchSize: 4, shuffle: false };
    const ds = wg.data.textDataset(ids, options);
    const starts = Array.from({ length: ds.samples }, (_, i) => i * T);
    const x = wg.tensor(starts.flatMap((s) => Array.from(ids.subarray(s, s + T))), [starts.length, T], 'int32');
    const y = wg.tensor(starts.flatMap((s) => Array.from(ids.subarray(s + 1, s + T + 1))), [starts.length, T], 'int32');
    const a = tinyGpt(tok.vocabSize);
    const ha = await a.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    const b = tinyGpt(tok.vocabSize);
    const hb = await b.fit(ds, { epochs: 2, verbose: 0 });
    expectSameWeights(await weightsOf(a), await weightsOf(b));
    ha.history.loss!.forEach((v, i) => expect(hb.history.loss![i]).toBeCloseTo(v, 4));
    expect(hb.history.loss![1]).toBeLessThan(hb.history.loss![0]!);
    const c = tinyGpt(tok.vocabSize);
    const file = wg.data.textFile(new TextEncoder().encode(TEXT), { chunkBytes: 20 });
    await c.fit(wg.data.textDataset(file, { ...options, tokenizer: tok }), { epochs: 2, verbose: 0 });
    expectSameWeights(await weightsOf(a), await weightsOf(c));
    // validation on a dataset equals evaluate on the same windows
    const h = await c.fit(ds, { epochs: 1, verbose: 0, validationData: wg.data.textDataset(ids, options) });
    const evaluated = await c.evaluate(x, y, { batchSize: 4 });
    expect(h.history.val_loss![0]).toBeCloseTo(evaluated.loss!, 4);
    wg.dispose([x, y]);
    for (const m of [a, b, c]) m.dispose();
  });

  run('a batch with ids outside the vocabulary is refused, naming the id', async () => {
    await wg.setBackend(name);
    const model = tinyGpt(5);
    const ds = wg.data.textDataset([0, 1, 2, 3, 4, 5, 1, 2, 3, 4], { contextLength: T, batchSize: 2, shuffle: false });
    await expect(model.fit(ds, { verbose: 0 })).rejects.toThrow(/fit: .*5.*(vocab|5\))/i);
    model.dispose();
  });
});
