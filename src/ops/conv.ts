// 2-D convolution over NHWC images with HWIO filters, as implicit GEMM: the forward
// (groups = 1) is the backend's conv2d primitive (im2col + matmul, or a kernel that
// skips the patch matrix); otherwise the backend's im2col lays each window out as a
// row, one (batched, per group) matmul with the filter does the arithmetic with fused
// bias and activation, and the gradients are the same pieces backwards: filter =
// patchesᵀ·dy, input = col2im(dy·filterᵀ). A 1x1 stride-1 unpadded convolution skips
// im2col: x is already the patch matrix.

import type { Activation, BinaryOp, ConvGeometry, View } from '../backends/backend.js';
import { record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { binaryKernel } from './binary.js';
import { range } from './creation.js';
import { reduceSum } from './reduce.js';
import { unaryKernel } from './unary.js';
import { asTensor, backend, checkTensor, output, shapeString, type TensorLike } from './util.js';
import { checkImage, dense, type Padding, type Pair, readPair, windowGeometry } from './window.js';

export type { Padding, Pair } from './window.js';

export interface Conv2dOptions {
  /** Step between windows: a number or [height, width] (default 1). */
  readonly strides?: Pair;
  /** 'valid' (default), 'same', a number, or [[top, bottom], [left, right]]. */
  readonly padding?: Padding;
  /** Spacing between the filter's taps: a number or [height, width] (default 1). */
  readonly dilation?: Pair;
  /** Channel groups (default 1); groups = inChannels is a depthwise convolution. */
  readonly groups?: number;
  /** [outChannels], added to every output pixel before the activation. */
  readonly bias?: Tensor;
  /** Applied after the bias, fused into the product where the backend can (default 'linear'). */
  readonly activation?: ConvActivation;
}

/** The activations conv fuses (GELU's tanh form is left to a separate op: its gradient needs the pre-activation). */
export type ConvActivation = Exclude<Activation, 'geluTanh'>;

export const ACTIVATION_GRAD: Readonly<Record<ConvActivation, BinaryOp | undefined>> = {
  linear: undefined,
  relu: 'reluGrad',
  sigmoid: 'sigmoidGrad',
  tanh: 'tanhGrad',
};

/** Sizes of the product: rows M = batch·outH·outW, depth K = kh·kw·cin/groups, cout per group. */
function sizes(g: ConvGeometry, outChannels: number): { m: number; k: number; cg: number; ng: number } {
  const cg = g.channels / g.groups;
  return { m: g.batch * g.outH * g.outW, k: g.kernelH * g.kernelW * cg, cg, ng: outChannels / g.groups };
}

/** True when x [b, h, w, c] is itself the patch matrix [b·h·w, c]. */
function pointwise(g: ConvGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 &&
    g.outH === g.inH && g.outW === g.inW && g.groups === 1;
}

/** @internal The patch matrix [groups, M, K] of x (contiguous): im2col, or x itself for a pointwise conv. */
export function patches(x: Tensor, g: ConvGeometry, outChannels: number): Tensor {
  const { m, k } = sizes(g, outChannels);
  if (pointwise(g)) {
    const d = dense(x);
    const p = d.share([1, m, k], [m * k, k, 1], d.offset);
    d.dispose();
    return p;
  }
  const cols = output([g.groups, m, k], 'float32', 'conv2d');
  if (cols.size > 0) backend().im2col(x.view(), cols.view(), g);
  return cols;
}

/** A [groups, rows, cols] view of the columns of a contiguous [rows, groups·cols] matrix. */
function grouped(t: Tensor, groups: number, rows: number, cols: number, transpose = false): View {
  const v = t.view();
  return transpose
    ? { ...v, shape: [groups, cols, rows], strides: [cols, 1, groups * cols] }
    : { ...v, shape: [groups, rows, cols], strides: [cols, groups * cols, 1] };
}

/** The filter [kh, kw, cg, cout] as [groups, K, cout/groups] (or its transpose per group). */
function filterView(filter: Tensor, g: ConvGeometry, outChannels: number, transpose = false): View {
  const { k, ng } = sizes(g, outChannels);
  return grouped(filter, g.groups, k, ng, transpose);
}

/** Copies a contiguous [groups, rows, cols] into a new [..., rows, groups·cols] tensor of `shape`. */
function interleave(z: Tensor, groups: number, rows: number, cols: number, shape: readonly number[]): Tensor {
  const out = output(shape, 'float32', 'conv2d');
  if (out.size > 0) {
    const v = out.view();
    backend().copy(
      { ...z.view(), shape: [rows, groups, cols], strides: [cols, rows * cols, 1] },
      { ...v, shape: [rows, groups, cols], strides: [groups * cols, cols, 1] },
    );
  }
  return out;
}

/** act(conv(x, filter) + bias) [batch, outH, outW, cout], not recorded. */
function forward(x: Tensor, filter: Tensor, g: ConvGeometry, bias: Tensor | undefined, activation: ConvActivation): Tensor {
  const cout = filter.shape[3]!;
  const shape = [g.batch, g.outH, g.outW, cout];
  const { m, k, ng } = sizes(g, cout);
  if (m * cout === 0) return output(shape, 'float32', 'conv2d');
  const w = dense(filter);
  const epilogue = { ...(bias ? { bias: bias.view() } : {}), activation };
  let y: Tensor;
  if (g.groups === 1 && !pointwise(g)) {
    // The backend's own convolution: wasm never writes the patch matrix.
    y = output(shape, 'float32', 'conv2d');
    backend().conv2d(x.view(), w.view(), y.view(), g, epilogue);
    w.dispose();
    return y;
  }
  const cols = patches(x, g, cout);
  if (g.groups === 1) {
    y = output(shape, 'float32', 'conv2d');
    const c = cols.view();
    backend().matmul(
      { ...c, shape: [m, k], strides: [k, 1] },
      { ...w.view(), shape: [k, cout], strides: [cout, 1] },
      { ...y.view(), shape: [m, cout], strides: [cout, 1] },
      epilogue,
    );
  } else {
    // One product per group, then the groups' channels interleaved back into NHWC;
    // bias and activation follow as elementwise kernels (a per-group bias is not a matmul epilogue).
    const z = output([g.groups, m, ng], 'float32', 'conv2d');
    backend().matmul(cols.view(), filterView(w, g, cout), z.view());
    y = interleave(z, g.groups, m, ng, shape);
    z.dispose();
    y = biasActivation(y, bias, activation);
  }
  cols.dispose();
  w.dispose();
  return y;
}

/** dL/dfilter [kh, kw, cg, cout] = patchesᵀ · dz, per group. */
function filterGrad(x: Tensor, dz: Tensor, filterShape: readonly number[], g: ConvGeometry): Tensor {
  const cout = filterShape[3]!;
  const { m, k, ng } = sizes(g, cout);
  const cols = patches(x, g, cout);
  const c = cols.view();
  const colsT: View = { ...c, shape: [g.groups, k, m], strides: [m * k, 1, k] };
  let dw: Tensor;
  if (g.groups === 1) {
    dw = output(filterShape, 'float32', 'conv2d');
    backend().matmul({ ...colsT, shape: [k, m], strides: [1, k] }, { ...dz.view(), shape: [m, cout], strides: [cout, 1] }, { ...dw.view(), shape: [k, cout], strides: [cout, 1] });
  } else {
    const z = output([g.groups, k, ng], 'float32', 'conv2d');
    backend().matmul(colsT, grouped(dz, g.groups, m, ng), z.view());
    dw = interleave(z, g.groups, k, ng, filterShape);
    z.dispose();
  }
  cols.dispose();
  return dw;
}

/**
 * dL/dx [batch, h, w, cin] = col2im(dz · filterᵀ), per group; with stride 1 and
 * groups 1 on a backend whose conv2d skips the patch matrix (wasm), the convolution of
 * dz with the filter turned half a turn (taps reversed) and its channels swapped: no
 * [pixels, kh·kw·cin] product and no col2im. On the others (im2col + matmul) that
 * convolution's patch matrix has cout columns per tap instead of cin, and on the
 * software WebGPU adapter the CNN step measured 10-15% slower with it; with WebGPU's
 * conv2d as implicit GEMM (no patch matrix where channels come in fours) it was still
 * 2-3% slower (scripts/cnn-bench.ts, 3.96 / 3.89 s an epoch against 4.06 / 3.99).
 */
function inputGrad(dz: Tensor, filter: Tensor, xShape: readonly number[], g: ConvGeometry): Tensor {
  const cout = filter.shape[3]!;
  const { m, k, ng } = sizes(g, cout);
  if (g.groups === 1 && g.strideH === 1 && g.strideW === 1 && !pointwise(g) && backend().convolvesWithoutPatches === true) {
    const padTop = (g.kernelH - 1) * g.dilationH - g.padTop;
    const padLeft = (g.kernelW - 1) * g.dilationW - g.padLeft;
    if (padTop >= 0 && padLeft >= 0) return inputGradByConv(dz, filter, xShape, g, padTop, padLeft);
  }
  const w = dense(filter);
  const dx = output(xShape, 'float32', 'conv2d');
  if (pointwise(g)) {
    backend().matmul(
      { ...dz.view(), shape: [m, cout], strides: [cout, 1] },
      { ...w.view(), shape: [cout, k], strides: [1, cout] },
      { ...dx.view(), shape: [m, k], strides: [k, 1] },
    );
  } else {
    const dcols = output([g.groups, m, k], 'float32', 'conv2d');
    backend().matmul(grouped(dz, g.groups, m, ng), filterView(w, g, cout, true), dcols.view());
    backend().col2im(dcols.view(), dx.view(), g);
    dcols.dispose();
  }
  w.dispose();
  return dx;
}

/**
 * dx[b, iy, ix, ci] = Σ dz[b, iy + padTop − ky·dh, ix + padLeft − kx·dw, co] · filter[ky, kx, ci, co]
 * (stride 1), which with ky' = kh − 1 − ky is a convolution of dz ("full" padding,
 * `padTop` = (kh − 1)·dh − the forward's) with flipped[ky', kx', co, ci] = filter[ky, kx, ci, co]:
 * one gather over the reversed taps of the filter seen as [taps, cout, cin] builds it.
 */
function inputGradByConv(dz: Tensor, filter: Tensor, xShape: readonly number[], g: ConvGeometry, padTop: number, padLeft: number): Tensor {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const taps = kh * kw;
  const dx = output(xShape, 'float32', 'conv2d');
  const w = dense(filter);
  const reversed = range(taps - 1, -1, -1, 'int32');
  const flipped = output([kh, kw, cout, cin], 'float32', 'conv2d');
  const be = backend();
  be.gather({ ...w.view(), shape: [taps, cout, cin], strides: [cin * cout, 1, cout] }, reversed.view(), 0, { ...flipped.view(), shape: [taps, cout, cin], strides: [cout * cin, cin, 1] });
  const backward: ConvGeometry = {
    batch: g.batch, inH: g.outH, inW: g.outW, channels: cout, outH: g.inH, outW: g.inW,
    kernelH: kh, kernelW: kw, strideH: 1, strideW: 1, dilationH: g.dilationH, dilationW: g.dilationW,
    padTop, padLeft, groups: 1,
  };
  be.conv2d(dz.view(), flipped.view(), dx.view(), backward);
  for (const t of [w, reversed, flipped]) t.dispose();
  return dx;
}

/** @internal A float32 tensor of zeros (gradients of empty convolutions). */
export function zeros(shape: readonly number[]): Tensor {
  const t = output(shape, 'float32', 'conv2d');
  if (t.size > 0) backend().fill(t.view(), 0);
  return t;
}

/**
 * 2-D convolution: `x` is NHWC `[batch, height, width, inChannels]`, `filter` is HWIO
 * `[kernelHeight, kernelWidth, inChannels / groups, outChannels]` (TensorFlow / Keras
 * layouts); the result is `[batch, outHeight, outWidth, outChannels]`. With `bias`
 * `[outChannels]` and `activation`, computes act(conv + bias) in one fused product where
 * the backend can. Gradients flow to x, filter and bias.
 *
 * @example
 * const y = wg.conv2d(images, kernel, { strides: 2, padding: 'same', bias, activation: 'relu' });
 */
export function conv2d(xIn: TensorLike, filter: Tensor, options: Conv2dOptions = {}): Tensor {
  const x = asTensor(xIn, 'conv2d', 'x');
  let g: ConvGeometry;
  try {
    g = checkConv(x, filter, options);
  } catch (error) {
    if (x !== xIn) x.dispose();
    throw error;
  }
  const { bias, activation = 'linear' } = options;
  const y = forward(x, filter, g, bias, activation);
  const inputs = bias ? [x, filter, bias] : [x, filter];
  record(inputs, y, [x, filter, y], (dy, [sx, sf, sy]) => {
    const gradKernel = ACTIVATION_GRAD[activation];
    let dz: Tensor | undefined;
    // dL/d(pre-activation), contiguous (dy may be a broadcast view), computed once.
    const preActivation = (): Tensor => (dz ??= gradKernel ? binaryKernel(gradKernel, dy, sy!) : dense(dy));
    const empty = sy!.size === 0;
    const grads = [
      () => (empty ? zeros(sx!.shape) : inputGrad(preActivation(), sf!, sx!.shape, g)),
      () => (empty ? zeros(sf!.shape) : filterGrad(sx!, preActivation(), sf!.shape, g)),
    ];
    if (bias) grads.push(() => (empty ? zeros(bias.shape) : reduceSum(preActivation(), [0, 1, 2])));
    return grads;
  });
  if (x !== xIn) x.dispose();
  return y;
}

/** Every conv2d check, on shapes and options alone, so that a wrong call creates nothing. */
function checkConv(x: Tensor, filter: Tensor, options: Conv2dOptions): ConvGeometry {
  checkConvCall('conv2d', x, filter, options, 'kernelHeight, kernelWidth, inChannels / groups, outChannels', ['strides', 'padding', 'dilation', 'groups', 'bias', 'activation']);
  const { strides = 1, padding = 'valid', dilation = 1, groups = 1, bias, activation = 'linear' } = options;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: groups should be a positive integer, got ${String(groups)}`);
  const inChannels = x.shape[3]!;
  const [kh, kw, cg, cout] = filter.shape as [number, number, number, number];
  if (inChannels % groups !== 0) throw new Error(`conv2d: groups (${groups}) should divide x's ${inChannels} input channels`);
  if (cout % groups !== 0) throw new Error(`conv2d: groups (${groups}) should divide the filter's ${cout} output channels (filter ${shapeString(filter.shape)})`);
  if (cg * groups !== inChannels) {
    const per = groups === 1 ? '' : ` (${cg} per group x ${groups} groups)`;
    throw new Error(`conv2d: filter expects ${cg * groups} input channels${per}, x has ${inChannels} (x ${shapeString(x.shape)}, filter ${shapeString(filter.shape)})`);
  }
  if (kh < 1 || kw < 1) throw new Error(`conv2d: the filter's kernel should be at least 1x1, got ${shapeString(filter.shape)}`);
  const s = readPair('conv2d', 'strides', strides);
  const d = readPair('conv2d', 'dilation', dilation);
  checkBiasActivation('conv2d', bias, cout, activation);
  return windowGeometry('conv2d', x, { kernel: [kh, kw], strides: s, dilation: d, padding, groups, what: 'kernel' });
}

/**
 * @internal The checks conv2d and conv2dTranspose open with: a live float32 4-D filter
 * (`layout` names its dimensions), a 4-D x, an options object with no key outside `known`.
 */
export function checkConvCall(op: string, x: Tensor, filter: Tensor, options: object, layout: string, known: readonly string[]): void {
  checkTensor(filter, op, 'filter');
  checkImage(op, x);
  if (filter.rank !== 4) throw new Error(`${op}: filter should be 4-D [${layout}], got ${shapeString(filter.shape)}`);
  if (filter.dtype !== 'float32') throw new TypeError(`${op}: filter should be float32, got ${filter.dtype}; cast it with wg.cast(filter, 'float32')`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${op}: options should be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${op}: unknown option '${key}' (expected ${known.join(', ')})`);
  }
}

/** @internal The checks they close with: a float32 bias of the filter's `cout` output channels, if any, and a fusable activation. */
export function checkBiasActivation(op: string, bias: Tensor | undefined, cout: number, activation: ConvActivation): void {
  if (bias !== undefined) {
    checkTensor(bias, op, 'bias');
    if (bias.dtype !== 'float32') throw new TypeError(`${op}: bias should be float32, got ${bias.dtype}`);
    if (bias.rank !== 1 || bias.shape[0] !== cout) {
      throw new Error(`${op}: bias should be [${cout}] (the filter's output channels), got ${shapeString(bias.shape)}`);
    }
  }
  if (!(activation in ACTIVATION_GRAD)) {
    throw new Error(`${op}: activation should be one of ${Object.keys(ACTIVATION_GRAD).join(', ')}, got ${JSON.stringify(activation)}`);
  }
}

/** @internal act(y + bias) as elementwise kernels, for products whose epilogue cannot hold them; y is consumed. */
export function biasActivation(y: Tensor, bias: Tensor | undefined, activation: ConvActivation): Tensor {
  if (bias) {
    const biased = binaryKernel('add', y, bias);
    y.dispose();
    y = biased;
  }
  if (activation !== 'linear') {
    const activated = unaryKernel(activation, y);
    y.dispose();
    y = activated;
  }
  return y;
}
