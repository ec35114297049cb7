// Gradient-descent optimizers with torch.optim's update rules and defaults, so a run
// can be checked against PyTorch number for number. Each parameter's update is one
// fused backend kernel (`Backend.step`); the formulas are in backends/step-rules.ts.

import type { OptimizerRule } from './backends/backend.js';
import { STATE_SLOTS } from './backends/step-rules.js';
import { contiguousStrides } from './backends/strided.js';
import { describe, trainableByName, valueAndGrad } from './autograd.js';
import { checkClipOptions, CLIP_KEYS, type ClipOptions, clipGradients } from './clipping.js';
import { checkBoolean, checkNumber, checkOptions, given } from './options.js';
import { optimizerOptions } from './optimizer-args.js';
import type { LossScaleOptimizer, LossScaleOptions } from './loss-scaling.js';
import * as ops from './ops/index.js';
import { clone } from './ops/creation.js';
import { contiguous } from './ops/shape.js';
import { isSchedule, type SerializedSchedule } from './schedules.js';
import { keep, tidy } from './scope.js';
import { allocate, Tensor, Variable } from './tensor.js';
import { shapeString } from './ops/util.js';

/** A learning rate given to an optimizer: a number >= 0, or a function of the step. */
function checkLearningRate(fn: string, value: unknown, fallback: number): LearningRate {
  if (typeof value === 'function') return value as (step: number) => number;
  return checkNumber(fn, 'learningRate', value, fallback, { min: 0 });
}

/** Per-parameter optimizer state: the rule's buffers and how many steps it has taken. */
interface ParamState {
  readonly slots: Tensor[];
  steps: number;
}

export type Gradients = readonly Tensor[] | Readonly<Record<string, Tensor>>;
export type Params = readonly Variable[] | Readonly<Record<string, Variable>>;

/** A learning rate: a number, or a schedule of the update step (`wg.schedules`, or your own function). */
export type LearningRate = number | ((step: number) => number);

/** Options every optimizer takes besides its own. */
export interface OptimizerBaseOptions extends ClipOptions {
  /** A number, or a schedule (`wg.schedules.cosineDecay(...)`) called with the update step, 0 for the first. */
  learningRate?: LearningRate;
  /**
   * Average the gradients of this many applyGradients calls (micro-batches) and apply
   * them as one update on the last (Keras 3's gradient_accumulation_steps; default 1).
   * The step count, and so schedules and Adam's bias correction, count updates, not calls.
   */
  gradientAccumulationSteps?: number;
}

const BASE_KEYS = ['learningRate', ...CLIP_KEYS, 'gradientAccumulationSteps'];

/** What getConfig returns: options as they are saved (a schedule as { className, config }). */
export type OptimizerConfig = Record<string, number | boolean | SerializedSchedule>;

/** What getState returns and setState takes (checkpoints, the NaN guard, device-loss snapshots). */
export interface OptimizerState {
  /** Updates applied so far. */
  iterations: number;
  steps: readonly number[];
  slots: readonly (readonly Tensor[])[];
  /** Micro-batches summed since the last update (gradient accumulation; default 0). */
  pending?: number;
  /** Their summed gradients, per parameter (undefined where none yet). */
  accumulators?: readonly (Tensor | undefined)[];
}

/**
 * @internal Makes each update's scalars on the device instead of the host (loss
 * scaling, loss-scaling.ts): the update can then be skipped, and its step count kept,
 * without a read-back. Called only on calls that update (not while accumulating).
 */
export interface DeviceScalars {
  /** The update's device scalars for `param` (Backend.step's `device`), given `host`, the host's scalars for its host step. */
  hyperFor(param: Variable, rule: OptimizerRule, host: readonly number[], hostStep: number): { tensor: Tensor; mask: number };
  /** After every parameter has stepped. */
  endUpdate(): void;
}

