// One run of fit, whatever deals its batches: the training step, its observers (the
// NaN guard, the device-loss guard where there is one, the epoch's tally, the batch
// callbacks), and the moments around them (an epoch's begin and end, the logs, the
// history, the epoch callbacks, checkpoints). fit on tensors (train.ts) and fit on a
// dataset (train-dataset.ts) are epoch loops that hand their batches to it.

import { type Callback, History, type Logs } from './callbacks.js';
import type { Recovery, TallyState } from './device-loss.js';
import type { DeviceLossObserver } from './device-loss-observer.js';
import { BatchCallbacks } from './batch-callbacks.js';
import { TallyObserver } from './epoch-tally.js';
import { EventLoopPacer, logEpoch, toLogs, type YieldEvery } from './fit-common.js';
import type { Checkpointer } from './io/checkpoint.js';
import { NanGuard, type OnNaN } from './nan-guard.js';
import type { LayersModel } from './nn/model-base.js';
import type { Random } from './random.js';
import { tidy } from './scope.js';
import { type StepObserver, type StepPlace, StepValues } from './step-observer.js';
import type { Tensor, Variable } from './tensor.js';
import { TrainingStep } from './training-step.js';
import { withLossScale } from './loss-scaling.js';

export interface FitRunOptions {
  /** The function named in messages. */
  readonly fn: string;
  readonly epochs: number;
  readonly verbose: 0 | 1 | 2;
  readonly yieldEvery: YieldEvery;
  readonly signal: AbortSignal | undefined;
  readonly callbacks: readonly Callback[];
  readonly checkpointer: Checkpointer | undefined;
  /** The generator a checkpoint saves (fit's shuffling order). */
  readonly random: Random;
  /** History.params besides the names of the logs. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Whether the epochs' logs get validation values (val_loss, ...). */
  readonly validation: boolean;
}

/** The model's non-trainable weights (moving statistics): the NaN guard keeps them with the weights. */
function stateOf(model: LayersModel): Variable[] {
  const trainable = new Set(model.trainableWeights);
  return model.weights.filter((w) => !trainable.has(w));
}

export class FitRun {
  readonly step: TrainingStep;
  readonly history: History;
  private nan: NanGuard;
  private deviceLoss: DeviceLossObserver | undefined;
  private readonly tally: TallyObserver;
  readonly batchCallbacks: BatchCallbacks;
  private readonly pacer: EventLoopPacer;
  private started = 0;

  /** Checks that the model can train (compiled, with trainable weights) and tells the callbacks of the run. */
  constructor(readonly model: LayersModel, private readonly options: FitRunOptions) {
    this.step = new TrainingStep(model, options.fn);
    this.pacer = new EventLoopPacer(options.yieldEvery);
    const { metrics } = model.compiledFor('fit');
    const names = ['loss', ...metrics.map((m) => m.name)];
    this.history = new History({ ...options.params, metrics: options.validation ? [...names, ...names.map((k) => `val_${k}`)] : names });
    this.nan = this.newNanGuard();
    this.tally = new TallyObserver(metrics.length);
    this.batchCallbacks = new BatchCallbacks(options.callbacks, (values) => this.withState(toLogs(values, metrics, 1)));
    for (const c of options.callbacks) {
      c.setModel?.(model);
      c.setParams?.(this.history.params);
    }
  }

  /** The observers of each step, in the order they are told of it. */
  private get observers(): StepObserver[] {
    return this.deviceLoss ? [this.nan, this.deviceLoss, this.tally, this.batchCallbacks] : [this.nan, this.tally, this.batchCallbacks];
  }

  private newNanGuard(): NanGuard {
    const { optimizer } = this.model.compiledFor('fit');
    const params = this.step.params;
    return new NanGuard(params, optimizer, params[0]!.backend.readSync !== undefined, stateOf(this.model));
  }

  /** Adds the device-loss guard (fit on tensors on an asynchronous backend). */
  watchDeviceLoss(observer: DeviceLossObserver): void {
    this.deviceLoss = observer;
  }

  /** Steps completed in the current epoch. */
  get stepsThisEpoch(): number {
    return this.tally.tally.count;
  }

  /**
   * What every log gets beside the loss and metrics (the one place logs are assembled):
   * with a learning-rate schedule, the rate of the optimizer's latest update as
   * `learningRate` (none before the first update, while accumulating).
   */
  private withState(logs: Logs): Logs {
    const { optimizer } = this.model.compiledFor('fit');
    if (typeof optimizer.learningRate === 'function' && Number.isFinite(optimizer.lastLearningRate)) logs.learningRate = optimizer.lastLearningRate;
    return logs;
  }

