// `model.fit(dataset, options)`: training from an (async) iterable of { x, y } batches
// (Keras' fit on a tf.data.Dataset, TF.js' fitDataset), for data that is made batch by
// batch (wg.data.textDataset) or streamed from a file too big for memory. The step is
// fit's: forward, loss, backward, one optimizer update; the loss and metrics are summed
// on the device (EpochTally) and read once per epoch; the NaN guard works as in fit.
//
// What does not apply: validationSplit and shuffle (the dataset deals its own batches),
// and onDeviceLoss 'fallback' (replaying a stream after a lost GPU would need a copy of
// every batch; a lost device rejects). Sparse labels are checked by the loss where reads
// are synchronous (cpu, wasm), not read back per batch from a GPU.

import { valueAndGrad } from './autograd.js';
import { checkCallbacks, History } from './callbacks.js';
import { type Batch, checkBatch, type Dataset, isDataset, startPass } from './datasets/dataset.js';
import { Checkpointer } from './io/checkpoint.js';
import { EpochTally } from './epoch-tally.js';
import { scaledForBackward, withLossScale } from './loss-scaling.js';
import { checkLoopOptions, checkSignal, type FitLoopOptions, logEpoch, toLogs, yieldToEventLoop } from './fit-common.js';
import { NanGuard, type OnNaN } from './nan-guard.js';
import { checkNumber, checkOptions, given } from './options.js';
import * as ops from './ops/index.js';
import { randomFor } from './random.js';
import { keep, tidy } from './scope.js';
import type { Tensor } from './tensor.js';
import type { LayersModel } from './nn/model-base.js';

export interface FitDatasetOptions extends FitLoopOptions {
  /** Passes over the dataset (default 1); with stepsPerEpoch, epochs of that many batches. */
  epochs?: number;
  /**
   * Batches per epoch (default: one whole pass of the dataset). The next epoch continues
   * where this one stopped, starting a new pass when the dataset runs out, so a long
   * stream can be trained on in short epochs.
   */
  stepsPerEpoch?: number;
  /** A dataset of { x, y } batches to validate on after each epoch (val_loss etc. in the logs). */
  validationData?: Dataset;
  /** Batches of validationData per evaluation (default: a whole pass). */
  validationSteps?: number;
  /** Epoch to start counting from (default 0). */
  initialEpoch?: number;
  /** As in fit on tensors: 'stop' (default) or 'throw' when the loss becomes NaN or infinite. */
  onNaN?: OnNaN;
}

const KEYS = ['epochs', 'stepsPerEpoch', 'validationData', 'validationSteps', 'callbacks', 'verbose', 'initialEpoch', 'yieldEvery', 'signal', 'onNaN', 'checkpoint'];
/** fit options for tensors that have no meaning for a dataset, and why. */
const TENSOR_ONLY: Readonly<Record<string, string>> = {
  batchSize: 'the dataset makes the batches',
  shuffle: 'the dataset deals its own order (e.g. textDataset({ shuffle, seed }))',
  seed: 'the dataset has its own seed',
  validationSplit: 'give validationData: a second dataset',
  onDeviceLoss: 'a lost GPU device rejects: a stream cannot be replayed',
  resumeFrom: 'load the checkpoint with wg.loadCheckpoint first',
};

type Model = LayersModel;

/** Reads batches one at a time from a dataset, starting a new pass when asked to run on. */
class BatchReader {
  private iterator: AsyncIterator<Batch> | Iterator<Batch> | undefined;
  private index = 0;
  constructor(private readonly dataset: Dataset, private readonly fn: string) {}

  /** The next batch, or undefined at the end of a pass (the next call starts a new one). */
  async next(): Promise<Batch | undefined> {
    this.iterator ??= startPass(this.dataset);
    const result = await this.iterator.next();
    if (result.done) {
      this.iterator = undefined;
      this.index = 0;
      return undefined;
    }
    return checkBatch(this.fn, result.value, this.index++);
  }

  /** Ends the current pass early (a generator runs its finally blocks: files close). */
  async close(): Promise<void> {
    await this.iterator?.return?.();
    this.iterator = undefined;
  }
}

function checkShapes(model: Model, fn: string, batch: Batch): void {
  model.checkInputs(fn, batch.x, batch.y);
  if (!model.built) model.build(batch.x.shape.slice(1));
  model.checkTargets(fn, batch.y);
}

