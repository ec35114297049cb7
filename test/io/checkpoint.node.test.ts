// Checkpoints: a run that stops after 3 epochs and resumes for 3 more ends with the
// same weights, bit for bit, as a run of 6 (weights, optimizer state, epoch, shuffle
// order and dropout masks all continue); files are written atomically and the last K
// kept; a failed write leaves the previous checkpoint intact.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { tempDir } from '../helpers/files.js';

// Lets a test make the next file write fail half-way (a full disk, say).
const faults = vi.hoisted(() => ({ failWrite: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (...args) => {
    const handle = await real.open(...args);
    if (!faults.failWrite) return handle;
    faults.failWrite = false;
    return Object.assign(Object.create(handle), {
      writeFile: async (data: Uint8Array) => {
        await handle.writeFile(data.subarray(0, 10));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
      close: () => handle.close(),
    });
  };
  return { ...real, open, default: { ...real, open } };
});

const cases = await backendCases();

/** 3 classes from 4 noisy features. */
function problem(n: number, seed: number) {
  const rng = new wg.Random(seed);
  const rows = Array.from({ length: n }, () => Array.from({ length: 4 }, () => rng.normal()));
  const labels = rows.map((r) => (r[0]! + r[1]! > 0.5 ? 2 : r[2]! - r[3]! > 0 ? 1 : 0));
  return { x: wg.tensor(rows), y: wg.tensor(labels, [n], 'int32') };
}

/** The same architecture each time; layer names differ between calls, as in a new process. */
function makeModel(): wg.Sequential {
  wg.setSeed(11);
  const model = wg.sequential([
    wg.layers.dense({ units: 12, inputDim: 4, activation: 'relu' }),
    wg.layers.dropout({ rate: 0.3, seed: 5 }),
    wg.layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const weightBytes = async (m: wg.LayersModel) => Promise.all(m.getWeights().map(async (w) => new Uint8Array((await w.data<Float32Array>()).buffer)));
const FIT = { batchSize: 16, seed: 9, verbose: 0 } as const;

describe.each(cases)('checkpoints ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('6 epochs straight and 3 + resume 3 reach the same weights bit for bit', async () => {
    await wg.setBackend(name);
    const { x, y } = problem(100, 1);
    const dir = tempDir();
    const straight = makeModel();
    const history = await straight.fit(x, y, { ...FIT, epochs: 6, checkpoint: { dir, every: 3, keep: 0 } });
    const expected = await weightBytes(straight);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-000003.safetensors', 'checkpoint-000006.safetensors']);

    const resumed = makeModel();
    const rest = await resumed.fit(x, y, { ...FIT, epochs: 6, resumeFrom: join(dir, 'checkpoint-000003.safetensors') });
    expect(rest.epoch).toEqual([3, 4, 5]);
    expect(await weightBytes(resumed)).toEqual(expected);
    expect(rest.history.loss).toEqual(history.history.loss!.slice(3));

    // wg.loadCheckpoint rebuilds the model (compiled, optimizer state in place) and resumes the same way
    const loaded = await wg.loadCheckpoint(join(dir, 'checkpoint-000003.safetensors'));
    expect(loaded.epoch).toBe(3);
    await loaded.model.fit(x, y, { ...FIT, epochs: 6, resumeFrom: loaded });
    expect(await weightBytes(loaded.model)).toEqual(expected);

    // control: the same weights and optimizer state without the generators' state end elsewhere
    const forgetful = await wg.loadCheckpoint(join(dir, 'checkpoint-000003.safetensors'));
    await forgetful.model.fit(x, y, { ...FIT, epochs: 6, initialEpoch: 3 });
    expect(await weightBytes(forgetful.model)).not.toEqual(expected);
  });
});

describe('checkpoint files', () => {
  it('every N epochs, keeping the last K; a folder resumes from its latest', async () => {
    await wg.setBackend('cpu');
    const { x, y } = problem(40, 2);
    const dir = join(tempDir(), 'nested', 'run');
    const model = makeModel();
    await model.fit(x, y, { ...FIT, epochs: 7, checkpoint: { dir, every: 2, keep: 2 } });
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-000004.safetensors', 'checkpoint-000006.safetensors']);
    const latest = await wg.loadCheckpoint(dir);
    expect(latest.epoch).toBe(6);
    expect(latest.where).toBe(join(dir, 'checkpoint-000006.safetensors'));
    // the checkpoint is plain safetensors: weights, optimizer buffers and the state as metadata
    const file = wg.io.decodeSafetensors(readFileSync(latest.where));
    expect([...file.tensors.keys()].filter((k) => k.startsWith('optimizer/'))).toHaveLength(8);
    expect(JSON.parse(file.metadata['webgrad.checkpoint']!).optimizer.iterations).toBe(18);
    const resumed = makeModel();
    const history = await resumed.fit(x, y, { ...FIT, epochs: 7, resumeFrom: dir });
    expect(history.epoch).toEqual([6]);
    expect(await weightBytes(resumed)).toEqual(await weightBytes(model));
  });

  it('a write that fails half-way leaves the previous checkpoint intact and no temporary file', async () => {
    await wg.setBackend('cpu');
    const { x, y } = problem(40, 3);
    const dir = tempDir();
    const model = makeModel();
    await model.fit(x, y, { ...FIT, epochs: 1, checkpoint: { dir, keep: 1 } });
    const before = readFileSync(join(dir, 'checkpoint-000001.safetensors'));
    faults.failWrite = true;
    await expect(model.fit(x, y, { ...FIT, epochs: 2, initialEpoch: 1, checkpoint: { dir, keep: 1 } }))
      .rejects.toThrow(/fit: checkpoint: cannot write .*checkpoint-000002\.safetensors: ENOSPC/);
    expect(readdirSync(dir)).toEqual(['checkpoint-000001.safetensors']);
    expect(readFileSync(join(dir, 'checkpoint-000001.safetensors'))).toEqual(before);
    expect((await wg.loadCheckpoint(dir)).epoch).toBe(1);
  });

  it('a rename that fails (the name is taken by a folder) loses nothing either', async () => {
    await wg.setBackend('cpu');
    const { x, y } = problem(40, 4);
    const dir = tempDir();
    mkdirSync(join(dir, 'checkpoint-000002.safetensors', 'occupied'), { recursive: true });
    const model = makeModel();
    await expect(model.fit(x, y, { ...FIT, epochs: 3, checkpoint: { dir, keep: 1 } })).rejects.toThrow(/cannot write .*checkpoint-000002\.safetensors/);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-000001.safetensors', 'checkpoint-000002.safetensors']);
    expect((await wg.loadCheckpoint(join(dir, 'checkpoint-000001.safetensors'))).epoch).toBe(1);
  });

  it('writing and resuming leave no tensors behind', async () => {
    await wg.setBackend('cpu');
    const { x, y } = problem(40, 6);
    const dir = tempDir();
    const model = makeModel();
    await model.fit(x, y, { ...FIT, epochs: 1, checkpoint: { dir } });
    const before = wg.memory();
    await model.fit(x, y, { ...FIT, epochs: 3, resumeFrom: dir, checkpoint: { dir } });
    expect(wg.memory()).toEqual({ ...before, peakBytes: expect.any(Number) });
  });

  it('optimizer.setState copies the buffers it is given (steps update them in place)', async () => {
    await wg.setBackend('cpu');
    const w = wg.variable(wg.tensor([1, 2]));
    const adam = wg.optimizers.adam({ learningRate: 0.1 });
    const m = wg.tensor([0.5, 0.5]);
    const v = wg.tensor([1, 1]);
    adam.setState([w], { iterations: 3, steps: [3], slots: [[m, v]] });
    adam.applyGradients([wg.tensor([1, 1])], [w]);
    expect(Array.from(await m.data())).toEqual([0.5, 0.5]);
    expect(Array.from(await v.data())).toEqual([1, 1]);
    const state = adam.getState([w]);
    expect(state.steps).toEqual([4]);
    expect(Array.from(await state.slots[0]![0]!.data())).toEqual([0.55, 0.55].map(Math.fround));
  });

  it('resuming refuses what does not fit', async () => {
    await wg.setBackend('cpu');
    const { x, y } = problem(40, 5);
    const dir = tempDir();
    await makeModel().fit(x, y, { ...FIT, epochs: 1, checkpoint: { dir } });
    const other = wg.sequential([wg.layers.dense({ units: 5, inputDim: 4 }), wg.layers.dense({ units: 3, activation: 'softmax' })]);
    other.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await expect(other.fit(x, y, { epochs: 2, resumeFrom: dir, verbose: 0 })).rejects.toThrow(/weight 0 \('.*'\) is F32 \[4,12\] in the checkpoint but this model's '.*' is \[4,5\]/);
    const sgd = makeModel();
    sgd.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await expect(sgd.fit(x, y, { epochs: 2, resumeFrom: dir, verbose: 0 })).rejects.toThrow('the checkpoint was trained with adam, this model is compiled with sgd');
    await expect(makeModel().fit(x, y, { epochs: 2, resumeFrom: dir, initialEpoch: 1 })).rejects.toThrow('give resumeFrom or initialEpoch, not both');
    await expect(makeModel().fit(x, y, { epochs: 2, resumeFrom: tempDir(), verbose: 0 })).rejects.toThrow('holds no checkpoint-NNNNNN.safetensors file to resume from');
    await expect(makeModel().fit(x, y, { epochs: 2, checkpoint: { dir, every: 0 } })).rejects.toThrow('fit: checkpoint: every should be an integer >= 1, got 0');
    const truncated = join(tempDir(), 'checkpoint-000001.safetensors');
    writeFileSync(truncated, readFileSync(join(dir, 'checkpoint-000001.safetensors')).subarray(0, 100));
    await expect(makeModel().fit(x, y, { epochs: 2, resumeFrom: truncated, verbose: 0 })).rejects.toThrow(/checkpoint-000001\.safetensors: the header length says \d+ bytes but only 92 bytes follow it/);
    const plain = join(tempDir(), 'plain.safetensors');
    writeFileSync(plain, wg.io.encodeSafetensors({ a: { shape: [1], data: Float32Array.of(1) } }));
    await expect(wg.loadCheckpoint(plain)).rejects.toThrow("not a webgrad checkpoint (its metadata has no 'webgrad.checkpoint')");
    expect(existsSync(dir)).toBe(true);
  });
});
