// `webgrad bench`: WebGPU against WASM (one thread and every core) and plain JS, with
// TensorFlow.js beside them where installed: a table in the terminal (a progress bar
// while it runs), the SVG chart, the crossover sizes, and --json / --markdown output.

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type BenchOptions, type BenchProgress, type BenchReport, DEFAULT_MODEL_SIZES, DEFAULT_SIZES, GROUP_ALIASES, GROUP_NAMES, type GroupName, isBackendName,
  markdownReport, MODEL_GROUPS, type ModelGroup, type ModelSizes, PEER_NAMES, type PeerLoader, type PeerName, problems, QUICK_MODEL_SIZES, reportChart, runBench, textReport,
} from '../bench/index.js';
import type { MatmulTile } from '../backends/webgpu.js';
import { action, nameList, positiveInteger, positiveNumber } from './options.js';

interface BenchCommandOptions {
  sizes: readonly number[];
  batchSizes: readonly number[];
  elements: readonly number[];
  mlp: readonly number[];
  ops: (GroupName | ModelGroup)[];
  gptBatch?: number;
  newTokens?: number;
  tiles?: MatmulTile[];
  mainTile?: MatmulTile;
  dawnFlag?: string[];
  backends: string[];
  peers: PeerName[];
  reps: number;
  budget: number;
  maxRunMs: number;
  quick?: boolean;
  chart: string | false;
  json?: string | true;
  markdown?: string | true;
  machine?: string;
  quiet?: boolean;
}

/** Sizes small enough for a first look in about a minute. */
const QUICK = { sizes: [64, 128, 256, 512], batchSizes: [32, 128], elements: [2 ** 12, 2 ** 16, 2 ** 20], budget: 60 };

function sizeList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1 || !Number.isSafeInteger(Number(p)))) {
    throw new InvalidArgumentError('expected positive integers separated by commas, e.g. 64,256,1024.');
  }
  return parts.map(Number);
}

function widthList(value: string): number[] {
  const widths = sizeList(value);
  if (widths.length < 2) throw new InvalidArgumentError('expected the input width and at least one layer, e.g. 784,128,10.');
  return widths;
}

/** Names --ops takes for the model workloads, besides their group names. */
const MODEL_ALIASES: Readonly<Record<string, readonly ModelGroup[]>> = {
  models: MODEL_GROUPS,
  gpt: ['gpt-train', 'gpt-generate', 'gpt-generate-uncached'],
};

function opList(value: string): (GroupName | ModelGroup)[] {
  const out: (GroupName | ModelGroup)[] = [];
  const known = [...GROUP_NAMES, ...MODEL_GROUPS] as readonly string[];
  const aliases: Readonly<Record<string, readonly (GroupName | ModelGroup)[]>> = {
    ...GROUP_ALIASES, ...MODEL_ALIASES, ops: GROUP_NAMES, all: [...GROUP_NAMES, ...MODEL_GROUPS],
  };
  for (const name of nameList(value)) {
    const group = known.includes(name) ? [name as GroupName | ModelGroup] : aliases[name];
    if (!group) throw new InvalidArgumentError(`unknown op group '${name}'; expected ${[...known, ...Object.keys(aliases)].join(', ')}.`);
    for (const g of group) if (!out.includes(g)) out.push(g);
  }
  return out;
}

function backendList(value: string): string[] {
  const names = nameList(value);
  const bad = names.find((n) => !isBackendName(n));
  if (bad !== undefined) throw new InvalidArgumentError(`unknown backend '${bad}'; expected webgpu, wasm (1 thread and every core), wasm-<threads>t (e.g. wasm-1t), cpu.`);
  return names;
}

function peerList(value: string): PeerName[] {
  if (value.trim() === 'none') return [];
  const names = nameList(value);
  const bad = names.find((n) => !(PEER_NAMES as readonly string[]).includes(n));
  if (bad !== undefined) throw new InvalidArgumentError(`unknown peer '${bad}'; expected ${PEER_NAMES.join(', ')} or none.`);
  return names as PeerName[];
}

