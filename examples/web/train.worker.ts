// The demo's training worker: it owns the model, so the page stays responsive while
// fit runs. The page calls these handlers through webgrad/worker's `connect`.
import * as wg from 'webgrad';
import { type HandlerContext, expose } from 'webgrad/worker';
import { digitsCnn } from '../digits-cnn.js';
import { loadDigits } from './digits.js';

export interface BackendStatus {
  readonly name: wg.BackendName;
  readonly available: boolean;
  /** The adapter or module when available, or why it is not. */
  readonly detail: string;
  /** A software GPU (SwiftShader, llvmpipe): slower than WebAssembly. */
  readonly software?: boolean;
}

export interface TrainSettings {
  readonly backend: wg.BackendName;
  /** A dense network (hiddenUnits wide), or the small CNN on the pixels as an 8×8×1 image. */
  readonly model: 'mlp' | 'cnn';
  readonly hiddenUnits: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly batchSize: number;
}

export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly msPerEpoch: number;
}

let model: wg.Sequential | undefined;

/** Pixels 0–16 → 0–1, for the data set and for drawn digits alike. */
const scale = (t: wg.Tensor): wg.Tensor => wg.div(t, 16);

export const handlers = {
  /** Which backends start in this browser, and why the others do not. */
  async backends(_: null): Promise<BackendStatus[]> {
    const statuses: BackendStatus[] = [];
    for (const name of ['webgpu', 'wasm', 'cpu'] as const) {
      try {
        await wg.setBackend(name);
        const info = wg.backendInfo();
        statuses.push({ name, available: true, detail: info.description, software: info.details?.software === true });
      } catch (error) {
        // setBackend says "setBackend('x'): backend is not available; tried x: <why>": keep the why
        const message = (error as Error).message;
        statuses.push({ name, available: false, detail: message.slice(message.indexOf(`tried ${name}: `) + `tried ${name}: `.length) });
      }
    }
    return statuses;
  },

  /** Trains a fresh MLP or CNN on 75% of the digits, evaluating on the other 25% after every epoch. */
  async train(settings: TrainSettings, { progress, signal }: HandlerContext<EpochReport>): Promise<{ backend: string; testAccuracy: number }> {
    await wg.setBackend(settings.backend);
    model?.dispose();
    model = undefined;
    const digits = await loadDigits();
    const x = scale(wg.tensor(digits.pixels, [digits.count, 64]));
    const y = wg.tensor(digits.labels, [digits.count], 'int32');
    const { xTrain, xTest, yTrain, yTest } = wg.data.trainTestSplit(x, y, { testSize: 0.25, seed: 1 });
    wg.setSeed(1);
    const next = settings.model === 'cnn' ? digitsCnn() : wg.sequential([
      wg.layers.dense({ units: settings.hiddenUnits, inputDim: 64, activation: 'relu' }),
      wg.layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    next.compile({ optimizer: wg.optimizers.adam({ learningRate: settings.learningRate }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    model = next;
    let started = performance.now();
    let testAccuracy = 0;
    try {
      await next.fit(xTrain, yTrain, {
        epochs: settings.epochs, batchSize: settings.batchSize, seed: 1, verbose: 0, signal, validationData: [xTest, yTest],
        callbacks: {
          onEpochEnd: (epoch, logs = {}) => {
            testAccuracy = logs.val_accuracy!;
            progress({
              epoch, loss: logs.loss!, accuracy: logs.accuracy!, testLoss: logs.val_loss!, testAccuracy, msPerEpoch: performance.now() - started,
            });
            started = performance.now();
          },
        },
      });
    } finally {
      wg.dispose([x, y, xTrain, xTest, yTrain, yTest]);
    }
    return { backend: wg.getBackend(), testAccuracy };
  },

  /** Class probabilities for one 8×8 image with values 0–16 (the model as trained so far). */
  async predict(pixels: number[]): Promise<number[]> {
    if (!model) throw new Error('predict: train a model first');
    const probabilities = wg.tidy(() => model!.predict(scale(wg.tensor(pixels, [1, 64]))));
    const values = Array.from(await probabilities.data());
    probabilities.dispose();
    return values;
  },
};

expose(handlers);
