// Where a wasm GPT training step spends its time: wraps the wasm backend's primitives
// with timers (kernel time per primitive and shape) and reports them beside the step's
// wall time; the rest is JS-side overhead (tensors, tape, scopes, descriptors).
// Same model and data as `webgrad bench-lm`. Run: npx tsx scripts/gpt-profile.ts [--steps 10] [--threads N]
import * as wg from '../src/index.js';
import { WasmBackend } from '../src/backends/wasm/backend.js';
import type { View } from '../src/backends/backend.js';
import { enableRelaxedSimd } from '../src/cli/relaxed-simd.js';

enableRelaxedSimd(); // as the CLI (bench-lm) does

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const STEPS = Number(arg('--steps') ?? 10);
const threads = arg('--threads');
await (threads ? wg.setBackend('wasm', { threads: Number(threads) }) : wg.setBackend('wasm'));

const table = new Map<string, { ms: number; calls: number }>();
let on = false;
const shape = (v: View) => `[${v.shape.join(',')}]${isContig(v) ? '' : '*'}`;
function isContig(v: View): boolean {
  let s = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i]! !== 1 && v.strides[i] !== s) return false;
    s *= v.shape[i]!;
  }
  return true;
}
const proto = WasmBackend.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
const label: Record<string, (...a: unknown[]) => string> = {
  matmul: (a, b, out, o) => `matmul ${shape(a as View)}x${shape(b as View)}${(o as { bias?: unknown })?.bias ? '+b' : ''}`,
  unary: (op, x) => `unary ${String(op)} ${shape(x as View)}`,
  binary: (op, a, b) => `binary ${String(op)} ${shape(a as View)} ${shape(b as View)}`,
  reduce: (op, x, axes) => `reduce ${String(op)} ${shape(x as View)} axes ${String(axes)}`,
  copy: (x) => `copy ${shape(x as View)}`,
  fill: (out) => `fill ${shape(out as View)}`,
  where: (c) => `where ${shape(c as View)}`,
  gather: (x, i) => `gather ${shape(x as View)} ${shape(i as View)}`,
  scatterAdd: (u, i, ax, out) => `scatterAdd ${shape(u as View)} -> ${shape(out as View)}`,
  step: (rule, p) => `step ${String(rule)}`,
  layerNorm: (x) => `layerNorm ${shape(x as View)}`,
  layerNormGrad: (dy, x) => `layerNormGrad ${shape(x as View)}`,
  attention: (q) => `attention ${shape(q as View)}`,
  attentionGrad: (q) => `attentionGrad ${shape(q as View)}`,
  sparseCrossEntropy: (x) => `xent ${shape(x as View)}`,
  sparseCrossEntropyGrad: (x) => `xentGrad ${shape(x as View)}`,
  random: (out) => `random ${shape(out as View)}`,
  alloc: () => 'alloc',
  free: () => 'free',
  write: () => 'write',
  readSync: () => 'readSync',
};
// On a shared machine wall time mostly measures the neighbours: with --cpu the clock is
// this process's CPU time (meaningful with one thread, where the main thread does the work).
const useCpu = process.argv.includes('--cpu');
const clock = useCpu ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();
let depth = 0;
for (const [name, describe] of Object.entries(label)) {
  const original = proto[name]!;
  proto[name] = function (this: unknown, ...a: unknown[]) {
    if (!on || depth > 0) return original.apply(this, a);
    depth++;
    const t0 = clock();
    try {
      return original.apply(this, a);
    } finally {
      const dt = clock() - t0;
      depth--;
      const key = describe(...a);
      const e = table.get(key) ?? { ms: 0, calls: 0 };
      e.ms += dt;
      e.calls++;
      table.set(key, e);
    }
  };
}

const V = 65, T = 64, B = 8;
const random = new wg.Random(1);
const ids = Int32Array.from({ length: (STEPS + 4) * B * T + 1 }, () => random.int(V));
wg.setSeed(1);
const model = wg.models.gpt({ vocabSize: V, contextLength: T, numLayers: 4, numHeads: 4, embedDim: 128 });
model.compile({ optimizer: wg.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy' });
const data = wg.data.textDataset(ids, { contextLength: T, batchSize: B, seed: 1 });
await model.fit(data, { epochs: 1, stepsPerEpoch: 2, verbose: 0 });
on = true;
const t0 = clock();
await model.fit(data, { epochs: 1, stepsPerEpoch: STEPS, verbose: 0 });
const wall = clock() - t0;
on = false;
const rows = [...table.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernel = rows.reduce((s, [, e]) => s + e.ms, 0);
console.log(`${wg.backendInfo().description}, ${useCpu ? 'CPU' : 'wall'} time; ${STEPS} steps, ${(wall / STEPS).toFixed(2)} ms/step, ${Math.round(STEPS * B * T / (wall / 1000))} tokens/s`);
console.log(`backend primitives ${(kernel / STEPS).toFixed(2)} ms/step, the rest (JS) ${((wall - kernel) / STEPS).toFixed(2)} ms/step`);
const groups = new Map<string, number>();
for (const [k, e] of rows) groups.set(k.split(' ')[0]!, (groups.get(k.split(' ')[0]!) ?? 0) + e.ms);
console.log([...groups.entries()].sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k} ${(ms / STEPS).toFixed(2)}`).join(' | '));
for (const [k, e] of rows.slice(0, Number(arg('--top') ?? 45))) console.log(`${(e.ms / STEPS).toFixed(3).padStart(8)} ms ${String(e.calls / STEPS).padStart(5)}x  ${k}`);
model.dispose();
