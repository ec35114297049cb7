// Deno runs the built package (dist/) through dynamic loss scaling on every backend: a
// non-finite gradient skips the update (Adam afterwards is Adam without that step), the
// scale halves and grows back, and fit with compile's lossScaling logs the scale.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
import { assertClose, DENO_BACKENDS, startBackend } from './node-parity.ts';

for (const backend of DENO_BACKENDS) {
  Deno.test(`loss scaling on ${backend} in Deno: a skipped overflow, the scale's moves, fit's logs`, async () => {
    if (!(await startBackend(backend))) return;
    const grads = [[0.5, -1], [Infinity, 0], [0.25, 2], [1, 1]];
    const plainW = wg.variable(wg.tensor([1, 2]));
    const scaledW = wg.variable(wg.tensor([1, 2]));
    const plain = wg.optimizers.adam({ learningRate: 0.1 });
    const scaled = wg.optimizers.lossScale(wg.optimizers.adam({ learningRate: 0.1 }), { initialScale: 4, dynamicGrowthSteps: 2 });
    const scales: number[] = [];
    for (const g of grads) {
      // the wrapper sees gradients of the scaled loss: g × scale
      const s = await scaled.readLossScale();
      scaled.applyGradients([wg.tensor(g.map((v) => v * s))], [scaledW]);
      scales.push(await scaled.readLossScale());
      if (Number.isFinite(g[0]!)) plain.applyGradients([wg.tensor(g)], [plainW]);
      assertClose(Array.from(await scaledW.data()), Array.from(await plainW.data()), 1e-5, `weights after ${g}`);
    }
    // halved at the overflow, doubled after 2 finite updates in a row
    if (JSON.stringify(scales) !== JSON.stringify([4, 2, 2, 4])) throw new Error(`${backend}: scales ${scales}`);
    wg.dispose([plainW, scaledW, plain, scaled]);

    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 2 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse', lossScaling: { initialScale: 8, dynamicGrowthSteps: 1 } });
    const x = wg.tensor([[1, 2], [3, 4]]);
    const y = wg.tensor([[1], [0]]);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 1, verbose: 0 });
    if (JSON.stringify(history.history.lossScale) !== JSON.stringify([32, 128])) throw new Error(`${backend}: lossScale logs ${history.history.lossScale}`);
    model.dispose();
    wg.dispose([x, y]);
  });
}
