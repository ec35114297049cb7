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
    // and the saved weights file is itself a GPT-2 checkpoint
    const again = wg.models.gpt(fixture.config);
    await again.loadWeights(join(dir, 'model.safetensors'));
    expect(Array.from(await again.predict(ids).data())).toEqual(Array.from(expected));
    for (const m of [fromPath, fromUrl, reloaded, again]) m.dispose();
    ids.dispose();
  });
});
