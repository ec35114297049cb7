// Gradient-descent optimizers with torch.optim's update rules and defaults, so a run
// can be checked against PyTorch number for number. Each parameter's update is one
// fused backend kernel (`Backend.step`); the formulas are in backends/step-rules.ts.

import type { OptimizerRule } from './backends/backend.js';
import { STATE_SLOTS } from './backends/step-rules.js';
import { contiguousStrides } from './backends/strided.js';
import { describe, trainableByName, valueAndGrad } from './autograd.js';
import { checkBoolean, checkNumber, checkOptions } from './options.js';
import { optimizerOptions } from './optimizer-args.js';
import { clone } from './ops/creation.js';
import { contiguous } from './ops/shape.js';
import { allocate, Tensor, Variable } from './tensor.js';
import { shapeString } from './ops/util.js';

/** Per-parameter optimizer state: the rule's buffers and how many steps it has taken. */
interface ParamState {
  readonly slots: Tensor[];
  steps: number;
}

export type Gradients = readonly Tensor[] | Readonly<Record<string, Tensor>>;
export type Params = readonly Variable[] | Readonly<Record<string, Variable>>;

export abstract class Optimizer {
  /** May be changed between steps (learning-rate schedules). */
  learningRate: number;
  /** Number of applyGradients calls so far. */
  iterations = 0;
  private readonly state = new Map<Variable, ParamState>();

  protected constructor(readonly name: string, learningRate: number) {
    this.learningRate = learningRate;
  }

  /** The options that recreate this optimizer with `wg.optimizers[name](config)` (saved with a model). */
  abstract getConfig(): Record<string, number | boolean>;

  /** The fused rule to run for a parameter that has taken `step` steps (1-based). */
  protected abstract rule(): OptimizerRule;
  /** The rule's scalars for this step, in the layout of step-rules.ts. */
  protected abstract hyper(step: number): number[];
  /** The initial value of every state buffer (adagrad starts its sum elsewhere). */
  protected initialSlotValue(): number {
    return 0;
  }

