// The calls a TF.js or Keras user writes work as they expect: positional learning
// rates, Keras' string names for losses, metrics, optimizers, activations and
// initializers (in code and in a model.json), activations given as functions, and
// TF.js' argument order for the random draws. Checked on every backend against
// closed forms or the canonical spelling's result.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();

const X = [[0.5, -1, 2], [1.5, 0.25, -0.5], [-2, 1, 0], [0.1, 0.2, 0.3]];
const Y = [[1], [0], [1], [0]];

async function values(t: wg.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** One step of `optimizer` on p = [1, -2] with loss sum(p²) / 2, whose gradient is p. */
async function oneStep(optimizer: wg.Optimizer): Promise<number[]> {
  const p = wg.variable(wg.tensor([1, -2]), { name: `p${Math.random()}` });
  const loss = () => wg.mul(wg.sum(wg.square(p)), 0.5);
  optimizer.minimize(loss, false, [p]);
  const out = await values(p);
  p.dispose();
  optimizer.dispose();
  return out;
}

describe('optimizers take a positional learning rate as TF.js and Keras do', () => {
  it('adam(0.01), sgd(0.1, 0.9, true), rmsprop(...), adagrad(...) and adamw(0.01) set the same options as the object form', () => {
    const same: [wg.Optimizer, wg.Optimizer][] = [
      [wg.optimizers.adam(0.01), wg.optimizers.adam({ learningRate: 0.01 })],
      [wg.optimizers.adam(0.02, 0.8, 0.99, 1e-7), wg.optimizers.adam({ learningRate: 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-7 })],
      [wg.optimizers.sgd(0.1), wg.optimizers.sgd({ learningRate: 0.1 })],
      [wg.optimizers.sgd(0.1, 0.9, true), wg.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true })],
      [wg.optimizers.rmsprop(0.01, 0.9, 0.5, 1e-6, true), wg.optimizers.rmsprop({ learningRate: 0.01, alpha: 0.9, momentum: 0.5, eps: 1e-6, centered: true })],
      [wg.optimizers.adagrad(0.05, 0.1, 1e-8), wg.optimizers.adagrad({ learningRate: 0.05, initialAccumulatorValue: 0.1, eps: 1e-8 })],
      [wg.optimizers.adamw(0.01), wg.optimizers.adamw({ learningRate: 0.01 })],
    ];
    for (const [positional, options] of same) {
      expect(positional.name).toBe(options.name);
      expect(positional.getConfig()).toEqual(options.getConfig());
    }
    // the defaults are kept for what is not given
    expect(wg.optimizers.adam(0.01).getConfig()).toMatchObject({ learningRate: 0.01, beta1: 0.9, beta2: 0.999 });
  });

  describe.each(cases)('on $name', ({ name, skip }) => {
    it.skipIf(skip)('the positional rate is the one the step uses (closed forms)', async () => {
      await wg.setBackend(name);
      // sgd: p - lr g
      const sgd = await oneStep(wg.optimizers.sgd(0.1));
      expect(sgd[0]).toBeCloseTo(0.9, 6);
      expect(sgd[1]).toBeCloseTo(-1.8, 6);
      // adam's first step moves each weight by lr against the sign of its gradient
      const adam = await oneStep(wg.optimizers.adam(0.01));
      expect(adam[0]).toBeCloseTo(0.99, 5);
      expect(adam[1]).toBeCloseTo(-1.99, 5);
    });
  });
});

