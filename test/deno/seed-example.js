// The seed example as a function of the webgrad module, shared by the Deno tests and
// the Node reference run (seed-node.mjs), so both runtimes execute the same code on
// the built package: one sigmoid unit, full-batch SGD, mean squared error.

/**
 * @param {typeof import('../../dist/index.js')} wg
 * @param {import('../../dist/index.js').BackendName} backend
 * @param {number} [steps]
 */
export async function trainSeed(wg, backend, steps = 300) {
  await wg.setBackend(backend);
  wg.setSeed(1);
  const x = wg.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  const y = wg.tensor([[1], [0], [1]]);
  const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
  model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  const history = await model.fit(x, y, { epochs: steps, batchSize: 3, shuffle: false, verbose: 0 });
  const prediction = Array.from(await model.predict(wg.tensor([[10, 11, 12]])).data());
  const weights = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
  model.dispose();
  wg.dispose([x, y]);
  return { backend: wg.getBackend(), losses: /** @type {number[]} */ (history.history.loss), prediction, weights };
}
