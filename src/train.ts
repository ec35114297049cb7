// The training loop behind `model.fit` and the batched evaluation behind
// `model.evaluate`. Per step: forward, loss, backward, one fused optimizer kernel per
// weight. The loss and metrics are summed on the device and read once per epoch
// (or per batch only when a callback asks for batch logs), so an asynchronous
// device never waits inside an epoch.

import { valueAndGrad } from './autograd.js';
import { checkCallbacks, History, type Logs } from './callbacks.js';
import { Checkpointer, type CheckpointSource, readCheckpoint, restoreCheckpoint } from './io/checkpoint.js';
import { checkFitData } from './fit-checks.js';
import { checkLoopOptions, checkSignal, type FitLoopOptions, logEpoch, toLogs, yieldToEventLoop } from './fit-common.js';
import { DeviceLossGuard } from './device-loss.js';
import { EpochTally } from './epoch-tally.js';
import { NanGuard, type OnNaN } from './nan-guard.js';
import { type StagedUpdates, stagingUpdates } from './nn/state-updates.js';
import { checkBoolean, checkChoice, checkNumber, checkOptions } from './options.js';
import * as ops from './ops/index.js';
import { shapeString } from './ops/util.js';
import { type Random, randomFor } from './random.js';
import { keep, tidy } from './scope.js';
import { Tensor, type Variable } from './tensor.js';
import type { LayersModel } from './nn/model-base.js';
import type { Optimizer } from './optimizers.js';
import { scaledForBackward, withLossScale } from './loss-scaling.js';
import { estimateTrainingMemory, formatBytes } from './nn/memory-estimate.js';

export interface FitOptions extends FitLoopOptions {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Samples per gradient step (default 32). */
  batchSize?: number;
  /** Reshuffle the samples every epoch (default true). */
  shuffle?: boolean;
  /** Seed for the shuffling order (default: drawn from wg.setSeed's stream). */
  seed?: number;
  /** Fraction of the samples, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  /** Data to validate on after each epoch: [x, y]. */
  validationData?: readonly [Tensor, Tensor];
  /** Epoch to start counting from (to resume; default 0). */
  initialEpoch?: number;
  /**
   * When the loss becomes NaN or infinite: 'stop' (the default) ends training with
   * the weights of the last finite step, 'throw' does the same and then rejects.
   */
  onNaN?: OnNaN;
  /**
   * When the GPU device is lost mid-fit: 'fallback' (the default) continues on the next
   * backend (wasm when present, else cpu) from the last completed step, weights and
   * optimizer state intact, and records the switch in History.backendSwitches;
   * 'throw' rejects. To fall back, fit keeps a host copy of the data and reads a
   * snapshot of the weights and optimizer state every few steps (WebGPU only: other
   * backends have no device to lose).
   */
  onDeviceLoss?: 'fallback' | 'throw';
  /**
   * Continue from a checkpoint (a folder's latest, a file, or wg.loadCheckpoint's result):
   * weights, optimizer state, epoch and the shuffle / dropout generators, so that the run
   * ends where an uninterrupted one would. Replaces initialEpoch.
   */
  resumeFrom?: CheckpointSource;
  /**
   * Bytes training may take: fit refuses before the first step when
   * wg.estimateTrainingMemory for this batch size is above it, with the estimate.
   */
  memoryBudget?: number;
}

const FIT_KEYS = [
  'epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'initialEpoch', 'yieldEvery', 'signal',
  'checkpoint', 'resumeFrom', 'onNaN', 'onDeviceLoss', 'memoryBudget',
];

/** The model's non-trainable weights (moving statistics): the NaN guard keeps them with the weights. */
function stateOf(model: LayersModel): Variable[] {
  const trainable = new Set(model.trainableWeights);
  return model.weights.filter((w) => !trainable.has(w));
}

/** Rows [start, start + size) of t, or the rows listed in `order`. */
function rows(t: Tensor, start: number, size: number, order: Int32Array | undefined): Tensor {
  if (!order) return ops.slice(t, [start], [size]);
  return ops.gather(t, Array.from(order.subarray(start, start + size)), 0);
}

