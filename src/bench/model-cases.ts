// webgrad's side of the model workloads (model-workloads.ts), on the active backend:
// the GPT of wg.models.gpt and the CNN built from layers, stepped by TrainingStep (the
// step fit runs); fit itself for the MLP and the seed example; generate for the GPT.
// Every model starts from the host's initial weights, so that its first losses (or its
// greedy tokens) can be compared with the reference's.

import { gpt, type GPT } from '../models/gpt.js';
import { layers } from '../nn/index.js';
import type { LayersModel } from '../nn/model-base.js';
import { sequential } from '../nn/sequential.js';
import { tensor } from '../ops/index.js';
import { optimizers } from '../optimizers.js';
import { dispose } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { TrainingStep } from '../training-step.js';
import { CNN, MLP_SGD, MODEL_ADAM, type ModelData, type ModelSpec, SEED } from './model-workloads.js';
import type { Case } from './workloads.js';

const adam = () => optimizers.adam({ learningRate: MODEL_ADAM.learningRate, beta1: MODEL_ADAM.beta1, beta2: MODEL_ADAM.beta2, eps: MODEL_ADAM.eps });

/** Puts the host's initial weights into `model` (shapes in its weight order). */
function setInitialWeights(model: LayersModel, weights: readonly Float32Array[]): void {
  const values = model.weights.map((w, i) => tensor(weights[i]!, w.shape));
  try {
    model.setWeights(values);
  } finally {
    dispose(values);
  }
}

/** The losses of the first `n` steps, read one by one (the first steps from the initial weights). */
async function firstLosses(n: number, step: () => Tensor[]): Promise<Float32Array> {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const values = step();
    out[i] = (await values[0]!.data())[0]!;
    dispose(values);
  }
  return out;
}

/** A model stepped by TrainingStep on one fixed batch: one run is one step. */
function stepCase(model: LayersModel, x: Tensor, y: Tensor): Case {
  const step = new TrainingStep(model, 'bench');
  const once = () => step.run(x, y)!;
  return {
    run: () => dispose(once()),
    result: () => firstLosses(3, once),
    dispose: () => {
      dispose([x, y]);
      model.dispose();
    },
  };
}

function gptModel(spec: Extract<ModelSpec, { kind: 'gpt-train' | 'gpt-generate' }>, data: ModelData): GPT {
  const model = gpt({ ...spec.config });
  try {
    setInitialWeights(model, data.weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

function cnnModel(): LayersModel {
  const [f1, f2] = CNN.filters;
  return sequential([
    layers.conv2d({ filters: f1, kernelSize: CNN.kernel, padding: 'same', activation: 'relu', inputShape: [...CNN.image] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: f2, kernelSize: CNN.kernel, padding: 'same', activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: CNN.classes, activation: 'softmax' }),
  ]);
}

function mlpModel(widths: readonly number[]): LayersModel {
  const last = widths.length - 2;
  return sequential(widths.slice(1).map((units, i) => layers.dense({
    units, activation: i === last ? 'softmax' : 'relu', ...(i === 0 ? { inputShape: [widths[0]!] } : {}),
  })));
}

/** `fit` end to end: one run is one call of fit; the result is the losses of its first epochs. */
function fitCase(model: LayersModel, x: Tensor, y: Tensor, options: { epochs: number; batchSize: number }, picks: (losses: number[]) => number[]): Case {
  const fit = (epochs: number) => model.fit(x, y, { epochs, batchSize: options.batchSize, shuffle: false, verbose: 0 });
  return {
    run: async () => void (await fit(options.epochs)),
    result: async () => Float32Array.from(picks((await fit(options.epochs)).history['loss']!)),
    dispose: () => {
      dispose([x, y]);
      model.dispose();
    },
  };
}

/** webgrad's instance of a model workload on the active backend. */
export function webgradModelCase(spec: ModelSpec, data: ModelData): Case {
  switch (spec.kind) {
    case 'gpt-train': {
      const model = gptModel(spec, data);
      model.compile({ optimizer: adam(), loss: 'sparseCategoricalCrossentropy' });
      const shape = [spec.batch, spec.config.contextLength];
      return stepCase(model, tensor(data.x, shape, 'int32'), tensor(data.y, shape, 'int32'));
    }
    case 'gpt-generate': {
      const model = gptModel(spec, data);
      const prompt = [Array.from(data.prompt!)];
      const generate = async (): Promise<Float32Array> => {
        const out = await model.generate(prompt, { maxNewTokens: spec.newTokens, temperature: 0, useCache: spec.cache });
        try {
          return Float32Array.from(await out.data());
        } finally {
          out.dispose();
        }
      };
      return { run: async () => void (await generate()), result: generate, dispose: () => model.dispose() };
    }
    case 'cnn-train': {
      const model = cnnModel();
      setInitialWeights(model, data.weights);
      model.compile({ optimizer: adam(), loss: 'sparseCategoricalCrossentropy' });
      return stepCase(model, tensor(data.x, [spec.batch, ...CNN.image]), tensor(data.y, [spec.batch], 'int32'));
    }
    case 'mlp-fit': {
      const model = mlpModel(spec.widths);
      setInitialWeights(model, data.weights);
      model.compile({ optimizer: optimizers.sgd({ learningRate: MLP_SGD }), loss: 'categoricalCrossentropy' });
      const classes = spec.widths[spec.widths.length - 1]!;
      const x = tensor(data.x, [spec.samples, spec.widths[0]!]);
      const y = tensor(data.y, [spec.samples, classes]);
      return fitCase(model, x, y, { epochs: 1, batchSize: spec.batch }, (l) => l);
    }
    case 'seed': {
      const model = sequential([layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })]);
      setInitialWeights(model, data.weights);
      model.compile({ optimizer: optimizers.sgd({ learningRate: SEED.learningRate }), loss: 'meanSquaredError' });
      const steps = spec.steps;
      // the loss after 1, 10, 100 and the last step, as the example prints them
      const picks = (l: number[]) => [0, 9, 99, steps - 1].filter((i) => i < steps).map((i) => l[i]!);
      return fitCase(model, tensor(data.x, [3, 3]), tensor(data.y, [3, 1]), { epochs: steps, batchSize: 3 }, picks);
    }
  }
}
