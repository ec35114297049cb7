// The conv2d primitive (a convolution's forward with bias and activation) of the cpu,
// wasm and webgpu backends, called directly, against the definition computed here in
// float64: strides, dilation, padding, windows wholly in padding, channel counts that
// are not multiples of four, output channels that leave a partial panel of eight,
// pixel counts that leave a partial tile of four, one-channel images (wasm: a tile's
// taps read as vectors along the image row), a strided image at an offset of 5
// floats and at one of 8 (webgpu: with channels in fours, an aligned image runs as
// implicit GEMM, a misaligned one through im2col), a filter at an offset, a strided
// bias, and (wasm) a filter too large for its packed-filter scratch, which falls back
// to im2col + matmul.

import { describe, test } from 'vitest';
import type { Activation, Backend, ConvGeometry, View } from '../../src/backends/backend.js';
import { contiguousStrides, sizeOf } from '../../src/backends/strided.js';
import { Random } from '../../src/random.js';
import { expectClose } from './twin.js';
import { startBackends } from './started.js';

const started = await startBackends('conv2d', { withCpu: true });

interface Case {
  readonly label: string;
  readonly g: ConvGeometry;
  readonly cout: number;
  readonly activation: ConvActivationName;
  readonly bias: boolean;
}
type ConvActivationName = Exclude<Activation, 'geluTanh'>;

const geometry = (g: Partial<ConvGeometry> & Pick<ConvGeometry, 'inH' | 'inW' | 'outH' | 'outW' | 'kernelH' | 'kernelW'>): ConvGeometry => ({
  batch: 2, channels: 8, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, groups: 1, ...g,
});

const CASES: readonly Case[] = [
  { label: '3x3 same, 8 -> 16 channels, bias + relu', g: geometry({ inH: 5, inW: 6, outH: 5, outW: 6, kernelH: 3, kernelW: 3, padTop: 1, padLeft: 1 }), cout: 16, activation: 'relu', bias: true },
  // 126 pixels by 12 filters: on webgpu a product with the narrow tile.
  { label: '3x3 same, 4 -> 12 channels over 126 pixels, bias + relu', g: geometry({ batch: 3, channels: 4, inH: 6, inW: 7, outH: 6, outW: 7, kernelH: 3, kernelW: 3, padTop: 1, padLeft: 1 }), cout: 12, activation: 'relu', bias: true },
  {
    label: '3x2, stride (1, 2), dilation 2, padding, 3 -> 10 channels, 9 pixels, sigmoid',
    g: geometry({ batch: 1, channels: 3, inH: 5, inW: 7, outH: 3, outW: 3, kernelH: 3, kernelW: 2, strideW: 2, dilationH: 2, dilationW: 2, padTop: 1, padLeft: 1 }),
    cout: 10, activation: 'sigmoid', bias: true,
  },
  // Channels in fours (webgpu: implicit GEMM where the image is aligned) with every window parameter unequal.
  {
    label: '2x3, stride (2, 1), dilation (1, 2), padding (1, 2), 4 -> 6 channels, tanh, no bias',
    g: geometry({ channels: 4, inH: 6, inW: 7, outH: 4, outW: 7, kernelH: 2, kernelW: 3, strideH: 2, dilationW: 2, padTop: 1, padLeft: 2 }),
    cout: 6, activation: 'tanh', bias: false,
  },
  // One-channel images, stride 1 along rows: wasm reads a tile's four neighbouring pixels' taps as vectors.
  { label: '3x3 same, 1 -> 8 channels over 9x10 images, bias + relu', g: geometry({ channels: 1, inH: 9, inW: 10, outH: 9, outW: 10, kernelH: 3, kernelW: 3, padTop: 1, padLeft: 1 }), cout: 8, activation: 'relu', bias: true },
  {
    label: '3x2, stride (2, 1), dilation 2, padding (2, 1), 1 -> 11 channels, linear',
    g: geometry({ channels: 1, inH: 7, inW: 11, outH: 4, outW: 11, kernelH: 3, kernelW: 2, strideH: 2, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 1 }),
    cout: 11, activation: 'linear', bias: true,
  },
  { label: '5x5 valid, 1 -> 1 channel, tanh, no bias', g: geometry({ batch: 3, channels: 1, inH: 7, inW: 6, outH: 3, outW: 2, kernelH: 5, kernelW: 5 }), cout: 1, activation: 'tanh', bias: false },
  {
    label: 'windows wholly in padding, 2x2 stride 2, 5 -> 20 channels, linear',
    g: geometry({ channels: 5, inH: 4, inW: 4, outH: 3, outW: 2, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padTop: 2 }), cout: 20, activation: 'linear', bias: true,
  },
  // 3·3·520 taps × 72 outputs (rounded to 9 panels of 8) is more than wasm's packing scratch.
  { label: '3x3 same over 520 channels -> 72 (wasm: im2col + matmul)', g: geometry({ batch: 1, channels: 520, inH: 2, inW: 3, outH: 2, outW: 3, kernelH: 3, kernelW: 3, padTop: 1, padLeft: 1 }), cout: 72, activation: 'relu', bias: true },
];

