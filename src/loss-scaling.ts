// Dynamic loss scaling (Keras 3's LossScaleOptimizer, PyTorch's GradScaler): the loss's
// gradient is multiplied by a scale before backward, so that small float16 gradients
// do not flush to zero; the gradients are divided by it before the update. When any
// gradient is not finite the update is skipped (weights and optimizer state untouched,
// the optimizer's step count too) and the scale halves; after `dynamicGrowthSteps`
// finite updates in a row it doubles.
//
// Everything that decides lives on the device, so a step never waits for a read-back
// on WebGPU: the scale, the count of finite updates since it last changed, whether
// the current update is finite, and per parameter how many updates it has taken (for
// Adam's bias correction and momentum's first step). The fused step kernels take their
// scalars from a device buffer in this mode (Backend.step with a view; its entry 7 is
// the skip flag), built here with ordinary ops.
//
// Host-side counters count attempts: `iterations`, and so learning-rate schedules,
// advance on a skipped step, as a PyTorch scheduler stepped after scaler.step does.
// The device counts only applied updates, so Adam after a skipped step is exactly as
// before it.

import type { OptimizerRule } from './backends/backend.js';
import { noGrad, record } from './autograd.js';
import { checkNumber, checkOptions, given } from './options.js';
import * as ops from './ops/index.js';
import {
  Adagrad, type Gradients, Optimizer, type OptimizerConfig, type OptimizerState, type Params, registerLossScale,
} from './optimizers.js';
import { keep, tidy } from './scope.js';
import { allocate, Tensor, type Variable } from './tensor.js';

/** The factor the scale grows by after a run of finite updates (PyTorch's growth_factor, Keras' 2). */
export const GROWTH_FACTOR = 2;
/** The factor the scale shrinks by on a non-finite update (PyTorch's backoff_factor, Keras' 0.5). */
export const BACKOFF_FACTOR = 0.5;

export interface LossScaleOptions {
  /** The scale to start from (default 2¹⁵, as Keras and PyTorch). A finite number > 0. */
  initialScale?: number;
  /** Finite updates in a row after which the scale doubles (default 2000, as Keras and PyTorch). */
  dynamicGrowthSteps?: number;
}

/** A device scalar counting a group of parameters' applied updates (params first stepped together share one). */
interface Counter {
  t: Tensor;
  /** The update (serial) whose scalars `hyper` holds. */
  serial: number;
  hyper: { tensor: Tensor; mask: number } | undefined;
}

/** A scalar or vector on `backend`, outside any scope (the wrapper keeps it across steps). */
function deviceValues(backend: Tensor['backend'], values: readonly number[], what: string): Tensor {
  const ref = allocate(values.length, 'float32', backend, { op: 'lossScale', what });
  const t = new Tensor(ref, values.length === 1 ? [] : [values.length], 'float32', undefined, 0, 'untracked');
  backend.write(ref.storage, Float32Array.from(values));
  return t;
}

/**
 * An optimizer that scales the loss dynamically around another (Keras 3's
 * LossScaleOptimizer). Made by `wg.optimizers.lossScale(inner, options)`, and by
 * `model.compile` when the model's layers compute in 'mixed_float16'.
 */
export class LossScaleOptimizer extends Optimizer {
  readonly initialScale: number;
  readonly dynamicGrowthSteps: number;
  private scale: Tensor | undefined;
  /** Finite updates since the scale last changed. */
  private good: Tensor | undefined;
  /** 1 once a micro-batch of the pending update had a non-finite gradient, else 0. */
  private bad: Tensor | undefined;
  /** 1 when the update being applied is finite, else 0 (set during applyGradients). */
  private ok: Tensor | undefined;
  private readonly counters = new Map<Variable, Counter>();
  /** The counter of parameters first stepped in update `made`. */
  private fresh: { counter: Counter; made: number } | undefined;
  private serial = 0;
  /** The scale as last read (the initial one before any read). */
  private hostScale: number;

