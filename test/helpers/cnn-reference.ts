// Float64 references for the image layers, written from TensorFlow's definitions and
// sharing no code with src/: NHWC convolution (HWIO filter, strides, dilation,
// groups, 'valid' / 'same' padding with the odd pixel at the bottom / right), max and
// average pooling ('same' leaves the padding out of both), batch normalization, and a
// dense layer. Flat loops over Float64Array, quick enough for finite differences.

import { Nd, nd } from './reference.js';

export type Padding = 'valid' | 'same';
export type Pair = readonly [number, number];

/** TensorFlow's output size and leading padding along one axis. */
export function windowAxis(size: number, window: number, stride: number, dilation: number, padding: Padding): { out: number; before: number } {
  const span = (window - 1) * dilation + 1;
  if (padding === 'valid') return { out: Math.floor((size - span) / stride) + 1, before: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return { out, before: Math.floor(total / 2) };
}

export interface ConvRefOptions {
  strides?: Pair;
  dilation?: Pair;
  padding?: Padding;
  groups?: number;
}

/** x [n, h, w, c], filter [kh, kw, c / groups, cout], bias [cout] → [n, oh, ow, cout]. */
export function conv2dRef(x: Nd, filter: Nd, options: ConvRefOptions = {}, bias?: Nd): Nd {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [kh, kw, cg, cout] = filter.shape as [number, number, number, number];
  const [sh, sw] = options.strides ?? [1, 1];
  const [dh, dw] = options.dilation ?? [1, 1];
  const groups = options.groups ?? 1;
  if (cg * groups !== c) throw new Error(`conv2dRef: filter takes ${cg} × ${groups} channels, x has ${c}`);
  const rows = windowAxis(h, kh, sh, dh, options.padding ?? 'valid');
  const cols = windowAxis(w, kw, sw, dw, options.padding ?? 'valid');
  const perGroup = cout / groups;
  const out = new Float64Array(n * rows.out * cols.out * cout);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < rows.out; i++) {
      for (let j = 0; j < cols.out; j++) {
        for (let f = 0; f < cout; f++) {
          const g = Math.floor(f / perGroup);
          let s = bias ? bias.data[f]! : 0;
          for (let p = 0; p < kh; p++) {
            const y = i * sh + p * dh - rows.before;
            if (y < 0 || y >= h) continue;
            for (let q = 0; q < kw; q++) {
              const xx = j * sw + q * dw - cols.before;
              if (xx < 0 || xx >= w) continue;
              for (let k = 0; k < cg; k++) {
                s += x.data[((b * h + y) * w + xx) * c + g * cg + k]! * filter.data[((p * kw + q) * cg + k) * cout + f]!;
              }
            }
          }
          out[o++] = s;
        }
      }
    }
  }
  return new Nd([n, rows.out, cols.out, cout], out);
}

/** Max or average pooling over NHWC; 'same' padding takes no part in either. */
export function poolRef(x: Nd, kind: 'max' | 'avg', poolSize: Pair, strides: Pair = poolSize, padding: Padding = 'valid'): Nd {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const rows = windowAxis(h, poolSize[0], strides[0], 1, padding);
  const cols = windowAxis(w, poolSize[1], strides[1], 1, padding);
  return nd([n, rows.out, cols.out, c], (_, [b, i, j, ch]) => {
    let best = -Infinity;
    let sum = 0;
    let count = 0;
    for (let p = 0; p < poolSize[0]; p++) {
      const y = i! * strides[0] + p - rows.before;
      if (y < 0 || y >= h) continue;
      for (let q = 0; q < poolSize[1]; q++) {
        const xx = j! * strides[1] + q - cols.before;
        if (xx < 0 || xx >= w) continue;
        const v = x.data[((b! * h + y) * w + xx) * c + ch!]!;
        best = Math.max(best, v);
        sum += v;
        count++;
      }
    }
    return kind === 'max' ? best : sum / count;
  });
}

/** Per-channel (last axis) mean and biased variance over every other axis. */
export function channelStats(x: Nd): { mean: Float64Array; variance: Float64Array } {
  const c = x.shape[x.rank - 1]!;
  const count = x.size / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.size; i++) mean[i % c]! += x.data[i]! / count;
  for (let i = 0; i < x.size; i++) variance[i % c]! += (x.data[i]! - mean[i % c]!) ** 2 / count;
  return { mean, variance };
}

/** (x − mean) / sqrt(variance + ε) · gamma + beta along the last axis. */
export function batchNormRef(x: Nd, stats: { mean: ArrayLike<number>; variance: ArrayLike<number> }, gamma: ArrayLike<number>, beta: ArrayLike<number>, epsilon: number): Nd {
  const c = x.shape[x.rank - 1]!;
  return nd(x.shape, (i) => ((x.data[i]! - stats.mean[i % c]!) / Math.sqrt(stats.variance[i % c]! + epsilon)) * gamma[i % c]! + beta[i % c]!);
}

/** x [n, k] · w [k, m] + b [m]. */
export function denseRef(x: Nd, w: Nd, b: Nd): Nd {
  const [rows, k] = x.shape as [number, number];
  const m = w.shape[1]!;
  return nd([rows, m], (_, [i, j]) => {
    let s = b.data[j!]!;
    for (let p = 0; p < k; p++) s += x.data[i! * k + p]! * w.data[p * m + j!]!;
    return s;
  });
}

export const mapNd = (x: Nd, f: (v: number) => number): Nd => nd(x.shape, (i) => f(x.data[i]!));
export const reshapeNd = (x: Nd, shape: readonly number[]): Nd => new Nd([...shape], x.data);
