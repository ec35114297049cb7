// Transposed 2-D convolution (the "deconvolution" of decoders and upsampling): the
// adjoint of conv2d in x, computed with the same primitives turned around. Forward is
// conv2d's input gradient, col2im(x · filterᵀ); backward is conv2d's forward for x
// (patches of dy times the filter) and patchesᵀ · x for the filter.

import type { ConvGeometry } from '../backends/backend.js';
import { record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { binaryKernel } from './binary.js';
import { ACTIVATION_GRAD, biasActivation, checkBiasActivation, checkConvCall, type ConvActivation, patches, zeros } from './conv.js';
import { reduceSum } from './reduce.js';
import { asTensor, backend, output, shapeString, type TensorLike } from './util.js';
import { dense, type Padding, type Pair, readPair, transposeGeometry } from './window.js';

export interface Conv2dTransposeOptions {
  /** Upsampling step: a number or [height, width] (default 1). */
  readonly strides?: Pair;
  /** 'valid' (default), 'same' (output = input · strides), a number, or [[top, bottom], [left, right]] cropped from the full output. */
  readonly padding?: Padding;
  readonly dilation?: Pair;
  /** [batch, height, width, outChannels] when several sizes convolve back to x's (strides > 1); default TensorFlow's size. */
  readonly outputShape?: readonly [number, number, number, number];
  /** [outChannels], added to every output pixel before the activation. */
  readonly bias?: Tensor;
  readonly activation?: ConvActivation;
}

/** y [batch, inH, inW, cout] = col2im(x · Wᵀ) for the geometry g of the convolution it transposes. */
function forward(x: Tensor, filter: Tensor, g: ConvGeometry): Tensor {
  const [kh, kw, cout, cin] = filter.shape as [number, number, number, number];
  const m = g.batch * g.outH * g.outW;
  const k = kh * kw * cout;
  const y = output([g.batch, g.inH, g.inW, cout], 'float32', 'conv2dTranspose');
  if (y.size === 0) return y;
  if (m === 0 || cin === 0) {
    backend().fill(y.view(), 0);
    return y;
  }
  const xd = dense(x);
  const w = dense(filter);
  const cols = output([1, m, k], 'float32', 'conv2dTranspose');
  backend().matmul(
    { ...xd.view(), shape: [m, cin], strides: [cin, 1] },
    { ...w.view(), shape: [cin, k], strides: [1, cin] },
    { ...cols.view(), shape: [m, k], strides: [k, 1] },
  );
  backend().col2im(cols.view(), y.view(), g);
  for (const t of [xd, w, cols]) t.dispose();
  return y;
}

/**
 * Transposed 2-D convolution (TensorFlow's `conv2dTranspose`, Keras' `Conv2DTranspose`):
 * `x` is NHWC `[batch, height, width, inChannels]`, `filter` is `[kernelHeight,
 * kernelWidth, outChannels, inChannels]`. Each input pixel spreads its filter-weighted
 * values over a window of the output, windows `strides` apart: with 'same' padding
 * the output is `height · strides` by `width · strides`. Gradients flow to x, filter and bias.
 *
 * @example
 * const up = wg.conv2dTranspose(features, kernel, { strides: 2, padding: 'same' }); // twice the size
 */
export function conv2dTranspose(xIn: TensorLike, filter: Tensor, options: Conv2dTransposeOptions = {}): Tensor {
  const x = asTensor(xIn, 'conv2dTranspose', 'x');
  let g: ConvGeometry;
  try {
    g = checkTranspose(x, filter, options);
  } catch (error) {
    if (x !== xIn) x.dispose();
    throw error;
  }
  const { bias, activation = 'linear' } = options;
  const y = biasActivation(forward(x, filter, g), bias, activation);
  const inputs = bias ? [x, filter, bias] : [x, filter];
  record(inputs, y, [x, filter, y], (dy, [sx, sf, sy]) => {
    const gradKernel = ACTIVATION_GRAD[activation];
    let dz: Tensor | undefined;
    const preActivation = (): Tensor => (dz ??= gradKernel ? binaryKernel(gradKernel, dy, sy!) : dense(dy));
    const [kh, kw, cout, cin] = sf!.shape as [number, number, number, number];
    const m = g.batch * g.outH * g.outW;
    const k = kh * kw * cout;
    const empty = m === 0 || sy!.size === 0;
    const grads = [
      () => {
        // dx = patches(dz) · W: conv2d's forward with this geometry
        if (empty) return zeros(sx!.shape);
        const cols = patches(preActivation(), g, cin);
        const w = dense(sf!);
        const dx = output(sx!.shape, 'float32', 'conv2dTranspose');
        backend().matmul(
          { ...cols.view(), shape: [m, k], strides: [k, 1] },
          { ...w.view(), shape: [k, cin], strides: [cin, 1] },
          { ...dx.view(), shape: [m, cin], strides: [cin, 1] },
        );
        cols.dispose();
        w.dispose();
        return dx;
      },
      () => {
        // dW [k, cin] = patches(dz)ᵀ · x
        if (empty) return zeros(sf!.shape);
        const cols = patches(preActivation(), g, cin);
        const xd = dense(sx!);
        const dw = output(sf!.shape, 'float32', 'conv2dTranspose');
        const c = cols.view();
        backend().matmul(
          { ...c, shape: [k, m], strides: [1, k] },
          { ...xd.view(), shape: [m, cin], strides: [cin, 1] },
          { ...dw.view(), shape: [k, cin], strides: [cin, 1] },
        );
        cols.dispose();
        xd.dispose();
        return dw;
      },
    ];
    if (bias) grads.push(() => (sy!.size === 0 ? zeros(bias.shape) : reduceSum(preActivation(), [0, 1, 2])));
    return grads;
  });
  if (x !== xIn) x.dispose();
  return y;
}

function checkTranspose(x: Tensor, filter: Tensor, options: Conv2dTransposeOptions): ConvGeometry {
  const op = 'conv2dTranspose';
  checkConvCall(op, x, filter, options, 'kernelHeight, kernelWidth, outChannels, inChannels', ['strides', 'padding', 'dilation', 'outputShape', 'bias', 'activation']);
  const [kh, kw, cout, cin] = filter.shape as [number, number, number, number];
  if (cin !== x.shape[3]) {
    throw new Error(`${op}: filter expects ${cin} input channels (its last dimension), x has ${x.shape[3]} (x ${shapeString(x.shape)}, filter ${shapeString(filter.shape)})`);
  }
  if (kh < 1 || kw < 1) throw new Error(`${op}: the filter's kernel should be at least 1x1, got ${shapeString(filter.shape)}`);
  const { strides = 1, padding = 'valid', dilation = 1, outputShape, bias, activation = 'linear' } = options;
  const s = readPair(op, 'strides', strides);
  const d = readPair(op, 'dilation', dilation);
  if (outputShape !== undefined) {
    const ok = Array.isArray(outputShape) && outputShape.length === 4 && outputShape.every((v) => Number.isInteger(v) && v >= 1);
    if (!ok || outputShape[0] !== x.shape[0] || outputShape[3] !== cout) {
      throw new Error(`${op}: outputShape should be [${x.shape[0]}, height, width, ${cout}] (x's batch, the filter's output channels), got ${JSON.stringify(outputShape)}`);
    }
  }
  checkBiasActivation(op, bias, cout, activation);
  return transposeGeometry(op, x, cout, {
    kernel: [kh, kw], strides: s, dilation: d, padding,
    ...(outputShape ? { size: [outputShape[1], outputShape[2]] as const } : {}),
  });
}