export abstract class Optimizer {
  /** Updates applied so far: the step a schedule is called with next. */
  iterations = 0;
  /** The learning rate of the most recent update (NaN before the first). */
  lastLearningRate = NaN;
  readonly clipping: Readonly<ClipOptions>;
  readonly gradientAccumulationSteps: number;
  private rate: LearningRate;
  /** The rate of the update being applied (set by applyGradients for `hyper`). */
  protected currentRate = 0;
  private readonly state = new Map<Variable, ParamState>();
  /** Summed micro-batch gradients, while accumulating. */
  private readonly accumulators = new Map<Variable, Tensor>();
  private pending = 0;
  /** @internal Set by a loss-scale wrapper (loss-scaling.ts); undefined for a plain optimizer. */
  deviceScalars: DeviceScalars | undefined;

  protected constructor(readonly name: string, options: OptimizerBaseOptions, defaultLearningRate: number) {
    this.rate = checkLearningRate(name, options.learningRate, defaultLearningRate);
    this.clipping = Object.freeze(checkClipOptions(name, options));
    this.gradientAccumulationSteps = checkNumber(name, 'gradientAccumulationSteps', options.gradientAccumulationSteps, 1, { integer: true, min: 1 });
  }

  /** @internal The fused rule this optimizer runs (loss-scaling.ts builds its scalars on the device). */
  get stepRule(): OptimizerRule {
    return this.rule();
  }

  /** @internal Checks `(grads, params)` as applyGradients does, before a wrapper queues work on them. */
  checkGradients(grads: Gradients, params?: Params): void {
    this.pair(grads, params);
  }

  /** @internal Whether the next applyGradients call updates (false while it only accumulates). */
  get updatesNext(): boolean {
    return this.pending + 1 >= this.gradientAccumulationSteps;
  }

  /** A number or a schedule; may be changed between steps. */
  get learningRate(): LearningRate {
    return this.rate;
  }
  set learningRate(value: LearningRate) {
    this.rate = checkLearningRate(`${this.name}.learningRate`, value, 0);
  }

  /** State buffers this optimizer keeps per weight, each the weight's size (Adam: 2), for memory estimates. */
  get slotsPerWeight(): number {
    return STATE_SLOTS[this.rule()];
  }

  /** The rate the next update will use (the schedule at `iterations`). */
  get currentLearningRate(): number {
    return this.rateAt(this.iterations, `${this.name}.currentLearningRate`);
  }

  /** The options that recreate this optimizer with `wg.optimizers[name](config)` (saved with a model). */
  getConfig(): OptimizerConfig {
    const rate = this.rate;
    let learningRate: number | SerializedSchedule;
    if (typeof rate === 'number') learningRate = rate;
    else if (isSchedule(rate)) learningRate = { className: rate.className, config: rate.config };
    // A function of your own cannot be saved: the saved model keeps the rate it would use next.
    else learningRate = this.currentLearningRate;
    const out: OptimizerConfig = { learningRate, ...this.ownConfig() };
    for (const key of CLIP_KEYS) if (this.clipping[key] !== undefined) out[key] = this.clipping[key]!;
    if (this.gradientAccumulationSteps !== 1) out.gradientAccumulationSteps = this.gradientAccumulationSteps;
    return out;
  }

  /** The optimizer's own options (besides learningRate, clipping and accumulation). */
  protected abstract ownConfig(): Record<string, number | boolean>;
  /** The fused rule to run for a parameter that has taken `step` steps (1-based). */
  protected abstract rule(): OptimizerRule;
  /** The rule's scalars for this step, in the layout of step-rules.ts (the rate is `currentRate`). */
  protected abstract hyper(step: number): number[];
  /** The initial value of every state buffer (adagrad starts its sum elsewhere). */
  protected initialSlotValue(): number {
    return 0;
  }