  constructor(readonly inner: Optimizer, options: LossScaleOptions = {}) {
    const fn = 'lossScale';
    if (!(inner instanceof Optimizer)) throw new TypeError(`${fn}: inner should be an optimizer from wg.optimizers, got ${given(inner)}`);
    if (inner instanceof LossScaleOptimizer) throw new Error(`${fn}: inner is already a loss-scale optimizer; wrap the optimizer inside it once`);
    checkOptions(fn, options, ['initialScale', 'dynamicGrowthSteps']);
    const initialScale = checkNumber(fn, 'initialScale', options.initialScale, 2 ** 15, { min: 0, minExclusive: true });
    const dynamicGrowthSteps = checkNumber(fn, 'dynamicGrowthSteps', options.dynamicGrowthSteps, 2000, { integer: true, min: 1 });
    super(inner.name, {}, 0);
    this.initialScale = initialScale;
    this.dynamicGrowthSteps = dynamicGrowthSteps;
    this.hostScale = initialScale;
    // The step counters, clipping and accumulation are the inner optimizer's: read through.
    for (const key of ['iterations', 'lastLearningRate'] as const) {
      Object.defineProperty(this, key, { get: () => inner[key], set: (v: number) => (inner[key] = v), enumerable: true });
    }
    for (const key of ['clipping', 'gradientAccumulationSteps'] as const) {
      Object.defineProperty(this, key, { get: () => inner[key], enumerable: true });
    }
  }

  override get learningRate(): Optimizer['learningRate'] {
    return this.inner.learningRate;
  }
  override set learningRate(value: Optimizer['learningRate']) {
    this.inner.learningRate = value;
  }
  override get slotsPerWeight(): number {
    return this.inner.slotsPerWeight;
  }
  override get currentLearningRate(): number {
    return this.inner.currentLearningRate;
  }
  /** The inner optimizer's options: a saved model records loss scaling beside them (its training config). */
  override getConfig(): OptimizerConfig {
    return this.inner.getConfig();
  }
  protected ownConfig(): Record<string, number | boolean> {
    return {};
  }
  protected rule(): OptimizerRule {
    return this.inner.stepRule;
  }
  protected hyper(): number[] {
    throw new Error('lossScale: internal error: the inner optimizer steps, not the wrapper');
  }

  /**
   * The current loss scale. Exact on cpu and wasm (read in place); on WebGPU, where
   * nothing is read synchronously, the value as of the last read (fit reads it at each
   * epoch's end for its logs; `await optimizer.readLossScale()` reads it now).
   */
  get lossScale(): number {
    const t = this.scale;
    if (t && t.backend.readSync) this.hostScale = t.dataSync()[0]!;
    return this.hostScale;
  }

  /** Reads the current loss scale from the device. */
  async readLossScale(): Promise<number> {
    const t = this.scale;
    if (t) this.hostScale = (await t.data())[0]!;
    return this.hostScale;
  }

  /**
   * `loss` unchanged, except that its gradient is multiplied by the current scale
   * (what scaling the loss before backward does, while the value stays the true loss
   * for logs). fit and minimize call it; use it in your own training loop before
   * valueAndGrad's backward, then applyGradients as usual.
   */
  scaleLossGradient(loss: Tensor): Tensor {
    if (!(loss instanceof Tensor)) throw new TypeError(`lossScale.scaleLossGradient: loss should be a Tensor, got ${given(loss)}`);
    loss.assertAlive('lossScale.scaleLossGradient', 'loss');
    const scale = this.scaleOn(loss.backend);
    const out = noGrad(() => ops.clone(loss));
    record([loss], out, [scale], (dy, saved) => [() => ops.mul(dy, saved[0]!)]);
    return out;
  }

  /** Keras' scale_loss: the loss times the current scale (for custom loops that scale the value itself). */
  scaleLoss(loss: Tensor): Tensor {
    if (!(loss instanceof Tensor)) throw new TypeError(`lossScale.scaleLoss: loss should be a Tensor, got ${given(loss)}`);
    loss.assertAlive('lossScale.scaleLoss', 'loss');
    return ops.mul(loss, this.scaleOn(loss.backend));
  }

  override minimize(f: () => Tensor, returnCost = false, varList?: readonly Variable[]): Tensor | undefined {
    return super.minimize(() => this.scaleLossGradient(f()), returnCost, varList);
  }

