// GlobalAveragePooling2D and GlobalMaxPooling2D: NHWC [batch, h, w, c] → [batch, c],
// the mean or the largest value of each channel over the image (Keras, channels last).

import { checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { imageShape } from './conv-shape.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';

abstract class GlobalPooling2D extends Layer {
  protected constructor(className: string, args: LayerArgs, defaultName: string) {
    checkOptions(defaultName.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), args, LAYER_ARG_KEYS);
    super(className, args, defaultName);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [imageShape(this.name, inputShape)[2]];
  }

  protected call(x: Tensor): Tensor {
    return this.reduce(x);
  }

  protected abstract reduce(x: Tensor): Tensor;

  getConfig(): Record<string, unknown> {
    return this.declaredInputShape ? { inputShape: this.declaredInputShape } : {};
  }
}

/** The mean of each channel over height and width. */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  constructor(args: LayerArgs = {}) {
    super('GlobalAveragePooling2D', args, 'global_average_pooling2d');
  }
  protected reduce(x: Tensor): Tensor {
    return ops.mean(x, [1, 2]);
  }
}

/** The largest value of each channel over height and width. */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  constructor(args: LayerArgs = {}) {
    super('GlobalMaxPooling2D', args, 'global_max_pooling2d');
  }
  protected reduce(x: Tensor): Tensor {
    return ops.max(x, [1, 2]);
  }
}
