// The WebGPU benchmark: matmul GFLOP/s for a range of sizes and one or more
// training steps, webgrad against tfjs-webgpu on the same adapter in the same
// process, plus webgrad's other backends (cpu, wasm when present) for the
// crossover. `runWebGPUBench` is what a shared `npm run bench` runner calls;
// webgpu-cli.ts is the command line (npm run bench:webgpu, and the GPU bundle).

import * as wg from '../index.js';
import { registerBackend, registeredBackends } from '../backends/select.js';
import { createWebGPUBackend, type MatmulTile } from '../backends/webgpu.js';
import { acquireDevice } from '../backends/webgpu/device.js';
import { benchMatmul, crossover, type MatmulRow, type TileVariant } from './webgpu-matmul.js';
import { createTfjsPeer, type TfjsPeer } from './webgpu-peer.js';
import { benchTrainStep, type TrainRow } from './webgpu-train.js';
import { table, type TimingOptions } from './webgpu-timing.js';

export interface TrainShape {
  readonly widths: readonly number[];
  readonly batch: number;
}

export interface WebGPUBenchOptions extends TimingOptions {
  /** Matmul sizes n (n x n times n x n); default 64..2048 on a GPU, 64..1024 on a software adapter. */
  readonly sizes?: readonly number[];
  readonly train?: readonly TrainShape[];
  /** Compare with tfjs-webgpu (default true). */
  readonly tfjs?: boolean;
  /** Also time webgrad's other backends for the crossover (default true). */
  readonly others?: boolean;
  readonly dawnFlags?: readonly string[];
  /** Extra matmul tiles to time (webgrad only), e.g. [{ tm: 128, tn: 64, tk: 16 }]. */
  readonly tiles?: readonly MatmulTile[];
  /** A fixed tile for the main webgrad backend instead of its size-based choice (for tuning). */
  readonly mainTile?: MatmulTile;
  readonly log?: (line: string) => void;
}

export interface WebGPUBenchReport {
  readonly adapter: string;
  readonly software: boolean;
  readonly tried: readonly string[];
  readonly peer?: string;
  readonly matmul: readonly MatmulRow[];
  readonly train: readonly TrainRow[];
  /** Per other backend: the n from which WebGPU is faster at every larger measured n. */
  readonly crossover: Readonly<Record<string, number | undefined>>;
  readonly markdown: string;
}

export const DEFAULT_TRAIN: readonly TrainShape[] = [{ widths: [784, 256, 256, 10], batch: 128 }];

export async function runWebGPUBench(options: WebGPUBenchOptions = {}): Promise<WebGPUBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const acquired = await acquireDevice({ ...(options.dawnFlags ? { dawnFlags: options.dawnFlags } : {}) });
  log(`adapter search: ${acquired.tried.join('; ')}`);
  const backend = await createWebGPUBackend({ device: acquired.device, adapter: acquired.adapter, found: acquired, ...(options.mainTile ? { matmulTile: options.mainTile } : {}) });
  const info = backend.info();
  const software = info.details?.['software'] === true;
  log(`webgrad: ${info.description}`);
  // Use this instance (on the device just found) for wg.setBackend('webgpu').
  registerBackend('webgpu', async () => backend, 2);
  await wg.setBackend('webgpu');

  let peer: TfjsPeer | undefined;
  if (options.tfjs !== false) {
    try {
      peer = await createTfjsPeer(acquired.gpu, acquired.adapterOptions);
      log(`peer: ${peer.description}`);
    } catch (error) {
      log(`peer: tfjs-webgpu could not start (${error instanceof Error ? error.message : String(error)}); measuring webgrad alone`);
    }
  }
  const sizes = options.sizes ?? (software ? [64, 128, 256, 512, 1024] : [64, 128, 256, 512, 1024, 2048]);
  const others = options.others === false ? [] : registeredBackends().filter((n) => n !== 'webgpu');
  const variants: TileVariant[] = [];
  for (const tile of options.tiles ?? []) {
    const label = `${tile.tm}x${tile.tn}x${tile.tk}${tile.per ? `/${tile.per}` : ''}`;
    try {
      variants.push({ label, backend: await createWebGPUBackend({ device: acquired.device, adapter: acquired.adapter, found: acquired, matmulTile: tile }) });
    } catch (error) {
      log(`tile ${label} skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const matmul = await benchMatmul({ ...options, sizes, others, log, main: backend, variants, ...(peer ? { peer } : {}) });
  const train: TrainRow[] = [];
  for (const shape of options.train ?? DEFAULT_TRAIN) {
    train.push(await benchTrainStep({ ...options, ...shape, log, ...(peer ? { peer } : {}) }));
  }
  peer?.dispose();
  const crossovers: Record<string, number | undefined> = {};
  for (const other of others) crossovers[other] = crossover(matmul, other);
  const markdown = report(info.description, acquired.tried, peer?.description, matmul, train, crossovers);
  return { adapter: info.description, software, tried: acquired.tried, ...(peer ? { peer: peer.description } : {}), matmul, train, crossover: crossovers, markdown };
}

function report(
  adapter: string, tried: readonly string[], peer: string | undefined, matmul: readonly MatmulRow[], train: readonly TrainRow[],
  crossovers: Readonly<Record<string, number | undefined>>,
): string {
  const others = [...new Set(matmul.flatMap((r) => Object.keys(r.others)))];
  const tiles = [...new Set(matmul.flatMap((r) => Object.keys(r.tiles)))];
  const lines = [`Adapter: ${adapter}`, `Adapter search: ${tried.join('; ')}`];
  if (peer) lines.push(`Peer: ${peer}, same adapter, same process`);
  lines.push('', 'Matmul n×n · n×n, GFLOP/s (median):', '');
  lines.push(
    table(
      ['n', 'webgrad webgpu', ...(peer ? ['tfjs-webgpu', 'ratio', 'max rel. diff'] : []), ...tiles.map((t) => `tile ${t}`), ...others.map((o) => `webgrad ${o}`)],
      matmul.map((r) => [
        r.n, r.webgrad,
        ...(peer ? [r.tfjs ?? NaN, r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '—', r.tfjsDiff !== undefined ? r.tfjsDiff.toExponential(1) : '—'] : []),
        ...tiles.map((t) => r.tiles[t] ?? NaN),
        ...others.map((o) => r.others[o] ?? NaN),
      ]),
    ),
  );
  for (const [other, n] of Object.entries(crossovers)) {
    lines.push('', n === undefined ? `WebGPU does not beat ${other} at the measured sizes.` : `WebGPU beats ${other} from n = ${n} on (every measured size from there).`);
  }
  if (train.length) {
    lines.push('', 'Training step (forward, backward, Adam update), ms per step (median):', '');
    lines.push(
      table(
        ['model', 'batch', 'webgrad ms', 'webgrad GFLOP/s', ...(peer ? ['tfjs-webgpu ms', 'speed-up'] : []), 'first losses'],
        train.map((t) => [
          t.model, t.batch, t.webgradMs, t.webgradGflops,
          ...(peer ? [t.tfjsMs ?? NaN, t.ratio !== undefined ? `${t.ratio.toFixed(2)}×` : '—'] : []),
          t.losses.webgrad.map((l) => l.toFixed(4)).join(', ') + (t.losses.tfjs ? ' (tfjs agrees to 1e-3)' : ''),
        ]),
      ),
    );
  }
  return lines.join('\n');
}
