// The worker pool gives results identical to one thread (Node: worker_threads; the
// browser project's page is not cross-origin isolated, so it has no threads).
import { describe, expect, it } from 'vitest';
import type { DType, View } from '../../src/backends/backend.js';
import { contiguousStrides } from '../../src/backends/strided.js';
import { createWasmBackend } from '../../src/backends/wasm.js';
import type { WasmBackend } from '../../src/backends/wasm/backend.js';
import { Random } from '../../src/random.js';
import { sameBits } from '../helpers/kernel-pairs.js';

describe('wasm threads', () => {
  it('give results identical to one thread', async () => {
    const one = (await createWasmBackend({ threads: 1, flavour: 'simd' })) as WasmBackend;
    const two = (await createWasmBackend({ threads: 2, flavour: 'simd' })) as WasmBackend;
    const three = (await createWasmBackend({ threads: 3, flavour: 'simd' })) as WasmBackend;
    expect(two.threads).toBe(2);
    expect(two.info().description).toMatch(/2 threads/);
    const rng = new Random(800);
    // Large enough that every job below is split (matmul: 2^23 flops per thread; memory-bound elementwise: 2^18 elements).
    const big = Float32Array.from({ length: 1100 * 2048 }, () => rng.normal());
    const idx = Int32Array.from({ length: 700 }, () => rng.int(300));
    const run = (be: WasmBackend): (Float32Array | Int32Array)[] => {
      const view = (s: ReturnType<WasmBackend['alloc']>, shape: number[], strides = contiguousStrides(shape), dtype: DType = 'f32'): View => ({ storage: s, dtype, shape, strides, offset: 0 });
      const x = be.alloc(big.length * 4);
      be.write(x, big);
      const results: (Float32Array | Int32Array)[] = [];
      // matmul split by rows, by columns, by batches; with bias and activation. The
      // first two have B in one block (k <= 512, n <= 512): packed once for all threads,
      // then rows in several parts a thread.
      for (const [m, k, n, batch] of [[400, 300, 290, 1], [130, 512, 203, 1], [400, 517, 290, 1], [24, 2048, 1100, 1], [130, 517, 200, 4]] as [number, number, number, number][]) {
        const out = be.alloc(batch * m * n * 4);
        const bias = be.alloc(n * 4);
        be.write(bias, big.subarray(0, n));
        be.matmul(
          { ...view(x, [batch, m, k], [0, k, 1]) },
          { ...view(x, [batch, k, n], [m, 1, k]) },
          view(out, [batch, m, n]),
          { bias: view(bias, [n]), activation: 'sigmoid' },
        );
        results.push(be.readSync(view(out, [batch * m * n])));
      }
      // B in one block, read by rows (no transpose), no epilogue.
      const plain = be.alloc(500 * 250 * 4);
      be.matmul(view(x, [500, 384]), view(x, [384, 250], [250, 1]), view(plain, [500, 250]));
      results.push(be.readSync(view(plain, [500 * 250])));
      // elementwise (strided), reductions in both loop orders, gather, an optimizer step
      const y = be.alloc(big.length * 4);
      be.binary('mul', view(x, [1100, 2048], [1, 1100]), view(x, [1100, 2048], [2048, 1]), view(y, [1100, 2048]));
      results.push(be.readSync(view(y, [big.length])));
      be.unary('tanh', view(x, [big.length]), view(y, [big.length]));
      results.push(be.readSync(view(y, [big.length])));
      const r = be.alloc(517 * 4);
      be.reduce('sum', view(x, [300, 517]), [0], view(r, [517]));
      results.push(be.readSync(view(r, [517])));
      be.reduce('max', view(x, [517, 300]), [1], view(r, [517]));
      results.push(be.readSync(view(r, [517])));
      const i = be.alloc(idx.length * 4);
      be.write(i, idx);
      const g = be.alloc(700 * 517 * 4);
      be.gather(view(x, [300, 517]), view(i, [700], [1], 'i32'), 0, view(g, [700, 517]));
      results.push(be.readSync(view(g, [700 * 517])));
      const m1 = be.alloc(big.length * 4);
      const m2 = be.alloc(big.length * 4);
      be.fill(view(m1, [big.length]), 0);
      be.fill(view(m2, [big.length]), 0);
      be.step('adam', view(y, [big.length]), view(x, [big.length]), [view(m1, [big.length]), view(m2, [big.length])], [0.01, 0, 0.9, 0.999, 1e-8, 0.1, 0.001]);
      results.push(be.readSync(view(y, [big.length])));
      return results;
    };
    const base = run(one);
    for (const be of [two, three]) {
      const got = run(be);
      got.forEach((r, i) => expect(sameBits(r, base[i]!), `result ${i} with ${be.threads} threads`).toBe(true));
    }
    for (const be of [one, two, three]) be.dispose();
  });

  it('give attention and its gradient identical to one thread (blocks of rows split, dropout, a mask)', async () => {
    const backends = await Promise.all([1, 2, 3].map(async (threads) => (await createWasmBackend({ threads, flavour: 'simd' })) as WasmBackend));
    const rng = new Random(801);
    // 39 query rows: the last block of four is partial; dv 13 is not a multiple of four.
    const [batch, lq, lk, d, dv] = [6, 39, 45, 20, 13];
    const data = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const inputs = { q: data(batch * lq * d), k: data(batch * lk * d), v: data(batch * lk * dv), dout: data(batch * lq * dv) };
    const mask = Int32Array.from({ length: lq * lk }, () => (rng.uniform(0, 1) < 0.8 ? 1 : 0));
    const run = (be: WasmBackend, causal: boolean, dropout: number): Float32Array[] => {
      const put = (values: Float32Array | Int32Array, shape: number[], dtype: DType = 'f32'): View => {
        const s = be.alloc(Math.max(values.length, 1) * 4);
        be.write(s, values);
        return { storage: s, dtype, shape, strides: contiguousStrides(shape), offset: 0 };
      };
      const blank = (shape: number[]): View => put(new Float32Array(shape.reduce((p, x) => p * x, 1)), shape);
      const q = put(inputs.q, [batch, lq, d]);
      const k = put(inputs.k, [batch, lk, d]);
      const v = put(inputs.v, [batch, lk, dv]);
      const m: View = { ...put(mask, [lq, lk], 'i32'), shape: [batch, lq, lk], strides: [0, lk, 1] };
      const out = blank([batch, lq, dv]);
      const lse = blank([batch, lq]);
      const params = { causal, scale: 0.3, dropout, seed: 77 };
      be.attention(q, k, v, causal ? undefined : m, out, lse, params);
      const [dq, dk, dvv] = [blank([batch, lq, d]), blank([batch, lk, d]), blank([batch, lk, dv])];
      be.attentionGrad(q, k, v, causal ? undefined : m, out, lse, put(inputs.dout, [batch, lq, dv]), dq, dk, dvv, params);
      return [out, lse, dq, dk, dvv].map((x) => be.readSync(x) as Float32Array);
    };
    for (const [causal, dropout] of [[true, 0], [false, 0.25]] as [boolean, number][]) {
      const base = run(backends[0]!, causal, dropout);
      expect(base[0]!.some((x) => x !== 0)).toBe(true);
      for (const be of backends.slice(1)) {
        run(be, causal, dropout).forEach((r, i) => expect(sameBits(r, base[i]!), `result ${i} with ${be.threads} threads, causal ${causal}`).toBe(true));
      }
    }
    for (const be of backends) be.dispose();
  });
});
