// Training callbacks (Keras' hooks), History, and early stopping.

import type { BackendSwitch } from './device-loss.js';
import { tensor } from './ops/creation.js';
import type { DataType, Tensor } from './tensor.js';
import { checkBoolean, checkNumber, checkOptions, closest, given } from './options.js';

export type Logs = Record<string, number>;

/** Hooks called by `fit`; any of them may be async (fit awaits it). */
export interface Callback {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  /** Defining this makes fit read the loss after every batch (one device read each). */
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  /**
   * Called when fit lost its GPU device and continues on another backend (onDeviceLoss:
   * 'fallback'): from where to where, why, and the step training continued after.
   */
  onBackendSwitch?(change: BackendSwitch): void | Promise<void>;
  /** @internal set by fit so that callbacks can stop training */
  setModel?(model: StoppableModel): void;
  /** @internal set by fit before onTrainBegin: History.params (epochs, steps, the names of the logs) */
  setParams?(params: Readonly<Record<string, unknown>>): void;
}

export interface StoppableModel {
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(weights: readonly Tensor[]): void;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onBackendSwitch'];

/** Names of the functions an object offers: its own and its classes' (not Object's). */
function functionNames(value: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = value; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key !== 'constructor' && typeof (value as Record<string, unknown>)[key] === 'function') names.add(key);
    }
  }
  return [...names];
}

/**
 * @internal fit's `callbacks` option as a list, each entry checked: an object whose
 * on* functions are known hooks (a misspelt hook would otherwise never be called).
 */
export function checkCallbacks(fn: string, callbacks: unknown): Callback[] {
  if (callbacks === undefined) return [];
  const list: unknown[] = Array.isArray(callbacks) ? callbacks : [callbacks];
  list.forEach((c, i) => {
    if (c === null || typeof c !== 'object') throw new TypeError(`${fn}: callbacks[${i}] should be an object with hooks such as onEpochEnd, got ${given(c)}`);
    for (const name of functionNames(c)) {
      if (!/^on[A-Z]/.test(name) || HOOKS.includes(name)) continue;
      const suggestion = closest(name, HOOKS);
      throw new Error(`${fn}: callbacks[${i}] has an unknown hook '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ''} (hooks: ${HOOKS.join(', ')})`);
    }
  });
  return list as Callback[];
}

/** What `fit` returns: one number per epoch for the loss and each metric. */
export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  /** Set when fit stopped because the loss became NaN or infinite (onNaN: 'stop'). */
  stoppedOnNaN?: { readonly epoch: number; readonly batch?: number; readonly value: number };
  /** Each time fit lost its GPU device and continued on another backend (onDeviceLoss: 'fallback'). */
  readonly backendSwitches: BackendSwitch[] = [];
  constructor(readonly params: Readonly<Record<string, unknown>>) {}

  /** @internal */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.history[key] ??= []).push(value);
  }
}

export interface EarlyStoppingOptions {
  /** The log to watch (default 'val_loss'). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 'min', 'max', or 'auto' (max for accuracy-like logs, min otherwise). */
  mode?: 'min' | 'max' | 'auto';
  /** End on the weights of the best epoch, whether training stops early or runs out of epochs (default false). */
  restoreBestWeights?: boolean;
}

/** Stops training when the monitored log stops improving. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  /** The epoch training stopped at, or -1. */
  stoppedEpoch = -1;
  /** The epoch whose value was best so far. */
  bestEpoch = -1;
  private readonly sign: number;
  private best = Infinity;
  private wait = 0;
  /**
   * The best epoch's weights, on the host: they outlive the device (a fit that loses its
   * GPU and goes on elsewhere can still restore them).
   */
  private bestWeights: { values: Float32Array | Int32Array; shape: readonly number[]; dtype: DataType }[] | undefined;
  private model: StoppableModel | undefined;

  constructor(options: EarlyStoppingOptions = {}) {
    checkOptions('earlyStopping', options, ['monitor', 'minDelta', 'patience', 'mode', 'restoreBestWeights']);
    this.monitor = options.monitor ?? 'val_loss';
    this.minDelta = Math.abs(checkNumber('earlyStopping', 'minDelta', options.minDelta, 0));
    this.patience = checkNumber('earlyStopping', 'patience', options.patience, 0, { integer: true, min: 0 });
    this.restoreBestWeights = checkBoolean('earlyStopping', 'restoreBestWeights', options.restoreBestWeights, false);
    const mode = options.mode ?? 'auto';
    if (!['min', 'max', 'auto'].includes(mode)) throw new Error(`earlyStopping: mode should be 'min', 'max' or 'auto', got ${JSON.stringify(mode)}`);
    const maximise = mode === 'max' || (mode === 'auto' && /acc|auc|precision|recall|f1/i.test(this.monitor));
    this.sign = maximise ? -1 : 1;
  }

  setModel(model: StoppableModel): void {
    this.model = model;
  }

  /** @internal */
  setParams(params: Readonly<Record<string, unknown>>): void {
    // Known before the first epoch: a log that fit never writes is an error now, not after an epoch of training.
    const logs = params['metrics'];
    if (Array.isArray(logs) && !logs.includes(this.monitor)) {
      const suggestion = closest(this.monitor, logs as string[]);
      throw new Error(`earlyStopping: the log '${this.monitor}' does not exist; available: ${logs.join(', ')}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`);
    }
  }

  onTrainBegin(): void {
    this.best = Infinity;
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.releaseBest();
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new Error(`earlyStopping: the log '${this.monitor}' does not exist; available: ${Object.keys(logs).join(', ')}`);
    }
    const score = this.sign * value;
    if (score < this.best - this.minDelta) {
      this.best = score;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights && this.model) {
        const copies = this.model.getWeights();
        try {
          this.bestWeights = await Promise.all(copies.map(async (w) => ({ values: await w.data(), shape: w.shape, dtype: w.dtype })));
        } finally {
          for (const w of copies) w.dispose();
        }
      }
      return;
    }
    this.wait++;
    if (this.wait > this.patience && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.restoreBestWeights) this.restoreBest();
    }
  }

  /** With restoreBestWeights, a run that ends without stopping early also ends on its best epoch's weights. */
  onTrainEnd(): void {
    if (this.restoreBestWeights && this.stoppedEpoch === -1 && this.wait > 0) this.restoreBest();
    this.releaseBest();
  }

  /** Puts the best epoch's weights back (made on the backend the model is on now). */
  private restoreBest(): void {
    if (!this.bestWeights || !this.model) return;
    const weights = this.bestWeights.map((w) => tensor(w.values, w.shape, w.dtype));
    try {
      this.model.setWeights(weights);
    } finally {
      for (const w of weights) w.dispose();
    }
  }

  private releaseBest(): void {
    this.bestWeights = undefined;
  }
}

export const callbacks = {
  earlyStopping: (options?: EarlyStoppingOptions): EarlyStopping => new EarlyStopping(options),
};