  /**
   * Takes gradients of the scaled loss: divides them by the scale, and applies them
   * with the inner optimizer unless one is not finite (then the update is skipped and
   * the scale halves). With gradient accumulation, a non-finite micro-batch spoils the
   * whole update, and the scale changes once per update.
   */
  override applyGradients(grads: Gradients, params?: Params): void {
    const inner = this.inner;
    inner.checkGradients(grads, params);
    const list: Tensor[] = Array.isArray(grads) ? [...(grads as readonly Tensor[])] : Object.values(grads as Record<string, Tensor>);
    if (list.length === 0) {
      inner.applyGradients(grads, params);
      return;
    }
    const backend = list[0]!.backend;
    const scale = this.scaleOn(backend);
    const updating = inner.updatesNext;
    const { unscaled, bad } = tidy(() => {
      const unscaled = list.map((g) => ops.div(g, scale));
      // One pass per gradient: the sum of all is inf or NaN when any element is; s − s
      // is then NaN, and 0 otherwise. (An overflow of the sum of unscaled float32
      // gradients, above 3e38, also counts as non-finite: such a step is lost anyway.)
      let total = ops.sum(unscaled[0]!);
      for (const g of unscaled.slice(1)) total = ops.add(total, ops.sum(g));
      const bad = ops.maximum(this.bad!, ops.cast(ops.notEqual(ops.sub(total, total), 0), 'float32'));
      return { unscaled: unscaled.map((t) => keep(t)), bad: keep(bad) };
    });
    const again: Gradients = Array.isArray(grads) ? unscaled : Object.fromEntries(Object.keys(grads).map((k, i) => [k, unscaled[i]!]));
    if (updating) this.ok = keep(tidy(() => ops.sub(1, bad)));
    inner.deviceScalars = this;
    try {
      inner.applyGradients(again, params);
    } catch (error) {
      bad.dispose();
      throw error;
    } finally {
      inner.deviceScalars = undefined;
      for (const t of unscaled) t.dispose();
      this.ok?.dispose();
      this.ok = undefined;
    }
    this.bad!.dispose();
    this.bad = bad;
    if (updating) this.resetBad(backend);
  }

  /** @internal DeviceScalars: the update's scalars for `param`, with its device step count. */
  hyperFor(param: Variable, rule: OptimizerRule, host: readonly number[], hostStep: number): { tensor: Tensor; mask: number } {
    let counter = this.counters.get(param);
    if (!counter) {
      // Parameters first stepped in the same update share one counter (and one set of scalars).
      if (!this.fresh || this.fresh.made !== this.serial) {
        this.fresh = { counter: { t: deviceValues(param.backend, [0], 'the step count of a parameter group'), serial: -1, hyper: undefined }, made: this.serial };
      }
      counter = this.fresh.counter;
      this.counters.set(param, counter);
    }
    if (counter.serial !== this.serial) {
      counter.hyper?.tensor.dispose();
      const ok = this.ok!;
      const t = keep(tidy(() => ops.add(counter!.t, ok)));
      counter.t.dispose();
      counter.t = t;
      counter.hyper = this.scalars(rule, host, hostStep, t, ok);
      counter.serial = this.serial;
    }
    const { tensor, mask } = counter.hyper!;
    return { tensor: tensor.share(undefined, undefined, undefined, 'untracked'), mask };
  }

  /** @internal DeviceScalars: after the parameters stepped, the scale moves. */
  endUpdate(): void {
    const ok = this.ok!;
    const n = this.dynamicGrowthSteps;
    const next = tidy(() => {
      const count = ops.mul(ops.add(this.good!, 1), ok);
      const grow = ops.cast(ops.greaterEqual(count, n), 'float32');
      // ok 0: BACKOFF_FACTOR; ok 1: 1, or GROWTH_FACTOR when grow (grow implies ok).
      const factor = ops.add(ops.add(BACKOFF_FACTOR, ops.mul(ok, 1 - BACKOFF_FACTOR)), ops.mul(grow, GROWTH_FACTOR - 1));
      return [keep(ops.mul(this.scale!, factor)), keep(ops.mul(count, ops.sub(1, grow)))];
    });
    this.scale!.dispose();
    this.good!.dispose();
    [this.scale, this.good] = next as [Tensor, Tensor];
    for (const c of new Set(this.counters.values())) {
      c.hyper?.tensor.dispose();
      c.hyper = undefined;
    }
    this.serial++;
  }