  /**
   * Updates each parameter in place from its gradient. Takes aligned arrays
   * `(grads, params)`, aligned records, or a record of gradients keyed by variable
   * name (as `valueAndGrad(f)` returns) with `params` omitted. With
   * gradientAccumulationSteps n, only every n-th call updates (with the mean of the n
   * calls' gradients); the others add to the sums. Clipping applies to the gradients
   * of the update (after averaging), as in Keras.
   */
  applyGradients(grads: Gradients, params?: Params): void {
    const fn = `${this.name}.applyGradients`;
    const pairs = this.pair(grads, params);
    const n = this.gradientAccumulationSteps;
    const updating = this.pending + 1 >= n;
    // Checked before any work is queued: a schedule that fails changes nothing.
    const rate = updating ? this.rateAt(this.iterations, fn) : 0;
    let list: [Tensor, Variable][] = pairs.map(([, g, p]) => [g, p]);
    const made: Tensor[] = [];
    if (n > 1) {
      const sums = tidy(() => pairs.map(([, g, p]) => {
        const previous = this.accumulators.get(p);
        return previous ? ops.add(previous, g) : ops.clone(g);
      }));
      pairs.forEach(([, , p], i) => {
        this.accumulators.get(p)?.dispose();
        this.accumulators.set(p, keep(sums[i]!));
      });
      this.pending++;
      if (!updating) return;
      list = tidy(() => [...this.accumulators].map(([p, sum]) => [ops.div(sum, n), p] as [Tensor, Variable]));
      for (const sum of this.accumulators.values()) sum.dispose();
      this.accumulators.clear();
      this.pending = 0;
      made.push(...list.map(([g]) => keep(g)));
    }
    const clipped = clipGradients(list.map(([g]) => g), this.clipping);
    for (const c of clipped) if (!list.some(([g]) => g === c)) made.push(keep(c));
    this.currentRate = rate;
    list.forEach(([, param], i) => {
      const grad = clipped[i]!;
      let state = this.state.get(param);
      if (!state) {
        state = { slots: this.makeSlots(param), steps: 0 };
        this.state.set(param, state);
      }
      state.steps++;
      this.exclusive(param);
      const g = grad.contiguous && grad.offset === 0 ? grad : contiguous(grad);
      const backend = param.backend;
      const host = this.hyper(state.steps);
      const device = this.deviceScalars?.hyperFor(param, this.rule(), host, state.steps);
      backend.step(this.rule(), param.view(), g.view(), state.slots.map((s) => s.view()), host, device && { view: device.tensor.view(), mask: device.mask });
      device?.tensor.dispose();
      if (g !== grad) g.dispose();
    });
    this.deviceScalars?.endUpdate();
    for (const t of made) t.dispose();
    this.iterations++;
    this.lastLearningRate = rate;
  }

