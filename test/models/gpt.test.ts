// The GPT model against PyTorch: a tiny GPT-2 written in plain torch with Hugging
// Face's names (test/fixtures/gpt2-tiny/make.py) gives the logits, the losses of five
// Adam steps and greedy continuations that webgrad must reproduce from the same
// safetensors bytes, on every backend. Also: cached and uncached generation agree,
// wrong checkpoints and wrong calls are refused before anything changes or leaks.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { settleGarbage } from '../helpers/gc.js';
import { backendCases } from '../helpers/backends.js';
import { fixture } from '../fixtures/gpt2-tiny/fixture.js';

const cases = await backendCases();

const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const plainFile = bytesOf(fixture.files['model.safetensors']);
const headFile = bytesOf(fixture.files['lm-head-model.safetensors']);
const { config } = fixture;

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  expect(worst).toBeLessThan(tol);
}

async function loaded(bytes = plainFile): Promise<wg.GPT> {
  const model = wg.models.gpt(config);
  await model.loadWeights(bytes);
  return model;
}

describe.each(cases)('GPT ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('has GPT-2 weights with Hugging Face names and shapes, the head tied to wte', async () => {
    await wg.setBackend(name);
    const model = wg.models.gpt(config);
    const E = config.embedDim;
    expect(model.weights.slice(0, 6).map((w) => [w.name, w.shape])).toEqual([
      ['wte.weight', [11, E]], ['wpe.weight', [8, E]], ['h.0.ln_1.weight', [E]], ['h.0.ln_1.bias', [E]],
      ['h.0.attn.c_attn.weight', [E, 3 * E]], ['h.0.attn.c_attn.bias', [3 * E]],
    ]);
    expect(model.weights.map((w) => w.name)).not.toContain('lm_head.weight');
    const perBlock = 2 * E + (E * 3 * E + 3 * E) + (E * E + E) + 2 * E + (E * 4 * E + 4 * E) + (4 * E * E + E);
    expect(model.countParams()).toBe(11 * E + 8 * E + 2 * perBlock + 2 * E);
    const text = model.summary(65, undefined, () => undefined);
    expect(text).toContain('h.1.mlp.c_fc (Dense)');
    expect(text).toContain(`Total params: ${model.countParams()}`);
    model.dispose();
  });

  run('loadWeights + predict gives PyTorch’s logits, from either layout', async () => {
    await wg.setBackend(name);
    for (const file of [plainFile, headFile]) {
      const model = await loaded(file);
      for (const { ids, logits } of fixture.logits) {
        const x = wg.tensor(ids, undefined, 'int32');
        const y = model.predict(x);
        expect(y.shape).toEqual([ids.length, ids[0]!.length, config.vocabSize]);
        expectClose(await y.data(), logits.flat(2), 2e-5);
        x.dispose();
        y.dispose();
      }
      model.dispose();
    }
  });

  run('fit takes the same five Adam steps as PyTorch (losses and final logits)', async () => {
    await wg.setBackend(name);
    const model = await loaded();
    const { training } = fixture;
    model.compile({ optimizer: wg.optimizers.adam({ learningRate: training.learningRate }), loss: 'sparseCategoricalCrossentropy' });
    const x = wg.tensor(training.x, undefined, 'int32');
    const y = wg.tensor(training.y, undefined, 'int32');
    // the storage behind each weight (internal): the optimizer must update it in place, never copy it
    const storage = () => model.weights.map((w) => (w as unknown as { ref: unknown }).ref);
    const before = storage();
    const history = await model.fit(x, y, { epochs: training.losses.length, batchSize: 2, shuffle: false, verbose: 0 });
    expect(storage().filter((ref, i) => ref !== before[i]).length, 'weights whose storage was copied').toBe(0);
    expectClose(history.history.loss!, training.losses, 1e-4);
    // The head stayed tied: the logits after training are PyTorch's, whose head is wte.
    const after = model.predict(x);
    expectClose(await after.data(), training.logitsAfter.flat(2), 5e-4);
    expect(model.weights.length).toBe(2 + 12 * config.numLayers + 2);
    const evaluated = await model.evaluate(x, y);
    expect(evaluated.loss).toBeLessThan(training.losses[4]!);
    for (const t of [x, y, after]) t.dispose();
    model.dispose();
  });

  run('greedy generation matches PyTorch’s, with and without the KV cache, past the context too', async () => {
    await wg.setBackend(name);
    const model = await loaded();
    for (const { prompt, maxNewTokens, tokens } of fixture.greedy) {
      const promptTensor = wg.tensor(prompt, undefined, 'int32');
      await settleGarbage(); // forgotten tensors of earlier tests are reclaimed at awaits: not this test's
      const before = wg.memory().numTensors;
      const streamed: number[][] = [];
      const cached = await model.generate(promptTensor, { maxNewTokens, temperature: 0, onToken: (t, step) => { streamed[step] = t; } });
      const uncached = await model.generate(prompt, { maxNewTokens, temperature: 0, useCache: false });
      expect(cached.dtype).toBe('int32');
      expect(await cached.array()).toEqual(tokens);
      expect(await uncached.array()).toEqual(tokens);
      expect(streamed).toEqual(Array.from({ length: maxNewTokens }, (_, s) => tokens.map((row) => row[prompt[0]!.length + s]!)));
      cached.dispose();
      uncached.dispose();
      expect(wg.memory().numTensors).toBe(before);
      promptTensor.dispose();
    }
    model.dispose();
  });

  run('sampling is seeded; topK 1 is greedy; a prompt longer than the context is cropped', async () => {
    await wg.setBackend(name);
    const model = await loaded();
    const prompt = [[1, 2, 3]];
    const tokens = async (ids: number[][], options: wg.GenerateOptions) => {
      const out = await model.generate(ids, options);
      const rows = (await out.array()) as number[][];
      out.dispose();
      return rows;
    };
    const draw = (options: Partial<wg.GenerateOptions>) => tokens(prompt, { maxNewTokens: 6, ...options });
    expect(await draw({ seed: 3, temperature: 1.5 })).toEqual(await draw({ seed: 3, temperature: 1.5 }));
    expect(await draw({ seed: 3, topK: 1 })).toEqual(await draw({ temperature: 0 }));
    expect(await draw({ seed: 5, topP: 1e-6 })).toEqual(await draw({ temperature: 0 }));
    const long = Array.from({ length: 12 }, (_, i) => (i * 3) % 11);
    const out = await tokens([long], { maxNewTokens: 2, temperature: 0 });
    const cropped = await tokens([long.slice(-8)], { maxNewTokens: 2, temperature: 0, useCache: false });
    expect(out[0]!.slice(0, 12)).toEqual(long);
    expect(out[0]!.slice(12)).toEqual(cropped[0]!.slice(8));
    model.dispose();
  });

  run('generate streams to an async callback and stops when its signal aborts, freeing its cache', async () => {
    await wg.setBackend(name);
    const model = await loaded();
    await settleGarbage(); // forgotten tensors of earlier tests are reclaimed at awaits: not this test's
    const before = wg.memory().numTensors;
    const controller = new AbortController();
    const seen: number[] = [];
    const run1 = model.generate([[1, 2]], {
      maxNewTokens: 20,
      temperature: 0,
      signal: controller.signal,
      onToken: async (tokens, step) => {
        await new Promise((r) => setTimeout(r, 1));
        seen.push(tokens[0]!);
        if (step === 2) controller.abort(new Error('enough'));
      },
    });
    await expect(run1).rejects.toThrow('enough');
    expect(seen.length).toBe(3);
    expect(wg.memory().numTensors).toBe(before);
    const full = await model.generate([[1, 2]], { maxNewTokens: 3, temperature: 0 });
    expect(((await full.array()) as number[][])[0]!.slice(2)).toEqual(seen);
    full.dispose();
    model.dispose();
  });

  run('wrong checkpoints are refused with the tensor named, and change nothing', async () => {
    await wg.setBackend(name);
    const model = await loaded();
    const original = wg.io.decodeSafetensors(plainFile);
    const record = (edit: (m: Map<string, { shape: readonly number[]; data: Float32Array }>) => void) => {
      const m = new Map([...original.tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array }]));
      edit(m);
      return wg.io.encodeSafetensors(Object.fromEntries(m));
    };
    const before = await model.weights[4]!.data();
    const E = config.embedDim;
    await expect(model.loadWeights(record((m) => m.set('h.1.attn.c_attn.weight', { shape: [3 * E, E], data: new Float32Array(3 * E * E) }))))
      .rejects.toThrow(/tensor 'h\.1\.attn\.c_attn\.weight' should have shape \[16,48\] for this GPT .* the file has \[48,16\]/);
    await expect(model.loadWeights(record((m) => m.delete('h.0.attn.c_attn.bias')))).rejects.toThrow(/the file has no tensor 'h\.0\.attn\.c_attn\.bias' \[48\]/);
    await expect(model.loadWeights(record((m) => m.set('h.2.ln_1.weight', { shape: [E], data: new Float32Array(E) })))).rejects.toThrow(/tensors this GPT does not use: h\.2\.ln_1\.weight/);
    await expect(model.loadWeights(record((m) => m.set('lm_head.weight', { shape: [11, E], data: new Float32Array(11 * E) })))).rejects.toThrow(/lm_head\.weight differs from wte\.weight/);
    await expect(model.loadWeights(plainFile.subarray(0, plainFile.length - 100))).rejects.toThrow(/tensor '.*' has data_offsets .* \(truncated file\?\)/);
    await expect(model.loadWeights(42 as unknown as Uint8Array)).rejects.toThrow(/loadWeights: expected a safetensors file/);
    expect(Array.from(await model.weights[4]!.data())).toEqual(Array.from(before));
    model.dispose();
  });

  run('bad configs and ids are refused before anything is queued, leaking nothing', async () => {
    await wg.setBackend(name);
    expect(() => wg.models.gpt({ ...config, embedDim: 15, numHeads: 2 })).toThrow(/gpt: embedDim \(15\) should be divisible by numHeads \(2\)/);
    expect(() => wg.models.gpt({ ...config, numLayers: 0 })).toThrow(/gpt: numLayers should be an integer >= 1|gpt: numLayers/);
    expect(() => wg.models.gpt({ ...config, contextLenght: 4 } as unknown as wg.GPTConfig)).toThrow(/did you mean 'contextLength'/);
    const model = wg.models.gpt(config);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const floats = wg.tensor([[1, 2, 3]]);
    const tooLong = wg.tensor([Array.from({ length: 9 }, () => 1)], undefined, 'int32');
    const outOfRange = wg.tensor([[1, 11, 2]], undefined, 'int32');
    const ok = wg.tensor([[1, 2, 3]], undefined, 'int32');
    await settleGarbage(); // forgotten tensors of earlier tests are reclaimed at awaits: not this test's
    const before = wg.memory().numTensors;
    expect(() => model.predict(floats)).toThrow(/predict: ids should be int32 token ids, got float32/);
    expect(() => model.predict(tooLong)).toThrow(/predict: sequences should have 1 to 8 tokens \(contextLength\), got 9/);
    if (outOfRange.backend.readSync) expect(() => model.predict(outOfRange)).toThrow(/predict: ids should be in \[0, 10\] \(vocabulary of 11\), got 11 at position 1/);
    await expect(model.fit(outOfRange, ok, { verbose: 0 })).rejects.toThrow(/fit: ids should be in \[0, 10\] \(vocabulary of 11\), got 11/);
    await expect(model.fit(ok, outOfRange, { verbose: 0 })).rejects.toThrow(/fit: labels should be integers in \[0, 10\]/);
    await expect(model.generate(outOfRange, { maxNewTokens: 1 })).rejects.toThrow(/generate: ids should be in \[0, 10\]/);
    await expect(model.generate([[1.5]], { maxNewTokens: 1 })).rejects.toThrow(/generate: token ids should be integers, got 1.5/);
    await expect(model.generate(ok, { maxNewTokens: 1, topP: 0 })).rejects.toThrow(/generate: topP should be/);
    await expect(model.generate(ok, { maxNewToken: 1 } as unknown as wg.GenerateOptions)).rejects.toThrow(/did you mean 'maxNewTokens'/);
    expect(wg.memory().numTensors).toBe(before);
    for (const t of [floats, tooLong, outOfRange, ok]) t.dispose();
    model.dispose();
  });
});