export async function fitLoop(model: LayersModel, x: Tensor, y: Tensor, options: FitOptions): Promise<History> {
  checkOptions('fit', options, FIT_KEYS);
  const epochs = checkNumber('fit', 'epochs', options.epochs, 1, { integer: true, min: 0 });
  const batchSize = checkNumber('fit', 'batchSize', options.batchSize, 32, { integer: true, min: 1 });
  let initialEpoch = checkNumber('fit', 'initialEpoch', options.initialEpoch, 0, { integer: true, min: 0 });
  if (options.resumeFrom !== undefined && options.initialEpoch !== undefined) {
    throw new Error('fit: give resumeFrom or initialEpoch, not both (resuming sets the epoch from the checkpoint)');
  }
  const checkpointer = options.checkpoint === undefined ? undefined : new Checkpointer(options.checkpoint);
  const split = checkNumber('fit', 'validationSplit', options.validationSplit, 0, { min: 0, max: 1 });
  const { verbose, onNaN, yieldEvery } = checkLoopOptions('fit', options);
  const onDeviceLoss = checkChoice('fit', 'onDeviceLoss', options.onDeviceLoss, 'fallback', ['fallback', 'throw']);
  const callbackList = checkCallbacks('fit', options.callbacks);
  const shuffle = checkBoolean('fit', 'shuffle', options.shuffle, true);
  const memoryBudget = checkNumber('fit', 'memoryBudget', options.memoryBudget, Infinity, { min: 0, minExclusive: true });
  const signal = checkSignal('fit', options.signal);
  const { optimizer, loss, metrics } = model.compiledFor('fit');
  signal?.throwIfAborted();

  if (options.validationData !== undefined) {
    const vd = options.validationData;
    if (!Array.isArray(vd) || vd.length !== 2) throw new Error(`fit: validationData should be [x, y], got ${Array.isArray(vd) ? `an array of length ${vd.length}` : typeof vd}`);
    model.checkInputs('fit (validationData)', vd[0], vd[1]);
  }
  let data = splitData(x, y, options.validationData, split);

  let nanGuard: NanGuard | undefined;
  let lossGuard: DeviceLossGuard | undefined;
  // Tensors fit made and must free: the data's slices, and after a device loss the data itself.
  const owned: Tensor[] = [...data.owned];
  try {
    if (!model.built) model.build(x.shape.slice(1));
    model.checkTargets('fit', y);
    if (data.valY) model.checkTargets('fit (validationData)', data.valY);
    // finite data and labels that suit the loss, checked once on every backend (fit-checks.ts)
    await checkFitData(model, x, y, options.validationData);
    const params = model.trainableWeights;
    if (params.length === 0) throw new Error(`fit: the model has no trainable weights`);
    if (options.memoryBudget !== undefined) checkBudget(model, batchSize, memoryBudget);
    const n = data.trainX.shape[0]!;
    const batches = Math.ceil(n / batchSize);
    const random: Random = randomFor(options.seed);
    if (options.resumeFrom !== undefined) {
      const resumed = restoreCheckpoint(model, await readCheckpoint(options.resumeFrom));
      initialEpoch = resumed.epoch;
      random.setState(resumed.fitRandom);
    }
    const logNames = ['loss', ...metrics.map((m) => m.name)];
    const history = new History({ epochs, batchSize, samples: n, steps: batches, metrics: data.valX ? [...logNames, ...logNames.map((k) => `val_${k}`)] : logNames });
    let backend = params[0]!.backend;
    nanGuard = new NanGuard(params, optimizer, backend.readSync !== undefined, stateOf(model));
    const wantsBatchLogs = callbackList.some((c) => typeof c.onBatchEnd === 'function');
    for (const c of callbackList) {
      c.setModel?.(model);
      c.setParams?.(history.params);
    }
    // Only a device can be lost, and only asynchronous backends have one.
    if (onDeviceLoss === 'fallback' && !backend.readSync) {
      lossGuard = new DeviceLossGuard(model, optimizer, params, backend, 1 + metrics.length);
      await lossGuard.start(options.validationData ? [x, y, ...options.validationData] : [x, y], initialEpoch);
    }

    model.stopTraining = false;
    for (const c of callbackList) await c.onTrainBegin?.();
    let epoch = initialEpoch;
    /** The last epoch whose onEpochBegin ran (a recovery may continue it). */
    let begun = -1;
    /** The batch to start an epoch at: 0, or after a recovery the step after the snapshot's. */
    let firstBatch = 0;
    let order: Int32Array | undefined;
    let started = 0;
    let tally = new EpochTally(metrics.length);
    while (epoch < epochs && !model.stopTraining) {
      try {
        if (begun < epoch) {
          for (const c of callbackList) await c.onEpochBegin?.(epoch);
          begun = epoch;
          started = performance.now();
          order = !shuffle ? undefined : random.shuffle(Int32Array.from({ length: n }, (_, i) => i));
          tally = new EpochTally(metrics.length);
          nanGuard.startEpoch();
        }
        const guard = nanGuard;
        const { trainX, trainY, valX, valY } = data;
        for (let b = firstBatch; b < batches && !model.stopTraining; b++) {
          signal?.throwIfAborted();
          const start = b * batchSize;
          const size = Math.min(batchSize, n - start);
          for (const c of callbackList) await c.onBatchBegin?.(b, { batch: b, size });
          const values = tidy(() => {
            const xb = rows(trainX, start, size, order);
            const yb = rows(trainY, start, size, order);
            let prediction: Tensor | undefined;
            let updates: StagedUpdates | undefined;
            try {
              const { value, grads } = valueAndGrad(() => {
                [prediction, updates] = stagingUpdates(() => keep(model.apply(xb, true)));
                // under loss scaling, the gradient of the loss is scaled (loss-scaling.ts)
                return scaledForBackward(optimizer, loss.fn(yb, prediction));
              }, params);
              if (!guard.acceptStep(value, epoch, b)) return undefined;
              optimizer.applyGradients(grads, params);
              // Non-trainable state (batch normalization's moving statistics) lands with the step.
              updates!.commit();
              return [value, ...metrics.map((m) => m.fn(yb, prediction!))];
            } finally {
              // a refused or failed step drops its state updates (after commit there are none left)
              updates?.discard();
              prediction?.dispose();
            }
          });
          if (!values) break;
          let batchValues: ArrayLike<number> | undefined;
          // the snapshot (taken now, read later) carries the batch's values too, when a callback wants them
          const snapshot = lossGuard?.afterStep(epoch, b, values, size, b === batches - 1, wantsBatchLogs);
          let batchTensor: Tensor | undefined;
          if (!lossGuard && wantsBatchLogs) batchTensor = tidy(() => ops.stack(values.map((v) => ops.reshape(v, []))));
          tally.add(values.map((v) => keep(v)), size);
          if (snapshot) {
            batchValues = await snapshot;
          } else if (batchTensor) {
            try {
              batchValues = await batchTensor.data();
            } finally {
              batchTensor.dispose();
            }
          }
          if (wantsBatchLogs) {
            const logs = withRate(toLogs(batchValues!, metrics, 1), optimizer);
            for (const c of callbackList) await c.onBatchEnd?.(b, { batch: b, size, ...logs });
          }
          if (yieldEvery === 'batch') await yieldToEventLoop();
        }
        firstBatch = 0;
        // The epoch ends only once the snapshot of its last step has arrived: a later loss never rolls back past it.
        await lossGuard?.settled();
        const logs = toLogs(await tally.read(), metrics, 1);
        guard.acceptEpoch(logs.loss!, epoch);
        if (guard.problem) {
          if (tally.count > 0 && guard.synchronous) history.record(epoch, logs);
          break;
        }
        if (valX && valY) {
          const val = await evaluateBatches(model, valX, valY, batchSize);
          for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
        }
        withRate(logs, optimizer);
        await withLossScale(logs, optimizer);
        history.record(epoch, logs);
        if (verbose > 0) logEpoch(epoch, epochs, started, logs);
        for (const c of callbackList) await c.onEpochEnd?.(epoch, logs);
        if (checkpointer?.due(epoch)) await checkpointer.write(model, epoch + 1, random.getState());
        if (yieldEvery !== 'never') await yieldToEventLoop();
        epoch++;
      } catch (error) {
        if (!lossGuard || !(await lossGuard.isDeviceLoss())) throw error;
        // The device is gone, and with it this epoch's tensors: continue elsewhere from the newest snapshot.
        const recovery = await lossGuard.recover();
        lossGuard.release();
        lossGuard = undefined;
        tally.discard();
        nanGuard.release();
        backend = recovery.backend;
        nanGuard = new NanGuard(params, optimizer, backend.readSync !== undefined, stateOf(model));
        const [hostX, hostY, hostValX, hostValY] = recovery.data;
        owned.push(...recovery.data);
        data = splitData(hostX!, hostY!, hostValX && hostValY ? [hostValX, hostValY] : undefined, split);
        owned.push(...data.owned);
        const snap = recovery.snapshot;
        if (snap.batch === batches - 1 && snap.epoch < epoch) {
          // the snapshot ends an epoch that has ended: start this one afresh
          tally = new EpochTally(metrics.length);
          firstBatch = 0;
        } else {
          if (snap.epoch !== epoch) throw new Error(`fit: internal error: recovering epoch ${epoch + 1} from a snapshot of epoch ${snap.epoch + 1}`, { cause: error });
          tally = new EpochTally(metrics.length, snap.tally);
          firstBatch = snap.batch + 1;
        }
        history.backendSwitches.push(recovery.change);
        if (verbose > 0) {
          const at = snap.batch < 0 ? `the start of epoch ${snap.epoch + 1}` : `epoch ${snap.epoch + 1}, batch ${snap.batch + 1}`;
          console.warn(`fit: the ${recovery.change.from} device was lost (${recovery.change.reason}); continuing on ${recovery.change.to} after ${at}, the last step whose weights were saved`);
        }
        for (const c of callbackList) await c.onBackendSwitch?.(recovery.change);
      }
    }
    if (nanGuard.problem) {
      const message = `fit: ${nanGuard.describe()}`;
      if (onNaN === 'throw') throw new Error(message);
      // said even at verbose 0 (as Keras' TerminateOnNaN does): a silent stop looks like a finished run
      console.warn(message);
      history.stoppedOnNaN = nanGuard.problem;
    }
    for (const c of callbackList) await c.onTrainEnd?.();
    return history;
  } finally {
    nanGuard?.release();
    lossGuard?.release();
    for (const t of owned) t.dispose();
  }
}

