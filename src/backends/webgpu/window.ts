// Packs a convolution / pooling geometry into shaders/window.wgsl's Window struct.

import type { ConvGeometry, View } from '../backend.js';
import { type MatmulGeometry, matmulParams, Uniform } from './params.js';

/**
 * Words: 0..14 the geometry (ConvGeometry's order), 15 count, 16 x offset, 17 aux
 * offset, 18 out offset, 20..23 x's NHWC strides.
 */
export function windowParams(g: ConvGeometry, count: number, x: Pick<View, 'strides' | 'offset'> | undefined, auxOffset: number, outOffset: number): Uniform {
  const p = new Uniform();
  p.u32.set([g.batch, g.inH, g.inW, g.channels, g.outH, g.outW, g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.groups, count]);
  p.i32[16] = x?.offset ?? 0;
  p.u32[17] = auxOffset;
  p.u32[18] = outOffset;
  if (x) p.i32.set(x.strides.slice(0, 4), 20);
  return p;
}

/**
 * The Matmul struct (shaders/matmul.wgsl) of a convolution run as implicit GEMM: the
 * product [pixels × taps·channels]·[taps·channels × filters] with `g` (the patch matrix's
 * rows) at words 40..55 for fetch_a_conv, and the image x at a's offset.
 */
export function implicitConvParams(
  g: ConvGeometry, product: MatmulGeometry, x: Pick<View, 'strides' | 'offset'>, filterOffset: number, bias: Pick<View, 'offset' | 'strides'> | undefined,
): Uniform {
  const p = matmulParams(product, x.offset, filterOffset, bias, 0, 1);
  p.u32.set([g.inH, g.inW, g.channels, g.kernelW, g.outH, g.outW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft], 40);
  p.i32.set(x.strides.slice(0, 3), 52);
  return p;
}