/** '128x64x16' or '128x128x8/8': rows × columns × k step of a WebGPU matmul tile, / outputs per thread side. */
function tile(value: string): MatmulTile {
  const m = /^(\d+)x(\d+)x(\d+)(?:\/(4|8))?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a tile like 128x64x16 or 128x128x8/8 (rows x columns x k step / outputs per thread side 4 or 8), got '${value}'.`);
  return { tm: Number(m[1]), tn: Number(m[2]), tk: Number(m[3]), ...(m[4] ? { per: Number(m[4]) as 4 | 8 } : {}) };
}

const tileList = (value: string): MatmulTile[] => value.split(',').map(tile);
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A bar on a terminal; otherwise one line per finished workload (unless quiet). */
function progressReporter(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): { update(p: BenchProgress): void; stop(): void } {
  if (quiet) return { update: () => {}, stop: () => {} };
  if (!stream.isTTY) {
    return {
      update: (p) => {
        if (p.phase === 'done') stream.write(`bench ${p.done}/${p.total} ${p.workload.id} (${p.workload.shape})\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar({
    format: 'bench [{bar}] {value}/{total} workloads | {duration_formatted} | {workload}',
    stream,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 20,
  }, cliProgress.Presets.legacy);
  let started = false;
  return {
    update: (p) => {
      if (!started) {
        bar.start(p.total, 0, { workload: '' });
        started = true;
      }
      // the name stays until the next workload starts (the bar redraws on a timer)
      if (p.phase === 'start') bar.update(p.done, { workload: `${p.workload.id} ${p.workload.shape}` });
      else bar.update(p.done);
    },
    stop: () => started && bar.stop(),
  };
}

function write(path: string, text: string, append = false): void {
  mkdirSync(dirname(path), { recursive: true });
  (append ? appendFileSync : writeFileSync)(path, text);
}

async function bench(options: BenchCommandOptions, command: Command, loadPeers?: PeerLoader): Promise<void> {
  // --quick changes only the settings the user left at their defaults
  const quickly = (key: 'sizes' | 'batchSizes' | 'elements' | 'budget') => options.quick === true && command.getOptionValueSource(key) === 'default';
  const settings: BenchOptions = {
    sizes: quickly('sizes') ? QUICK.sizes : options.sizes,
    batchSizes: quickly('batchSizes') ? QUICK.batchSizes : options.batchSizes,
    elements: quickly('elements') ? QUICK.elements : options.elements,
    mlp: options.mlp,
    // the uncached generation is a comparison for the full run
    ops: options.quick && command.getOptionValueSource('ops') === 'default' ? options.ops.filter((g) => g !== 'gpt-generate-uncached') : options.ops,
    backends: options.backends,
    peers: options.peers,
    reps: options.reps,
    budgetSeconds: quickly('budget') ? QUICK.budget : options.budget,
    maxRunMs: options.maxRunMs,
    models: {
      ...(options.quick ? QUICK_MODEL_SIZES : DEFAULT_MODEL_SIZES),
      ...(options.gptBatch ? { gptBatch: options.gptBatch } : {}),
      ...(options.newTokens ? { newTokens: options.newTokens } : {}),
    } satisfies ModelSizes,
    ...(options.tiles ? { tiles: options.tiles } : {}),
    ...(options.mainTile ? { mainTile: options.mainTile } : {}),
    ...(options.dawnFlag ? { dawnFlags: options.dawnFlag } : {}),
    ...(loadPeers ? { loadPeers } : {}),
    ...(options.machine ? { machine: options.machine } : {}),
  };
  const progress = progressReporter(options.quiet === true);
  let report: BenchReport;
  try {
    report = await runBench({ ...settings, onProgress: (p) => progress.update(p) });
  } finally {
    progress.stop();
  }
  const jsonText = `${JSON.stringify(report, null, 2)}\n`;
  const jsonToStdout = options.json === true;
  const say = (line: string) => (jsonToStdout ? process.stderr : process.stdout).write(`${line}\n`);
  if (jsonToStdout) process.stdout.write(jsonText);
  else say(textReport(report));
  if (typeof options.json === 'string') {
    write(options.json, jsonText);
    say(`JSON written to ${options.json}`);
  }
  if (options.chart !== false) {
    write(options.chart, reportChart(report));
    say(`chart written to ${options.chart}`);
  }
  if (options.markdown !== undefined) {
    const file = options.markdown === true ? 'docs/benchmarks.md' : options.markdown;
    const chart = options.chart === false ? undefined : relative(dirname(file), options.chart);
    const command = `webgrad ${process.argv.slice(2).join(' ')}`;
    write(file, `\n${markdownReport(report, { ...(chart ? { chart } : {}), command })}`, true);
    say(`markdown appended to ${file}`);
  }
  const wrong = problems(report);
  if (wrong.length) {
    process.stderr.write(`webgrad bench: ${wrong.length} result(s) wrong or failed: ${wrong.map((r) => `${r.contender} at ${r.workload}: ${r.reason ?? r.status}`).join('; ')}\n`);
    process.exitCode = 1;
  }
}

/**
 * The `bench` command. `loadPeers` replaces loading TensorFlow.js by package name (the
 * self-contained GPU bundle passes the modules it carries).
 */