describe.each(cases)('Keras names and callables ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run("Keras' loss names compute the same loss as webgrad's", async () => {
    await wg.setBackend(name);
    const pairs: [wg.CompileArgs['loss'], (y: wg.Tensor, p: wg.Tensor) => wg.Tensor][] = [
      ['binary_crossentropy', wg.losses.binaryCrossentropy],
      ['BinaryCrossentropy', wg.losses.binaryCrossentropy],
      ['mean_squared_error', wg.losses.meanSquaredError],
      ['MSE', wg.losses.meanSquaredError],
      ['mean_absolute_error', wg.losses.meanAbsoluteError],
      ['mae', wg.losses.meanAbsoluteError],
      ['huber', wg.losses.huber],
      ['huber_loss', wg.losses.huber],
    ];
    const x = wg.tensor(X);
    const y = wg.tensor(Y);
    for (const [loss, fn] of pairs) {
      wg.setSeed(1);
      const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
      model.compile({ optimizer: 'sgd', loss });
      const p = model.predict(x);
      const expected = (await values(fn(y, p)))[0]!;
      expect((await model.evaluate(x, y)).loss, String(loss)).toBeCloseTo(expected, 5);
      p.dispose();
      model.dispose();
    }
    // the categorical pair, on three classes
    const labels = wg.tensor([0, 2, 1, 2], [4], 'int32');
    const oneHot = wg.oneHot(labels, 3);
    for (const [loss, target] of [['sparse_categorical_crossentropy', labels], ['categorical_crossentropy', oneHot]] as const) {
      wg.setSeed(2);
      const model = wg.sequential([wg.layers.dense({ units: 3, inputDim: 3, activation: 'softmax' })]);
      model.compile({ optimizer: 'Adam', loss, metrics: ['acc', 'accuracy'] });
      const p = model.predict(x);
      const expected = (await values(wg.losses.categoricalCrossentropy(oneHot, p)))[0]!;
      const result = await model.evaluate(x, target);
      expect(result.loss, loss).toBeCloseTo(expected, 5);
      const predicted = (await wg.argMax(p, -1).array()) as number[];
      const accuracy = predicted.filter((c, i) => c === [0, 2, 1, 2][i]).length / 4;
      expect(result.acc).toBeCloseTo(accuracy, 6);
      expect(result.accuracy).toBeCloseTo(accuracy, 6);
      p.dispose();
      model.dispose();
    }
  });

  run("Keras' metric names log under the name given, as Keras does", async () => {
    await wg.setBackend(name);
    wg.setSeed(3);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
    model.compile({ optimizer: wg.optimizers.sgd(0.1), loss: 'binary_crossentropy', metrics: ['binary_accuracy', 'mse', 'mean_absolute_error'] });
    const x = wg.tensor(X);
    const y = wg.tensor(Y);
    const p = model.predict(x);
    const result = await model.evaluate(x, y);
    expect(Object.keys(result)).toEqual(['loss', 'binary_accuracy', 'mse', 'mean_absolute_error']);
    expect(result.mse).toBeCloseTo((await values(wg.losses.meanSquaredError(y, p)))[0]!, 5);
    expect(result.mean_absolute_error).toBeCloseTo((await values(wg.losses.meanAbsoluteError(y, p)))[0]!, 5);
    const history = await model.fit(x, y, { epochs: 1, verbose: 0 });
    expect(Object.keys(history.history)).toEqual(['loss', 'binary_accuracy', 'mse', 'mean_absolute_error']);
    model.dispose();
  });

  run("Keras' initializer and activation names build the same layer as webgrad's", async () => {
    await wg.setBackend(name);
    const x = wg.tensor(X);
    const pairs: [wg.DenseArgs, wg.DenseArgs][] = [
      [{ units: 4, kernelInitializer: 'he_normal', activation: 'leaky_relu' }, { units: 4, kernelInitializer: 'heNormal', activation: 'leakyRelu' }],
      [{ units: 4, kernelInitializer: 'GlorotUniform', biasInitializer: 'Ones', activation: 'silu' }, { units: 4, kernelInitializer: 'glorotUniform', biasInitializer: 'ones', activation: 'swish' }],
      [{ units: 4, kernelInitializer: 'lecun_normal', activation: 'log_softmax' }, { units: 4, kernelInitializer: 'leCunNormal', activation: 'logSoftmax' }],
      [{ units: 4, kernelInitializer: 'random_uniform', biasInitializer: 'Zeros' }, { units: 4, kernelInitializer: 'randomUniform', biasInitializer: 'zeros' }],
    ];
    for (const [keras, ours] of pairs) {
      // layers draw their weights when built
      wg.setSeed(9);
      const a = wg.layers.dense({ ...keras, inputDim: 3 });
      a.build([3]);
      wg.setSeed(9);
      const b = wg.layers.dense({ ...ours, inputDim: 3 });
      b.build([3]);
      expect(await values(a.apply(x)), JSON.stringify(keras)).toEqual(await values(b.apply(x)));
      expect(a.toConfig().config.activation).toBe(b.toConfig().config.activation);
      a.dispose();
      b.dispose();
    }
  });

  run('an activation given as a function: a built-in op saves as its name, a custom one runs and refuses to save unless registered', async () => {
    await wg.setBackend(name);
    const x = wg.tensor(X);
    const byFunction = wg.layers.dense({ units: 2, inputDim: 3, activation: wg.relu, kernelInitializer: wg.initializers.glorotUniform({ seed: 4 }) });
    const byName = wg.layers.dense({ units: 2, inputDim: 3, activation: 'relu', kernelInitializer: wg.initializers.glorotUniform({ seed: 4 }) });
    expect(await values(byFunction.apply(x))).toEqual(await values(byName.apply(x)));
    expect(byFunction.toConfig().config.activation).toBe('relu');

    // the user's own function: 2·(x W + b), checked against the linear layer
    const double = (t: wg.Tensor): wg.Tensor => wg.mul(t, 2);
    const seeded = { units: 2, inputDim: 3, kernelInitializer: wg.initializers.glorotUniform({ seed: 5 }) };
    const custom = wg.layers.dense({ ...seeded, activation: double, name: 'doubler' });
    const linear = wg.layers.dense(seeded);
    const want = (await values(linear.apply(x))).map((v) => 2 * v);
    const got = await values(custom.apply(x));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    // an identity function hands back its input: the layer must not free what it returns
    const same = wg.layers.activation({ activation: (t: wg.Tensor) => t, inputShape: [3] });
    expect(await values(same.apply(x))).toEqual(Array.from(new Float32Array(X.flat())));

    const model = wg.sequential([custom]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.save('indexeddb://never')).rejects.toThrow(/^\w+\.save: layer 'doubler' has a custom activation function \(double\) that model\.json cannot name; register it with wg\.registerActivation\('double', fn\)/);
    wg.registerActivation('double', double);
    const config = custom.toConfig().config;
    expect(config.activation).toBe('double');
    // loading finds it by name: same outputs
    const rebuilt = wg.layers.dense({ units: 2, activation: config.activation as wg.ActivationName });
    rebuilt.build([3]);
    const w = custom.weights.map((v) => wg.clone(v));
    rebuilt.weights.forEach((v, i) => v.assign(w[i]!));
    expect(await values(rebuilt.apply(x))).toEqual(got);
    model.dispose();
  });

  run("a model.json written with Keras' names loads (loss, optimizer, metrics, initializer class, activation)", async () => {
    await wg.setBackend(name);
    const kernel = new Float32Array([0.5, -0.25, 1, 0.75, -0.5, 0.125]);
    const bias = new Float32Array([0.1, -0.2]);
    const json = {
      format: 'webgrad-model',
      formatVersion: 1,
      weightsFile: 'model.safetensors',
      model: {
        className: 'Sequential',
        name: 'from_keras',
        inputShape: [3],
        layers: [{
          className: 'Dense',
          config: {
            name: 'dense', trainable: true, units: 2, activation: 'leaky_relu', useBias: true, inputShape: [3],
            kernelInitializer: { className: 'GlorotUniform', config: { seed: null } },
            biasInitializer: { className: 'Zeros', config: {} },
          },
        }],
      },
      training: { optimizer: { className: 'Adam', config: { learningRate: 0.01 } }, loss: 'categorical_crossentropy', metrics: ['acc'] },
    };
    const weights = wg.io.encodeSafetensors({ 'dense/kernel': { shape: [3, 2], data: kernel }, 'dense/bias': { shape: [2], data: bias } });
    const model = await wg.loadModel({ json, weights });
    expect(model.optimizer?.name).toBe('adam');
    expect(model.optimizer?.learningRate).toBe(0.01);
    const x = wg.tensor(X);
    // leaky relu (alpha 0.2, Keras' default in webgrad) of x W + b, by hand
    const out = await values(model.predict(x));
    X.forEach((row, r) => {
      for (let c = 0; c < 2; c++) {
        const z = row.reduce((s, v, k) => s + v * kernel[k * 2 + c]!, bias[c]!);
        expect(out[r * 2 + c]).toBeCloseTo(z >= 0 ? z : 0.2 * z, 5);
      }
    });
    const result = await model.evaluate(x, wg.oneHot(wg.tensor([0, 1, 1, 0], [4], 'int32'), 2));
    expect(Object.keys(result)).toEqual(['loss', 'acc']);
    model.dispose();
  });

  run("TF.js' randomNormal / randomUniform / truncatedNormal(shape, a, b, dtype, seed) draw what (shape, a, b, seed) draws", async () => {
    await wg.setBackend(name);
    for (const draw of [wg.randomNormal, wg.randomUniform, wg.truncatedNormal]) {
      const ours = await values(draw([50], 1, 3, 7));
      expect(await values(draw([50], 1, 3, 'float32', 7)), draw.name).toEqual(ours);
      const ints = draw([50], 1, 3, 'int32', 7);
      expect(ints.dtype).toBe('int32');
      expect(await values(ints)).toEqual(ours.map((v) => Math.round(v) + 0));
      // the same seed twice in a row draws the same; another seed differs
      expect(await values(draw([50], 1, 3, 'float32', 8))).not.toEqual(ours);
    }
    expect(() => wg.randomNormal([2], 0, 1, 'bool' as 'int32', 1)).toThrow(/^randomNormal: dtype should be 'float32' or 'int32', got "bool"$/);
    expect(() => wg.randomUniform([2], 0, 1, 3, 4)).toThrow(/^randomUniform: a seed was given twice \(3 and 4\)/);
  });
});