  /**
   * The rule's device scalars (Backend.step's `device`): the step-dependent ones from
   * the device count `t`, and the skip flag; the mask marks which replace the host's.
   */
  private scalars(rule: OptimizerRule, host: readonly number[], hostStep: number, t: Tensor, ok: Tensor): { tensor: Tensor; mask: number } {
    let mask = 0;
    const tensor = keep(tidy(() => {
      const device = new Map<number, Tensor>();
      if (rule === 'momentum' || rule === 'nesterov') device.set(4, ops.cast(ops.equal(t, 1), 'float32'));
      if (rule === 'adagrad') {
        const decay = (this.inner as Adagrad).lrDecay;
        const lr = host[0]! * (1 + (hostStep - 1) * decay);
        device.set(0, ops.div(lr, ops.add(1, ops.mul(ops.sub(t, 1), decay))));
      }
      if (rule === 'adam' || rule === 'adamw') {
        device.set(5, ops.sub(1, ops.pow(host[2]!, t)));
        device.set(6, ops.sub(1, ops.pow(host[3]!, t)));
      }
      device.set(7, ops.sub(1, ok));
      const pieces: Tensor[] = [];
      let from = 0;
      for (let i = 0; i <= 7; i++) {
        const d = device.get(i);
        if (!d) continue;
        if (i < 7) mask |= 1 << i;
        if (i > from) pieces.push(ops.zeros([i - from]));
        pieces.push(ops.reshape(d, [1]));
        from = i + 1;
      }
      return ops.concat(pieces, 0);
    }));
    return { tensor, mask };
  }

  /** The scale on `backend`, making the device state there on first use (or after a move). */
  private scaleOn(backend: Tensor['backend']): Tensor {
    if (this.scale && this.scale.backend === backend) return this.scale;
    // moved (toBackend): the counters on the old backend go too; after setState there are none yet
    if (this.scale) this.dropDevice();
    this.scale = deviceValues(backend, [this.hostScale], 'the loss scale');
    this.good = deviceValues(backend, [0], 'the finite-update count');
    this.bad = deviceValues(backend, [0], 'the non-finite flag');
    return this.scale;
  }

  private resetBad(backend: Tensor['backend']): void {
    this.bad?.dispose();
    this.bad = deviceValues(backend, [0], 'the non-finite flag');
  }

  private dropDevice(): void {
    for (const t of [this.scale, this.good, this.bad]) t?.dispose();
    this.scale = this.good = this.bad = undefined;
    for (const c of new Set(this.counters.values())) {
      c.t.dispose();
      c.hyper?.tensor.dispose();
    }
    this.counters.clear();
    this.fresh = undefined;
  }

  override getState(params: readonly Variable[]): OptimizerState & { slots: Tensor[][] } {
    return this.inner.getState(params);
  }

  /**
   * Restores the inner optimizer's state. The device counters restart from the saved
   * host step counts (which count skipped updates too) and the scale from its last
   * read value (a checkpoint restores its saved scale after this): a restore (a
   * device-loss fallback, the NaN guard, resumeFrom) continues with them.
   */
  override setState(params: readonly Variable[], saved: OptimizerState): void {
    this.inner.setState(params, saved);
    const scale = this.scale && !this.scale.isDisposed && this.scale.backend.readSync ? this.lossScale : this.hostScale;
    this.dropDevice();
    this.hostScale = scale;
    params.forEach((p, i) => {
      const steps = saved.steps[i] ?? 0;
      if (steps > 0) this.counters.set(p, { t: deviceValues(p.backend, [steps], 'the step count of a parameter'), serial: -1, hyper: undefined });
    });
  }

  /** @internal Sets the scale (a checkpoint's), after setState. */
  restoreLossScale(scale: number): void {
    this.hostScale = scale;
    const t = this.scale;
    if (t) t.backend.write(t.ref.storage, Float32Array.of(scale));
  }

  override dispose(): void {
    this.inner.dispose();
    this.dropDevice();
  }
}

registerLossScale((inner, options) => new LossScaleOptimizer(inner, options));

/** fit's hook: the loss with its gradient scaled when `optimizer` scales the loss, else the loss itself. */
export function scaledForBackward(optimizer: Optimizer, loss: Tensor): Tensor {
  return optimizer instanceof LossScaleOptimizer ? optimizer.scaleLossGradient(loss) : loss;
}

/** Adds the current loss scale to `logs` when `optimizer` scales the loss (a read of one number). */
export async function withLossScale(logs: Record<string, number>, optimizer: Optimizer): Promise<void> {
  if (optimizer instanceof LossScaleOptimizer) logs.lossScale = await optimizer.readLossScale();
}
