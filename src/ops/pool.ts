// 2-D max and average pooling over NHWC images, with TensorFlow's semantics:
// 'same' pads max with -infinity and leaves padding out of the average's count.
// Each is one backend `pool2d` kernel forward and one `pool2dGrad` kernel backward
// (max recomputes each window's argmax from the saved input instead of storing it).

import type { PoolGeometry, PoolOp } from '../backends/backend.js';
import { record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { asTensor, backend, output, type TensorLike } from './util.js';
import { checkImage, dense, type Padding, type Pair, readPair, windowGeometry } from './window.js';

export interface Pool2dOptions {
  /** Window size: a number or [height, width]. */
  readonly poolSize: Pair;
  /** Step between windows: a number or [height, width] (default poolSize). */
  readonly strides?: Pair;
  /**
   * 'valid' (default), 'same', a number, or [[top, bottom], [left, right]]; explicit
   * padding must be smaller than the pool on each side, so that every window sees the image.
   */
  readonly padding?: Padding;
}

function pooling(op: PoolOp, name: string, xIn: TensorLike, options: Pool2dOptions): Tensor {
  const x = asTensor(xIn, name, 'x');
  let g: PoolGeometry;
  try {
    g = checkPool(name, x, options);
  } catch (error) {
    if (x !== xIn) x.dispose();
    throw error;
  }
  const y = output([g.batch, g.outH, g.outW, g.channels], 'float32', name);
  if (y.size > 0) backend().pool2d(op, x.view(), y.view(), g);
  record([x], y, [x], (dy, [sx]) => [
    () => {
      const dx = output(sx!.shape, 'float32', name);
      if (dx.size === 0) return dx;
      if (dy.size === 0) {
        backend().fill(dx.view(), 0);
        return dx;
      }
      const d = dense(dy);
      backend().pool2dGrad(op, sx!.view(), d.view(), dx.view(), g);
      d.dispose();
      return dx;
    },
  ]);
  if (x !== xIn) x.dispose();
  return y;
}

/**
 * Max pooling over NHWC `x` `[batch, height, width, channels]`: the largest value of each
 * window, per channel. With `padding: 'same'` the output is ceil(input / strides) and
 * padding never wins (TensorFlow's rule). The gradient goes to each window's first largest input.
 *
 * @example
 * const y = wg.maxPool2d(x, { poolSize: 2 }); // [b, h/2, w/2, c]
 */
export function maxPool2d(x: TensorLike, options: Pool2dOptions): Tensor {
  return pooling('max', 'maxPool2d', x, options);
}

/**
 * Average pooling over NHWC `x` `[batch, height, width, channels]`: the mean of each
 * window, per channel. Padding is left out of the count (TensorFlow's rule), so a 'same'
 * window at the border averages only the pixels it covers.
 *
 * @example
 * const y = wg.avgPool2d(x, { poolSize: 3, strides: 2, padding: 'same' });
 */
export function avgPool2d(x: TensorLike, options: Pool2dOptions): Tensor {
  return pooling('avg', 'avgPool2d', x, options);
}

/** Every pooling check, so that a wrong call creates nothing. */
function checkPool(op: string, x: Tensor, options: Pool2dOptions): PoolGeometry {
  checkImage(op, x);
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${op}: options should be an object with poolSize, got ${String(options)}`);
  }
  const known = ['poolSize', 'strides', 'padding'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${op}: unknown option '${key}' (expected ${known.join(', ')})`);
  }
  if (options.poolSize === undefined) throw new Error(`${op}: options.poolSize is required (a positive integer or [height, width])`);
  const size = readPair(op, 'poolSize', options.poolSize);
  const strides = options.strides === undefined ? size : readPair(op, 'strides', options.strides);
  const padding = options.padding ?? 'valid';
  const g = windowGeometry(op, x, { kernel: size, strides, dilation: [1, 1], padding, groups: 1, what: 'pool' });
  if (padding !== 'valid' && padding !== 'same') {
    // A window wholly in padding would have no value (TensorFlow and PyTorch refuse it too).
    const p = typeof padding === 'number' ? [padding, padding, padding, padding] : [padding[0][0], padding[0][1], padding[1][0], padding[1][1]];
    const [ph, pw] = [Math.max(p[0]!, p[1]!), Math.max(p[2]!, p[3]!)];
    if (ph >= size[0] || pw >= size[1]) {
      throw new Error(`${op}: padding ${JSON.stringify(padding)} should be smaller than the pool ${size[0]}x${size[1]} on every side`);
    }
  }
  return g;
}
