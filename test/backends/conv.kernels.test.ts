// The convolution and pooling primitives (im2col, col2im, pool2d, pool2dGrad) of the
// wasm and webgpu backends against the cpu reference, called directly: x as a
// strided view with an offset (H and W stored swapped), cols and dy at an offset,
// NaN and ties in max pooling, groups, dilation, strides and padding, one-channel images.

import { describe, test } from 'vitest';
import type { Backend, ConvGeometry } from '../../src/backends/backend.js';
import { contiguousStrides, sizeOf } from '../../src/backends/strided.js';
import { type TwinView, Twins } from './twin.js';
import { startBackends } from './started.js';

const started = await startBackends('convolution kernels', { withCpu: false });

const geometry = (g: Partial<ConvGeometry> & Pick<ConvGeometry, 'inH' | 'inW' | 'outH' | 'outW' | 'kernelH' | 'kernelW'>): ConvGeometry => ({
  batch: 2, channels: 6, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, groups: 1, ...g,
});

const GEOMETRIES: readonly [string, ConvGeometry][] = [
  ['3x3 same', geometry({ inH: 5, inW: 6, outH: 5, outW: 6, kernelH: 3, kernelW: 3, padTop: 1, padLeft: 1 })],
  ['2x2 stride 2, groups 2', geometry({ inH: 7, inW: 5, outH: 4, outW: 3, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, groups: 2 })],
  ['3x2 dilation 2, stride (1, 2), padding', geometry({ inH: 6, inW: 7, outH: 4, outW: 4, kernelH: 3, kernelW: 2, strideW: 2, dilationH: 2, dilationW: 2, padTop: 1, padLeft: 1, channels: 5 })],
  ['depthwise 3x3 stride 2', geometry({ inH: 6, inW: 6, outH: 3, outW: 3, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padLeft: 1, groups: 6 })],
  // The first row of windows lies wholly in padding: -infinity (max), NaN (avg), zeros (im2col).
  ['windows wholly in padding', geometry({ inH: 4, inW: 4, outH: 3, outW: 2, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padTop: 2 })],
  // One-channel images (wasm's im2col has a loop of its own for them).
  ['one channel, 3x3 same', geometry({ channels: 1, inH: 5, inW: 6, outH: 5, outW: 6, kernelH: 3, kernelW: 3, padTop: 1, padLeft: 1 })],
  ['one channel, 3x2 dilation 2, stride (2, 1), padding', geometry({ channels: 1, inH: 7, inW: 6, outH: 3, outW: 6, kernelH: 3, kernelW: 2, strideH: 2, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 1 })],
];

/** x [b, h, w, c] stored as [b, w, h, c] after 5 elements of filler: strided, with an offset. */
function image(t: Twins, g: ConvGeometry, withNaN: boolean): TwinView {
  const stored = [g.batch, g.inW, g.inH, g.channels];
  const values = t.values(5 + sizeOf(stored));
  // a tie (pixels (0,0) and (1,0) of channel 0 hold one value) and a NaN, for max pooling's argmax rule
  values[5 + g.channels] = values[5]!;
  if (withNaN) values[20] = NaN;
  const s = contiguousStrides(stored);
  return t.view(t.tensor(values), [g.batch, g.inH, g.inW, g.channels], [s[0]!, s[2]!, s[1]!, s[3]!], 5);
}

/** A contiguous operand of `shape` after 3 elements of filler. */
function atOffset(t: Twins, shape: readonly number[]): TwinView {
  return t.view(t.tensor(t.values(3 + sizeOf(shape))), shape, contiguousStrides(shape), 3);
}

for (const { name, backend } of started) {
  describe.skipIf(!backend)(`${name} convolution kernels match the cpu backend`, () => {
    const t = new Twins(backend!, 31);
    // Channels in aligned fours take WebGPU's vec4 im2col (x contiguous from a multiple
    // of 4); the strided images above take the scalar one.
    test('im2col of channels in aligned fours: 8 channels, groups 1 and 2, padding and strides, x at offsets 0 and 4', async () => {
      const aligned: ConvGeometry[] = [
        geometry({ channels: 8, inH: 5, inW: 6, outH: 5, outW: 6, kernelH: 3, kernelW: 3, padTop: 1, padLeft: 1 }),
        geometry({ channels: 8, groups: 2, inH: 7, inW: 5, outH: 4, outW: 2, kernelH: 2, kernelW: 3, strideH: 2, strideW: 2, padTop: 1 }),
      ];
      for (const g of aligned) {
        for (const offset of [0, 4]) {
          const shape = [g.batch, g.inH, g.inW, g.channels];
          const x = t.view(t.tensor(t.values(offset + sizeOf(shape))), shape, contiguousStrides(shape), offset);
          const cols = [g.groups, g.batch * g.outH * g.outW, g.kernelH * g.kernelW * (g.channels / g.groups)];
          const out = t.output(cols);
          t.run((be, side) => be.im2col(x[side], out[side], g));
          await t.expectSame(out, {}, `im2col groups ${g.groups} with x at offset ${offset}`);
        }
      }
    });

    for (const [label, g] of GEOMETRIES) {
      const m = g.batch * g.outH * g.outW;
      const k = g.kernelH * g.kernelW * (g.channels / g.groups);
      const inShape = [g.batch, g.inH, g.inW, g.channels];
      const outShape = [g.batch, g.outH, g.outW, g.channels];
      test(`im2col, ${label}`, async () => {
        const x = image(t, g, false);
        const out = t.output([g.groups, m, k]);
        t.run((be, side) => be.im2col(x[side], out[side], g));
        await t.expectSame(out, {}, 'im2col');
      });
      test(`col2im, ${label}`, async () => {
        const cols = atOffset(t, [g.groups, m, k]);
        const out = t.output(inShape);
        t.run((be, side) => be.col2im(cols[side], out[side], g));
        await t.expectSame(out, { rtol: 1e-5, atol: 1e-6 }, 'col2im');
      });
      for (const op of ['max', 'avg'] as const) {
        const pool = { ...g, groups: 1 };
        test(`pool2d ${op} and its gradient, ${label}`, async () => {
          const x = image(t, pool, op === 'max');
          const y = t.output(outShape);
          t.run((be, side) => be.pool2d(op, x[side], y[side], pool));
          await t.expectSame(y, { rtol: 1e-6, atol: 1e-7 }, `pool2d ${op}`);
          const dy = atOffset(t, outShape);
          const dx = t.output(inShape);
          t.run((be, side) => be.pool2dGrad(op, x[side], dy[side], dx[side], pool));
          await t.expectSame(dx, { rtol: 1e-5, atol: 1e-6 }, `pool2dGrad ${op}`);
        });
      }
    }
  });
}