export function benchCommand(loadPeers?: PeerLoader): Command {
  const q = QUICK_MODEL_SIZES;
  return new Command('bench')
    .description('compare WebGPU, WASM (1 thread and every core) and JS on ops and whole models (GPT, CNN, MLP fit, the seed example), with TensorFlow.js beside them where installed')
    .option('--quick', `a first look in about a minute: n ${QUICK.sizes.join(',')}, batch ${QUICK.batchSizes.join(',')}, elements up to 2^20; models: GPT steps of ${q.gptBatch} sequences, ${q.newTokens} generated tokens (no uncached run), fit over ${q.mlpSamples} samples, ${q.seedSteps} seed steps, no model on plain JS`)
    .addOption(new Option('--sizes <list>', 'n of the square matmuls').default(DEFAULT_SIZES.sizes, DEFAULT_SIZES.sizes.join(',')).argParser(sizeList))
    .addOption(new Option('--batch-sizes <list>', 'batch sizes of the MLP products and the training step').default(DEFAULT_SIZES.batchSizes, DEFAULT_SIZES.batchSizes.join(',')).argParser(sizeList))
    .addOption(new Option('--elements <list>', 'elements of the elementwise ops and reductions').default(DEFAULT_SIZES.elements, '4096 … 4194304').argParser(sizeList))
    .addOption(new Option('--mlp <widths>', 'layer widths of the MLP, input first').default(DEFAULT_SIZES.mlp, DEFAULT_SIZES.mlp.join(',')).argParser(widthList))
    .addOption(new Option('--ops <groups>', `op groups: ${GROUP_NAMES.join(', ')}; model workloads: ${MODEL_GROUPS.join(', ')}; or ${[...Object.keys(GROUP_ALIASES), ...Object.keys(MODEL_ALIASES), 'ops (every op group)'].join(', ')}`).default([...GROUP_NAMES, ...MODEL_GROUPS], 'all').argParser(opList))
    .addOption(new Option('--gpt-batch <n>', `sequences per GPT training step (default ${DEFAULT_MODEL_SIZES.gptBatch}, --quick ${q.gptBatch})`).argParser(positiveInteger))
    .addOption(new Option('--new-tokens <n>', `tokens the GPT generates per run (default ${DEFAULT_MODEL_SIZES.newTokens}, --quick ${q.newTokens})`).argParser(positiveInteger))
    .addOption(new Option('--tiles <list>', 'also time WebGPU matmuls with these fixed tiles, e.g. 128x128x8/8,64x64x16 (tuning on a GPU)').argParser(tileList))
    .addOption(new Option('--main-tile <tile>', "a fixed tile for webgrad's main WebGPU contender instead of its size-based choice").argParser(tile))
    .addOption(new Option('--dawn-flag <flag>', 'a Dawn toggle for the WebGPU device, e.g. backend=vulkan (repeatable)').argParser(collect))
    .addOption(new Option('--backends <names>', "webgrad's contenders: webgpu, wasm (1 thread and every core), wasm-<n>t (e.g. wasm-1t,wasm-2t,wasm-4t for thread scaling), wasm-<n>t-simd (plain SIMD128 instead of relaxed SIMD), cpu").default(['webgpu', 'wasm', 'cpu'], 'webgpu,wasm,cpu').argParser(backendList))
    .addOption(new Option('--peers <names>', `TensorFlow.js beside them, where installed: ${PEER_NAMES.join(', ')}, or none`).default([...PEER_NAMES], 'all installed').argParser(peerList))
    .addOption(new Option('--reps <n>', 'samples per figure (at least 3)').default(7).argParser(positiveInteger))
    .addOption(new Option('--budget <seconds>', 'time the whole run aims at').default(240).argParser(positiveNumber))
    .addOption(new Option('--max-run-ms <ms>', 'a contender slower than this for one run is not timed at that size or above').default(2000).argParser(positiveNumber))
    .option('--chart <file>', 'where to write the SVG chart', 'webgrad-bench.svg')
    .option('--no-chart', 'do not write the chart')
    .option('--json [file]', 'the report as JSON: to the file, or to stdout instead of the table')
    .option('--markdown [file]', 'append the report as markdown (default docs/benchmarks.md), linking the chart')
    .option('--machine <label>', 'the machine\'s name in titles (default: CPU, cores, runtime and adapter)')
    .option('--quiet', 'no progress output')
    .addHelpText('after', `
Every result is checked against webgrad's cpu backend (or, where that is too slow,
another contender) before it is timed; a wrong result is reported, never timed, and
makes the exit code 1. Ratios are the incumbent's time over ours, sample by sample.

Examples:
  webgrad bench --quick
  webgrad bench --ops matmul,train --backends webgpu,wasm --json report.json
  webgrad bench --ops models --backends webgpu,wasm     (GPT, CNN, MLP fit, seed)
  scripts/gpu-check.sh                                  (on a machine with a GPU)
  webgrad bench --markdown --chart docs/bench/this-machine.svg`)
    .action(action('bench', (options: BenchCommandOptions, command: Command) => bench(options, command, loadPeers)));
}
