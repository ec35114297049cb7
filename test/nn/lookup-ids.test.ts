// Bad token ids are an error, never silent garbage (issue 13). On cpu and wasm an
// embedding lookup with an id outside [0, inputDim) is refused before anything is
// queued; on WebGPU the lookup kernel flags it on the device and the next read throws
// (the flag buffer sparse cross-entropy's labels use). Either way the message names
// the lookup, the id, its position and the vocabulary; a good call afterwards works
// (the flag resets) and nothing leaks.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { settleGarbage } from '../helpers/gc.js';

const cases = await backendCases();

/** Runs `call`, reading any tensor it returns (where WebGPU's flag surfaces); disposes what it made. */
async function outcome(call: () => unknown): Promise<unknown> {
  const result = await call();
  if (result instanceof wg.Tensor) {
    try {
      await result.data();
    } finally {
      result.dispose();
    }
  }
  return result;
}

/** The message for an id past a vocabulary of `vocab`, on every backend; WebGPU says where it was found. */
function says(vocab: number, id: number, position: number | string, gpu: boolean): RegExp {
  const text = `ids should be in \\[0, ${vocab - 1}\\] \\(vocabulary of ${vocab}\\), got ${id} at position ${position}`;
  return new RegExp(gpu ? `${text} \\(found on the GPU by the embedding lookup` : text);
}

