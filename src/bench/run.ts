// The benchmark runner: for each workload (an op group at one size), every contender
// (webgrad's backends and the peers) builds it on its own device, computes the result
// once, and is checked against the reference (webgrad's cpu backend, or where that is
// too slow, the others); then all that passed are timed with interleaved samples,
// within a share of the time budget. One report comes out.

import type { Backend } from '../backends/backend.js';
import { CpuBackend } from '../backends/cpu.js';
import { activeBackend, useBackendInstance } from '../backends/select.js';
import type { MatmulTile } from '../backends/webgpu.js';
import { type GpuHandle, startContenders, syncBackend, type WebgradContender } from './contenders.js';
import { findCrossovers } from './crossover.js';
import { checkBenchOptions } from './options.js';
import { runtimeInfo, shortCpu } from './environment.js';
import { INCUMBENT, PEER_NAMES, type Peer, type PeerLoader, type PeerName, tfjsPeers } from './peers.js';
import { type BenchReport, type ContenderInfo, type Machine, REPORT_SCHEMA, type Result, type WorkloadInfo } from './report.js';
import { calibrate, type Contender, gflops, measureInterleaved, roundRatios, runsFor } from './timing.js';
import {
  type Case, DEFAULT_SIZES, errorOf, GROUP_NAMES, type GroupName, groupInfo, makeData, type Sizes, webgradCase, type Workload, type WorkloadData, workloadsFor,
} from './workloads.js';
import { webgradModelCase } from './model-cases.js';
import {
  DEFAULT_MODEL_SIZES, isModelGroup, type ModelData, modelData, modelErrorOf, type ModelGroup, modelGroupInfo, type ModelSizes,
  type ModelWorkload, modelWorkloads,
} from './model-workloads.js';

/** An op workload or a model workload, with its host data. */
type AnyWorkload = (Workload & { readonly model?: undefined }) | (ModelWorkload & { readonly model: true });
type AnyData = WorkloadData | ModelData;

const dataFor = (w: AnyWorkload): AnyData => (w.model ? modelData(w.spec) : makeData(w.spec));
const webgradBuild = (w: AnyWorkload, data: AnyData): Case => (w.model ? webgradModelCase(w.spec, data as ModelData) : webgradCase(w.spec, data as WorkloadData));
const errorFor = (w: AnyWorkload, data: AnyData, reference: Float32Array, got: Float32Array): number =>
  (w.model ? modelErrorOf(w.spec, reference, got) : errorOf(w.spec, data as WorkloadData, reference, got));

export interface BenchOptions extends Partial<Sizes> {
  /** webgrad's contenders: 'webgpu', 'wasm' (1 thread and every core), 'wasm-1t', 'wasm-4t', 'cpu' (default all). */
  readonly backends?: readonly string[];
  /** Peers to run beside them, where installed (default all: tfjs-webgpu, tfjs-wasm, tfjs-cpu). */
  readonly peers?: readonly PeerName[];
  /** Op groups (GROUP_NAMES) and model workloads (MODEL_GROUPS); default: every op group (`webgrad bench` adds the models). */
  readonly ops?: readonly (GroupName | ModelGroup)[];
  /** The models' configs and lengths (default DEFAULT_MODEL_SIZES; `--quick` uses QUICK_MODEL_SIZES). */
  readonly models?: Partial<ModelSizes>;
  /** Samples per figure (default 7; fewer where the budget runs short, never under 3). */
  readonly reps?: number;
  /** Seconds the whole run aims at (default 240). */
  readonly budgetSeconds?: number;
  /** A contender whose single run takes longer is not timed at that size or above (default 2000). */
  readonly maxRunMs?: number;
  /** Extra WebGPU contenders with fixed matmul tiles, and a fixed tile for the main one (tuning on a GPU). */
  readonly tiles?: readonly MatmulTile[];
  readonly mainTile?: MatmulTile;
  readonly dawnFlags?: readonly string[];
  /** The machine's name in titles (default: CPU, cores, runtime and WebGPU adapter). */
  readonly machine?: string;
  /** Loads the peers (default: TensorFlow.js from the installed packages). */
  readonly loadPeers?: PeerLoader;
  /** Called when a workload starts and when it is done, with the report so far. */
  readonly onProgress?: (progress: BenchProgress) => void;
  readonly signal?: AbortSignal;
}

