// webgrad/worker with a real module Worker in Chromium: training runs in the worker
// on every backend, its loss curve equals the one in the page, progress arrives per
// epoch, errors keep their type and message, and Stop (an AbortSignal) ends fit there
// while the page's own frames keep coming.
import { afterAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { connect } from '../../src/worker/index.js';
import { backendCases } from '../helpers/backends.js';
import type { handlers } from './fixtures/train.worker.js';

const cases = await backendCases();
const worker = new Worker(new URL('./fixtures/train.worker.ts', import.meta.url), { type: 'module' });
const trainer = connect<typeof handlers>(worker);
afterAll(() => worker.terminate());

async function trainHere(backend: wg.BackendName, epochs: number): Promise<number[]> {
  await wg.setBackend(backend);
  wg.setSeed(1);
  const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
  model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  const history = await model.fit(wg.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), wg.tensor([[1], [0], [1]]), { epochs, batchSize: 3, shuffle: false, verbose: 0 });
  return history.history.loss!;
}

describe.each(cases)('training in a Web Worker ($name)', ({ name, skip }) => {
  it.skipIf(skip)('reports every epoch and ends where training in the page ends', async () => {
    const epochs: number[] = [];
    const result = await trainer.train({ backend: name, epochs: 50 }, { onProgress: (p) => epochs.push(p.epoch) });
    expect(result.backend).toBe(name);
    expect(epochs).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const here = await trainHere(name, 50);
    result.losses.forEach((l, i) => expect(l).toBeCloseTo(here[i]!, 6));
  });
});

describe('a real Worker', () => {
  it('rejects with the error thrown in the worker, keeping its type and message', async () => {
    const error = (await trainer.explode('no data').catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('TypeError');
    expect(error.message).toBe('no data');
  });

  it('stops training when the signal aborts, and the page keeps painting meanwhile', async () => {
    const controller = new AbortController();
    let frames = 0;
    let painting = true;
    let lastEpoch = -1;
    const paint = () => (frames++, painting && requestAnimationFrame(paint));
    requestAnimationFrame(paint);
    const run = trainer.train({ backend: 'cpu', epochs: 1_000_000 }, {
      signal: controller.signal,
      // Stop once the worker has trained 300 epochs and the page has painted 10 frames
      // meanwhile (how many epochs fit in a frame depends on the machine). Were the page
      // blocked, no frame would come and training would not stop.
      onProgress: (p) => { lastEpoch = p.epoch; if (p.epoch >= 300 && frames > 10) controller.abort(new Error('stop')); },
    });
    await expect(run).rejects.toThrow('stop');
    painting = false;
    expect(lastEpoch).toBeGreaterThanOrEqual(300);
    expect(frames).toBeGreaterThan(10); // the page painted while the worker trained
    // the worker is free again
    expect((await trainer.train({ backend: 'cpu', epochs: 2 })).losses).toHaveLength(2);
  });

  it('rejects every pending call when the worker cannot load', async () => {
    const broken = new Worker(new URL('./fixtures/missing.worker.js', import.meta.url), { type: 'module' });
    const client = connect<typeof handlers>(broken);
    await expect(client.train({ backend: 'cpu', epochs: 1 })).rejects.toThrow(/^worker: /);
    broken.terminate();
  });
});