export async function fitDatasetLoop(model: Model, dataset: Dataset, options: FitDatasetOptions = {}): Promise<History> {
  const fn = 'fit';
  if (options !== null && typeof options === 'object') {
    for (const key of Object.keys(options)) {
      if (key in TENSOR_ONLY) throw new Error(`${fn}: ${key} does not apply when fitting a dataset (${TENSOR_ONLY[key]})`);
    }
  }
  checkOptions(fn, options, KEYS);
  const epochs = checkNumber(fn, 'epochs', options.epochs, 1, { integer: true, min: 0 });
  const steps = options.stepsPerEpoch === undefined ? undefined : checkNumber(fn, 'stepsPerEpoch', options.stepsPerEpoch, 0, { integer: true, min: 1 });
  const validationSteps = options.validationSteps === undefined ? undefined : checkNumber(fn, 'validationSteps', options.validationSteps, 0, { integer: true, min: 1 });
  const initialEpoch = checkNumber(fn, 'initialEpoch', options.initialEpoch, 0, { integer: true, min: 0 });
  const { verbose, onNaN, yieldEvery } = checkLoopOptions(fn, options);
  if (options.validationData !== undefined && !isDataset(options.validationData)) {
    throw new TypeError(`${fn}: validationData should be a dataset of { x, y } batches when fitting a dataset, got ${given(options.validationData)}`);
  }
  if (validationSteps !== undefined && options.validationData === undefined) throw new Error(`${fn}: validationSteps needs validationData`);
  const signal = checkSignal(fn, options.signal);
  const callbackList = checkCallbacks(fn, options.callbacks);
  const checkpointer = options.checkpoint === undefined ? undefined : new Checkpointer(options.checkpoint);
  const { optimizer, loss, metrics } = model.compiledFor('fit');
  signal?.throwIfAborted();

  const reader = new BatchReader(dataset, fn);
  let nanGuard: NanGuard | undefined;
  let tally: EpochTally | undefined;
  // The first batch builds the model (and shows a wrong dataset before any callback runs).
  let first: Batch | undefined;
  try {
    first = await reader.next();
    if (!first) throw new Error(`${fn}: the dataset gave no batches`);
    try {
      checkShapes(model, fn, first);
    } catch (error) {
      first.x.dispose();
      first.y.dispose();
      first = undefined;
      throw error;
    }
    const params = model.trainableWeights;
    if (params.length === 0) throw new Error(`${fn}: the model has no trainable weights`);
    const logNames = ['loss', ...metrics.map((m) => m.name)];
    const history = new History({ epochs, steps: steps ?? (dataset as { size?: number }).size, metrics: options.validationData ? [...logNames, ...logNames.map((k) => `val_${k}`)] : logNames });
    nanGuard = new NanGuard(params, optimizer, params[0]!.backend.readSync !== undefined);
    const wantsBatchLogs = callbackList.some((c) => typeof c.onBatchEnd === 'function');
    for (const c of callbackList) {
      c.setModel?.(model);
      c.setParams?.(history.params);
    }
    model.stopTraining = false;
    for (const c of callbackList) await c.onTrainBegin?.();
    const random = randomFor(0); // checkpoints carry a generator state; the dataset owns the real one
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      for (const c of callbackList) await c.onEpochBegin?.(epoch);
      const started = performance.now();
      tally = new EpochTally(metrics.length);
      nanGuard.startEpoch();
      const guard = nanGuard;
      let stopped = false;
      for (let b = 0; (steps === undefined || b < steps) && !model.stopTraining; b++) {
        signal?.throwIfAborted();
        let batch = first ?? (await reader.next());
        first = undefined;
        if (!batch) {
          if (steps === undefined) break; // a whole pass: the epoch ends with the dataset
          batch = await reader.next(); // run on into a new pass
          if (!batch) throw new Error(`${fn}: the dataset gave no batches on a new pass (a ReadableStream or a one-shot generator cannot be read twice)`);
        }
        const { x, y } = batch;
        let values: Tensor[] | undefined;
        try {
          checkShapes(model, fn, batch);
          const size = x.shape[0]!;
          for (const c of callbackList) await c.onBatchBegin?.(b, { batch: b, size });
          values = tidy(() => {
            let prediction: Tensor | undefined;
            const { value, grads } = valueAndGrad(() => {
              prediction = keep(model.apply(x, true));
              // under loss scaling, the gradient of the loss is scaled (loss-scaling.ts)
              return scaledForBackward(optimizer, loss.fn(y, prediction));
            }, params);
            if (!guard.acceptStep(value, epoch, b)) return undefined;
            optimizer.applyGradients(grads, params);
            const batchValues = [value, ...metrics.map((m) => m.fn(y, prediction!))];
            prediction!.dispose();
            return batchValues;
          });
          if (!values) {
            stopped = true;
            break;
          }
          const batchTensor = wantsBatchLogs ? tidy(() => ops.stack(values!.map((v) => ops.reshape(v, [])))) : undefined;
          tally.add(values.map((v) => keep(v)), size);
          if (batchTensor) {
            let read: ArrayLike<number>;
            try {
              read = await batchTensor.data();
            } finally {
              batchTensor.dispose();
            }
            const logs = toLogs(read, metrics, 1);
            for (const c of callbackList) await c.onBatchEnd?.(b, { batch: b, size, ...logs });
          }
        } finally {
          x.dispose();
          y.dispose();
        }
        if (yieldEvery === 'batch') await yieldToEventLoop();
      }
      const ended = tally;
      tally = undefined;
      if (ended.count === 0 && !stopped) throw new Error(`${fn}: epoch ${epoch + 1} had no batches (the dataset ran out)`);
      const logs = toLogs(await ended.read(), metrics, 1);
      guard.acceptEpoch(logs.loss!, epoch);
      if (guard.problem) {
        if (ended.count > 0 && guard.synchronous) history.record(epoch, logs);
        break;
      }
      if (options.validationData) {
        const val = await evaluateDataset(model, options.validationData, validationSteps);
        for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
      }
      await withLossScale(logs, optimizer);
      history.record(epoch, logs);
      if (verbose > 0) logEpoch(epoch, epochs, started, logs);
      for (const c of callbackList) await c.onEpochEnd?.(epoch, logs);
      if (checkpointer?.due(epoch)) await checkpointer.write(model, epoch + 1, random.getState());
      if (yieldEvery !== 'never') await yieldToEventLoop();
    }
    if (nanGuard.problem) {
      const message = `${fn}: ${nanGuard.describe()}`;
      if (onNaN === 'throw') throw new Error(message);
      // said even at verbose 0, as fit on tensors does (Keras' TerminateOnNaN): a silent stop looks like a finished run
      console.warn(message);
      history.stoppedOnNaN = nanGuard.problem;
    }
    for (const c of callbackList) await c.onTrainEnd?.();
    return history;
  } catch (error) {
    // values of an epoch that did not end are still on the device
    tally?.discard();
    throw error;
  } finally {
    first?.x.dispose();
    first?.y.dispose();
    nanGuard?.release();
    await reader.close();
  }
}

