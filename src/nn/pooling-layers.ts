// MaxPooling2D and AveragePooling2D over NHWC images (Keras: poolSize 2, strides =
// poolSize, padding 'valid'), on the maxPool2d / avgPool2d ops.

import { checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { imageShape, type LayerPadding, type Pair, type PairArg, paddingOf, pairOf, windowOutput } from './conv-shape.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';

export interface Pooling2DArgs extends LayerArgs {
  /** Window [height, width], or one number for both (default 2). */
  poolSize?: PairArg;
  /** Step of the window (default: poolSize). */
  strides?: PairArg;
  /** 'valid' (default) or 'same' (TensorFlow's rule; max pads with -inf, average leaves padding out of the count). */
  padding?: LayerPadding;
}

const KEYS = [...LAYER_ARG_KEYS, 'poolSize', 'strides', 'padding'];

abstract class Pooling2D extends Layer {
  readonly poolSize: Pair;
  readonly strides: Pair;
  readonly padding: LayerPadding;

  protected constructor(className: string, args: Pooling2DArgs, fn: string, defaultName: string) {
    checkOptions(fn, args, KEYS);
    super(className, args, defaultName);
    this.poolSize = pairOf(fn, 'poolSize', args.poolSize, 2);
    // Keras: strides None means the pool size.
    this.strides = (args.strides as unknown) === null ? this.poolSize : pairOf(fn, 'strides', args.strides, this.poolSize);
    this.padding = paddingOf(fn, args.padding);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const [h, w, c] = imageShape(this.name, inputShape);
    return [
      windowOutput(this.name, 'height', h, this.poolSize[0], this.strides[0], 1, this.padding),
      windowOutput(this.name, 'width', w, this.poolSize[1], this.strides[1], 1, this.padding),
      c,
    ];
  }

  protected call(x: Tensor): Tensor {
    return this.pool(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding });
  }

  protected abstract pool(x: Tensor, options: { poolSize: Pair; strides: Pair; padding: LayerPadding }): Tensor;

  getConfig(): Record<string, unknown> {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding, ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}

/** The largest value in each window. */
export class MaxPooling2D extends Pooling2D {
  constructor(args: Pooling2DArgs = {}) {
    super('MaxPooling2D', args, 'maxPooling2d', 'max_pooling2d');
  }
  protected pool(x: Tensor, options: { poolSize: Pair; strides: Pair; padding: LayerPadding }): Tensor {
    return ops.maxPool2d(x, options);
  }
}

/** The mean of each window. */
export class AveragePooling2D extends Pooling2D {
  constructor(args: Pooling2DArgs = {}) {
    super('AveragePooling2D', args, 'averagePooling2d', 'average_pooling2d');
  }
  protected pool(x: Tensor, options: { poolSize: Pair; strides: Pair; padding: LayerPadding }): Tensor {
    return ops.avgPool2d(x, options);
  }
}
