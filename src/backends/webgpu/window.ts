// Packs a convolution / pooling geometry into shaders/window.wgsl's Window struct.

import type { ConvGeometry, View } from '../backend.js';
import { Uniform } from './params.js';

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