  /** The rate at `step`, checked: a schedule that returns a negative or non-finite rate is an error naming the step. */
  private rateAt(step: number, fn: string): number {
    const rate = this.rate;
    if (typeof rate === 'number') return rate;
    const value = rate(step);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`${fn}: the learning-rate schedule returned ${typeof value === 'number' ? value : given(value)} at step ${step}; expected a finite number >= 0`);
    }
    return value;
  }

  /**
   * Computes f(), its gradients for `varList` (default: every trainable variable f
   * uses), applies them, and returns the loss when `returnCost` is true.
   */
  minimize(f: () => Tensor, returnCost = false, varList?: readonly Variable[]): Tensor | undefined {
    const { value, grads } = varList ? valueAndGrad(f, varList) : valueAndGrad(f);
    if (varList) this.applyGradients(grads as Tensor[], varList);
    else this.applyGradients(grads as Record<string, Tensor>);
    for (const g of Object.values(grads)) g.dispose();
    if (returnCost) return value;
    value.dispose();
    return undefined;
  }

  /** The state buffers of `params`, the step counts and any pending accumulation, for checkpoints. */
  getState(params: readonly Variable[]): OptimizerState & { slots: Tensor[][] } {
    return {
      iterations: this.iterations,
      steps: params.map((p) => this.state.get(p)?.steps ?? 0),
      slots: params.map((p) => this.state.get(p)?.slots ?? []),
      pending: this.pending,
      accumulators: params.map((p) => this.accumulators.get(p)),
    };
  }

  /** Restores what getState returned (copies the tensors in). */
  setState(params: readonly Variable[], saved: OptimizerState): void {
    if (saved.steps.length !== params.length || saved.slots.length !== params.length) {
      throw new Error(`${this.name}.setState: expected state for ${params.length} parameters, got ${saved.steps.length}`);
    }
    const pending = saved.pending ?? 0;
    if (!Number.isSafeInteger(pending) || pending < 0 || pending >= this.gradientAccumulationSteps) {
      throw new Error(`${this.name}.setState: pending should be an integer from 0 to ${this.gradientAccumulationSteps - 1} (gradientAccumulationSteps - 1), got ${pending}`);
    }
    // Check everything first: a bad call changes nothing.
    params.forEach((param, i) => {
      const slots = saved.slots[i]!;
      const want = saved.steps[i]! === 0 ? 0 : STATE_SLOTS[this.rule()];
      if (slots.length !== want) throw new Error(`${this.name}.setState: parameter ${i} should have ${want} state buffers, got ${slots.length}`);
      const acc = pending > 0 ? saved.accumulators?.[i] : undefined;
      [...slots, ...(acc ? [acc] : [])].forEach((s, j) => {
        if (s.size !== param.size) throw new Error(`${this.name}.setState: buffer ${j} of parameter ${i} has shape ${shapeString(s.shape)}, expected ${param.size} elements`);
        s.assertAlive(`${this.name}.setState`);
      });
    });
    // Copies first, then the old buffers go: saved may hold this optimizer's own tensors.
    const sums = params.map((param, i) => {
      const acc = pending > 0 ? saved.accumulators?.[i] : undefined;
      return acc ? keep(ops.reshape(clone(acc), param.shape)) : undefined;
    });
    const copies = params.map((param, i) => saved.steps[i] === 0 ? undefined : saved.slots[i]!.map((s, j) => {
      // A private copy: steps update the buffers in place, which must not reach the caller's
      // tensor; the temporary handle is released once the variable holds the storage.
      const copy = clone(s);
      const slot = new Variable(copy, false, `${param.name}/${this.name}_${j}`);
      copy.dispose();
      return slot;
    }));
    for (const t of this.accumulators.values()) t.dispose();
    this.accumulators.clear();
    params.forEach((param, i) => {
      this.state.get(param)?.slots.forEach((s) => s.dispose());
      const sum = sums[i];
      if (sum) this.accumulators.set(param, sum);
      const own = copies[i];
      if (own) this.state.set(param, { slots: own, steps: saved.steps[i]! });
      else this.state.delete(param);
    });
    this.pending = pending;
    this.iterations = saved.iterations;
  }

  /** Frees every state buffer. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of s.slots) t.dispose();
    this.state.clear();
    for (const t of this.accumulators.values()) t.dispose();
    this.accumulators.clear();
    this.pending = 0;
  }

  private makeSlots(param: Variable): Tensor[] {
    const n = STATE_SLOTS[this.rule()];
    const slots: Tensor[] = [];
    for (let i = 0; i < n; i++) {
      const ref = allocate(param.size, 'float32', param.backend, { op: `${this.name}.applyGradients`, what: `state buffer ${i} of '${param.name}' ${shapeString(param.shape)}` });
      const t = new Tensor(ref, param.shape, 'float32', undefined, 0, 'untracked');
      if (param.size > 0) param.backend.fill(t.view(), i === 0 ? this.initialSlotValue() : 0);
      slots.push(t);
    }
    return slots;
  }

  /** In-place updates need storage that only this parameter uses, laid out row-major. */
  private exclusive(param: Variable): void {
    if (!param.ref.shared && param.contiguous && param.offset === 0) return;
    const ref = allocate(param.size, 'float32', param.backend);
    const target = { storage: ref.storage, dtype: 'f32', shape: param.shape, strides: contiguousStrides(param.shape), offset: 0 } as const;
    if (param.size > 0) param.backend.copy(param.view(), target);
    param.replaceStorage(ref);
  }

  private pair(grads: Gradients, params: Params | undefined): [string, Tensor, Variable][] {
    const fn = `${this.name}.applyGradients`;
    const out: [string, Tensor, Variable][] = [];
    if (Array.isArray(grads)) {
      if (!Array.isArray(params)) throw new TypeError(`${fn}: with an array of gradients, params should be an array of variables, got ${describe(params)}`);
      if (grads.length !== params.length) throw new Error(`${fn}: got ${grads.length} gradients for ${params.length} params`);
      grads.forEach((g, i) => out.push([String(i), g, params[i]!]));
    } else if (grads && typeof grads === 'object') {
      const record = grads as Readonly<Record<string, Tensor>>;
      for (const [key, g] of Object.entries(record)) {
        const p = params === undefined ? trainableByName(key) : (params as Readonly<Record<string, Variable>>)[key];
        if (!p) throw new Error(`${fn}: no ${params === undefined ? 'trainable variable named' : 'param for gradient'} '${key}'`);
        out.push([key, g, p]);
      }
    } else {
      throw new TypeError(`${fn}: grads should be an array or a record of tensors, got ${describe(grads)}`);
    }
    for (const [key, g, p] of out) {
      if (!(p instanceof Variable)) throw new TypeError(`${fn}: param '${key}' should be a Variable (wg.variable), got ${describe(p)}`);
      if (!(g instanceof Tensor)) throw new TypeError(`${fn}: gradient '${key}' should be a Tensor, got ${describe(g)}`);
      g.assertAlive(fn, `gradient '${key}'`);
      p.assertAlive(fn, `param '${key}'`);
      // Checked for every pair before any update: a bad call changes nothing.
      if (g.backend !== p.backend) {
        throw new Error(`${fn}: gradient '${key}' lives on the ${g.backend.name} backend, the parameter on ${p.backend.name}; move it with wg.toBackend`);
      }
      if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i])) {
        throw new Error(`${fn}: gradient for '${key}' has shape ${shapeString(g.shape)}, expected ${shapeString(p.shape)} like the parameter`);
      }
      if (p.dtype !== 'float32' || g.dtype !== 'float32') throw new TypeError(`${fn}: '${key}' should be float32, got param ${p.dtype} and gradient ${g.dtype}`);
    }
    return out;
  }
}

