// GPT checkpoints as files: the safetensors files PyTorch wrote load from a path and a
// URL; model.save writes a Hugging Face GPT-2 folder (model.safetensors with Hugging
// Face's names and 'pt' metadata, config.json) that wg.loadModel reloads to identical
// logits and that PyTorch's GPT2LMHeadModel reads (checked by hand with make.py's model).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { serveFiles, tempDir } from '../helpers/files.js';
import { fixture } from '../fixtures/gpt2-tiny/fixture.js';

const cases = await backendCases();
const folder = fileURLToPath(new URL('../fixtures/gpt2-tiny/', import.meta.url));

describe.each(cases)('GPT files ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('loads PyTorch’s files from a path and a URL; save → loadModel gives identical logits', async () => {
    await wg.setBackend(name);
    const fromPath = wg.models.gpt(fixture.config);
    await fromPath.loadWeights(join(folder, 'model.safetensors'));
    const server = await serveFiles({ 'lm-head-model.safetensors': readFileSync(join(folder, 'lm-head-model.safetensors')) });
    const fromUrl = wg.models.gpt(fixture.config);
    try {
      await fromUrl.loadWeights(`${server.url}lm-head-model.safetensors`);
    } finally {
      await server.close();
    }
    const ids = wg.tensor(fixture.logits[0]!.ids, undefined, 'int32');
    const expected = await fromPath.predict(ids).data();
    expect(Array.from(await fromUrl.predict(ids).data())).toEqual(Array.from(expected));

    fromPath.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
    const dir = tempDir('webgrad-gpt-');
    const result = await fromPath.save(dir);
    expect(result.files).toEqual(['model.json', 'model.safetensors', 'config.json']);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_embd: 16, n_head: 2, n_layer: 2, n_positions: 8, vocab_size: 11, layer_norm_epsilon: 1e-5,
    });
    const file = wg.io.decodeSafetensors(readFileSync(join(dir, 'model.safetensors')));
    expect(file.metadata).toEqual({ format: 'pt' });
    const original = wg.io.decodeSafetensors(readFileSync(join(folder, 'model.safetensors')));
    expect([...file.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort());
    for (const [key, t] of original.tensors) expect(Array.from(file.tensors.get(key)!.data)).toEqual(Array.from(t.data));

    const reloaded = await wg.loadModel(dir);
    expect(reloaded).toBeInstanceOf(wg.GPT);
    expect((reloaded as wg.GPT).config).toEqual(fromPath.config);
    expect(reloaded.optimizer?.name).toBe('adam');
    expect(Array.from(await reloaded.predict(ids).data())).toEqual(Array.from(expected));
    // a Hugging Face folder (config.json + model.safetensors) loads by itself, from a path or a URL
    const hf = await wg.models.loadGpt2(dir);
    expect(hf.config).toEqual(fromPath.config);
    expect(Array.from(await hf.predict(ids).data())).toEqual(Array.from(expected));
    const hfServer = await serveFiles({ 'gpt/config.json': readFileSync(join(dir, 'config.json')), 'gpt/model.safetensors': readFileSync(join(dir, 'model.safetensors')) });
    try {
      const remote = await wg.models.loadGpt2(`${hfServer.url}gpt`);
      expect(Array.from(await remote.predict(ids).data())).toEqual(Array.from(expected));
      remote.dispose();
      const bad = await serveFiles({ 'x/config.json': JSON.stringify({ ...config, model_type: 'llama' }) });
      await expect(wg.models.loadGpt2(`${bad.url}x`)).rejects.toThrow(/loadGpt2: .*config\.json: config\.json's model_type should be 'gpt2', got "llama"/);
      await bad.close();
    } finally {
      await hfServer.close();
    }
    hf.dispose();
    // and the saved weights file is itself a GPT-2 checkpoint
    const again = wg.models.gpt(fixture.config);
    await again.loadWeights(join(dir, 'model.safetensors'));
    expect(Array.from(await again.predict(ids).data())).toEqual(Array.from(expected));
    for (const m of [fromPath, fromUrl, reloaded, again]) m.dispose();
    ids.dispose();
  });

  run('fit checkpoints a GPT with dropout; resuming from the checkpoint ends where an uninterrupted run does', async () => {
    await wg.setBackend(name);
    const { training } = fixture;
    const make = async () => {
      wg.setSeed(7);
      const model = wg.models.gpt({ ...fixture.config, dropout: 0.1 });
      await model.loadWeights(join(folder, 'model.safetensors'));
      model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      return model;
    };
    const x = wg.tensor(training.x, undefined, 'int32');
    const y = wg.tensor(training.y, undefined, 'int32');
    const FIT = { batchSize: 1, seed: 3, verbose: 0 } as const;
    const straight = await make();
    const all = await straight.fit(x, y, { ...FIT, epochs: 4 });
    const dir = tempDir('webgrad-gpt-ckpt-');
    const first = await make();
    await first.fit(x, y, { ...FIT, epochs: 2, checkpoint: { dir } });
    const loaded = await wg.loadCheckpoint(join(dir, 'checkpoint-000002.safetensors'));
    expect(loaded.model).toBeInstanceOf(wg.GPT);
    const rest = await loaded.model.fit(x, y, { ...FIT, epochs: 4, resumeFrom: loaded });
    expect(rest.history.loss).toEqual(all.history.loss!.slice(2));
    expect(Array.from(await loaded.model.predict(x).data())).toEqual(Array.from(await straight.predict(x).data()));
    for (const m of [straight, first, loaded.model]) m.dispose();
    x.dispose();
    y.dispose();
  });
});