export interface BenchProgress {
  readonly done: number;
  readonly total: number;
  readonly workload: WorkloadInfo;
  readonly phase: 'start' | 'done';
  readonly report: BenchReport;
}

/** Shortest sample (ms): performance.now() in a page that is not cross-origin isolated ticks in 100 µs. */
const MIN_SAMPLE_MS = 5;
/** Fewest samples a figure is given, whatever the budget. */
const MIN_SAMPLES = 3;
/** The cpu reference may take this many times maxRunMs for one result. */
const REFERENCE_FACTOR = 4;

/** A model workload's run (a training step, a generation, a whole fit) may take this many times maxRunMs. */
const MODEL_RUN_FACTOR = 4;

/** Milliseconds of one run, queued and finished. */
async function timeOnce(c: Contender): Promise<number> {
  await c.prepare?.();
  const t = performance.now();
  await c.run();
  await c.sync?.();
  return performance.now() - t;
}

/** A contender as the runner sees it: webgrad's backend or a peer. */
interface Entrant {
  readonly info: ContenderInfo;
  activate(): void | Promise<void>;
  sync(): Promise<void>;
  build(workload: AnyWorkload, data: AnyData): Case | undefined;
  whyNot(workload: AnyWorkload): string | undefined;
}

function webgradEntrant(c: WebgradContender): Entrant {
  return {
    info: c.info,
    activate: () => void useBackendInstance(c.backend),
    sync: () => syncBackend(c.backend),
    build: webgradBuild,
    whyNot: () => undefined,
  };
}

