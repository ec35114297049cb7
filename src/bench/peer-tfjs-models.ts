// The TF.js peers of the small models, in tfjs-layers (Keras' API in TF.js): the CNN's
// training step (the layers model's forward, the loss, tf.variableGrads and Adam, like
// TrainingStep), and model.fit for the MLP and the seed example. Each starts from the
// host's initial weights (setWeights), so its first losses are checked like webgrad's.

import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';
import { CNN, MLP_SGD, MODEL_ADAM, type ModelData, type ModelSpec, SEED } from './model-workloads.js';
import type { Case } from './workloads.js';
import { tfjsStepCase } from './tfjs-step-case.js';

type Tf = typeof TfCore;
type Tfl = typeof TfLayers;

/** Keras' clipping of probabilities before the log. */
const EPSILON = 1e-7;

function setWeights(tf: Tf, model: TfLayers.LayersModel, weights: readonly Float32Array[]): void {
  const values = model.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape));
  model.setWeights(values);
  tf.dispose(values);
}

function cnn(tfl: Tfl): TfLayers.Sequential {
  const [f1, f2] = CNN.filters;
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ filters: f1, kernelSize: CNN.kernel, padding: 'same', activation: 'relu', inputShape: [...CNN.image] }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: f2, kernelSize: CNN.kernel, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: CNN.classes, activation: 'softmax' }),
    ],
  });
}

function cnnStep(tf: Tf, tfl: Tfl, spec: Extract<ModelSpec, { kind: 'cnn-train' }>, data: ModelData): Case {
  const model = cnn(tfl);
  setWeights(tf, model, data.weights);
  const x = tf.tensor4d(data.x as Float32Array, [spec.batch, ...CNN.image]);
  const oneHot = tf.oneHot(tf.tensor1d(data.y as Int32Array, 'int32'), CNN.classes);
  const optimizer = tf.train.adam(MODEL_ADAM.learningRate, MODEL_ADAM.beta1, MODEL_ADAM.beta2, MODEL_ADAM.eps);
  const list = model.trainableWeights.map((w) => w.read() as TfCore.Variable);
  const step = (): TfCore.Scalar => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const p = tf.clipByValue(model.apply(x, { training: true }) as TfCore.Tensor, EPSILON, 1 - EPSILON);
      // sparse categorical cross-entropy of probabilities, as Keras computes it
      return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(p)), -1))) as TfCore.Scalar;
    }, list);
    optimizer.applyGradients(grads as never);
    return value;
  });
  return tfjsStepCase(step, () => {
    tf.dispose([x, oneHot]);
    optimizer.dispose();
    model.dispose();
  });
}

function fitCase(tf: Tf, model: TfLayers.LayersModel, x: TfCore.Tensor, y: TfCore.Tensor, epochs: number, batchSize: number, picks: (l: number[]) => number[]): Case {
  const fit = async () => (await model.fit(x, y, { epochs, batchSize, shuffle: false, verbose: 0 })).history['loss'] as number[];
  return {
    run: async () => void (await fit()),
    result: async () => Float32Array.from(picks(await fit())),
    dispose: () => {
      tf.dispose([x, y]);
      model.dispose();
    },
  };
}

/** The tfjs-layers instance of a CNN, MLP-fit or seed workload. */
export function tfjsLayersCase(tf: Tf, tfl: Tfl, spec: Extract<ModelSpec, { kind: 'cnn-train' | 'mlp-fit' | 'seed' }>, data: ModelData): Case {
  switch (spec.kind) {
    case 'cnn-train':
      return cnnStep(tf, tfl, spec, data);
    case 'mlp-fit': {
      const { widths } = spec;
      const last = widths.length - 2;
      const model = tfl.sequential({
        layers: widths.slice(1).map((units, i) => tfl.layers.dense({ units, activation: i === last ? 'softmax' : 'relu', ...(i === 0 ? { inputShape: [widths[0]!] } : {}) })),
      });
      setWeights(tf, model, data.weights);
      model.compile({ optimizer: tf.train.sgd(MLP_SGD), loss: 'categoricalCrossentropy' });
      const classes = widths[widths.length - 1]!;
      const x = tf.tensor2d(data.x as Float32Array, [spec.samples, widths[0]!]);
      const y = tf.tensor2d(data.y as Float32Array, [spec.samples, classes]);
      return fitCase(tf, model, x, y, 1, spec.batch, (l) => l);
    }
    case 'seed': {
      const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })] });
      setWeights(tf, model, data.weights);
      model.compile({ optimizer: tf.train.sgd(SEED.learningRate), loss: 'meanSquaredError' });
      const steps = spec.steps;
      const picks = (l: number[]) => [0, 9, 99, steps - 1].filter((i) => i < steps).map((i) => l[i]!);
      return fitCase(tf, model, tf.tensor2d(data.x as Float32Array, [3, 3]), tf.tensor2d(data.y as Float32Array, [3, 1]), steps, 3, picks);
    }
  }
}
