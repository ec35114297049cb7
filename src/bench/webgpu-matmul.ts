// Matmul throughput: webgrad on WebGPU against tfjs-webgpu on the same adapter,
// and against webgrad's other backends in this build (cpu, wasm when present)
// to find the size from which WebGPU wins. Results are cross-checked.

import * as wg from '../index.js';
import type { Backend } from '../backends/backend.js';
import { activeBackend, registerBackend } from '../backends/select.js';
import { Random } from '../random.js';
import type { TfjsPeer } from './webgpu-peer.js';
import { type Contender, gflops, measure, measureInterleaved, type TimingOptions } from './webgpu-timing.js';

export interface MatmulRow {
  readonly n: number;
  /** GFLOP/s, medians. */
  readonly webgrad: number;
  readonly tfjs?: number;
  /** webgrad / tfjs. */
  readonly ratio?: number;
  /** Largest |webgrad - tfjs| relative to the largest |value|. */
  readonly tfjsDiff?: number;
  /** GFLOP/s of webgrad's other backends (same build, same process). */
  readonly others: Readonly<Record<string, number>>;
  /** GFLOP/s of webgrad on WebGPU with other matmul tiles (for tuning), by label. */
  readonly tiles: Readonly<Record<string, number>>;
}

export interface TileVariant {
  readonly label: string;
  readonly backend: Backend;
}

export interface MatmulBenchOptions extends TimingOptions {
  readonly sizes: readonly number[];
  readonly peer?: TfjsPeer;
  /** Other webgrad backends to time (by name), up to the size where one run exceeds `otherBudgetMs`. */
  readonly others?: readonly wg.BackendName[];
  readonly otherBudgetMs?: number;
  /** The WebGPU backend measured as 'webgrad', and variants of it with other tiles. */
  readonly main: Backend;
  readonly variants?: readonly TileVariant[];
  readonly log?: (line: string) => void;
}

/** Makes `backend` the instance wg.setBackend('webgpu') selects. */
async function useWebGPU(backend: Backend): Promise<void> {
  registerBackend('webgpu', async () => backend, 2);
  await wg.setBackend('webgpu');
}

function randomMatrix(n: number, seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n * n }, () => r.uniform(-1, 1));
}

const sync = async (): Promise<void> => {
  await activeBackend().sync?.();
};

export async function benchMatmul(options: MatmulBenchOptions): Promise<MatmulRow[]> {
  const { sizes, peer, others = [], otherBudgetMs = 3000, variants = [], main, log = () => {} } = options;
  const rows: MatmulRow[] = [];
  const slowOthers = new Set<string>();
  for (const n of sizes) {
    const flops = 2 * n ** 3;
    const aData = randomMatrix(n, n);
    const bData = randomMatrix(n, n + 1);

    // webgrad, each tile variant and the peer, timed with interleaved samples
    const contenders: Contender[] = [];
    const owned: wg.Tensor[] = [];
    const results = new Map<string, () => Promise<Float32Array>>();
    for (const [label, backend] of [['webgrad', main] as const, ...variants.map((v) => [`tile ${v.label}`, v.backend] as const)]) {
      await useWebGPU(backend);
      const x = wg.tensor(aData, [n, n]);
      const y = wg.tensor(bData, [n, n]);
      owned.push(x, y);
      const prepare = () => useWebGPU(backend);
      contenders.push({ label, prepare, run: () => wg.matmul(x, y).dispose(), sync });
      results.set(label, async () => {
        await prepare();
        const product = wg.matmul(x, y);
        const values = await product.data<Float32Array>();
        product.dispose();
        return values;
      });
    }
    let peerTensors: { dispose(): void }[] = [];
    if (peer) {
      const { tf } = peer;
      const ta = tf.tensor2d(aData, [n, n]);
      const tb = tf.tensor2d(bData, [n, n]);
      peerTensors = [ta, tb];
      contenders.push({ label: 'tfjs', run: () => tf.matMul(ta, tb).dispose(), sync: () => peer.sync() });
      results.set('tfjs', async () => {
        const product = tf.matMul(ta, tb);
        const values = (await product.data()) as Float32Array;
        product.dispose();
        return values;
      });
    }
    const timed = await measureInterleaved(contenders, options);
    const mineValues = await results.get('webgrad')!();
    const row: { -readonly [K in keyof MatmulRow]: MatmulRow[K] } = { n, webgrad: gflops(flops, timed.get('webgrad')!.seconds), others: {}, tiles: {} };
    const tiles: Record<string, number> = {};
    for (const variant of variants) {
      const label = `tile ${variant.label}`;
      const values = await results.get(label)!();
      if (values.some((v, i) => Math.abs(v - mineValues[i]!) > 1e-3 * Math.max(1, Math.abs(v)))) {
        throw new Error(`matmul n=${n}: tile ${variant.label} gives different results`);
      }
      tiles[variant.label] = gflops(flops, timed.get(label)!.seconds);
    }
    row.tiles = tiles;
    if (peer) {
      const theirValues = await results.get('tfjs')!();
      row.tfjs = gflops(flops, timed.get('tfjs')!.seconds);
      row.ratio = row.webgrad / row.tfjs;
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < theirValues.length; i++) {
        worst = Math.max(worst, Math.abs(theirValues[i]! - mineValues[i]!));
        scale = Math.max(scale, Math.abs(theirValues[i]!));
      }
      row.tfjsDiff = worst / scale;
      if (row.tfjsDiff > 1e-4) throw new Error(`matmul n=${n}: webgrad and tfjs disagree (max relative difference ${row.tfjsDiff})`);
    }
    for (const t of peerTensors) t.dispose();
    for (const backend of [main, ...variants.map((v) => v.backend)]) {
      await useWebGPU(backend);
      wg.dispose(owned.filter((t) => t.backend === backend));
    }
    await useWebGPU(main);

    const timings: Record<string, number> = {};
    for (const other of others) {
      if (slowOthers.has(other)) continue;
      await wg.setBackend(other);
      const x = wg.tensor(aData, [n, n]);
      const y = wg.tensor(bData, [n, n]);
      const t0 = performance.now();
      wg.matmul(x, y).dispose();
      await sync();
      if (performance.now() - t0 > otherBudgetMs) slowOthers.add(other);
      const m = await measure(() => wg.matmul(x, y).dispose(), sync, { ...options, samples: Math.min(options.samples ?? 5, 3) });
      wg.dispose([x, y]);
      timings[other] = gflops(flops, m.seconds);
    }
    row.others = timings;
    await useWebGPU(main);
    rows.push(row);
    const parts = [`n=${n}: webgrad ${row.webgrad.toFixed(2)} GFLOP/s`];
    if (row.tfjs !== undefined) parts.push(`tfjs-webgpu ${row.tfjs.toFixed(2)} (ratio ${row.ratio!.toFixed(2)}x, max rel diff ${row.tfjsDiff!.toExponential(1)})`);
    for (const [label, g] of Object.entries(tiles)) parts.push(`tile ${label} ${g.toFixed(2)}`);
    for (const [name, g] of Object.entries(timings)) parts.push(`${name} ${g.toFixed(2)}`);
    log(parts.join(', '));
  }
  return rows;
}

/** The smallest n from which WebGPU beats `other` at every measured size (undefined if never). */
export function crossover(rows: readonly MatmulRow[], other: string): number | undefined {
  const measured = rows.filter((r) => r.others[other] !== undefined);
  for (let i = 0; i < measured.length; i++) {
    if (measured.slice(i).every((r) => r.webgrad > r.others[other]!)) return measured[i]!.n;
  }
  return undefined;
}
