// webgrad/worker's protocol over a MessageChannel (the same messages a Worker
// carries): typed calls, progress from fit's callbacks, errors, cancellation into
// fit's signal, and transferred buffers. Real Workers are tested in
// worker.browser.test.ts (Chromium) and test/deno/ (Deno).
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import * as wg from '../../src/index.js';
import { connect, expose, transfer, type HandlerContext } from '../../src/worker/index.js';

interface TrainInput { x: Float32Array; y: Float32Array; epochs: number }
interface EpochProgress { epoch: number; loss: number }

const handlers = {
  async train({ x, y, epochs }: TrainInput, { progress, signal }: HandlerContext<EpochProgress>) {
    wg.setSeed(1);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const history = await model.fit(wg.tensor(x, [x.length / 3, 3]), wg.tensor(y, [y.length, 1]), {
      epochs, batchSize: 3, shuffle: false, verbose: 0, signal,
      callbacks: { onEpochEnd: (epoch, logs) => progress({ epoch, loss: logs!.loss! }) },
    });
    const kernel = await model.getWeights()[0]!.data<Float32Array>();
    return transfer({ losses: history.history.loss!, kernel }, [kernel.buffer]);
  },
  fail(message: string): never {
    throw new RangeError(message);
  },
  echoLength(data: Float32Array): number {
    return data.length;
  },
};

const channels: MessageChannel[] = [];
function pair() {
  const channel = new MessageChannel();
  channels.push(channel);
  expose(handlers, channel.port2);
  return connect<typeof handlers>(channel.port1);
}
afterEach(() => {
  for (const c of channels.splice(0)) (c.port1.close(), c.port2.close());
});

const X = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const Y = new Float32Array([1, 0, 1]);

describe('webgrad/worker', () => {
  it('runs fit on the other side with one progress message per epoch, and returns what fit in place returns', async () => {
    const client = pair();
    const seen: EpochProgress[] = [];
    const result = await client.train({ x: X, y: Y, epochs: 20 }, { onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(seen.map((p) => p.loss)).toEqual(result.losses);
    expect(result.kernel).toBeInstanceOf(Float32Array);
    expect(result.kernel).toHaveLength(3);
    // the same training in this thread gives the same numbers
    const direct = await handlers.train({ x: X, y: Y, epochs: 20 }, { progress: () => {}, signal: new AbortController().signal });
    expect(result.losses).toEqual(direct.value.losses);
    expect(Array.from(result.kernel)).toEqual(Array.from(direct.value.kernel));
  });

  it('types each call from the handlers: input, progress and the unwrapped result', () => {
    const client = pair();
    expectTypeOf(client.train).parameter(0).toEqualTypeOf<TrainInput>();
    expectTypeOf(client.train).returns.resolves.toEqualTypeOf<{ losses: number[]; kernel: Float32Array }>();
    expectTypeOf<Parameters<NonNullable<NonNullable<Parameters<typeof client.train>[1]>['onProgress']>>>().toEqualTypeOf<[EpochProgress]>();
    expectTypeOf(client.echoLength).parameter(0).toEqualTypeOf<Float32Array>();
    expectTypeOf(client.echoLength).returns.resolves.toBeNumber();
  });

  it('rejects with the handler error, keeping its name and message', async () => {
    const client = pair();
    const error = await client.fail('bad learning rate').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('RangeError');
    expect((error as Error).message).toBe('bad learning rate');
  });

  it('names the exposed handlers when a method does not exist', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    expose(handlers, channel.port2);
    const wrong = connect<{ nope: (x: number) => number }>(channel.port1);
    await expect(wrong.nope(1)).rejects.toThrow("worker: no handler named 'nope'; this worker exposes 'train', 'fail', 'echoLength'");
  });

  it('an aborted signal rejects at once with its reason and stops fit in the worker', async () => {
    const client = pair();
    const controller = new AbortController();
    const epochs: number[] = [];
    const reason = new Error('user pressed stop');
    const run = client.train({ x: X, y: Y, epochs: 100_000 }, {
      signal: controller.signal,
      onProgress: (p) => {
        epochs.push(p.epoch);
        if (p.epoch === 4) controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
    const countAtAbort = epochs.length;
    // the worker stopped too: no further progress arrives and the channel serves new calls
    expect(await client.echoLength(new Float32Array(7))).toBe(7);
    expect(epochs.length).toBe(countAtAbort);
    expect(countAtAbort).toBe(5);
    await expect(client.train({ x: X, y: Y, epochs: 1 }, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('moves transferred buffers instead of copying them', async () => {
    const client = pair();
    const data = new Float32Array(1000);
    expect(await client.echoLength(data, { transfer: [data.buffer] })).toBe(1000);
    expect(data.byteLength).toBe(0); // detached: it moved
    const kept = new Float32Array(10);
    expect(await client.echoLength(kept)).toBe(10);
    expect(kept.byteLength).toBe(40); // copied
  });

  it('rejects inputs that cannot be cloned before sending anything', async () => {
    const client = pair();
    const notCloneable = { callback: () => 1 } as unknown as Float32Array;
    await expect(client.echoLength(notCloneable)).rejects.toThrow(/clone/i);
    expect(await client.echoLength(new Float32Array(2))).toBe(2); // nothing was left pending
  });
});