function peerEntrant(p: Peer): Entrant {
  const noModels = 'no peer implementation of this model workload';
  return {
    info: p.info,
    activate: () => p.activate(),
    sync: () => p.sync(),
    build: (w, data) => (w.model ? p.buildModel?.(w.spec, data as ModelData) : p.build(w.spec, data as WorkloadData)),
    whyNot: (w) => (w.model ? (p.buildModel ? p.whyNotModel?.(w.spec) : noModels) : p.whyNot(w.spec)),
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const seconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);

function machineOf(runtime: Awaited<ReturnType<typeof runtimeInfo>>, gpu: WebgradContender | undefined, label?: string): Machine {
  const details = gpu?.backend.info().details;
  const a = details?.['adapter'] as { description?: string; device?: string; vendor?: string } | undefined;
  const adapter = a ? a.description || a.device || a.vendor || 'unknown adapter' : undefined;
  const software = details?.['software'] === true;
  const runtimeShort = runtime.name === 'browser' ? runtime.description.replace(/ \(.*$/, '') : runtime.description.replace(/ \(V8.*$/, '');
  const auto = [
    `${runtime.cpu ? `${shortCpu(runtime.cpu)}, ` : ''}${runtime.cores} cores`,
    runtimeShort,
    adapter ? `WebGPU: ${adapter.replace(/\s*\(.*$/, '')}${software ? ' (software)' : ''}` : 'no WebGPU',
  ].join(', ');
  return {
    label: label ?? auto,
    runtime: runtime.description,
    ...(runtime.cpu ? { cpu: runtime.cpu } : {}),
    cores: runtime.cores,
    ...(runtime.os ? { os: runtime.os } : {}),
    ...(adapter ? { adapter, softwareAdapter: software } : {}),
  };
}

/** The contender whose result stands in for the cpu reference where that is too slow. */
function standIn(passed: readonly Entrant[]): Entrant | undefined {
  const order = (e: Entrant) => (e.info.id === 'wasm-1t' ? 0 : e.info.kind === 'webgrad' && e.info.family === 'wasm' ? 1 : e.info.kind === 'webgrad' ? 2 : 3);
  return [...passed].sort((a, b) => order(a) - order(b))[0];
}

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  checkBenchOptions(options);
  const t0 = performance.now();
  const started = new Date().toISOString();
  const sizes: Sizes = {
    sizes: options.sizes ?? DEFAULT_SIZES.sizes,
    batchSizes: options.batchSizes ?? DEFAULT_SIZES.batchSizes,
    elements: options.elements ?? DEFAULT_SIZES.elements,
    mlp: options.mlp ?? DEFAULT_SIZES.mlp,
  };
  const reps = Math.max(MIN_SAMPLES, options.reps ?? 7);
  const budgetMs = (options.budgetSeconds ?? 240) * 1000;
  const maxRunMs = options.maxRunMs ?? 2000;
  const ops = options.ops ?? GROUP_NAMES;
  const modelSizes: ModelSizes = { ...DEFAULT_MODEL_SIZES, ...options.models };
  const runtime = await runtimeInfo();
  const previous = activeBackend();
  const started_ = await startContenders({
    backends: options.backends ?? ['webgpu', 'wasm', 'cpu'],
    ...(options.tiles ? { tiles: options.tiles } : {}),
    ...(options.mainTile ? { mainTile: options.mainTile } : {}),
    ...(options.dawnFlags ? { dawnFlags: options.dawnFlags } : {}),
  }, runtime.cores);
  const { contenders } = started_;
  const unavailable = [...started_.unavailable];
  if (contenders.length === 0) {
    started_.release();
    throw new Error(`runBench: none of the backends asked for could start here: ${unavailable.map((u) => `${u.id}: ${u.reason}`).join('; ')}`);
  }
  // Only the peers of the families measured: an incumbent needs someone to compare with.
  const families = new Set(contenders.map((c) => c.info.family));
  const wanted = (options.peers ?? PEER_NAMES).filter((p) => [...families].some((f) => INCUMBENT[f] === p));
  const loaded = await (options.loadPeers ?? tfjsPeers())(wanted, started_.gpu as GpuHandle | undefined);
  unavailable.push(...loaded.unavailable);
  const peerIds = new Set(loaded.peers.map((p) => p.info.id));
  const infos: ContenderInfo[] = [
    ...contenders.map((c) => (peerIds.has(INCUMBENT[c.info.family]) ? { ...c.info, incumbent: INCUMBENT[c.info.family] } : c.info)),
    ...loaded.peers.map((p) => p.info),
  ];
  const entrants: Entrant[] = [...contenders.map(webgradEntrant), ...loaded.peers.map(peerEntrant)];
  const byId = new Map(entrants.map((e, i) => [e.info.id, { entrant: e, info: infos[i]! }]));
  // The reference: webgrad's cpu backend (the one being measured, or a private one).
  const cpuContender = contenders.find((c) => c.info.id === 'cpu');
  const referenceBackend: Backend = cpuContender?.backend ?? new CpuBackend();

  const groups = ops.map((g) => (isModelGroup(g) ? modelGroupInfo(g, modelSizes) : groupInfo(g, sizes)));
  const plan = ops.flatMap((g): AnyWorkload[] => (isModelGroup(g)
    ? modelWorkloads(g, modelSizes).map((w) => ({ ...w, model: true as const }))
    : workloadsFor(g, sizes)));
  const results: Result[] = [];
  const machine = machineOf(runtime, contenders.find((c) => c.info.id === 'webgpu'), options.machine);
  const snapshot = (): BenchReport => ({
    schema: REPORT_SCHEMA,
    machine,
    started,
    seconds: (performance.now() - t0) / 1000,
    settings: { reps, budgetSeconds: budgetMs / 1000, maxRunMs, groups: [...ops] },
    contenders: infos,
    unavailable,
    groups,
    workloads: plan.map((w) => w.info),
    results: [...results],
    crossovers: [],
  });

  /** Last measured ms per run and flops, per group and contender ('reference' for the check). */
  const history = new Map<string, { ms: number; flops: number }>();
  const retired = new Map<string, string>();
  const estimate = (group: string, id: string, flops: number): number | undefined => {
    const h = history.get(`${group}/${id}`);
    return h ? (h.ms * flops) / h.flops : undefined;
  };

  try {
    for (const [index, workload] of plan.entries()) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('the benchmark was aborted');
      const { info } = workload;
      options.onProgress?.({ done: index, total: plan.length, workload: info, phase: 'start', report: snapshot() });
      const data = dataFor(workload);
      const add = (r: Result) => results.push(r);
      const skip = (id: string, reason: string) => add({ workload: info.id, contender: id, status: 'skipped', reason });

      // Who runs at this size: not retired, and not predicted to be too slow.
      const runnable: Entrant[] = [];
      for (const e of entrants) {
        const key = `${info.group}/${e.info.id}`;
        const notOnCpu = workload.model && e.info.family === 'cpu' && modelSizes.notOnCpu.includes(workload.info.group as ModelGroup)
          ? 'not run on plain JS with these settings (--quick; or a GPT step, which takes seconds there)' : undefined;
        const why = retired.get(key) ?? notOnCpu ?? e.whyNot(workload);
        if (why) {
          skip(e.info.id, why);
          continue;
        }
        const est = estimate(info.group, e.info.id, info.flops);
        const limit = workload.model ? MODEL_RUN_FACTOR * maxRunMs : maxRunMs;
        if (est !== undefined && est > limit) {
          const reason = `too slow: one run would take about ${seconds(est)} (limit ${seconds(limit)})`;
          retired.set(key, reason);
          skip(e.info.id, reason);
          continue;
        }
        runnable.push(e);
      }

      // The reference values, from the cpu backend unless that would take too long.
      let reference: { values: Float32Array; against: string } | undefined;
      const refEst = estimate(info.group, 'reference', info.flops);
      const cpuRuns = runnable.some((e) => e.info.id === 'cpu');
      const cases = new Map<string, { entrant: Entrant; c: Case; values: Float32Array; onceMs: number }>();
      const cpuSkipped = workload.model === true && modelSizes.notOnCpu.includes(workload.info.group as ModelGroup);
      if (!cpuRuns && !cpuSkipped && (refEst === undefined || refEst <= REFERENCE_FACTOR * maxRunMs)) {
        const restore = useBackendInstance(referenceBackend);
        try {
          const c = webgradBuild(workload, data);
          const t = performance.now();
          reference = { values: await c.result(), against: 'cpu' };
          history.set(`${info.group}/reference`, { ms: performance.now() - t, flops: info.flops });
          c.dispose();
        } finally {
          useBackendInstance(restore);
        }
      }

      // Each contender computes the result once (compiling its kernels), then one timed run.
      for (const e of runnable) {
        let c: Case | undefined;
        try {
          await e.activate();
          c = e.build(workload, data);
          if (!c) {
            skip(e.info.id, e.whyNot(workload) ?? 'cannot run this workload');
            continue;
          }
          const resultStarted = performance.now();
          const values = await c.result();
          const resultMs = performance.now() - resultStarted;
          const built = c;
          const contender = { label: e.info.id, prepare: () => e.activate(), run: () => built.run(), sync: () => e.sync() };
          // A model's run lasts long enough to read at once (its result was the warm-up);
          // where its result (one to three runs) took far too long, a third of that stands in.
          const onceMs = !workload.model ? await calibrate(contender, true)
            : resultMs / 3 > 2 * MODEL_RUN_FACTOR * maxRunMs ? resultMs / 3 : await timeOnce(contender);
          history.set(`${info.group}/${e.info.id}`, { ms: onceMs, flops: info.flops });
          if (e.info.id === 'cpu') {
            reference = { values, against: 'cpu' };
            history.set(`${info.group}/reference`, { ms: onceMs, flops: info.flops });
          }
          cases.set(e.info.id, { entrant: e, c, values, onceMs });
        } catch (error) {
          c?.dispose();
          add({ workload: info.id, contender: e.info.id, status: 'failed', reason: message(error) });
        }
      }
      if (!reference) {
        const stand = standIn([...cases.values()].map((x) => x.entrant));
        if (stand) reference = { values: cases.get(stand.info.id)!.values, against: `${stand.info.id} (cpu too slow here)` };
      }

      // Check, then keep for timing the ones that are right and fast enough.
      const timed: { entrant: Entrant; c: Case; onceMs: number; check: Result['check'] }[] = [];
      for (const [id, x] of cases) {
        let check: Result['check'];
        if (reference) {
          const tolerance = workload.tolerance;
          if (reference.values === x.values && reference.against !== 'cpu') {
            // the stand-in reference is checked against another contender instead
            const other = [...cases.values()].find((y) => y.values !== x.values);
            check = { against: other ? other.entrant.info.id : 'nothing (it ran alone)', error: other ? errorFor(workload, data, other.values, x.values) : 0, tolerance };
          } else if (reference.values === x.values) {
            check = { against: 'cpu (itself, the reference)', error: 0, tolerance };
          } else {
            check = { against: reference.against, error: errorFor(workload, data, reference.values, x.values), tolerance };
          }
        }
        if (check && !(check.error <= check.tolerance)) {
          x.c.dispose();
          add({ workload: info.id, contender: id, status: 'wrong', reason: `result differs from ${check.against}: error ${check.error.toExponential(2)} > tolerance ${check.tolerance}`, check });
          continue;
        }
        const limit = workload.model ? MODEL_RUN_FACTOR * maxRunMs : maxRunMs;
        if (x.onceMs > limit) {
          x.c.dispose();
          const reason = `too slow: one run took ${seconds(x.onceMs)} (limit ${seconds(limit)})`;
          retired.set(`${info.group}/${id}`, reason);
          add({ workload: info.id, contender: id, status: 'skipped', reason });
          continue;
        }
        timed.push({ entrant: x.entrant, c: x.c, onceMs: x.onceMs, check });
      }

      // Interleaved samples within this workload's share of what is left of the budget.
      if (timed.length) {
        const left = plan.length - index;
        const allowance = Math.max(0, budgetMs - (performance.now() - t0)) / left;
        const perRound = timed.reduce((s, x) => s + x.onceMs, 0);
        const samples = Math.max(MIN_SAMPLES, Math.min(reps, Math.floor(allowance / Math.max(perRound, 1e-3))));
        // a sample lasts long enough to read on a browser's coarse clock, whatever the budget
        const target = Math.max(MIN_SAMPLE_MS, allowance / samples / timed.length);
        const contendersToTime: Contender[] = timed.map((x) => ({
          label: x.entrant.info.id,
          prepare: () => x.entrant.activate(),
          run: () => x.c.run(),
          sync: () => x.entrant.sync(),
          runsPerSample: runsFor(x.onceMs, target, 10_000),
        }));
        try {
          const measured = await measureInterleaved(contendersToTime, { samples, warm: true });
          for (const x of timed) {
            const id = x.entrant.info.id;
            const m = measured.get(id)!;
            const incumbent = byId.get(id)!.info.incumbent;
            const theirs = incumbent ? measured.get(incumbent) : undefined;
            add({
              workload: info.id,
              contender: id,
              status: 'ok',
              seconds: m.perRun,
              gflops: gflops(info.flops, m.perRun.median),
              gflopsRange: [gflops(info.flops, m.perRun.p90), gflops(info.flops, m.perRun.p10)],
              ...(info.items ? { rate: info.items / m.perRun.median, rateRange: [info.items / m.perRun.p90, info.items / m.perRun.p10] as const } : {}),
              ...(theirs ? { ratio: roundRatios(theirs.times, m.times) } : {}),
              ...(x.check ? { check: x.check } : {}),
              runsPerSample: m.runsPerSample,
            });
          }
        } catch (error) {
          for (const x of timed) add({ workload: info.id, contender: x.entrant.info.id, status: 'failed', reason: message(error) });
        }
      }
      for (const x of timed) x.c.dispose();
      options.onProgress?.({ done: index + 1, total: plan.length, workload: info, phase: 'done', report: snapshot() });
    }
  } finally {
    for (const p of loaded.peers) p.dispose();
    useBackendInstance(previous);
    for (const c of contenders) c.backend.dispose?.();
    started_.release();
  }
  const report = snapshot();
  return { ...report, crossovers: findCrossovers(report) };
}
