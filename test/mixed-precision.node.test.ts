// The training side of wg.setPrecision('mixed_float16'): compile wraps the optimizer in
// dynamic loss scaling (as Keras' compile does under the mixed_float16 policy) unless
// `lossScaling` says otherwise; cpu and wasm refuse a mixed model at compile and fit;
// summary names the precision; save / load keeps the layers' precision and the loss
// scaling options. (float16 storage itself is tested with the float16 dtype.)
import { afterEach, describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';
import { tempDir } from './helpers/files.js';

const cases = await backendCases();

afterEach(() => wg.setPrecision('float32'));

function mlp(): wg.Sequential {
  return wg.sequential({ layers: [wg.layers.dense({ units: 3, inputShape: [2], activation: 'tanh' }), wg.layers.dense({ units: 1 })] });
}

function mixedMlp(): wg.Sequential {
  wg.setPrecision('mixed_float16');
  try {
    return mlp();
  } finally {
    wg.setPrecision('float32');
  }
}

describe.each(cases)('mixed precision: the policy around training ($name)', ({ name, skip }) => {
  it.skipIf(skip)('compile under mixed_float16: wraps the optimizer on webgpu, refuses cpu and wasm naming the backend', async () => {
    await wg.setBackend(name);
    const model = mixedMlp();
    expect(model.layers.map((l) => l.precision)).toEqual(['mixed_float16', 'mixed_float16']);
    expect(model.precision).toBe('mixed_float16');
    if (name !== 'webgpu') {
      expect(() => model.compile({ optimizer: 'adam', loss: 'mse' })).toThrow(
        new RegExp(`^compile: the model's layers compute in 'mixed_float16', which needs the webgpu backend \\(float16 storage\\); the active backend is ${name}\\. Call await wg\\.setBackend\\('webgpu'\\)`),
      );
      expect(model.optimizer).toBeUndefined();
      model.dispose();
      return;
    }
    const adam = wg.optimizers.adam({ learningRate: 0.01 });
    model.compile({ optimizer: adam, loss: 'mse' });
    const wrapped = model.optimizer as wg.LossScaleOptimizer;
    expect(wrapped).toBeInstanceOf(wg.LossScaleOptimizer);
    expect(wrapped.inner).toBe(adam);
    expect([wrapped.initialScale, wrapped.dynamicGrowthSteps]).toEqual([2 ** 15, 2000]);
    // compiling again with the same optimizer wraps it again
    model.compile({ optimizer: adam, loss: 'mse' });
    expect((model.optimizer as wg.LossScaleOptimizer).inner).toBe(adam);
    model.compile({ optimizer: 'sgd', loss: 'mse', lossScaling: { initialScale: 256 } });
    expect((model.optimizer as wg.LossScaleOptimizer).initialScale).toBe(256);
    model.compile({ optimizer: 'sgd', loss: 'mse', lossScaling: false });
    expect(model.optimizer).not.toBeInstanceOf(wg.LossScaleOptimizer);
    // fit trains with it and logs the scale
    model.compile({ optimizer: 'sgd', loss: 'mse', lossScaling: { initialScale: 64, dynamicGrowthSteps: 1 } });
    const x = wg.tensor([[0.1, 0.2], [0.3, -0.4]]);
    const y = wg.tensor([[1], [0]]);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 1, verbose: 0 });
    expect(history.history.lossScale).toEqual([256, 1024]);
    // a model compiled before it is built, then built by fit on another backend, is refused at fit
    wg.setPrecision('mixed_float16');
    const unbuilt = wg.sequential({ layers: [wg.layers.dense({ units: 1 })] });
    wg.setPrecision('float32');
    unbuilt.compile({ optimizer: 'sgd', loss: 'mse' });
    await wg.setBackend('cpu');
    const cx = wg.tensor([[0.1, 0.2]]);
    const cy = wg.tensor([[1]]);
    try {
      await expect(unbuilt.fit(cx, cy, { verbose: 0 })).rejects.toThrow(/^fit: the model's layers compute in 'mixed_float16', which needs the webgpu backend \(float16 storage\); the active backend is cpu\./);
    } finally {
      wg.dispose([cx, cy]);
      unbuilt.dispose();
      await wg.setBackend(name);
    }
    wg.dispose([x, y]);
    model.dispose();
  });

  it.skipIf(skip)('a float32 model: no loss scaling unless compile asks for it (it is dtype-agnostic)', async () => {
    await wg.setBackend(name);
    const model = mlp();
    expect(model.precision).toBe('float32');
    model.compile({ optimizer: 'adam', loss: 'mse' });
    expect(model.optimizer).not.toBeInstanceOf(wg.LossScaleOptimizer);
    model.compile({ optimizer: 'adam', loss: 'mse', lossScaling: true });
    expect((model.optimizer as wg.LossScaleOptimizer).initialScale).toBe(2 ** 15);
    const own = wg.optimizers.lossScale(wg.optimizers.sgd(), { initialScale: 4 });
    model.compile({ optimizer: own, loss: 'mse', lossScaling: true });
    expect(model.optimizer).toBe(own);
    model.dispose();
  });

  it.skipIf(skip)('summary names a mixed precision (and says nothing for float32)', async () => {
    await wg.setBackend(name);
    const mixed = mixedMlp();
    const plain = mlp();
    const lines: string[] = [];
    mixed.summary({ printFn: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/^Precision: mixed_float16 \(float16 activations, float32 weights\)$/m);
    expect(plain.summary({ printFn: () => {} })).not.toMatch(/Precision/);
    mixed.dispose();
    plain.dispose();
  });

  it.skipIf(skip)('save / load keeps the layers\' precision and the loss scaling options', async () => {
    await wg.setBackend(name);
    // webgpu trains the mixed model itself; cpu and wasm save a float32 one with explicit loss scaling
    const model = name === 'webgpu' ? mixedMlp() : mlp();
    model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'mse', lossScaling: { initialScale: 512, dynamicGrowthSteps: 7 } });
    const x = wg.tensor([[0.1, 0.2], [0.3, -0.4]]);
    const y = wg.tensor([[1], [0]]);
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const dir = tempDir();
    await model.save(dir);
    // the global precision at load time does not matter: each layer's saved one does
    wg.setPrecision(name === 'webgpu' ? 'float32' : 'mixed_float16');
    const loaded = await wg.loadModel(dir);
    wg.setPrecision('float32');
    expect(loaded.layers.map((l) => l.precision)).toEqual(model.layers.map((l) => l.precision));
    const ls = loaded.optimizer as wg.LossScaleOptimizer;
    expect(ls).toBeInstanceOf(wg.LossScaleOptimizer);
    expect([ls.initialScale, ls.dynamicGrowthSteps, ls.inner.name]).toEqual([512, 7, 'adam']);
    expect(ls.getConfig()).toEqual(model.optimizer!.getConfig());
    expect(Array.from(await loaded.predict(x).data())).toEqual(Array.from(await model.predict(x).data()));
    // a model compiled without loss scaling is saved so, and comes back without
    const plain = mlp();
    plain.compile({ optimizer: 'sgd', loss: 'mse' });
    const dir2 = tempDir();
    await plain.save(dir2);
    const again = await wg.loadModel(dir2);
    expect(again.optimizer).not.toBeInstanceOf(wg.LossScaleOptimizer);
    wg.dispose([x, y]);
    for (const m of [model, loaded, plain, again]) m.dispose();
  });

  it.skipIf(skip)('a checkpoint keeps the loss scale: a resumed fit ends as an uninterrupted one, scale included', async () => {
    await wg.setBackend(name);
    const x = wg.tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [-0.7, 0.8]]);
    const y = wg.tensor([[1], [0], [1], [0]]);
    const make = (): wg.Sequential => {
      wg.setSeed(4);
      const m = mlp();
      // a scale that moves every update: 2 updates an epoch, ×2 each
      m.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'mse', lossScaling: { initialScale: 2, dynamicGrowthSteps: 1 } });
      return m;
    };
    const fitOptions = { batchSize: 2, shuffle: false, verbose: 0 as const };
    const straight = make();
    const whole = await straight.fit(x, y, { ...fitOptions, epochs: 4 });
    expect(whole.history.lossScale).toEqual([8, 32, 128, 512]);
    const dir = tempDir();
    const first = make();
    await first.fit(x, y, { ...fitOptions, epochs: 2, checkpoint: { dir, every: 2, keep: 0 } });
    const resumed = make();
    const rest = await resumed.fit(x, y, { ...fitOptions, epochs: 4, resumeFrom: dir });
    expect(rest.history.lossScale).toEqual([128, 512]);
    for (const [i, w] of straight.weights.entries()) expect(Array.from(await resumed.weights[i]!.data())).toEqual(Array.from(await w.data()));
    for (const m of [straight, first, resumed]) m.dispose();
    wg.dispose([x, y]);
  });
});
