// webgrad/worker in a real Deno Web Worker: training runs there, progress arrives per
// epoch, the result equals a run in this thread, and aborting stops it.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
// @ts-types="../../dist/worker.d.ts"
import { connect } from '../../dist/worker.js';
import type { handlers } from './seed.worker.ts';
import { trainSeed } from './seed-example.js';

function startWorker() {
  const worker = new Worker(new URL('./seed.worker.ts', import.meta.url).href, { type: 'module' });
  return { worker, client: connect<typeof handlers>(worker) };
}

Deno.test('training in a Web Worker reports every epoch and matches training in this thread', async () => {
  const { worker, client } = startWorker();
  try {
    const epochs: number[] = [];
    const result = await client.train({ backend: 'cpu', epochs: 300 }, { onProgress: (p) => epochs.push(p.epoch) });
    const here = await trainSeed(wg, 'cpu', 300);
    if (epochs.length !== 300 || epochs[299] !== 299) throw new Error(`expected progress for epochs 0..299, got ${epochs.length} messages`);
    if (JSON.stringify(result.losses) !== JSON.stringify(here.losses)) throw new Error('the worker loss curve differs from the one in this thread');
  } finally {
    worker.terminate();
  }
});

Deno.test('aborting a call rejects it with the reason and the worker stays usable', async () => {
  const { worker, client } = startWorker();
  try {
    const controller = new AbortController();
    const reason = new Error('stop');
    const run = client.train({ backend: 'cpu', epochs: 1_000_000 }, {
      signal: controller.signal,
      onProgress: (p) => { if (p.epoch === 10) controller.abort(reason); },
    });
    const error = await run.catch((e: unknown) => e);
    if (error !== reason) throw new Error(`expected the abort reason, got ${String(error)}`);
    const again = await client.train({ backend: 'cpu', epochs: 3 });
    if (again.losses.length !== 3) throw new Error(`expected 3 losses after the abort, got ${again.losses.length}`);
  } finally {
    worker.terminate();
  }
});
