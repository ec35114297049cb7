// Layers without weights: Activation, Dropout (seeded), Flatten.

import { sizeOf } from '../backends/strided.js';
import { checkNumber, checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import { uniformOnDevice } from '../ops/random-device.js';
import { tidy } from '../scope.js';
import { Random, type RandomState, randomFor } from '../random.js';
import type { Tensor } from '../tensor.js';
import { activationConfig, type ActivationSpec, resolveActivation } from './activations.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';

export interface ActivationArgs extends LayerArgs {
  /** A name ('relu', Keras' 'leaky_relu', ...) or a function of a tensor. */
  activation: ActivationSpec;
}

export class ActivationLayer extends Layer {
  private readonly activation: ReturnType<typeof resolveActivation>;
  constructor(args: ActivationArgs) {
    checkOptions('activation', args, [...LAYER_ARG_KEYS, 'activation']);
    super('Activation', args ?? {}, 'activation');
    if (args?.activation === undefined) {
      throw new Error(`activation: expected options with an activation name, e.g. { activation: 'relu' }, got ${args === undefined ? 'undefined' : JSON.stringify(args)}`);
    }
    this.activation = resolveActivation('activation', args.activation);
  }
  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  protected call(x: Tensor): Tensor {
    const y = this.activation.apply(x);
    // 'linear' returns its input: hand back a new handle so callers may dispose both.
    return y === x ? ops.reshape(x, x.shape) : y;
  }
  getConfig(): Record<string, unknown> {
    return { activation: activationConfig(this.name, this.activation), ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}

export interface DropoutArgs extends LayerArgs {
  /** Fraction of inputs set to zero while training, in [0, 1). */
  rate: number;
  seed?: number;
}

/** Zeroes a `rate` share of inputs while training and scales the rest by 1 / (1 - rate). */
export class Dropout extends Layer {
  readonly rate: number;
  readonly seed: number | undefined;
  private readonly random: Random;
  constructor(args: DropoutArgs) {
    checkOptions('dropout', args, [...LAYER_ARG_KEYS, 'rate', 'seed']);
    super('Dropout', args ?? {}, 'dropout');
    this.rate = checkNumber('dropout', 'rate', args?.rate, NaN, { min: 0, max: 1 });
    if (Number.isNaN(this.rate) || this.rate >= 1) throw new Error(`dropout: rate should be a number in [0, 1), got ${String(args?.rate)}`);
    this.seed = args.seed === undefined ? undefined : checkNumber('dropout', 'seed', args.seed, 0, { integer: true });
    this.random = randomFor(this.seed);
  }
  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  protected call(x: Tensor, training: boolean): Tensor {
    if (!training || this.rate === 0) return ops.reshape(x, x.shape);
    const keep = 1 - this.rate;
    // The mask is drawn on the device (no upload): one word from the layer's generator
    // seeds this call's counter-based stream, the same on every backend.
    const seed = this.random.nextUint32();
    return tidy(() => {
      const u = uniformOnDevice(x.shape, seed);
      return ops.mul(x, ops.mul(ops.cast(ops.less(u, keep), 'float32'), 1 / keep));
    });
  }
  /** @internal */
  override randomState(): RandomState {
    return this.random.getState();
  }
  /** @internal */
  override restoreRandomState(state: RandomState): void {
    this.random.setState(state);
  }
  getConfig(): Record<string, unknown> {
    return { rate: this.rate, ...(this.seed === undefined ? {} : { seed: this.seed }), ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}

/** [batch, d1, d2, ...] → [batch, d1 * d2 * ...]. */
export class Flatten extends Layer {
  constructor(args: LayerArgs = {}) {
    checkOptions('flatten', args, LAYER_ARG_KEYS);
    super('Flatten', args, 'flatten');
  }
  computeOutputShape(inputShape: Shape): Shape {
    return [inputShape.some((d) => d === null) ? null : sizeOf(inputShape as number[])];
  }
  protected call(x: Tensor): Tensor {
    return ops.reshape(x, [x.shape[0]!, sizeOf(x.shape.slice(1))]);
  }
  getConfig(): Record<string, unknown> {
    return this.declaredInputShape ? { inputShape: this.declaredInputShape } : {};
  }
}
