// The layer base class: lazy build from the input shape, named weights in Keras
// order, and a config that is enough to rebuild the layer (for save / load).

import { getPrecision, type Precision } from '../precision.js';
import { checkBoolean, checkOptions, given } from '../options.js';
import type { DataType } from '../tensor.js';
import { variable } from '../ops/creation.js';
import { shapeString } from '../ops/util.js';
import { describe as describeValue } from '../autograd.js';
import type { RandomState } from '../random.js';
import { Tensor, type Variable } from '../tensor.js';
import type { Initializer } from './initializers.js';
import { SymbolicTensor } from './symbolic.js';

/** A shape without the batch dimension; `null` for a size known only at run time. */
export type Shape = readonly (number | null)[];

export interface LayerArgs {
  name?: string;
  /** The shape of one sample (no batch dimension); only needed on a model's first layer. */
  inputShape?: readonly number[];
  /** Shorthand for inputShape: [inputDim]. */
  inputDim?: number;
  trainable?: boolean;
}

export const LAYER_ARG_KEYS = ['name', 'inputShape', 'inputDim', 'trainable'] as const;

const nameCounts = new Map<string, number>();

/** Keras-style unique names: dense, dense_1, dense_2, ... */
function uniqueName(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/**
 * Options of one call of a layer. `training` turns dropout on; attention layers also
 * take `useCausalMask`. A symbolic call (functional API) records them with the node;
 * the model supplies `training` when it runs.
 */
export interface ApplyOptions {
  training?: boolean;
  /** multiHeadAttention: each query position sees only keys at or before it. */
  useCausalMask?: boolean;
}

export interface LayerConfig {
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export abstract class Layer {
  readonly name: string;
  readonly trainable: boolean;
  /** The sample shape this layer was declared with, if any. */
  readonly declaredInputShape: readonly number[] | undefined;
  protected weightList: Variable[] = [];
  /** @internal full names of weights by suffix, when a model names them itself (GPT: Hugging Face's names) */
  weightNames: Readonly<Record<string, string>> | undefined;
  private builtFor: Shape | undefined;
  /**
   * The precision this layer computes in, captured from wg.setPrecision when it is
   * constructed (Keras' dtype policy): under 'mixed_float16' its weights stay float32
   * and it casts its inputs and weights to float16 where it has a float16 path.
   */
  readonly precision: Precision = getPrecision();

  protected constructor(readonly className: string, args: LayerArgs, defaultName: string) {
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) {
      throw new TypeError(`${defaultName}: name should be a non-empty string, got ${given(args.name)}`);
    }
    this.name = args.name ?? uniqueName(defaultName);
    this.trainable = checkBoolean(defaultName, 'trainable', args.trainable, true);
    if (args.inputShape !== undefined && args.inputDim !== undefined) {
      throw new Error(`${defaultName}: give inputShape or inputDim, not both (got inputShape ${JSON.stringify(args.inputShape)} and inputDim ${args.inputDim})`);
    }
    if (args.inputDim !== undefined) {
      if (!Number.isInteger(args.inputDim) || args.inputDim < 1) throw new Error(`${defaultName}: inputDim should be a positive integer, got ${String(args.inputDim)}`);
      this.declaredInputShape = [args.inputDim];
    } else if (args.inputShape !== undefined) {
      if (!Array.isArray(args.inputShape) || !args.inputShape.every((d) => Number.isInteger(d) && d > 0)) {
        throw new Error(`${defaultName}: inputShape should be an array of positive integers (without the batch dimension), got ${JSON.stringify(args.inputShape)}`);
      }
      this.declaredInputShape = [...args.inputShape];
    }
  }

  get built(): boolean {
    return this.builtFor !== undefined;
  }

  /** The sample shape the layer was built for. */
  get inputShape(): Shape | undefined {
    return this.builtFor;
  }

  /** Weights in Keras order (for a dense layer: kernel, then bias). */
  get weights(): readonly Variable[] {
    return this.weightList;
  }

  get trainableWeights(): readonly Variable[] {
    return this.trainable ? this.weightList.filter((w) => w.trainable) : [];
  }

  countParams(): number {
    return this.weightList.reduce((n, w) => n + w.size, 0);
  }

  /** Creates the weights for inputs of `inputShape` (no batch dim). Called once. */
  build(inputShape: Shape): void {
    if (this.builtFor) return;
    // computeOutputShape throws for an input the layer cannot take (a reshape that does not fit, say).
    this.computeOutputShape(inputShape);
    this.createWeights(inputShape);
    this.builtFor = [...inputShape];
  }

  /**
   * Runs the layer on a batch, building it first if needed. Given a symbolic tensor
   * from wg.input (or a list of them, for layers that take several inputs), it
   * records the call for wg.model instead and returns the symbolic output.
   */
  apply(x: Tensor | readonly Tensor[], options?: boolean | ApplyOptions): Tensor;
  apply(x: SymbolicTensor | readonly SymbolicTensor[], options?: ApplyOptions): SymbolicTensor;
  apply(x: Tensor | SymbolicTensor | readonly (Tensor | SymbolicTensor)[], options: boolean | ApplyOptions = {}): Tensor | SymbolicTensor {
    const opts: ApplyOptions = typeof options === 'boolean' ? { training: options } : options;
    this.checkApplyOptions(opts);
    const list = Array.isArray(x) ? (x as readonly (Tensor | SymbolicTensor)[]) : [x as Tensor | SymbolicTensor];
    if (list.length > 0 && list.every((t) => t instanceof SymbolicTensor)) {
      return this.applySymbolic(list as SymbolicTensor[], Array.isArray(x), opts);
    }
    if (list.some((t) => t instanceof SymbolicTensor)) throw new TypeError(`${this.name}.apply: inputs should be all tensors or all symbolic tensors (wg.input), not a mix`);
    list.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`${this.name}.apply: input${list.length > 1 ? ` ${i}` : ''} should be a Tensor or a symbolic tensor from wg.input, got ${describeValue(t)}`);
      t.assertAlive(`${this.name}.apply`);
      if (t.rank === 0) throw new Error(`${this.name}.apply: input${list.length > 1 ? ` ${i}` : ''} should have a batch dimension, got a scalar`);
    });
    const tensors = list as Tensor[];
    this.checkArity(tensors.length, Array.isArray(x));
    const samples = tensors.map((t) => t.shape.slice(1));
    if (!this.builtFor) {
      this.checkTensors(tensors);
      this.buildShapes(samples);
    }
    return this.invoke(tensors, opts);
  }

  /** @internal runs the built layer on concrete inputs (the functional model's entry point) */
  invoke(inputs: readonly Tensor[], options: ApplyOptions): Tensor {
    this.checkInput(inputs[0]!.shape);
    return this.call(inputs[0]!, options.training ?? false);
  }

  /** @internal builds for the sample shapes of each input */
  buildShapes(shapes: readonly Shape[]): void {
    this.build(shapes[0]!);
  }

  /** @internal the output sample shape for the inputs' sample shapes */
  outputShapeFor(shapes: readonly Shape[], _options: ApplyOptions): Shape {
    return this.computeOutputShape(shapes[0]!);
  }

  /** @internal the dtype of the output for the inputs' dtypes (float32 unless a layer says otherwise) */
  outputDtype(_inputs: readonly DataType[]): DataType {
    return 'float32';
  }

  /** Checks the inputs of a first call before the layer builds, so that a wrong call creates no weights (call checks later ones). */
  protected checkTensors(_inputs: readonly Tensor[]): void {}

  /** The call options this layer accepts besides `training`. */
  protected callOptionKeys(): readonly string[] {
    return [];
  }

  /** How many inputs the layer takes: a single tensor unless a subclass says otherwise. */
  protected checkArity(count: number, asList: boolean): void {
    if (asList || count !== 1) throw new Error(`${this.name}.apply: a ${this.className} layer takes one input tensor, got a list of ${count}`);
  }

  private checkApplyOptions(options: ApplyOptions): void {
    if (options === null || typeof options !== 'object') throw new TypeError(`${this.name}.apply: options should be true / false (training) or { training, ... }, got ${describeValue(options)}`);
    checkOptions(`${this.name}.apply`, options, ['training', ...this.callOptionKeys()]);
    if (options.training !== undefined) checkBoolean(`${this.name}.apply`, 'training', options.training, false);
    if (options.useCausalMask !== undefined) checkBoolean(`${this.name}.apply`, 'useCausalMask', options.useCausalMask, false);
  }

  private applySymbolic(inputs: readonly SymbolicTensor[], asList: boolean, options: ApplyOptions): SymbolicTensor {
    this.checkArity(inputs.length, asList);
    const samples = inputs.map((t) => t.shape.slice(1));
    if (!this.builtFor) this.buildShapes(samples);
    else if (this.inputShapes) {
      samples.forEach((s, i) => {
        const built = this.inputShapes![i]!;
        if (s.length !== built.length || s.some((d, j) => built[j] !== null && d !== built[j])) {
          throw new Error(`${this.name}.apply: the layer was built for input ${i} of shape [batch,${built.map((d) => d ?? '*').join(',')}], got ${shapeText(inputs[i]!.shape)}`);
        }
      });
    }
    const out = this.outputShapeFor(samples, options);
    return new SymbolicTensor([null, ...out], this.outputDtype(inputs.map((t) => t.dtype)), { layer: this, inputs: [...inputs], options: { ...options } });
  }

  /** @internal the sample shapes the layer was built for, one per input */
  get inputShapes(): readonly Shape[] | undefined {
    return this.builtShapes ?? (this.builtFor ? [this.builtFor] : undefined);
  }

  /** @internal set by layers that take several inputs */
  protected builtShapes: Shape[] | undefined;

  /** Records that a layer taking several inputs is built for these sample shapes. */
  protected markBuilt(shapes: readonly Shape[]): void {
    this.builtShapes = shapes.map((s) => [...s]);
    this.builtFor = [...shapes[0]!];
  }

  /**
   * The weights build(inputShape) would create, as [suffix, shape] in order, without
   * creating them (loading checks a file against these before allocating anything).
   * Undefined when a layer cannot tell; the base class assumes a layer without weights
   * only when it does not override createWeights.
   */
  weightShapes(_inputShape: Shape): [string, number[]][] | undefined {
    return this.createWeights === Layer.prototype.createWeights ? [] : undefined;
  }

  /** @internal the state of the layer's own random generator (dropout), for checkpoints */
  randomState(): RandomState | undefined {
    return undefined;
  }

  /** @internal continues the generator saved by randomState() */
  restoreRandomState(_state: RandomState): void {
    throw new Error(`${this.name}: a ${this.className} layer has no random generator to restore`);
  }

  /** Output sample shape for an input sample shape. */
  abstract computeOutputShape(inputShape: Shape): Shape;
  /** The layer's options, enough to rebuild it with `new` (see nn/registry.ts). */
  abstract getConfig(): Record<string, unknown>;
  protected abstract call(x: Tensor, training: boolean): Tensor;
  protected createWeights(_inputShape: Shape): void {}

  protected addWeight(suffix: string, shape: readonly number[], init: Initializer, trainable = true): Variable {
    const initial = init.apply(shape);
    const v = variable(initial, { trainable, name: this.weightNames?.[suffix] ?? `${this.name}/${suffix}` });
    initial.dispose();
    this.weightList.push(v);
    return v;
  }

  protected checkInput(shape: readonly number[]): void {
    const built = this.builtFor!;
    const sample = shape.slice(1);
    if (shape.length === 0 || sample.length !== built.length || sample.some((d, i) => built[i] !== null && d !== built[i])) {
      const expected = `[batch,${built.map((d) => d ?? '*').join(',')}]`;
      throw new Error(`${this.name}: expected input of shape ${expected}, got ${shapeString(shape)}`);
    }
  }

  /** Serialisable description (class and config). */
  toConfig(): LayerConfig {
    // The precision only when not float32, so float32 configs stay as they were (registry.ts reads it back).
    const precision = this.precision === 'float32' ? {} : { precision: this.precision };
    return { className: this.className, config: { name: this.name, trainable: this.trainable, ...this.getConfig(), ...precision } };
  }

  dispose(): void {
    for (const w of this.weightList) w.dispose();
    this.weightList = [];
    this.builtFor = undefined;
    this.builtShapes = undefined;
  }
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => d ?? 'batch').join(',')}]`;
}
