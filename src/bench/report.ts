// The report model: what a benchmark run found, as plain data (JSON as it is). The
// terminal table, the markdown section, the SVG chart, the crossover sizes and the
// demo page all read this one shape.

import type { Summary } from './timing.js';

export const REPORT_SCHEMA = 'webgrad-bench/1';

/** webgrad's own backends, or a peer library measured beside them. */
export type ContenderKind = 'webgrad' | 'peer';

/** The backend family a contender runs on (webgrad's or the peer's). */
export type Family = 'webgpu' | 'wasm' | 'cpu';

export interface ContenderInfo {
  /** 'webgpu', 'wasm-1t', 'wasm-4t', 'cpu', 'tfjs-wasm', 'tfjs-webgpu', 'tfjs-cpu', 'webgpu 64x64x16'. */
  readonly id: string;
  readonly kind: ContenderKind;
  readonly family: Family;
  /** What it runs on, e.g. "WebAssembly SIMD128, 1 thread". */
  readonly description: string;
  /** The peer this contender's times are compared with (the incumbent), if it ran. */
  readonly incumbent?: string;
}

export interface GroupInfo {
  /** 'matmul', 'mlp-forward', 'add', 'train', ... */
  readonly id: string;
  readonly title: string;
  /** What `WorkloadInfo.size` counts, e.g. "n" or "batch". */
  readonly xLabel: string;
  /** How flops are counted, for the reader. */
  readonly flopsNote: string;
  /** A model workload's figure, e.g. 'tokens/s' (its workloads' `items` per second); GFLOP/s when absent. */
  readonly unit?: string;
  /** A model workload's configuration, printed with its figures. */
  readonly config?: string;
}

export interface WorkloadInfo {
  /** `${group}@${size}` */
  readonly id: string;
  readonly group: string;
  /** The x coordinate: n for square matmul, the batch for MLP shapes, elements for elementwise ops. */
  readonly size: number;
  /** The shapes, e.g. "[128×784]·[784×128]". */
  readonly shape: string;
  /** Floating-point operations of one run. */
  readonly flops: number;
  /** What one run processes in its group's unit (tokens, samples, steps), for a model workload. */
  readonly items?: number;
}

export interface Check {
  /** The contender whose result was the reference: 'cpu' (webgrad's reference backend) or, where it was too slow, another. */
  readonly against: string;
  /** Largest difference, relative to the workload's scale (see the workload). */
  readonly error: number;
  readonly tolerance: number;
}

export type ResultStatus = 'ok' | 'skipped' | 'wrong' | 'failed';

export interface Result {
  readonly workload: string;
  readonly contender: string;
  /** ok: timed and checked; skipped: not run (reason); wrong: its result differed from the reference; failed: it threw. */
  readonly status: ResultStatus;
  readonly reason?: string;
  /** Seconds per run. */
  readonly seconds?: Summary;
  /** GFLOP/s at the median time. */
  readonly gflops?: number;
  /** GFLOP/s at the 90th and 10th percentile times (slow and fast end). */
  readonly gflopsRange?: readonly [number, number];
  /** A model workload's items per second at the median time (its group's unit). */
  readonly rate?: number;
  /** Items per second at the 90th and 10th percentile times. */
  readonly rateRange?: readonly [number, number];
  /** The incumbent's time over this contender's, round by round (> 1: faster than the incumbent). */
  readonly ratio?: Summary;
  readonly check?: Check;
  readonly runsPerSample?: number;
}

export interface Crossover {
  readonly group: string;
  readonly challenger: string;
  readonly incumbent: string;
  /** The size from which the challenger is faster at every larger measured size; undefined if never. */
  readonly size?: number;
  /** The sizes both were compared at. */
  readonly compared: readonly number[];
  readonly note: string;
}

export interface Machine {
  /** A short name for titles, e.g. "2-core Xeon, Node 20, WebGPU: llvmpipe (software)". */
  readonly label: string;
  readonly runtime: string;
  readonly cpu?: string;
  readonly cores: number;
  readonly os?: string;
  /** The WebGPU adapter, when there is one. */
  readonly adapter?: string;
  readonly softwareAdapter?: boolean;
}

export interface BenchSettings {
  readonly reps: number;
  readonly budgetSeconds: number;
  readonly maxRunMs: number;
  readonly groups: readonly string[];
}

export interface BenchReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly machine: Machine;
  /** ISO time the run started. */
  readonly started: string;
  readonly seconds: number;
  readonly settings: BenchSettings;
  readonly contenders: readonly ContenderInfo[];
  /** Contenders asked for that could not start here, and why. */
  readonly unavailable: readonly { readonly id: string; readonly reason: string }[];
  readonly groups: readonly GroupInfo[];
  readonly workloads: readonly WorkloadInfo[];
  readonly results: readonly Result[];
  readonly crossovers: readonly Crossover[];
}

// ---- reading a report ---------------------------------------------------------

/**
 * Throws unless `report` looks like what runBench returns (or its JSON read back):
 * for the functions that draw or print one, so that a wrong argument is named as such.
 */
export function checkReport(fn: string, report: unknown, keys: readonly string[] = ['workloads', 'results', 'contenders', 'groups', 'crossovers']): void {
  const r = report as Record<string, unknown> | null | undefined;
  const missing = r && typeof r === 'object' ? keys.filter((k) => !Array.isArray(r[k])) : keys;
  if (missing.length === 0) return;
  const what = r === null || r === undefined ? String(r) : typeof r !== 'object' ? `${typeof r} ${String(r)}` : `an object without ${missing.join(', ')}`;
  throw new TypeError(`${fn}: expected a benchmark report (what runBench returns, schema '${REPORT_SCHEMA}'), got ${what}`);
}

export function resultOf(report: Pick<BenchReport, 'results'>, workload: string, contender: string): Result | undefined {
  return report.results.find((r) => r.workload === workload && r.contender === contender);
}

export function workloadsOf(report: Pick<BenchReport, 'workloads'>, group: string): WorkloadInfo[] {
  return report.workloads.filter((w) => w.group === group).sort((a, b) => a.size - b.size);
}

/** GFLOP/s by size of one contender in one group (timed and checked results only). */
export function seriesOf(report: Pick<BenchReport, 'workloads' | 'results'>, group: string, contender: string): [number, number][] {
  const points: [number, number][] = [];
  for (const w of workloadsOf(report, group)) {
    const r = resultOf(report, w.id, contender);
    if (r?.status === 'ok' && r.gflops !== undefined) points.push([w.size, r.gflops]);
  }
  return points;
}

/** Results that are not correct: a wrong value or an error. */
export function problems(report: Pick<BenchReport, 'results'>): Result[] {
  return report.results.filter((r) => r.status === 'wrong' || r.status === 'failed');
}
