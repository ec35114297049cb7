// Window arithmetic shared by convolution and pooling: reading strides, dilation
// and padding options (with errors that name the op), TensorFlow's 'same' rule,
// and the output size. Checks only; nothing here touches a backend.

import type { ConvGeometry } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import { output, shapeString } from './util.js';

/**
 * 'valid' (no padding), 'same' (TensorFlow's rule: output = ceil(input / stride),
 * the odd pixel of padding at the bottom / right), one number for every side, or
 * explicit `[[top, bottom], [left, right]]`.
 */
export type Padding = 'valid' | 'same' | number | readonly [readonly [number, number], readonly [number, number]];

/** A number for both sides, or `[height, width]`. */
export type Pair = number | readonly [number, number];

const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** [h, w] from a number or a pair of integers >= min. */
export function readPair(op: string, name: string, value: unknown, min = 1): [number, number] {
  if (isCount(value, min)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && isCount(value[0], min) && isCount(value[1], min)) return [value[0], value[1]];
  const kind = min === 1 ? 'a positive integer' : 'a non-negative integer';
  throw new Error(`${op}: ${name} should be ${kind} or a pair [height, width] of them, got ${JSON.stringify(value) ?? String(value)}`);
}

/** [[top, bottom], [left, right]] for padding other than 'same'; checks its form. */
function explicitPadding(op: string, padding: unknown): [[number, number], [number, number]] | undefined {
  if (padding === 'valid') return [[0, 0], [0, 0]];
  if (padding === 'same') return undefined;
  if (isCount(padding, 0)) return [[padding, padding], [padding, padding]];
  const pair = (p: unknown): p is [number, number] => Array.isArray(p) && p.length === 2 && isCount(p[0], 0) && isCount(p[1], 0);
  if (Array.isArray(padding) && padding.length === 2 && pair(padding[0]) && pair(padding[1])) {
    return [[padding[0][0], padding[0][1]], [padding[1][0], padding[1][1]]];
  }
  throw new Error(
    `${op}: padding should be 'valid', 'same', a non-negative integer or [[top, bottom], [left, right]] of them, got ${JSON.stringify(padding) ?? String(padding)}`,
  );
}

export interface WindowSpec {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padding: unknown;
  readonly groups: number;
  /** 'kernel' or 'pool', for the size error. */
  readonly what: 'kernel' | 'pool';
}

/** The full geometry of a window over x [batch, h, w, c]; throws when no window fits. */
export function windowGeometry(op: string, x: Tensor, spec: WindowSpec): ConvGeometry {
  const [batch, inH, inW, channels] = x.shape as [number, number, number, number];
  const [kh, kw] = spec.kernel;
  const [sh, sw] = spec.strides;
  const [dh, dw] = spec.dilation;
  const effH = (kh - 1) * dh + 1;
  const effW = (kw - 1) * dw + 1;
  const explicit = explicitPadding(op, spec.padding);
  let pads: [[number, number], [number, number]];
  let outH: number;
  let outW: number;
  if (explicit === undefined) {
    // TensorFlow's 'same': output = ceil(in / stride), the smaller half of the padding first.
    outH = Math.ceil(inH / sh);
    outW = Math.ceil(inW / sw);
    const totalH = Math.max((outH - 1) * sh + effH - inH, 0);
    const totalW = Math.max((outW - 1) * sw + effW - inW, 0);
    pads = [[Math.floor(totalH / 2), totalH - Math.floor(totalH / 2)], [Math.floor(totalW / 2), totalW - Math.floor(totalW / 2)]];
  } else {
    pads = explicit;
    const paddedH = inH + pads[0][0] + pads[0][1];
    const paddedW = inW + pads[1][0] + pads[1][1];
    if (effH > paddedH || effW > paddedW) {
      const dilated = effH !== kh || effW !== kw ? ` (${kh}x${kw} dilated to ${effH}x${effW})` : '';
      throw new Error(
        `${op}: the ${spec.what} ${effH}x${effW}${dilated} is larger than the padded input ${paddedH}x${paddedW} (x is ${shapeString(x.shape)}, padding ${JSON.stringify(spec.padding)})`,
      );
    }
    outH = Math.floor((paddedH - effH) / sh) + 1;
    outW = Math.floor((paddedW - effW) / sw) + 1;
  }
  return {
    batch, inH, inW, channels, outH, outW,
    kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw,
    padTop: pads[0][0], padLeft: pads[1][0], groups: spec.groups,
  };
}

export interface TransposeSpec {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padding: unknown;
  /** The output's [height, width] when the caller gives them. */
  readonly size?: readonly [number, number];
}

/**
 * The geometry of the convolution whose input gradient a transposed convolution of x
 * [batch, h, w, c] computes: its input is the transposed convolution's output (inH,
 * inW, `outChannels`), its output is x's size. Without `size`, the output is TensorFlow's:
 * h·stride for 'same', (h − 1)·stride + dilated kernel − padding otherwise.
 */
export function transposeGeometry(op: string, x: Tensor, outChannels: number, spec: TransposeSpec): ConvGeometry {
  const [batch, h, w] = x.shape as [number, number, number, number];
  const [kh, kw] = spec.kernel;
  const [sh, sw] = spec.strides;
  const [dh, dw] = spec.dilation;
  const eff = [(kh - 1) * dh + 1, (kw - 1) * dw + 1] as const;
  const explicit = explicitPadding(op, spec.padding);
  const sides = [0, 1].map((axis) => {
    const [inSize, stride, k] = axis === 0 ? [h, sh, eff[0]] : [w, sw, eff[1]];
    let out: number;
    let before: number;
    if (explicit === undefined) {
      out = spec.size?.[axis] ?? inSize * stride;
      const total = Math.max((inSize - 1) * stride + k - out, 0);
      before = Math.floor(total / 2);
      if (Math.ceil(out / stride) !== inSize) return { out, before, fits: false };
    } else {
      const [b, a] = explicit[axis]!;
      out = spec.size?.[axis] ?? (inSize - 1) * stride + k - b - a;
      before = b;
      if (out < 1 || out + b + a < k || Math.floor((out + b + a - k) / stride) + 1 !== inSize) return { out, before, fits: false };
    }
    return { out, before, fits: true };
  });
  if (!sides[0]!.fits || !sides[1]!.fits) {
    throw new Error(
      `${op}: an output of ${sides[0]!.out}x${sides[1]!.out} does not convolve back to x's ${h}x${w} with kernel ${kh}x${kw}, strides ${sh}x${sw} and padding ${JSON.stringify(spec.padding)}`,
    );
  }
  return {
    batch, inH: sides[0]!.out, inW: sides[1]!.out, channels: outChannels, outH: h, outW: w,
    kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw,
    padTop: sides[0]!.before, padLeft: sides[1]!.before, groups: 1,
  };
}

/** Checks that x is a live 4-D float32 NHWC tensor. */
export function checkImage(op: string, x: Tensor, name = 'x'): void {
  if (x.rank !== 4) throw new Error(`${op}: ${name} should be 4-D [batch, height, width, channels], got ${shapeString(x.shape)}`);
  if (x.dtype !== 'float32') throw new TypeError(`${op}: ${name} should be float32, got ${x.dtype}; cast it with wg.cast(${name}, 'float32')`);
}

/** t itself (a new handle) when contiguous, else a contiguous copy; never recorded. */
export function dense(t: Tensor): Tensor {
  if (t.contiguous) return t.share();
  const out = output(t.shape, t.dtype);
  if (out.size > 0) t.backend.copy(t.view(), out.view());
  return out;
}