describe.each(cases)('out-of-range token ids ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('an embedding model: predict, apply, evaluate and fit reject a bad id; a good call after works; nothing leaks', async () => {
    await wg.setBackend(name);
    wg.setSeed(4);
    const gpu = name === 'webgpu';
    const vocab = 10;
    const model = wg.sequential([
      wg.layers.embedding({ inputDim: vocab, outputDim: 4, inputShape: [3], name: 'tokens' }),
      wg.layers.flatten(),
      wg.layers.dense({ units: 2 }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const good = wg.tensor([[1, 2, 3], [9, 0, 4]], undefined, 'int32');
    const high = wg.tensor([[1, 2, 3], [9, 12, 4]], undefined, 'int32'); // 12 at flat position 4
    const negative = wg.tensor([[-1, 2, 3], [9, 0, 4]], undefined, 'int32'); // -1 at position 0
    const y = wg.zeros([2, 2]);
    await model.fit(good, y, { epochs: 1, batchSize: 2, verbose: 0 }); // the optimizer's state exists before the baseline
    const weights = await Promise.all(model.weights.map((w) => w.data()));
    await settleGarbage();
    const before = wg.memory().numTensors;

    await expect(outcome(() => model.predict(high))).rejects.toThrow(says(vocab, 12, 4, gpu));
    await expect(outcome(() => model.predict(negative))).rejects.toThrow(says(vocab, -1, 0, gpu));
    const again = model.predict(good);
    expect((await again.data()).every(Number.isFinite)).toBe(true); // the flag was reset by the failing read
    again.dispose();
    await expect(outcome(() => model.layers[0]!.apply(high))).rejects.toThrow(says(vocab, 12, 4, gpu));
    // the layer names itself in the message (on the GPU too)
    await expect(outcome(() => model.layers[0]!.apply(high))).rejects.toThrow(/^tokens: ids should be in|: ids should be in/);
    await expect(model.evaluate(high, y)).rejects.toThrow(says(vocab, 12, 4, gpu));
    // fit shuffles its batches: the position is the id's place in its batch
    await expect(model.fit(high, y, { epochs: 1, batchSize: 2, verbose: 0 })).rejects.toThrow(says(vocab, 12, '(1|4)', gpu));
    await expect(model.fit(high, y, { epochs: 1, batchSize: 2, verbose: 0, onDeviceLoss: 'throw' })).rejects.toThrow(says(vocab, 12, '(1|4)', gpu));
    if (!gpu) {
      // refused before the first step: the weights did not move
      const after = await Promise.all(model.weights.map((w) => w.data()));
      after.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(weights[i]!)));
    }
    expect(wg.memory().numTensors).toBe(before);
    // a good fit and predict after the bad calls work
    await model.fit(good, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const out = model.predict(good);
    expect((await out.data()).every(Number.isFinite)).toBe(true);
    out.dispose();
    expect(wg.memory().numTensors).toBe(before);
    wg.dispose([good, high, negative, y]);
    model.dispose();
  });

  run('a functional model with the embedding applied on its input rejects a bad id on every read path', async () => {
    await wg.setBackend(name);
    wg.setSeed(5);
    const gpu = name === 'webgpu';
    const input = wg.input({ shape: [2], dtype: 'int32' });
    const emb = wg.layers.embedding({ inputDim: 5, outputDim: 3 });
    const m = wg.model({ inputs: input, outputs: wg.layers.dense({ units: 1 }).apply(wg.layers.flatten().apply(emb.apply(input))) });
    const bad = wg.tensor([[0, 5]], undefined, 'int32');
    const good = wg.tensor([[0, 4]], undefined, 'int32');
    await settleGarbage();
    const before = wg.memory().numTensors;
    await expect(outcome(() => m.predict(bad))).rejects.toThrow(says(5, 5, 1, gpu));
    await expect(outcome(() => m.apply(bad))).rejects.toThrow(says(5, 5, 1, gpu));
    // array() reads too
    if (gpu) {
      const t = m.apply(bad);
      await expect(t.array()).rejects.toThrow(says(5, 5, 1, gpu));
      t.dispose();
    }
    await outcome(() => m.predict(good));
    expect(wg.memory().numTensors).toBe(before);
    wg.dispose([bad, good]);
    m.dispose();
  });

  run('a GPT: predict, apply, evaluate and fit reject a bad id; generate checks host ids before anything is queued', async () => {
    await wg.setBackend(name);
    wg.setSeed(6);
    const gpu = name === 'webgpu';
    const model = wg.models.gpt({ vocabSize: 7, contextLength: 4, numLayers: 1, numHeads: 2, embedDim: 8 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const good = wg.tensor([[1, 2, 3], [4, 5, 6]], undefined, 'int32');
    const bad = wg.tensor([[1, 2, 3], [4, 7, 6]], undefined, 'int32'); // 7 at position 4
    const first = model.predict(good);
    const expected = await first.array();
    first.dispose();
    (await model.generate(good, { maxNewTokens: 1, temperature: 0 })).dispose(); // whatever generation keeps exists before the baseline
    await settleGarbage();
    const before = wg.memory().numTensors;
    await expect(outcome(() => model.predict(bad))).rejects.toThrow(says(7, 7, 4, gpu));
    await expect(outcome(() => model.apply(bad))).rejects.toThrow(says(7, 7, 4, gpu));
    // training mode skips the whole-tensor host check: the lookup still refuses (or flags) the id
    await expect(outcome(() => wg.tidy(() => model.apply(bad, true)))).rejects.toThrow(says(7, 7, 4, gpu));
    await expect(model.evaluate(bad, good)).rejects.toThrow(/ids should be in \[0, 6\] \(vocabulary of 7\), got 7 at position 4/);
    await expect(model.fit(bad, good, { verbose: 0 })).rejects.toThrow(/fit: ids should be in \[0, 6\] \(vocabulary of 7\), got 7 at position 4/);
    const logits = model.predict(good);
    expect(await logits.array()).toEqual(expected); // the flag was reset by the failing read
    logits.dispose();
    // generate: host ids are checked before anything is queued (tensor or nested arrays)
    const count = wg.memory().numTensors;
    await expect(model.generate(bad, { maxNewTokens: 1 })).rejects.toThrow(/generate: ids should be in \[0, 6\] \(vocabulary of 7\), got 7 at position 4/);
    await expect(model.generate([[1, -2]], { maxNewTokens: 1 })).rejects.toThrow(/generate: ids should be in \[0, 6\] \(vocabulary of 7\), got -2 at position 1/);
    expect(wg.memory().numTensors).toBe(count);
    const continued = await model.generate(good, { maxNewTokens: 1, temperature: 0 });
    expect(continued.shape).toEqual([2, 4]);
    continued.dispose();
    expect(wg.memory().numTensors).toBe(before);
    wg.dispose([good, bad]);
    model.dispose();
  });

  run('wg.gather keeps its documented zeros for out-of-range indices (no flag, no error at the next read)', async () => {
    await wg.setBackend(name);
    const x = wg.tensor([[1, 2], [3, 4]]);
    const out = wg.gather(x, [1, 5, -1]);
    expect(await out.array()).toEqual([[3, 4], [0, 0], [0, 0]]);
    const ok = wg.add(x, 1);
    expect(await ok.array()).toEqual([[2, 3], [4, 5]]);
    wg.dispose([x, out, ok]);
  });
});
