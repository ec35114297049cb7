// The one timing module of the benchmarks: warm-up, a calibrated number of runs per
// sample, samples interleaved across contenders (round robin, in a rotating order, so
// a drift of the machine lands on all of them alike), and the median with its spread.
// Each contender waits for its own device (`sync`), so queued-but-unfinished work is
// never counted as done.

/** A median with its spread. */
export interface Summary {
  readonly median: number;
  /** 10th and 90th percentiles (linear interpolation between samples). */
  readonly p10: number;
  readonly p90: number;
  readonly samples: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9), samples: sorted.length };
}

export function median(values: readonly number[]): number {
  return summarize(values).median;
}

/**
 * How much faster `ours` is than `theirs`, round by round: samples of the same round
 * ran milliseconds apart, so load from other processes hits both alike, and the median
 * of these ratios is steadier than a ratio of medians on a busy machine.
 */
export function roundRatios(theirs: readonly number[], ours: readonly number[]): Summary {
  const n = Math.min(theirs.length, ours.length);
  return summarize(Array.from({ length: n }, (_, i) => theirs[i]! / ours[i]!));
}

/** One workload to time. */
export interface Contender {
  readonly label: string;
  /** Runs before each of its samples (e.g. makes its backend the active one). */
  readonly prepare?: () => void | Promise<void>;
  /** Queues or does one run; a returned promise is awaited. */
  readonly run: () => void | Promise<void>;
  /** Resolves when everything `run` queued has finished. */
  readonly sync: () => void | Promise<void>;
  /** Runs per sample, when already known (skips the calibration run). */
  readonly runsPerSample?: number;
}

export interface TimingOptions {
  /** Samples per contender (default 7). */
  readonly samples?: number;
  /** A sample lasts about this long: runs per sample = targetMs / one run (default 100). */
  readonly targetMs?: number;
  /** Never more runs per sample than this (default 10000). */
  readonly maxRuns?: number;
  /** Skip the warm-up run (the caller warmed up already). */
  readonly warm?: boolean;
}

export interface Measurement {
  /** Seconds per run, one value per sample, in round order. */
  readonly times: readonly number[];
  /** Of `times`. */
  readonly perRun: Summary;
  readonly runsPerSample: number;
}

async function once(c: Contender): Promise<number> {
  const t0 = performance.now();
  const r = c.run();
  if (r) await r;
  const s = c.sync();
  if (s) await s;
  return performance.now() - t0;
}

/**
 * Shortest stretch a calibration times: browsers coarsen performance.now() (100 µs
 * outside cross-origin isolation, with jitter), so a single fast run would read as 0.
 */
const CALIBRATION_MS = 5;
const MAX_CALIBRATION_RUNS = 1 << 16;

async function timed(c: Contender, runs: number): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < runs; r++) {
    const p = c.run();
    if (p) await p;
  }
  const s = c.sync();
  if (s) await s;
  return performance.now() - t0;
}

/**
 * Milliseconds of one run after a warm-up run (which compiles kernels and fills
 * pools): runs are doubled until they last long enough to read on a coarse clock.
 */
export async function calibrate(c: Contender, warm = false): Promise<number> {
  await c.prepare?.();
  if (!warm) await once(c);
  for (let runs = 1; ; runs *= 2) {
    const ms = await timed(c, runs);
    if (runs >= MAX_CALIBRATION_RUNS) return Math.max(ms, 1e-6) / runs;
    if (ms < CALIBRATION_MS) continue;
    // once more: one slow stretch (a collection, a late compile) must not set the pace
    const again = await timed(c, runs);
    if (again >= CALIBRATION_MS / 2) return Math.min(ms, again) / runs;
  }
}

export function runsFor(onceMs: number, targetMs: number, maxRuns: number): number {
  return Math.max(1, Math.min(maxRuns, Math.round(targetMs / Math.max(onceMs, 1e-3))));
}

/**
 * Times several workloads with their samples interleaved: in round r every contender
 * takes one sample, starting from contender r (mod count).
 */
export async function measureInterleaved(contenders: readonly Contender[], options: TimingOptions = {}): Promise<Map<string, Measurement>> {
  const { samples = 7, targetMs = 100, maxRuns = 10_000, warm = false } = options;
  const runs = new Map<string, number>();
  for (const c of contenders) runs.set(c.label, c.runsPerSample ?? runsFor(await calibrate(c, warm), targetMs, maxRuns));
  const times = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + s) % contenders.length]!;
      await c.prepare?.();
      const n = runs.get(c.label)!;
      times.get(c.label)!.push(await timed(c, n) / n / 1000);
    }
  }
  return new Map(contenders.map((c) => {
    const t = times.get(c.label)!;
    return [c.label, { times: t, perRun: summarize(t), runsPerSample: runs.get(c.label)! }];
  }));
}

/** One contender alone. */
export async function measure(contender: Contender, options: TimingOptions = {}): Promise<Measurement> {
  return (await measureInterleaved([contender], options)).get(contender.label)!;
}

export function gflops(flops: number, seconds: number): number {
  return flops / seconds / 1e9;
}
