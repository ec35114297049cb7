// Reshape: each sample to `targetShape` (Keras: the batch dimension is left alone, and
// one entry may be -1, worked out from the others).

import { sizeOf } from '../backends/strided.js';
import { checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';

export interface ReshapeArgs extends LayerArgs {
  /** The shape of one sample afterwards (no batch dimension); one entry may be -1. */
  targetShape: readonly number[];
}

export class Reshape extends Layer {
  readonly targetShape: readonly number[];

  constructor(args: ReshapeArgs) {
    checkOptions('reshape', args, [...LAYER_ARG_KEYS, 'targetShape']);
    if (args === undefined) throw new Error('reshape: expected options with targetShape, e.g. { targetShape: [8, 8, 1] }, got undefined');
    super('Reshape', args, 'reshape');
    const t = args.targetShape as unknown;
    const ok = Array.isArray(t) && t.length > 0 && t.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) && t.filter((d) => d === -1).length <= 1;
    if (!ok) {
      throw new Error(`reshape: targetShape should be a non-empty array of positive integers (one may be -1), without the batch dimension, got ${JSON.stringify(t)}`);
    }
    this.targetShape = [...(t as number[])];
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.some((d) => d === null)) return this.targetShape.map((d) => (d === -1 ? null : d));
    const size = sizeOf(inputShape as number[]);
    const known = sizeOf(this.targetShape.filter((d) => d !== -1));
    const unknown = this.targetShape.includes(-1);
    if (unknown ? size % known !== 0 : size !== known) {
      throw new Error(`${this.name}: cannot reshape samples of shape [${inputShape.join(',')}] (${size} values) to [${this.targetShape.join(',')}]`);
    }
    return this.targetShape.map((d) => (d === -1 ? size / known : d));
  }

  protected call(x: Tensor): Tensor {
    const sample = this.computeOutputShape(x.shape.slice(1)) as number[];
    return ops.reshape(x, [x.shape[0]!, ...sample]);
  }

  getConfig(): Record<string, unknown> {
    return { targetShape: this.targetShape, ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}
