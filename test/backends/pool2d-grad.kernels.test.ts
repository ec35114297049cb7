// The max pooling gradient primitive (pool2dGrad 'max') of the cpu, wasm and webgpu
// backends, called directly, against the definition computed here: each window's dy
// goes to its first largest tap in (ky, kx) order, a NaN counting as largest. Values
// drawn from {0, 1, 2} leave ties in most windows, and NaNs sit in some. Windows that
// do not overlap (wasm finds each window's winner once and stores every tap) with
// pixels no window covers, the last rows and columns of odd images, dilation, windows
// wholly in padding, and overlapping windows (each pixel gathers its windows).

import { describe, expect, test } from 'vitest';
import type { Backend, PoolGeometry, View } from '../../src/backends/backend.js';
import { contiguousStrides, sizeOf } from '../../src/backends/strided.js';
import { Random } from '../../src/random.js';
import { startBackends } from './started.js';

const started = await startBackends('pool2dGrad', { withCpu: true });

const geometry = (g: Partial<PoolGeometry> & Pick<PoolGeometry, 'inH' | 'inW' | 'outH' | 'outW' | 'kernelH' | 'kernelW'>): PoolGeometry => ({
  batch: 2, channels: 5, strideH: g.kernelH, strideW: g.kernelW, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, groups: 1, ...g,
});

const CASES: readonly [string, PoolGeometry][] = [
  ['2x2 stride 2, 5 channels', geometry({ inH: 6, inW: 8, outH: 3, outW: 4, kernelH: 2, kernelW: 2 })],
  ['2x2 stride 2 over odd sides (last row and column in no window)', geometry({ inH: 5, inW: 7, outH: 2, outW: 3, kernelH: 2, kernelW: 2 })],
  ['2x2 stride 2, same padding (last windows half outside)', geometry({ channels: 8, inH: 5, inW: 5, outH: 3, outW: 3, kernelH: 2, kernelW: 2 })],
  ['2x2 stride 3 (gaps between windows), 3 channels', geometry({ channels: 3, inH: 8, inW: 7, outH: 3, outW: 2, kernelH: 2, kernelW: 2, strideH: 3, strideW: 3 })],
  ['2x2 dilation 2 stride 3', geometry({ inH: 6, inW: 9, outH: 2, outW: 3, kernelH: 2, kernelW: 2, strideH: 3, strideW: 3, dilationH: 2, dilationW: 2 })],
  ['2x2 stride 2, a window row wholly in padding', geometry({ channels: 4, inH: 4, inW: 4, outH: 3, outW: 2, kernelH: 2, kernelW: 2, padTop: 2 })],
  ['3x1 stride (3, 1), 9 channels', geometry({ channels: 9, inH: 7, inW: 3, outH: 2, outW: 3, kernelH: 3, kernelW: 1, strideH: 3, strideW: 1 })],
  ['3x3 stride 2, padding 1 (overlapping windows)', geometry({ inH: 5, inW: 6, outH: 3, outW: 3, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1 })],
];

/** The definition: dy of each window added to its first largest tap (NaN largest). */
function reference(g: PoolGeometry, x: Float32Array, dy: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  const C = g.channels;
  for (let b = 0; b < g.batch; b++) for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) for (let c = 0; c < C; c++) {
    let best = 0;
    let at = -1;
    for (let ky = 0; ky < g.kernelH; ky++) {
      const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
      if (iy < 0 || iy >= g.inH) continue;
      for (let kx = 0; kx < g.kernelW; kx++) {
        const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
        if (ix < 0 || ix >= g.inW) continue;
        const i = ((b * g.inH + iy) * g.inW + ix) * C + c;
        const v = x[i]!;
        if (at < 0 || (!Number.isNaN(best) && (v > best || Number.isNaN(v)))) {
          best = v;
          at = i;
        }
      }
    }
    if (at >= 0) out[at]! += dy[((b * g.outH + oy) * g.outW + ox) * C + c]!;
  }
  return out;
}

function stored(be: Backend, data: Float32Array, shape: readonly number[]): View {
  const storage = be.alloc(data.length * 4);
  be.write(storage, data);
  return { storage, dtype: 'f32', shape, strides: contiguousStrides(shape), offset: 0 };
}

for (const { name, backend } of started) {
  describe.skipIf(!backend)(`${name} max pool2dGrad against the definition`, () => {
    const be = backend!;
    for (const [label, g] of CASES) {
      test(label, async () => {
        const rng = new Random(g.inH * 31 + g.inW + g.channels);
        const xShape = [g.batch, g.inH, g.inW, g.channels];
        const x = Float32Array.from({ length: sizeOf(xShape) }, () => (rng.next() < 0.04 ? NaN : rng.int(3)));
        const dyShape = [g.batch, g.outH, g.outW, g.channels];
        // Distinct non-zero gradients, so a misplaced one cannot pass.
        const dy = Float32Array.from({ length: sizeOf(dyShape) }, (_, i) => i + 1);
        const expected = reference(g, x, dy);
        const xView = stored(be, x, xShape);
        const dyView = stored(be, dy, dyShape);
        // A marker in out shows any element left unwritten.
        const outView = stored(be, new Float32Array(x.length).fill(12345), xShape);
        be.pool2dGrad('max', xView, dyView, outView, g);
        const got = await be.read(outView);
        const wrong = [...got].map((v, i) => [i, v, expected[i]!] as const).filter(([, v, e]) => v !== e);
        expect(wrong.slice(0, 5), `${name} ${label}: ${wrong.length} wrong of ${got.length}`).toEqual([]);
        for (const v of [xView, dyView, outView]) be.free(v.storage);
      });
    }
  });
}