// --- the optimizers --------------------------------------------------------

export interface SgdOptions extends OptimizerBaseOptions {
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  constructor(options: SgdOptions = {}) {
    checkOptions('sgd', options, [...BASE_KEYS, 'momentum', 'dampening', 'nesterov', 'weightDecay']);
    super('sgd', options, 0.01);
    this.momentum = checkNumber('sgd', 'momentum', options.momentum, 0, { min: 0 });
    this.dampening = checkNumber('sgd', 'dampening', options.dampening, 0);
    this.nesterov = checkBoolean('sgd', 'nesterov', options.nesterov, false);
    this.weightDecay = checkNumber('sgd', 'weightDecay', options.weightDecay, 0, { min: 0 });
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error(`sgd: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum} and dampening ${this.dampening}`);
    }
  }
  protected ownConfig(): Record<string, number | boolean> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }
  protected rule(): OptimizerRule {
    return this.momentum === 0 ? 'sgd' : this.nesterov ? 'nesterov' : 'momentum';
  }
  protected hyper(step: number): number[] {
    if (this.momentum === 0) return [this.currentRate, this.weightDecay];
    return [this.currentRate, this.weightDecay, this.momentum, this.dampening, step === 1 ? 1 : 0];
  }
}

export interface AdagradOptions extends OptimizerBaseOptions {
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

export class Adagrad extends Optimizer {
  readonly lrDecay: number;
  readonly weightDecay: number;
  readonly initialAccumulatorValue: number;
  readonly eps: number;
  constructor(options: AdagradOptions = {}) {
    checkOptions('adagrad', options, [...BASE_KEYS, 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps']);
    super('adagrad', options, 0.01);
    this.lrDecay = checkNumber('adagrad', 'lrDecay', options.lrDecay, 0, { min: 0 });
    this.weightDecay = checkNumber('adagrad', 'weightDecay', options.weightDecay, 0, { min: 0 });
    this.initialAccumulatorValue = checkNumber('adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue, 0, { min: 0 });
    this.eps = checkNumber('adagrad', 'eps', options.eps, 1e-10, { min: 0 });
  }
  protected ownConfig(): Record<string, number | boolean> {
    return { lrDecay: this.lrDecay, weightDecay: this.weightDecay, initialAccumulatorValue: this.initialAccumulatorValue, eps: this.eps };
  }
  protected rule(): OptimizerRule {
    return 'adagrad';
  }
  protected override initialSlotValue(): number {
    return this.initialAccumulatorValue;
  }
  protected hyper(step: number): number[] {
    return [this.currentRate / (1 + (step - 1) * this.lrDecay), this.weightDecay, this.eps];
  }
}

export interface RmspropOptions extends OptimizerBaseOptions {
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;
  constructor(options: RmspropOptions = {}) {
    checkOptions('rmsprop', options, [...BASE_KEYS, 'alpha', 'eps', 'weightDecay', 'momentum', 'centered']);
    super('rmsprop', options, 0.01);
    this.alpha = checkNumber('rmsprop', 'alpha', options.alpha, 0.99, { min: 0, max: 1 });
    this.eps = checkNumber('rmsprop', 'eps', options.eps, 1e-8, { min: 0 });
    this.weightDecay = checkNumber('rmsprop', 'weightDecay', options.weightDecay, 0, { min: 0 });
    this.momentum = checkNumber('rmsprop', 'momentum', options.momentum, 0, { min: 0 });
    this.centered = checkBoolean('rmsprop', 'centered', options.centered, false);
  }
  protected ownConfig(): Record<string, number | boolean> {
    return { alpha: this.alpha, eps: this.eps, weightDecay: this.weightDecay, momentum: this.momentum, centered: this.centered };
  }
  protected rule(): OptimizerRule {
    return this.centered ? 'rmspropCentered' : 'rmsprop';
  }
  protected hyper(): number[] {
    return [this.currentRate, this.weightDecay, this.alpha, this.eps, this.momentum];
  }
}

export interface AdamOptions extends OptimizerBaseOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  constructor(options: AdamOptions = {}, name = 'adam', defaultWeightDecay = 0) {
    checkOptions(name, options, [...BASE_KEYS, 'beta1', 'beta2', 'eps', 'weightDecay']);
    super(name, options, 0.001);
    this.beta1 = checkNumber(name, 'beta1', options.beta1, 0.9, { min: 0, max: 1 });
    this.beta2 = checkNumber(name, 'beta2', options.beta2, 0.999, { min: 0, max: 1 });
    this.eps = checkNumber(name, 'eps', options.eps, 1e-8, { min: 0 });
    this.weightDecay = checkNumber(name, 'weightDecay', options.weightDecay, defaultWeightDecay, { min: 0 });
  }
  protected ownConfig(): Record<string, number | boolean> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }
  protected rule(): OptimizerRule {
    return 'adam';
  }
  protected hyper(step: number): number[] {
    return [this.currentRate, this.weightDecay, this.beta1, this.beta2, this.eps, 1 - this.beta1 ** step, 1 - this.beta2 ** step];
  }
}

/** Adam with decoupled weight decay (torch.optim.AdamW; default weightDecay 0.01). */
export class AdamW extends Adam {
  constructor(options: AdamOptions = {}) {
    super(options, 'adamw', 0.01);
  }
  protected override rule(): OptimizerRule {
    return 'adamw';
  }
}

// Loss scaling wraps an optimizer (loss-scaling.ts, which extends Optimizer and so
// registers itself here rather than being imported: no import cycle).
let makeLossScale: ((inner: Optimizer, options?: LossScaleOptions) => LossScaleOptimizer) | undefined;

/** @internal loss-scaling.ts registers its factory. */
export function registerLossScale(make: (inner: Optimizer, options?: LossScaleOptions) => LossScaleOptimizer): void {
  makeLossScale = make;
}

/**
 * The optimizers by name. Each takes an options object, or as in TF.js and Keras a
 * positional learning rate and, where TF.js and Keras agree on their order, the next
 * hyperparameters: `sgd(0.1, 0.9)` is SGD with momentum 0.9, `adam(0.01)` Adam.
 */
export const optimizers = {
  /** `sgd(learningRate, momentum, nesterov)` or `sgd({ ... })` (tf.train.momentum's and Keras' order). */
  sgd: (options?: SgdOptions | number, momentum?: number, nesterov?: boolean, ...extra: never[]): Optimizer =>
    new SGD(optimizerOptions('sgd', options, [momentum, nesterov, ...extra], ['momentum', 'nesterov'])),
  /** `adagrad(learningRate, initialAccumulatorValue, eps)` or `adagrad({ ... })`. */
  adagrad: (options?: AdagradOptions | number, initialAccumulatorValue?: number, eps?: number, ...extra: never[]): Optimizer =>
    new Adagrad(optimizerOptions('adagrad', options, [initialAccumulatorValue, eps, ...extra], ['initialAccumulatorValue', 'eps'])),
  /** `rmsprop(learningRate, alpha, momentum, eps, centered)` or `rmsprop({ ... })`; alpha is TF.js' decay, Keras' rho. */
  rmsprop: (options?: RmspropOptions | number, alpha?: number, momentum?: number, eps?: number, centered?: boolean, ...extra: never[]): Optimizer =>
    new RMSprop(optimizerOptions('rmsprop', options, [alpha, momentum, eps, centered, ...extra], ['alpha', 'momentum', 'eps', 'centered'])),
  /** `adam(learningRate, beta1, beta2, eps)` or `adam({ ... })`. */
  adam: (options?: AdamOptions | number, beta1?: number, beta2?: number, eps?: number, ...extra: never[]): Optimizer =>
    new Adam(optimizerOptions('adam', options, [beta1, beta2, eps, ...extra], ['beta1', 'beta2', 'eps'])),
  /** `adamw(learningRate)` or `adamw({ ... })` (Keras puts weightDecay second, TF.js has no AdamW: only the rate is positional). */
  adamw: (options?: AdamOptions | number, ...extra: never[]): Optimizer => new AdamW(optimizerOptions('adamw', options, extra, [])),
  /**
   * `lossScale(inner, { initialScale = 2 ** 15, dynamicGrowthSteps = 2000 })`: dynamic
   * loss scaling around `inner` (Keras 3's LossScaleOptimizer): gradients of the scaled
   * loss are unscaled; a non-finite one skips the update and halves the scale, and
   * `dynamicGrowthSteps` finite updates in a row double it. `model.compile` wraps the
   * optimizer itself when the model's layers are 'mixed_float16'.
   */
  lossScale: (inner: Optimizer, options?: LossScaleOptions): LossScaleOptimizer => {
    if (!makeLossScale) throw new Error('lossScale: internal error: loss-scaling.js is not loaded');
    return makeLossScale(inner, options);
  },
};