/**
 * Loss and metrics over a dataset's batches (a whole pass, or `steps` batches), weighted
 * by batch size, summed on the device and read once.
 */
export async function evaluateDataset(model: Model, dataset: Dataset, steps?: number): Promise<Record<string, number>> {
  const fn = 'evaluate';
  const { loss, metrics } = model.compiledFor('evaluate');
  const reader = new BatchReader(dataset, fn);
  let total: Tensor | undefined;
  let n = 0;
  try {
    for (let b = 0; steps === undefined || b < steps; b++) {
      const batch = await reader.next();
      if (!batch) break;
      try {
        checkShapes(model, fn, batch);
        const size = batch.x.shape[0]!;
        const next = tidy(() => {
          const prediction = model.apply(batch.x, false);
          const values = ops.concat([ops.reshape(loss.fn(batch.y, prediction), [1]), ...metrics.map((m) => ops.reshape(m.fn(batch.y, prediction), [1]))], 0);
          const weighted = ops.mul(values, size);
          return total ? ops.add(total, weighted) : weighted;
        });
        total?.dispose();
        total = next;
        n += size;
      } finally {
        batch.x.dispose();
        batch.y.dispose();
      }
    }
    if (!total) throw new Error(`${fn}: the dataset gave no batches`);
    return toLogs(await total.data(), metrics, n);
  } finally {
    total?.dispose();
    await reader.close();
  }
}
