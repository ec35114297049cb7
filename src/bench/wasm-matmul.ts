// f32 matmul, n×n by n×n: webgrad's wasm backend (plain and relaxed SIMD, 1 and 2
// threads) against tfjs-backend-wasm (XNNPACK, SIMD, 1 thread), interleaved in one
// process. Every contestant's product is checked against tfjs's before timing.

import type { Backend, View } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm.js';
import type { WasmBackend } from '../backends/wasm/backend.js';
import { Random } from '../random.js';
import { formatMs, formatRatio, interleave, roundRatios, summarize, type Summary, table } from './wasm-stats.js';
import { loadTfjsWasm } from './wasm-peer.js';

export interface MatmulConfig {
  readonly flavour: 'simd' | 'relaxed';
  readonly threads: number;
}

export interface MatmulResult {
  readonly n: number;
  readonly transpose: 'none' | 'a' | 'b';
  readonly name: string;
  readonly summary: Summary;
  readonly gflops: number;
  /** tfjs time / this time, round by round. */
  readonly ratio: Summary;
  readonly maxRelError: number;
}

function view(storage: ReturnType<Backend['alloc']>, shape: number[], strides: number[]): View {
  return { storage, dtype: 'f32', shape, strides, offset: 0 };
}

export async function benchMatmul(
  configs: readonly MatmulConfig[], sizes: readonly number[], rounds: number, transposes: readonly ('a' | 'b')[] = [],
): Promise<MatmulResult[]> {
  const tf = await loadTfjsWasm();
  const backends = new Map<string, WasmBackend>();
  for (const c of configs) {
    const backend = (await createWasmBackend({ flavour: c.flavour, threads: c.threads })) as WasmBackend;
    if (backend.flavour !== c.flavour || backend.threads !== c.threads) {
      throw new Error(`bench: asked for ${c.flavour} × ${c.threads} threads, got ${backend.info().description}`);
    }
    backends.set(`webgrad ${c.flavour === 'relaxed' ? 'relaxed SIMD' : 'SIMD'}, ${c.threads} thread${c.threads > 1 ? 's' : ''}`, backend);
  }
  const results: MatmulResult[] = [];
  const cases: { n: number; transpose: 'none' | 'a' | 'b' }[] = sizes.map((n) => ({ n, transpose: 'none' }));
  for (const t of transposes) for (const n of sizes) cases.push({ n, transpose: t });
  for (const { n, transpose } of cases) {
    const rng = new Random(n);
    const a = Float32Array.from({ length: n * n }, () => rng.normal());
    const b = Float32Array.from({ length: n * n }, () => rng.normal());
    // The operand given transposed is stored transposed, so both products are a·b.
    const transposed = (m: Float32Array): Float32Array => {
      const t = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = m[i * n + j]!;
      return t;
    };
    const aData = transpose === 'a' ? transposed(a) : a;
    const bData = transpose === 'b' ? transposed(b) : b;
    // Products per sample, so that a sample lasts a few milliseconds.
    const reps = Math.max(1, Math.round(4e7 / (2 * n ** 3)));
    const ta = tf.tensor2d(aData, [n, n]);
    const tb = tf.tensor2d(bData, [n, n]);
    const tfMatmul = () => tf.matMul(ta, tb, transpose === 'a', transpose === 'b');
    const reference = tfMatmul();
    const expected = reference.dataSync() as Float32Array;
    reference.dispose();
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const contestants: { name: string; sample: () => number }[] = [];
    const errors = new Map<string, number>();
    const cleanup: (() => void)[] = [() => { ta.dispose(); tb.dispose(); }];
    for (const [name, backend] of backends) {
      const sa = backend.alloc(n * n * 4);
      const sb = backend.alloc(n * n * 4);
      const so = backend.alloc(n * n * 4);
      backend.write(sa, aData);
      backend.write(sb, bData);
      const va = transpose === 'a' ? view(sa, [n, n], [1, n]) : view(sa, [n, n], [n, 1]);
      const vb = transpose === 'b' ? view(sb, [n, n], [1, n]) : view(sb, [n, n], [n, 1]);
      const vo = view(so, [n, n], [n, 1]);
      backend.matmul(va, vb, vo);
      const got = backend.readSync(vo) as Float32Array;
      let err = 0;
      for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i]! - expected[i]!) / scale);
      errors.set(name, err);
      if (!(err < 1e-4)) throw new Error(`bench: ${name} computes a wrong product at n=${n} (max error ${err} of the largest entry)`);
      contestants.push({
        name,
        sample: () => {
          const t0 = performance.now();
          for (let r = 0; r < reps; r++) backend.matmul(va, vb, vo);
          return (performance.now() - t0) / reps;
        },
      });
      cleanup.push(() => { backend.free(sa); backend.free(sb); backend.free(so); });
    }
    const tfName = 'tfjs-backend-wasm (XNNPACK SIMD), 1 thread, beside the rows above';
    contestants.push({
      name: tfName,
      sample: () => {
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) tfMatmul().dispose();
        return (performance.now() - t0) / reps;
      },
    });
    errors.set(tfName, 0);
    // Warm-up: let both engines tier up their code before timing.
    await interleave(contestants, 3);
    const times = await interleave(contestants, rounds);
    const tfTimes = times.get(tfName)!;
    for (const [name, samples] of times) {
      const summary = summarize(samples);
      results.push({ n, transpose, name, summary, gflops: (2 * n ** 3) / summary.median / 1e6, ratio: roundRatios(tfTimes, samples), maxRelError: errors.get(name)! });
    }
    for (const c of cleanup) c();
  }
  for (const backend of backends.values()) backend.dispose();
  return results;
}

export function matmulTable(unsorted: readonly MatmulResult[]): string {
  const label = (r: MatmulResult) => (r.transpose === 'none' ? `${r.n}` : r.transpose === 'a' ? `${r.n} (aᵀ·b)` : `${r.n} (a·bᵀ)`);
  // Grouped by case (stable, so each group's rows stay together, tfjs last in each).
  const order = ['none', 'a', 'b'];
  const results = [...unsorted].sort((x, y) => order.indexOf(x.transpose) - order.indexOf(y.transpose) || x.n - y.n);
  return table(
    ['n', 'implementation', 'ms, median (p10–p90)', 'GFLOP/s (median)', '× tfjs-wasm, per round: median (p10–p90)'],
    results.map((r) => [label(r), r.name, formatMs(r.summary), r.gflops.toFixed(1), r.name.startsWith('tfjs') ? '1' : formatRatio(r.ratio)]),
  );
}
