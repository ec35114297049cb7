// The CNN training-parity run, as a function of the webgrad module, so that Node and
// Chromium (Vitest, on src/) and Deno (on the built package) execute the same code:
// a small CNN using every image layer (conv2d, batchNormalization, maxPooling2d,
// depthwiseConv2d, a strided conv, globalAveragePooling2d) trained with Adam on
// synthetic 8×8 images, seeded, returning the loss of every batch and the final weights.

/**
 * Deterministic 8×8×1 images of three classes (a horizontal bar, a vertical bar, a
 * diagonal) at varying positions, with noise from a fixed linear congruential stream.
 * @param {number} count
 */
export function parityImages(count) {
  const pixels = new Float32Array(count * 64);
  const labels = new Int32Array(count);
  let state = 12345;
  const noise = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state / 2 ** 32 - 0.5) * 0.4;
  };
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    const at = 1 + ((n * 7) % 6);
    labels[n] = label;
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        const on = label === 0 ? i === at : label === 1 ? j === at : i === j;
        pixels[n * 64 + i * 8 + j] = (on ? 1 : 0) + noise();
      }
    }
  }
  return { pixels, labels };
}

/**
 * @param {typeof import('../../dist/index.js')} wg
 * @param {import('../../dist/index.js').BackendName} backend
 */
export async function trainParityCnn(wg, backend, epochs = 3) {
  await wg.setBackend(backend);
  const count = 96;
  const { pixels, labels } = parityImages(count);
  const x = wg.tensor(pixels, [count, 8, 8, 1]);
  const y = wg.tensor(labels, [count], 'int32');
  wg.setSeed(7);
  const model = wg.sequential([
    // no bias before batch normalization: its gradient is zero up to rounding, which Adam
    // would blow up into full-size steps that differ from backend to backend
    wg.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, inputShape: [8, 8, 1] }),
    wg.layers.batchNormalization(),
    wg.layers.activation({ activation: 'relu' }),
    wg.layers.maxPooling2d({ poolSize: 2 }),
    wg.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh' }),
    wg.layers.conv2d({ filters: 6, kernelSize: 2, strides: 2, activation: 'relu' }),
    wg.layers.globalAveragePooling2d(),
    wg.layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  /** @type {number[]} */
  const losses = [];
  await model.fit(x, y, {
    epochs, batchSize: 16, seed: 3, verbose: 0,
    callbacks: { onBatchEnd: (_batch, logs) => { losses.push(/** @type {number} */ (logs?.loss)); } },
  });
  const weights = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
  const names = model.weights.map((w) => w.name.split('/')[1]);
  model.dispose();
  wg.dispose([x, y]);
  return { backend: wg.getBackend(), losses, weights, names };
}