interface FitData {
  readonly trainX: Tensor;
  readonly trainY: Tensor;
  readonly valX: Tensor | undefined;
  readonly valY: Tensor | undefined;
  /** Slices made here, for fit to dispose. */
  readonly owned: readonly Tensor[];
}

/** Validation data: given, or the last `split` share of the samples (before shuffling, as Keras does). */
function splitData(x: Tensor, y: Tensor, validationData: readonly [Tensor, Tensor] | undefined, split: number): FitData {
  if (validationData !== undefined) return { trainX: x, trainY: y, valX: validationData[0], valY: validationData[1], owned: [] };
  if (split === 0) return { trainX: x, trainY: y, valX: undefined, valY: undefined, owned: [] };
  const n = x.shape[0]!;
  const trainCount = Math.floor(n * (1 - split));
  if (trainCount === 0 || trainCount === n) {
    throw new Error(`fit: validationSplit ${split} of ${n} samples leaves ${trainCount} for training and ${n - trainCount} for validation; both need at least one`);
  }
  const parts = {
    trainX: keep(ops.slice(x, [0], [trainCount])),
    trainY: keep(ops.slice(y, [0], [trainCount])),
    valX: keep(ops.slice(x, [trainCount], [n - trainCount])),
    valY: keep(ops.slice(y, [trainCount], [n - trainCount])),
  };
  return { ...parts, owned: [parts.trainX, parts.trainY, parts.valX, parts.valY] };
}

