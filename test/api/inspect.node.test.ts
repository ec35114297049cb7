// Node specifics of printing and saving as TF.js users write them: util.inspect and
// console.log show the tensor (through the inspect hook, the library imports no
// node:util), and model.save('file://dir') writes a folder that loadModel reads,
// including a layer whose custom activation was registered by name.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as wg from '../../src/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'webgrad-tfjs-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('Node: inspect and file:// saving', () => {
  it('util.inspect and console.log show shape, dtype and values', async () => {
    await wg.setBackend('cpu');
    const t = wg.tensor([[1, 2], [3, 4]]);
    expect(inspect(t)).toBe('Tensor float32 [2,2]\n[[1, 2],\n [3, 4]]');
    expect(inspect({ weights: t })).toContain('[[1, 2],');
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      console.log(t);
    } finally {
      write.mockRestore();
    }
    // vitest may route console.log elsewhere; when it reaches stdout, it is the formatted text
    if (lines.length > 0) expect(lines.join('')).toContain('Tensor float32 [2,2]');
    t.dispose();
  });

  it("model.save('file://dir') writes the folder loadModel('file://dir') reads, relative or absolute", async () => {
    await wg.setBackend('cpu');
    const dir = await tempDir();
    const triple = (x: wg.Tensor): wg.Tensor => wg.mul(x, 3);
    wg.registerActivation('triple', triple);
    wg.setSeed(2);
    const model = wg.sequential([wg.layers.dense({ units: 2, inputDim: 3, activation: triple }), wg.layers.dense({ units: 1, activation: 'sigmoid' })]);
    model.compile({ optimizer: wg.optimizers.adam(0.02), loss: 'binary_crossentropy', metrics: ['acc'] });
    const x = wg.tensor([[1, 2, 3], [-1, 0.5, 2]]);
    const before = await model.predict(x).data();
    // TF.js' form: file:// then a path (here absolute, so file:///tmp/...)
    const absolute = path.join(dir, 'abs');
    const saved = await model.save(`file://${absolute}`);
    expect(saved.files).toEqual(['model.json', 'model.safetensors']);
    expect((await readdir(absolute)).sort()).toEqual(['model.json', 'model.safetensors']);
    const loaded = await wg.loadModel(`file://${absolute}`);
    expect(await loaded.predict(x).data()).toEqual(before);
    expect(loaded.optimizer?.learningRate).toBe(0.02);
    // and relative to the working directory, as TF.js' 'file://./model' is
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await model.save('file://./rel');
      const again = await wg.loadModel('file://./rel');
      expect(await again.predict(x).data()).toEqual(before);
      again.dispose();
    } finally {
      process.chdir(cwd);
    }
    expect((await readdir(path.join(dir, 'rel'))).sort()).toEqual(['model.json', 'model.safetensors']);
    model.dispose();
    loaded.dispose();
  });
});
