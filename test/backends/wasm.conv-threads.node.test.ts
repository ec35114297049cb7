// The convolution (im2col, col2im, conv2d) and pooling kernels split across the worker pool give results
// identical to one thread, and match the cpu reference (Node only: the browser
// project's page is not cross-origin isolated, so it has no threads).
import { describe, expect, it } from 'vitest';
import type { ConvGeometry, View } from '../../src/backends/backend.js';
import type { Backend } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu.js';
import { contiguousStrides, sizeOf } from '../../src/backends/strided.js';
import { createWasmBackend } from '../../src/backends/wasm.js';
import type { WasmBackend } from '../../src/backends/wasm/backend.js';
import { Random } from '../../src/random.js';
import { expectClose } from '../helpers/compare.js';
import { sameBits } from '../helpers/kernel-pairs.js';

// Large enough that every kernel is split into parts (more than 2^16 elements of work).
const CONV: ConvGeometry = {
  batch: 8, inH: 19, inW: 17, channels: 12, outH: 10, outW: 9, kernelH: 3, kernelW: 4, strideH: 2, strideW: 2,
  dilationH: 1, dilationW: 1, padTop: 1, padLeft: 1, groups: 2,
};
const CONV2D_OUT = 352;
const POOL: ConvGeometry = { ...CONV, channels: 13, kernelW: 3, strideH: 1, strideW: 2, outH: 19, outW: 9, groups: 1 };

function run(be: Backend, x: Float32Array, dyConv: Float32Array, dyPool: Float32Array): Float32Array[] {
  const make = (data: Float32Array | number, shape: number[]): View => {
    const n = typeof data === 'number' ? data : data.length;
    const storage = be.alloc(n * 4);
    if (typeof data !== 'number') be.write(storage, data);
    return { storage, dtype: 'f32', shape, strides: contiguousStrides(shape), offset: 0 };
  };
  const read = (v: View) => be.readSync!(v) as Float32Array;
  const results: Float32Array[] = [];
  const image = (g: ConvGeometry) => [g.batch, g.inH, g.inW, g.channels];
  const m = CONV.batch * CONV.outH * CONV.outW;
  const k = CONV.kernelH * CONV.kernelW * (CONV.channels / CONV.groups);
  const xc = make(x.subarray(0, sizeOf(image(CONV))), image(CONV));
  const cols = make(CONV.groups * m * k, [CONV.groups, m, k]);
  be.im2col(xc, cols, CONV);
  results.push(read(cols));
  const dcols = make(dyConv.subarray(0, CONV.groups * m * k), [CONV.groups, m, k]);
  const dx = make(sizeOf(image(CONV)), image(CONV));
  be.col2im(dcols, dx, CONV);
  results.push(read(dx));
  // conv2d with groups 1: 2·720·144·352 flops, enough for two parts of a product.
  const g1 = { ...CONV, groups: 1 };
  const filterShape = [g1.kernelH, g1.kernelW, g1.channels, CONV2D_OUT];
  const filter = make(dyConv.subarray(0, sizeOf(filterShape)), filterShape);
  const bias = make(x.subarray(0, CONV2D_OUT), [CONV2D_OUT]);
  const y = make(m * CONV2D_OUT, [g1.batch, g1.outH, g1.outW, CONV2D_OUT]);
  be.conv2d(xc, filter, y, g1, { bias, activation: 'relu' });
  results.push(read(y));
  const xp = make(x.subarray(0, sizeOf(image(POOL))), image(POOL));
  const outShape = [POOL.batch, POOL.outH, POOL.outW, POOL.channels];
  const dy = make(dyPool.subarray(0, sizeOf(outShape)), outShape);
  for (const op of ['max', 'avg'] as const) {
    const y = make(sizeOf(outShape), outShape);
    be.pool2d(op, xp, y, POOL);
    results.push(read(y));
    const g = make(sizeOf(image(POOL)), image(POOL));
    be.pool2dGrad(op, xp, dy, g, POOL);
    results.push(read(g));
  }
  return results;
}

describe('wasm convolution kernels with threads', () => {
  it('give results identical to one thread and close to the cpu reference', async () => {
    const rng = new Random(12);
    const x = Float32Array.from({ length: 40000 }, () => rng.normal());
    const dyConv = Float32Array.from({ length: 110000 }, () => rng.normal());
    const dyPool = Float32Array.from({ length: 40000 }, () => rng.normal());
    const reference = run(new CpuBackend(), x, dyConv, dyPool);
    const backends = await Promise.all([1, 2, 3].map((threads) => createWasmBackend({ threads, flavour: 'simd' }) as Promise<WasmBackend>));
    const one = run(backends[0]!, x, dyConv, dyPool);
    one.forEach((r, i) => expectClose(r, reference[i]!, [r.length], { rel: 1e-5, abs: 1e-5 }, `result ${i} vs cpu`));
    for (const be of backends.slice(1)) {
      expect(be.threads).toBeGreaterThan(1);
      run(be, x, dyConv, dyPool).forEach((r, i) => expect(sameBits(r, one[i]!), `result ${i} with ${be.threads} threads`).toBe(true));
    }
    for (const be of backends) be.dispose();
  });
});