const ACTIVATE: Record<ConvActivationName, (v: number) => number> = {
  linear: (v) => v,
  relu: (v) => Math.max(v, 0),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
};

/** The definition, in float64: x [b, h, w, c] (dense here), filter [kh, kw, c, cout]. */
function reference(c: Case, x: Float32Array, filter: Float32Array, bias: Float32Array | undefined): Float32Array {
  const { g, cout } = c;
  const out = new Float32Array(g.batch * g.outH * g.outW * cout);
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let j = 0; j < cout; j++) {
          let sum = bias ? bias[j]! : 0;
          for (let ky = 0; ky < g.kernelH; ky++) {
            const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
            if (iy < 0 || iy >= g.inH) continue;
            for (let kx = 0; kx < g.kernelW; kx++) {
              const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
              if (ix < 0 || ix >= g.inW) continue;
              for (let ch = 0; ch < g.channels; ch++) {
                sum += x[((b * g.inH + iy) * g.inW + ix) * g.channels + ch]! * filter[((ky * g.kernelW + kx) * g.channels + ch) * cout + j]!;
              }
            }
          }
          out[((b * g.outH + oy) * g.outW + ox) * cout + j] = ACTIVATE[c.activation](sum);
        }
      }
    }
  }
  return out;
}

/** `data` stored after `offset` floats of filler, seen through `shape` / `strides`. */
function stored(be: Backend, data: Float32Array, length: number, shape: readonly number[], strides: readonly number[], offset: number): View {
  const storage = be.alloc((offset + length) * 4);
  const all = new Float32Array(offset + length).fill(777);
  all.set(data, offset);
  be.write(storage, all);
  return { storage, dtype: 'f32', shape, strides, offset };
}

for (const { name, backend } of started) {
  describe.skipIf(!backend)(`${name} conv2d against the definition`, () => {
    const be = backend!;
    for (const c of CASES) for (const xOffset of [5, 8]) {
      test(`${c.label}, image at offset ${xOffset}`, async () => {
        const { g, cout } = c;
        const rng = new Random(cout * 7 + g.channels);
        const values = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
        const xShape = [g.batch, g.inH, g.inW, g.channels];
        const x = values(sizeOf(xShape));
        const filter = values(g.kernelH * g.kernelW * g.channels * cout);
        const bias = c.bias ? values(cout) : undefined;
        const expected = reference(c, x, filter, bias);

        // x stored as [b, w, h, c] after xOffset floats: a strided view with an offset.
        const swapped = new Float32Array(x.length);
        for (let b = 0; b < g.batch; b++) for (let y = 0; y < g.inH; y++) for (let xx = 0; xx < g.inW; xx++) {
          for (let ch = 0; ch < g.channels; ch++) swapped[((b * g.inW + xx) * g.inH + y) * g.channels + ch] = x[((b * g.inH + y) * g.inW + xx) * g.channels + ch]!;
        }
        const s = contiguousStrides([g.batch, g.inW, g.inH, g.channels]);
        const xView = stored(be, swapped, x.length, xShape, [s[0]!, s[2]!, s[1]!, s[3]!], xOffset);
        const fShape = [g.kernelH, g.kernelW, g.channels, cout];
        const fView = stored(be, filter, filter.length, fShape, contiguousStrides(fShape), 3);
        // The bias every other float: a strided [cout] view.
        const biasView = bias ? stored(be, Float32Array.from({ length: 2 * cout }, (_, i) => (i % 2 ? -99 : bias[i >> 1]!)), 2 * cout, [cout], [2], 1) : undefined;
        const oShape = [g.batch, g.outH, g.outW, cout];
        // A marker in out shows any element left unwritten.
        const outView = stored(be, new Float32Array(expected.length).fill(12345), expected.length, oShape, contiguousStrides(oShape), 0);

        be.conv2d(xView, fView, outView, g, { ...(biasView ? { bias: biasView } : {}), activation: c.activation });
        // float32 sums of kh·kw·channels products of values in [-1, 1)
        const depth = g.kernelH * g.kernelW * g.channels;
        expectClose(await be.read(outView), expected, { rtol: 1e-5, atol: 1e-5 * Math.sqrt(depth) }, `${name} conv2d ${c.label}`);
        for (const v of [xView, fView, outView, ...(biasView ? [biasView] : [])]) be.free(v.storage);
      });
    }
  });
}