/** Refuses a fit whose estimated training memory is above the budget, before the first step. */
function checkBudget(model: LayersModel, batchSize: number, budget: number): void {
  const e = estimateTrainingMemory(model, { batchSize });
  if (e.total <= budget) return;
  throw new Error(
    `fit: training would take about ${formatBytes(e.total)} (weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, ` +
    `optimizer state ${formatBytes(e.optimizerState)}, activations ${formatBytes(e.activations)} for batchSize ${batchSize}), ` +
    `over the memoryBudget of ${formatBytes(budget)}; use a smaller batchSize (with gradientAccumulationSteps to keep the effective batch) or wg.layers.checkpointed blocks`,
  );
}

/**
 * With a learning-rate schedule, adds the rate of the optimizer's latest update as
 * `learningRate` (none before the first update, while accumulating).
 */
function withRate(logs: Logs, optimizer: Optimizer): Logs {
  if (typeof optimizer.learningRate === 'function' && Number.isFinite(optimizer.lastLearningRate)) logs.learningRate = optimizer.lastLearningRate;
  return logs;
}

/** Loss and metrics over (x, y) in batches, summed on the device and read once. */
export async function evaluateBatches(model: LayersModel, x: Tensor, y: Tensor, batchSize: number): Promise<Record<string, number>> {
  const { loss, metrics } = model.compiledFor('evaluate');
  const n = x.shape[0]!;
  if (n === 0) throw new Error(`evaluate: x has no samples (shape ${shapeString(x.shape)})`);
  const sums = tidy(() => {
    let total: Tensor = ops.zeros([1 + metrics.length]);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const xb = ops.slice(x, [start], [size]);
      const yb = ops.slice(y, [start], [size]);
      const prediction = model.apply(xb, false);
      const values = ops.concat([ops.reshape(loss.fn(yb, prediction), [1]), ...metrics.map((m) => ops.reshape(m.fn(yb, prediction), [1]))], 0);
      const next = ops.add(total, ops.mul(values, size));
      total.dispose();
      total = next;
    }
    return total;
  });
  const values = await sums.data();
  sums.dispose();
  return toLogs(values, metrics, n);
}
