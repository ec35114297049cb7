// The reference convolution and pooling primitives (im2col, col2im, pool,
// poolGrad) for the cpu backend: plain loops over the window geometry, float64
// sums rounded to float32 on store, written to read like the contract in
// backend.ts rather than to be fast.

import type { ConvGeometry, PoolGeometry, PoolOp } from './backend.js';

/** Elements of a 4-D NHWC view: the array and the element offset of [b, y, x, c]. */
export interface Image {
  readonly data: Float32Array;
  readonly strides: readonly number[];
  readonly offset: number;
}

function at(img: Image, b: number, y: number, x: number, c: number): number {
  const s = img.strides;
  return img.data[img.offset + b * s[0]! + y * s[1]! + x * s[2]! + c * s[3]!]!;
}

/** The input row / column of tap k of window o along one side, or -1 in padding. */
function tap(o: number, k: number, stride: number, dilation: number, pad: number, size: number): number {
  const i = o * stride - pad + k * dilation;
  return i >= 0 && i < size ? i : -1;
}

export function im2col(x: Image, out: Float32Array, g: ConvGeometry): void {
  const cg = g.channels / g.groups;
  const rows = g.batch * g.outH * g.outW;
  const cols = g.kernelH * g.kernelW * cg;
  for (let grp = 0; grp < g.groups; grp++) {
    for (let b = 0; b < g.batch; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        for (let ox = 0; ox < g.outW; ox++) {
          const row = (b * g.outH + oy) * g.outW + ox;
          let w = (grp * rows + row) * cols;
          for (let ky = 0; ky < g.kernelH; ky++) {
            const iy = tap(oy, ky, g.strideH, g.dilationH, g.padTop, g.inH);
            for (let kx = 0; kx < g.kernelW; kx++) {
              const ix = tap(ox, kx, g.strideW, g.dilationW, g.padLeft, g.inW);
              for (let c = 0; c < cg; c++) out[w++] = iy < 0 || ix < 0 ? 0 : at(x, b, iy, ix, grp * cg + c);
            }
          }
        }
      }
    }
  }
}

/**
 * The windows along one side whose tap k covers input position i: o with
 * o·stride − pad + k·dilation = i, in increasing o (at most one per tap).
 */
function windowOf(i: number, k: number, stride: number, dilation: number, pad: number, outSize: number): number {
  const t = i + pad - k * dilation;
  if (t < 0 || t % stride !== 0) return -1;
  const o = t / stride;
  return o < outSize ? o : -1;
}

export function col2im(cols: Float32Array, colsOffset: number, out: Float32Array, g: ConvGeometry): void {
  const cg = g.channels / g.groups;
  const rows = g.batch * g.outH * g.outW;
  const width = g.kernelH * g.kernelW * cg;
  let w = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let iy = 0; iy < g.inH; iy++) {
      for (let ix = 0; ix < g.inW; ix++) {
        for (let c = 0; c < g.channels; c++) {
          const grp = Math.floor(c / cg);
          const cc = c - grp * cg;
          let sum = 0;
          // Every (window, tap) pair that read this pixel, in (oy, ox, ky, kx) order.
          for (let ky = g.kernelH - 1; ky >= 0; ky--) {
            const oy = windowOf(iy, ky, g.strideH, g.dilationH, g.padTop, g.outH);
            if (oy < 0) continue;
            for (let kx = g.kernelW - 1; kx >= 0; kx--) {
              const ox = windowOf(ix, kx, g.strideW, g.dilationW, g.padLeft, g.outW);
              if (ox < 0) continue;
              const row = (b * g.outH + oy) * g.outW + ox;
              sum += cols[colsOffset + (grp * rows + row) * width + (ky * g.kernelW + kx) * cg + cc]!;
            }
          }
          out[w++] = sum;
        }
      }
    }
  }
}

/** Walks the taps of window (b, oy, ox) of channel c that lie inside the image. */
function forTaps(g: PoolGeometry, oy: number, ox: number, visit: (iy: number, ix: number) => void): void {
  for (let ky = 0; ky < g.kernelH; ky++) {
    const iy = tap(oy, ky, g.strideH, g.dilationH, g.padTop, g.inH);
    if (iy < 0) continue;
    for (let kx = 0; kx < g.kernelW; kx++) {
      const ix = tap(ox, kx, g.strideW, g.dilationW, g.padLeft, g.inW);
      if (ix >= 0) visit(iy, ix);
    }
  }
}

/** The window's result, and for max the input pixel (iy·inW + ix) that gives it (first largest; NaN counts as largest). */
function poolWindow(op: PoolOp, x: Image, g: PoolGeometry, b: number, oy: number, ox: number, c: number): { value: number; argmax: number; count: number } {
  let best = -Infinity;
  let argmax = -1;
  let sum = 0;
  let count = 0;
  forTaps(g, oy, ox, (iy, ix) => {
    const v = at(x, b, iy, ix, c);
    count++;
    sum += v;
    if (argmax < 0 || (!Number.isNaN(best) && (v > best || Number.isNaN(v)))) {
      best = v;
      argmax = iy * g.inW + ix;
    }
  });
  return { value: op === 'max' ? best : sum / count, argmax, count };
}

export function pool(op: PoolOp, x: Image, out: Float32Array, g: PoolGeometry): void {
  let w = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let c = 0; c < g.channels; c++) out[w++] = poolWindow(op, x, g, b, oy, ox, c).value;
      }
    }
  }
}

export function poolGrad(op: PoolOp, x: Image, dy: Float32Array, dyOffset: number, out: Float32Array, g: PoolGeometry): void {
  let w = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let iy = 0; iy < g.inH; iy++) {
      for (let ix = 0; ix < g.inW; ix++) {
        for (let c = 0; c < g.channels; c++) {
          let sum = 0;
          // Every window with a tap on this pixel, in (oy, ox) order.
          for (let oy = 0; oy < g.outH; oy++) {
            if (!covers(iy, oy, g.kernelH, g.strideH, g.dilationH, g.padTop)) continue;
            for (let ox = 0; ox < g.outW; ox++) {
              if (!covers(ix, ox, g.kernelW, g.strideW, g.dilationW, g.padLeft)) continue;
              const grad = dy[dyOffset + ((b * g.outH + oy) * g.outW + ox) * g.channels + c]!;
              const win = poolWindow(op, x, g, b, oy, ox, c);
              if (op === 'avg') sum += grad / win.count;
              else if (win.argmax === iy * g.inW + ix) sum += grad;
            }
          }
          out[w++] = sum;
        }
      }
    }
  }
}

/** True when some tap of window o (along one side) lands on input position i. */
function covers(i: number, o: number, k: number, stride: number, dilation: number, pad: number): boolean {
  const t = i + pad - o * stride;
  return t >= 0 && t % dilation === 0 && t / dilation < k;
}
