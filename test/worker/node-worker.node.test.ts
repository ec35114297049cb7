// webgrad/worker with Node's worker_threads: `connect(new Worker(...))` on the main
// thread and `expose(handlers, parentPort)` in the worker, with no MessageChannel in
// between. Uses the built package (npm run build), as a Node user's worker would.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { connect } from '../../dist/worker.js';

type Handlers = {
  train(input: { epochs: number }, context: { progress(p: { epoch: number; loss: number }): void; signal: AbortSignal }): Promise<{ backend: string; losses: number[] }>;
  explode(message: string): never;
  quit(code: number): never;
};

const workers: Worker[] = [];
function start(): Worker {
  const worker = new Worker(fileURLToPath(new URL('./fixtures/node-train.worker.mjs', import.meta.url)));
  workers.push(worker);
  return worker;
}
afterEach(async () => {
  for (const w of workers.splice(0)) await w.terminate();
});

describe('connect / expose over Node worker_threads', () => {
  it('trains in the worker, with progress, and the result matches training here', async () => {
    const client = connect<Handlers>(start());
    const progress: { epoch: number; loss: number }[] = [];
    const result = await client.train({ epochs: 3 }, { onProgress: (p) => progress.push(p) });
    // the same run on this thread's cpu backend is the oracle
    await wg.setBackend('cpu');
    wg.setSeed(1);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
    model.compile({ optimizer: wg.optimizers.sgd(0.1), loss: 'mse' });
    const history = await model.fit(wg.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), wg.tensor([[1], [0], [1]]), { epochs: 3, batchSize: 3, shuffle: false, verbose: 0 });
    expect(result.losses).toHaveLength(3);
    result.losses.forEach((l, i) => expect(l).toBeCloseTo(history.history.loss![i]!, 5));
    expect(progress.map((p) => p.epoch)).toEqual([0, 1, 2]);
    expect(progress.map((p) => p.loss)).toEqual(result.losses);
    model.dispose();
  });

  it("a handler's error arrives with its class and message; an exiting worker rejects the pending call", async () => {
    const client = connect<Handlers>(start());
    const error = await client.explode('bad input').catch((e: unknown) => e);
    // rebuilt by the package's own code, so compare the class by name (the test runner's realm may differ)
    expect((error as Error).name).toBe('RangeError');
    expect((error as Error).message).toBe('bad input');
    await expect(client.quit(3)).rejects.toThrow(/^worker: the worker exited with code 3$/);
  });
});
