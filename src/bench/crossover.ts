// Crossover sizes: from which size a challenger (WebGPU) beats an incumbent (WASM) for
// an op, and stays ahead at every larger size measured.

import type { BenchReport, Crossover } from './report.js';
import { checkReport, seriesOf, workloadsOf } from './report.js';

/**
 * The smallest size from which `challenger` is faster (higher GFLOP/s) than
 * `incumbent` at that size and every larger one where the incumbent was measured.
 * A size the challenger has no figure for counts as a loss (it was skipped as too
 * slow, or failed). Undefined when the challenger is not ahead at the largest size.
 */
export function crossoverSize(
  challenger: ReadonlyMap<number, number>, incumbent: ReadonlyMap<number, number>,
): number | undefined {
  const sizes = [...incumbent.keys()].sort((a, b) => a - b);
  let from: number | undefined;
  for (let i = sizes.length - 1; i >= 0; i--) {
    const size = sizes[i]!;
    const mine = challenger.get(size);
    if (mine === undefined || !(mine > incumbent.get(size)!)) break;
    from = size;
  }
  return from;
}

/** Per size, the best GFLOP/s of the given contenders (e.g. wasm on 1 thread and on all cores). */
export function bestOf(report: Pick<BenchReport, 'workloads' | 'results'>, group: string, contenders: readonly string[]): Map<number, number> {
  const best = new Map<number, number>();
  for (const id of contenders) {
    for (const [size, g] of seriesOf(report, group, id)) best.set(size, Math.max(best.get(size) ?? 0, g));
  }
  return best;
}

/**
 * For every group: from which size webgrad's WebGPU backend beats its WASM backend
 * (the faster of the thread counts measured). Empty when either is missing.
 */
export function findCrossovers(report: Pick<BenchReport, 'workloads' | 'results' | 'contenders' | 'groups'>): Crossover[] {
  checkReport('findCrossovers', report, ['workloads', 'results', 'contenders', 'groups']);
  const own = report.contenders.filter((c) => c.kind === 'webgrad');
  const gpu = own.find((c) => c.id === 'webgpu');
  const wasm = own.filter((c) => c.family === 'wasm').map((c) => c.id);
  if (!gpu || wasm.length === 0) return [];
  const out: Crossover[] = [];
  for (const group of report.groups) {
    // a model workload has one configuration: nothing to cross over
    if (group.unit) continue;
    const incumbent = bestOf(report, group.id, wasm);
    if (incumbent.size === 0) continue;
    const challenger = new Map(seriesOf(report, group.id, gpu.id));
    const size = crossoverSize(challenger, incumbent);
    const compared = [...incumbent.keys()].sort((a, b) => a - b);
    const all = workloadsOf(report, group.id).map((w) => w.size);
    const x = group.xLabel;
    const note = size === undefined
      ? `WebGPU does not beat WASM at any measured ${x} (${compared.join(', ')})`
      : size === compared[0]
        ? `WebGPU beats WASM at every measured ${x} (from ${size})`
        : `WebGPU beats WASM from ${x} = ${size} on`;
    out.push({ group: group.id, challenger: gpu.id, incumbent: wasm.join('|'), ...(size !== undefined ? { size } : {}), compared: compared.length ? compared : all, note });
  }
  return out;
}
