// A language model trained from wg.data.textDataset: a bigram model (an embedding
// whose rows are next-character logits) fitted on the dataset ends exactly where fit
// on the same windows as tensors ends, and its loss falls to the text's conditional
// entropy (0 for a text in which each character has one successor).
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();
const TEXT = 'abcde'.repeat(40);
const loss = (y: wg.Tensor, p: wg.Tensor) => wg.losses.sparseCategoricalCrossentropy(y, p, { fromLogits: true });

function bigram(vocab: number): wg.Sequential {
  wg.setSeed(4);
  const model = wg.sequential([wg.layers.embedding({ inputDim: vocab, outputDim: vocab, inputShape: [8] })]);
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.3 }), loss });
  return model;
}

describe.each(cases)('fit on textDataset ($name)', ({ name, skip }) => {
  it.skipIf(skip)('a bigram model: the same weights as fit on tensors, and the loss falls to 0', async () => {
    await wg.setBackend(name);
    const tok = wg.text.charTokenizer(TEXT);
    const ids = tok.encode(TEXT);
    const T = 8;
    const ds = wg.data.textDataset(ids, { contextLength: T, batchSize: 4, shuffle: false });
    // the same windows as tensors, built here from the ids
    const starts = Array.from({ length: ds.samples }, (_, i) => i * T);
    const x = wg.tensor(starts.flatMap((s) => Array.from(ids.subarray(s, s + T))), [starts.length, T], 'int32');
    const y = wg.tensor(starts.flatMap((s) => Array.from(ids.subarray(s + 1, s + T + 1))), [starts.length, T], 'int32');
    const a = bigram(tok.vocabSize);
    await a.fit(x, y, { epochs: 6, batchSize: 4, shuffle: false, verbose: 0 });
    const b = bigram(tok.vocabSize);
    const h = await b.fit(ds, { epochs: 6, verbose: 0, validationData: wg.data.textDataset(ids.subarray(0, 60), { contextLength: T, batchSize: 4 }) });
    const [wa, wb] = [await a.weights[0]!.data(), await b.weights[0]!.data()];
    wa.forEach((v, i) => expect(wb[i]).toBeCloseTo(v, 4));
    const losses = h.history.loss!;
    expect(losses[0]).toBeGreaterThan(0.3); // ln 5 = 1.6 at the start, falling within the first epoch
    expect(losses[5]).toBeLessThan(0.05);
    expect(h.history.val_loss![5]).toBeLessThan(0.05);
    // it predicts each character's successor
    const logits = b.predict(wg.tensor([Array.from(tok.encode('abcdeabc'))], [1, T], 'int32'));
    const next = (await wg.argMax(logits, -1).data()) as Int32Array;
    expect(tok.decode(next)).toBe('bcdeabcd');
    x.dispose();
    y.dispose();
  });
});
