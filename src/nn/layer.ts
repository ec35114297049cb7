// The layer base class: lazy build from the input shape, named weights in Keras
// order, and a config that is enough to rebuild the layer (for save / load).

import { checkBoolean, given } from '../options.js';
import { variable } from '../ops/creation.js';
import { shapeString } from '../ops/util.js';
import type { RandomState } from '../random.js';
import type { Tensor, Variable } from '../tensor.js';
import type { Initializer } from './initializers.js';

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
  private builtFor: Shape | undefined;

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

  /** Runs the layer on a batch, building it first if needed. */
  apply(x: Tensor, training = false): Tensor {
    const sample = x.shape.slice(1);
    if (!this.builtFor) this.build(sample);
    this.checkInput(x.shape);
    return this.call(x, training);
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
    const v = variable(initial, { trainable, name: `${this.name}/${suffix}` });
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
    return { className: this.className, config: { name: this.name, trainable: this.trainable, ...this.getConfig() } };
  }

  dispose(): void {
    for (const w of this.weightList) w.dispose();
    this.weightList = [];
    this.builtFor = undefined;
  }
}
