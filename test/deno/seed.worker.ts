// A Deno Web Worker that trains the seed example for the page-side test in worker.test.ts.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
// @ts-types="../../dist/worker.d.ts"
import { expose, type HandlerContext } from '../../dist/worker.js';

export const handlers = {
  async train({ backend, epochs }: { backend: wg.BackendName; epochs: number }, { progress, signal }: HandlerContext<{ epoch: number; loss: number }>) {
    await wg.setBackend(backend);
    wg.setSeed(1);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const history = await model.fit(wg.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), wg.tensor([[1], [0], [1]]), {
      epochs, batchSize: 3, shuffle: false, verbose: 0, signal,
      callbacks: { onEpochEnd: (epoch, logs) => progress({ epoch, loss: logs!.loss! }) },
    });
    return { backend: wg.getBackend(), losses: history.history.loss! };
  },
};

expose(handlers);