  async begin(): Promise<void> {
    this.model.stopTraining = false;
    for (const c of this.options.callbacks) await c.onTrainBegin?.();
  }

  async beginEpoch(epoch: number): Promise<void> {
    for (const c of this.options.callbacks) await c.onEpochBegin?.(epoch);
    this.started = performance.now();
    for (const o of this.observers) await o.epochBegin?.(epoch);
  }

  /**
   * One step on the batch `batch()` makes (inside a scope that frees what it makes).
   * False when an observer refused it: the epoch ends there.
   */
  async runStep(place: StepPlace, batch: () => readonly [Tensor, Tensor]): Promise<boolean> {
    this.options.signal?.throwIfAborted();
    const observers = this.observers;
    for (const o of observers) {
      const pending = o.beforeStep?.(place);
      if (pending) await pending; // no turn of the event loop for observers with nothing to wait for
    }
    const gate = (loss: Tensor) => observers.every((o) => o.gate?.(loss, place) ?? true);
    const tensors = tidy(() => {
      const [x, y] = batch();
      return this.step.run(x, y, gate);
    });
    if (!tensors) return false;
    const values = new StepValues(tensors);
    try {
      for (const o of observers) {
        const pending = o.afterStep?.(place, values);
        if (pending) await pending;
      }
    } finally {
      for (const t of tensors) t.dispose();
    }
    await this.pacer.afterStep();
    return true;
  }

  /**
   * Ends an epoch: its logs (with `validate`'s values as val_*), the history, verbose's
   * line, the callbacks and the checkpoint. False when training stops here (a NaN loss).
   */
  async endEpoch(epoch: number, validate?: () => Promise<Record<string, number>>): Promise<boolean> {
    const { metrics } = this.model.compiledFor('fit');
    for (const o of this.observers) await o.epochSettle?.();
    const tally = this.tally.tally;
    const logs = toLogs(await tally.read(), metrics, 1);
    this.nan.acceptEpoch(logs.loss!, epoch);
    if (this.nan.problem) {
      // synchronous: the refused step never landed, the epoch's other steps did
      if (tally.count > 0 && this.nan.synchronous) this.history.record(epoch, logs);
      return false;
    }
    if (validate) {
      for (const [k, v] of Object.entries(await validate())) logs[`val_${k}`] = v;
    }
    this.withState(logs);
    await withLossScale(logs, this.model.compiledFor('fit').optimizer);
    this.history.record(epoch, logs);
    const { verbose, epochs, callbacks, checkpointer } = this.options;
    if (verbose > 0) logEpoch(epoch, epochs, this.started, logs);
    for (const c of callbacks) await c.onEpochEnd?.(epoch, logs);
    if (checkpointer?.due(epoch)) await checkpointer.write(this.model, epoch + 1, this.options.random.getState());
    await this.pacer.afterEpoch();
    return true;
  }

  /**
   * After a device loss (recovery already moved the model): the guards start again on
   * the new backend, the epoch continues from `tally` (or afresh), and the switch is
   * recorded and told.
   */
  async continueAfter(recovery: Recovery, tally: TallyState | undefined): Promise<void> {
    this.deviceLoss = undefined;
    this.nan.release();
    this.nan = this.newNanGuard();
    this.tally.restart(tally);
    this.history.backendSwitches.push(recovery.change);
    const snap = recovery.snapshot;
    if (this.options.verbose > 0) {
      const at = snap.batch < 0 ? `the start of epoch ${snap.epoch + 1}` : `epoch ${snap.epoch + 1}, batch ${snap.batch + 1}`;
      console.warn(`${this.options.fn}: the ${recovery.change.from} device was lost (${recovery.change.reason}); continuing on ${recovery.change.to} after ${at}, the last step whose weights were saved`);
    }
    for (const c of this.options.callbacks) await c.onBackendSwitch?.(recovery.change);
  }

  /** Ends the run: the NaN stop said (or thrown, with onNaN 'throw'), onTrainEnd, the history. */
  async finish(onNaN: OnNaN): Promise<History> {
    if (this.nan.problem) {
      const message = `${this.options.fn}: ${this.nan.describe()}`;
      if (onNaN === 'throw') throw new Error(message);
      // said even at verbose 0 (as Keras' TerminateOnNaN does): a silent stop looks like a finished run
      console.warn(message);
      this.history.stoppedOnNaN = this.nan.problem;
    }
    for (const c of this.options.callbacks) await c.onTrainEnd?.();
    return this.history;
  }

  /** Frees what the observers hold (an epoch cut short leaves its values on the device). */
  release(): void {
    for (const o of this.observers) o.release?.();
  }
}
