// Timing for the WebGPU benchmarks: run a workload back to back until a sample
// is long enough, wait for the device, and report the median over samples.
// Each library waits for its own device (sync), so queued-but-unfinished work
// is never counted as done.

export interface Measurement {
  /** Median seconds per run. */
  readonly seconds: number;
  readonly samples: number;
  readonly runsPerSample: number;
}

export interface TimingOptions {
  /** Samples to take the median of. */
  readonly samples?: number;
  /** Runs per sample are chosen so that a sample lasts about this long. */
  readonly targetMs?: number;
  /** Never more runs per sample than this. */
  readonly maxRuns?: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function measure(run: () => void, sync: () => Promise<void>, options: TimingOptions = {}): Promise<Measurement> {
  const { samples = 5, targetMs = 200, maxRuns = 1000 } = options;
  // warm-up: compiles pipelines and fills buffer pools
  run();
  await sync();
  let t0 = performance.now();
  run();
  await sync();
  const once = performance.now() - t0;
  const runs = Math.max(1, Math.min(maxRuns, Math.round(targetMs / Math.max(once, 1e-3))));
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    t0 = performance.now();
    for (let r = 0; r < runs; r++) run();
    await sync();
    times.push((performance.now() - t0) / runs / 1000);
  }
  return { seconds: median(times), samples, runsPerSample: runs };
}

/** One workload to time; `prepare` runs before each of its samples (e.g. selecting its backend). */
export interface Contender {
  readonly label: string;
  readonly run: () => void;
  readonly sync: () => Promise<void>;
  readonly prepare?: () => Promise<void>;
}

/**
 * Times several workloads with their samples interleaved (round robin), so that a
 * drift of the device (clocks, temperature, other load) lands on all of them alike.
 */
export async function measureInterleaved(contenders: readonly Contender[], options: TimingOptions = {}): Promise<Map<string, Measurement>> {
  const { samples = 5, targetMs = 200, maxRuns = 1000 } = options;
  const runs = new Map<string, number>();
  for (const c of contenders) {
    await c.prepare?.();
    c.run();
    await c.sync();
    const t0 = performance.now();
    c.run();
    await c.sync();
    const once = performance.now() - t0;
    runs.set(c.label, Math.max(1, Math.min(maxRuns, Math.round(targetMs / Math.max(once, 1e-3)))));
  }
  const times = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  for (let s = 0; s < samples; s++) {
    for (const c of contenders) {
      await c.prepare?.();
      const n = runs.get(c.label)!;
      const t0 = performance.now();
      for (let r = 0; r < n; r++) c.run();
      await c.sync();
      times.get(c.label)!.push((performance.now() - t0) / n / 1000);
    }
  }
  return new Map(contenders.map((c) => [c.label, { seconds: median(times.get(c.label)!), samples, runsPerSample: runs.get(c.label)! }]));
}

export function gflops(flops: number, seconds: number): number {
  return flops / seconds / 1e9;
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isFinite(v) ? fixed(v) : '—') : v);
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function fixed(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  if (Math.abs(v) >= 0.01) return v.toFixed(2);
  return v.toExponential(1);
}
