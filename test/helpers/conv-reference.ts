// Direct float64 convolution and pooling over NHWC arrays: the oracle for
// src/ops/conv.ts and src/ops/pool.ts. It shares nothing with the im2col path:
// every output element loops over its window and the filter's taps, with padding
// worked out from TensorFlow's written rules.

import { type Nd, nd } from './reference.js';

export type RefPadding = 'valid' | 'same' | number | readonly [readonly [number, number], readonly [number, number]];

export interface RefWindow {
  readonly kernel: readonly [number, number];
  readonly strides?: number | readonly [number, number];
  readonly dilation?: number | readonly [number, number];
  readonly padding?: RefPadding;
}

const pair = (v: number | readonly [number, number] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

/** Output size and leading pad along one side. */
function side(size: number, k: number, stride: number, dilation: number, padding: RefPadding, axis: 0 | 1): { out: number; before: number } {
  const span = (k - 1) * dilation + 1;
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + span - size, 0);
    return { out, before: Math.floor(total / 2) };
  }
  const [before, after] = padding === 'valid' ? [0, 0] : typeof padding === 'number' ? [padding, padding] : padding[axis];
  return { out: Math.floor((size + before + after - span) / stride) + 1, before };
}

interface Layout {
  outH: number; outW: number; padT: number; padL: number; sh: number; sw: number; dh: number; dw: number; kh: number; kw: number;
}

function layout(x: Nd, w: RefWindow): Layout {
  const [kh, kw] = w.kernel;
  const [sh, sw] = pair(w.strides, 1);
  const [dh, dw] = pair(w.dilation, 1);
  const padding = w.padding ?? 'valid';
  const h = side(x.shape[1]!, kh, sh, dh, padding, 0);
  const v = side(x.shape[2]!, kw, sw, dw, padding, 1);
  return { outH: h.out, outW: v.out, padT: h.before, padL: v.before, sh, sw, dh, dw, kh, kw };
}

/** y[b, oy, ox, o] = sum over taps and the group's input channels of x · filter (+ bias). */
export function conv2d(x: Nd, filter: Nd, options: Omit<RefWindow, 'kernel'> & { groups?: number; bias?: Nd } = {}): Nd {
  const [batch, inH, inW] = x.shape as [number, number, number, number];
  const [kh, kw, cg, cout] = filter.shape as [number, number, number, number];
  const groups = options.groups ?? 1;
  const L = layout(x, { ...options, kernel: [kh, kw] });
  const perGroup = cout / groups;
  return nd([batch, L.outH, L.outW, cout], (_, [b, oy, ox, o]) => {
    const group = Math.floor(o! / perGroup);
    let sum = options.bias ? options.bias.data[o!]! : 0;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy! * L.sh - L.padT + ky * L.dh;
      if (iy < 0 || iy >= inH) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox! * L.sw - L.padL + kx * L.dw;
        if (ix < 0 || ix >= inW) continue;
        for (let c = 0; c < cg; c++) sum += x.at([b!, iy, ix, group * cg + c]) * filter.at([ky, kx, c, o!]);
      }
    }
    return sum;
  });
}

/** Max (padding never wins) or mean over the window's pixels inside the image. */
export function pool2d(op: 'max' | 'avg', x: Nd, options: { poolSize: number | readonly [number, number]; strides?: number | readonly [number, number]; padding?: RefPadding }): Nd {
  const [batch, inH, inW, channels] = x.shape as [number, number, number, number];
  const size = pair(options.poolSize, 1);
  const L = layout(x, { kernel: size, strides: options.strides ?? options.poolSize, padding: options.padding ?? 'valid' });
  return nd([batch, L.outH, L.outW, channels], (_, [b, oy, ox, c]) => {
    const values: number[] = [];
    for (let ky = 0; ky < L.kh; ky++) {
      for (let kx = 0; kx < L.kw; kx++) {
        const iy = oy! * L.sh - L.padT + ky;
        const ix = ox! * L.sw - L.padL + kx;
        if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) values.push(x.at([b!, iy, ix, c!]));
      }
    }
    return op === 'max' ? Math.max(...values) : values.reduce((p, q) => p + q, 0) / values.length;
  });
}

/**
 * Transposed convolution by scattering: every input pixel (iy, ix) adds x · filter[ky, kx]
 * at output (iy·stride − pad + ky·dilation, ...), filter [kh, kw, out, in]. The output
 * size is TensorFlow's (in·stride for 'same', (in − 1)·stride + dilated kernel − padding
 * otherwise) unless `size` gives it; 'same' takes its padding from the convolution of
 * that output back to x.
 */
export function conv2dTranspose(
  x: Nd, filter: Nd, options: Omit<RefWindow, 'kernel'> & { size?: readonly [number, number] } = {},
): Nd {
  const [batch, inH, inW, cin] = x.shape as [number, number, number, number];
  const [kh, kw, cout] = filter.shape as [number, number, number, number];
  const [sh, sw] = pair(options.strides, 1);
  const [dh, dw] = pair(options.dilation, 1);
  const padding = options.padding ?? 'valid';
  const span = [(kh - 1) * dh + 1, (kw - 1) * dw + 1];
  const outSize = (axis: 0 | 1, size: number, stride: number): { out: number; before: number } => {
    if (padding === 'same') {
      const out = options.size?.[axis] ?? size * stride;
      return { out, before: Math.floor(Math.max((size - 1) * stride + span[axis]! - out, 0) / 2) };
    }
    const [before, after] = padding === 'valid' ? [0, 0] : typeof padding === 'number' ? [padding, padding] : padding[axis];
    return { out: options.size?.[axis] ?? (size - 1) * stride + span[axis]! - before - after, before };
  };
  const H = outSize(0, inH, sh);
  const W = outSize(1, inW, sw);
  const y = new Float64Array(batch * H.out * W.out * cout);
  for (let b = 0; b < batch; b++) {
    for (let iy = 0; iy < inH; iy++) {
      for (let ix = 0; ix < inW; ix++) {
        for (let ky = 0; ky < kh; ky++) {
          const oy = iy * sh - H.before + ky * dh;
          if (oy < 0 || oy >= H.out) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ox = ix * sw - W.before + kx * dw;
            if (ox < 0 || ox >= W.out) continue;
            for (let o = 0; o < cout; o++) {
              let s = 0;
              for (let c = 0; c < cin; c++) s += x.at([b, iy, ix, c]) * filter.at([ky, kx, o, c]);
              y[((b * H.out + oy) * W.out + ox) * cout + o]! += s;
            }
          }
        }
      }
    }
  }
  return nd([batch, H.out, W.out, cout], y);
}