  /**
   * Updates each parameter in place from its gradient. Takes aligned arrays
   * `(grads, params)`, aligned records, or a record of gradients keyed by variable
   * name (as `valueAndGrad(f)` returns) with `params` omitted.
   */
  applyGradients(grads: Gradients, params?: Params): void {
    const pairs = this.pair(grads, params);
    this.iterations++;
    for (const [key, grad, param] of pairs) {
      let state = this.state.get(param);
      if (!state) {
        state = { slots: this.makeSlots(param), steps: 0 };
        this.state.set(param, state);
      }
      state.steps++;
      this.exclusive(param);
      const g = grad.contiguous && grad.offset === 0 ? grad : contiguous(grad);
      const backend = param.backend;
      backend.step(this.rule(), param.view(), g.view(), state.slots.map((s) => s.view()), this.hyper(state.steps));
      if (g !== grad) g.dispose();
    }
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

  /** The state buffers of `params` and the step counts, for checkpoints. */
  getState(params: readonly Variable[]): { iterations: number; steps: number[]; slots: Tensor[][] } {
    return {
      iterations: this.iterations,
      steps: params.map((p) => this.state.get(p)?.steps ?? 0),
      slots: params.map((p) => this.state.get(p)?.slots ?? []),
    };
  }

  /** Restores what getState returned (copies the slot values in). */
  setState(params: readonly Variable[], saved: { iterations: number; steps: readonly number[]; slots: readonly (readonly Tensor[])[] }): void {
    if (saved.steps.length !== params.length || saved.slots.length !== params.length) {
      throw new Error(`${this.name}.setState: expected state for ${params.length} parameters, got ${saved.steps.length}`);
    }
    // Check everything first: a bad call changes nothing.
    params.forEach((param, i) => {
      const slots = saved.slots[i]!;
      const want = saved.steps[i]! === 0 ? 0 : STATE_SLOTS[this.rule()];
      if (slots.length !== want) throw new Error(`${this.name}.setState: parameter ${i} should have ${want} state buffers, got ${slots.length}`);
      slots.forEach((s, j) => {
        if (s.size !== param.size) throw new Error(`${this.name}.setState: buffer ${j} of parameter ${i} has shape ${shapeString(s.shape)}, expected ${param.size} elements`);
        s.assertAlive(`${this.name}.setState`);
      });
    });
    params.forEach((param, i) => {
      this.state.get(param)?.slots.forEach((s) => s.dispose());
      if (saved.steps[i] === 0) {
        this.state.delete(param);
        return;
      }
      const own = saved.slots[i]!.map((s, j) => {
        // A private copy: steps update the buffers in place, which must not reach the caller's
        // tensor; the temporary handle is released once the variable holds the storage.
        const copy = clone(s);
        const slot = new Variable(copy, false, `${param.name}/${this.name}_${j}`);
        copy.dispose();
        return slot;
      });
      this.state.set(param, { slots: own, steps: saved.steps[i]! });
    });
    this.iterations = saved.iterations;
  }

  /** Frees every state buffer. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of s.slots) t.dispose();
    this.state.clear();
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

export interface SgdOptions {
  learningRate?: number;
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
    checkOptions('sgd', options, ['learningRate', 'momentum', 'dampening', 'nesterov', 'weightDecay']);
    super('sgd', checkNumber('sgd', 'learningRate', options.learningRate, 0.01, { min: 0 }));
    this.momentum = checkNumber('sgd', 'momentum', options.momentum, 0, { min: 0 });
    this.dampening = checkNumber('sgd', 'dampening', options.dampening, 0);
    this.nesterov = checkBoolean('sgd', 'nesterov', options.nesterov, false);
    this.weightDecay = checkNumber('sgd', 'weightDecay', options.weightDecay, 0, { min: 0 });
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error(`sgd: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum} and dampening ${this.dampening}`);
    }
  }
  getConfig(): Record<string, number | boolean> {
    return { learningRate: this.learningRate, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }
  protected rule(): OptimizerRule {
    return this.momentum === 0 ? 'sgd' : this.nesterov ? 'nesterov' : 'momentum';
  }
  protected hyper(step: number): number[] {
    if (this.momentum === 0) return [this.learningRate, this.weightDecay];
    return [this.learningRate, this.weightDecay, this.momentum, this.dampening, step === 1 ? 1 : 0];
  }
}

export interface AdagradOptions {
  learningRate?: number;
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
    checkOptions('adagrad', options, ['learningRate', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps']);
    super('adagrad', checkNumber('adagrad', 'learningRate', options.learningRate, 0.01, { min: 0 }));
    this.lrDecay = checkNumber('adagrad', 'lrDecay', options.lrDecay, 0, { min: 0 });
    this.weightDecay = checkNumber('adagrad', 'weightDecay', options.weightDecay, 0, { min: 0 });
    this.initialAccumulatorValue = checkNumber('adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue, 0, { min: 0 });
    this.eps = checkNumber('adagrad', 'eps', options.eps, 1e-10, { min: 0 });
  }
  getConfig(): Record<string, number | boolean> {
    return { learningRate: this.learningRate, lrDecay: this.lrDecay, weightDecay: this.weightDecay, initialAccumulatorValue: this.initialAccumulatorValue, eps: this.eps };
  }
  protected rule(): OptimizerRule {
    return 'adagrad';
  }
  protected override initialSlotValue(): number {
    return this.initialAccumulatorValue;
  }
  protected hyper(step: number): number[] {
    return [this.learningRate / (1 + (step - 1) * this.lrDecay), this.weightDecay, this.eps];
  }
}

export interface RmspropOptions {
  learningRate?: number;
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
    checkOptions('rmsprop', options, ['learningRate', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered']);
    super('rmsprop', checkNumber('rmsprop', 'learningRate', options.learningRate, 0.01, { min: 0 }));
    this.alpha = checkNumber('rmsprop', 'alpha', options.alpha, 0.99, { min: 0, max: 1 });
    this.eps = checkNumber('rmsprop', 'eps', options.eps, 1e-8, { min: 0 });
    this.weightDecay = checkNumber('rmsprop', 'weightDecay', options.weightDecay, 0, { min: 0 });
    this.momentum = checkNumber('rmsprop', 'momentum', options.momentum, 0, { min: 0 });
    this.centered = checkBoolean('rmsprop', 'centered', options.centered, false);
  }
  getConfig(): Record<string, number | boolean> {
    return { learningRate: this.learningRate, alpha: this.alpha, eps: this.eps, weightDecay: this.weightDecay, momentum: this.momentum, centered: this.centered };
  }
  protected rule(): OptimizerRule {
    return this.centered ? 'rmspropCentered' : 'rmsprop';
  }
  protected hyper(): number[] {
    return [this.learningRate, this.weightDecay, this.alpha, this.eps, this.momentum];
  }
}

export interface AdamOptions {
  learningRate?: number;
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
    checkOptions(name, options, ['learningRate', 'beta1', 'beta2', 'eps', 'weightDecay']);
    super(name, checkNumber(name, 'learningRate', options.learningRate, 0.001, { min: 0 }));
    this.beta1 = checkNumber(name, 'beta1', options.beta1, 0.9, { min: 0, max: 1 });
    this.beta2 = checkNumber(name, 'beta2', options.beta2, 0.999, { min: 0, max: 1 });
    this.eps = checkNumber(name, 'eps', options.eps, 1e-8, { min: 0 });
    this.weightDecay = checkNumber(name, 'weightDecay', options.weightDecay, defaultWeightDecay, { min: 0 });
  }
  getConfig(): Record<string, number | boolean> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }
  protected rule(): OptimizerRule {
    return 'adam';
  }
  protected hyper(step: number): number[] {
    return [this.learningRate, this.weightDecay, this.beta1, this.beta2, this.eps, 1 - this.beta1 ** step, 1 - this.beta2 ** step];
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
};
