// Command line for the WebGPU benchmark (npm run bench:webgpu, and the
// self-contained GPU bundle built by scripts/build-gpu-bench.mjs).
//   --sizes 1024,2048      matmul sizes
//   --train 784-256-10x128 training-step MLPs (widths x batch), comma-separated; --train none to skip
//   --no-tfjs              webgrad alone
//   --no-others            skip webgrad's other backends (cpu, wasm)
//   --samples 5 --target-ms 200   timing
//   --dawn PATH            load this dawn.node instead of the webgpu package (WEBGRAD_DAWN_FLAGS still apply)
//   --json FILE            also write the report as JSON
//   --main-tile 64x64x16   a fixed tile for webgrad's main backend instead of its size-based choice
//   --tiles 128x64x16,...  also time webgrad with these matmul tiles (rows x cols x k step[/outputs per thread side 4|8]), for tuning
//   --gpu                  the preset for a real GPU: n = 1024..8192, two larger MLPs, three extra tiles, no cpu backend

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MatmulTile } from '../backends/webgpu.js';
import { runWebGPUBench, type TrainShape, type WebGPUBenchOptions } from './webgpu.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function numbers(text: string, what: string): number[] {
  const list = text.split(',').map(Number);
  if (!list.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--${what}: expected positive integers separated by commas, got ${text}`);
  return list;
}

function trainShapes(text: string): TrainShape[] {
  if (text === 'none') return [];
  return text.split(',').map((spec) => {
    const m = /^([\d-]+)x(\d+)$/.exec(spec);
    if (!m) throw new Error(`--train: expected WIDTHSxBATCH like 784-256-10x128, got ${spec}`);
    return { widths: numbers(m[1]!.replaceAll('-', ','), 'train'), batch: Number(m[2]) };
  });
}

const dawn = arg('dawn');
if (dawn) {
  // An explicit Dawn addon: expose it as navigator.gpu, which device acquisition tries first.
  const { create, globals } = createRequire(import.meta.url)(dawn) as { create(flags: string[]): GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, globals);
  const flags = (process.env['WEBGRAD_DAWN_FLAGS'] ?? '').split(',').filter(Boolean);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create(flags) }, configurable: true });
}

if (process.argv.includes('--help')) {
  console.log('usage: webgrad-gpu-bench [--gpu] [--sizes 64,128] [--train 784-256-10x128,...|none] [--tiles 128x64x16,...] [--no-tfjs] [--no-others] [--samples N] [--target-ms MS] [--dawn PATH] [--json FILE]');
  process.exit(0);
}
/** '128x64x16' or '128x128x8/8' (rows x columns x k step / outputs per thread side). */
function parseTile(text: string): MatmulTile {
  const [dims, per] = text.split('/');
  const [tm, tn, tk] = dims!.split('x').map(Number);
  return { tm: tm!, tn: tn!, tk: tk!, ...(per ? { per: Number(per) as 4 | 8 } : {}) };
}

const gpuPreset = process.argv.includes('--gpu');
const sizes = arg('sizes') ?? (gpuPreset ? '1024,2048,4096,8192' : undefined);
const train = arg('train') ?? (gpuPreset ? '784-1024-1024-10x1024,784-4096-4096-10x4096' : undefined);
// On a real GPU the preset also times a few other tiles, so one run tells which fits it best.
const tiles = arg('tiles') ?? (gpuPreset ? '128x128x8/8,128x128x16/8,64x128x16/8,64x64x16/8' : undefined);
const samples = arg('samples');
const targetMs = arg('target-ms');
const options: WebGPUBenchOptions = {
  ...(sizes ? { sizes: numbers(sizes, 'sizes') } : {}),
  ...(train ? { train: trainShapes(train) } : {}),
  ...(samples ? { samples: Number(samples) } : {}),
  ...(tiles ? { tiles: tiles.split(',').map(parseTile) } : {}),
  ...(arg('main-tile') ? { mainTile: parseTile(arg('main-tile')!) } : {}),
  ...(targetMs ? { targetMs: Number(targetMs) } : {}),
  tfjs: !process.argv.includes('--no-tfjs'),
  others: !process.argv.includes('--no-others') && !gpuPreset,
};
const report = await runWebGPUBench(options);
console.log(`\n${report.markdown}`);
const json = arg('json');
if (json) writeFileSync(json, JSON.stringify(report, null, 2));
// Dawn keeps the event loop alive while a device exists.
process.exit(0);
