// What fit's device-loss snapshots cost (npm run bench:snapshots): training steps on
// WebGPU without them (onDeviceLoss: 'throw'), with one after every step, and one
// every 8 steps (the default). Rounds interleave the variants; the report gives
// median milliseconds per step and the ratio to no snapshots.
//   --rounds 7 --epochs 4   timing
//   --json FILE             also write the rows as JSON

import { writeFileSync } from 'node:fs';
import * as wg from '../index.js';
import { setSnapshotEvery } from '../device-loss.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg('rounds', '7'));
const epochs = Number(arg('epochs', '4'));

interface Shape {
  readonly label: string;
  readonly widths: readonly number[];
  readonly batch: number;
  readonly samples: number;
}
const SHAPES: readonly Shape[] = [
  { label: 'tiny 4-8-2', widths: [4, 8, 2], batch: 8, samples: 256 },
  { label: 'soak 32-64-10', widths: [32, 64, 10], batch: 32, samples: 512 },
  { label: 'digits 64-128-10', widths: [64, 128, 10], batch: 64, samples: 1024 },
];
const VARIANTS = [
  { label: 'no snapshots', onDeviceLoss: 'throw' as const, every: 1 },
  { label: 'every step', onDeviceLoss: 'fallback' as const, every: 1 },
  { label: 'every 8 steps', onDeviceLoss: 'fallback' as const, every: 8 },
];

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

await wg.setBackend('webgpu');
console.log(`# fit snapshot cost on ${wg.backendInfo().description}`);
console.log(`${rounds} rounds x ${epochs} epochs per variant, interleaved; median ms per step\n`);
console.log('| model (batch) | params + Adam state | no snapshots | every step | every 8 steps |');
console.log('|---|---|---|---|---|');
const rows: unknown[] = [];
for (const shape of SHAPES) {
  wg.setSeed(1);
  const x = wg.randomNormal([shape.samples, shape.widths[0]!]);
  const labels = wg.tensor(Array.from({ length: shape.samples }, (_, i) => i % shape.widths.at(-1)!), [shape.samples], 'int32');
  const layers = shape.widths.slice(1).map((units, i) => wg.layers.dense({ units, ...(i === 0 ? { inputDim: shape.widths[0]! } : {}), ...(i < shape.widths.length - 2 ? { activation: 'relu' as const } : {}) }));
  const model = wg.sequential(layers);
  model.compile({ optimizer: 'adam', loss: (y, p) => wg.losses.sparseCategoricalCrossentropy(y, p, { fromLogits: true }) });
  const steps = epochs * Math.ceil(shape.samples / shape.batch);
  // warm-up: pipelines compiled, pools filled
  for (const v of VARIANTS) {
    setSnapshotEvery(v.every);
    await model.fit(x, labels, { epochs: 1, batchSize: shape.batch, verbose: 0, onDeviceLoss: v.onDeviceLoss });
  }
  const times = VARIANTS.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, v] of VARIANTS.entries()) {
      setSnapshotEvery(v.every);
      const t0 = performance.now();
      await model.fit(x, labels, { epochs, batchSize: shape.batch, verbose: 0, onDeviceLoss: v.onDeviceLoss });
      times[i]!.push((performance.now() - t0) / steps);
    }
  }
  setSnapshotEvery(1);
  const ms = times.map(median);
  const floats = model.countParams() * 3;
  const cell = (i: number) => `${ms[i]!.toFixed(2)} ms${i === 0 ? '' : ` (${(ms[i]! / ms[0]!).toFixed(2)}x)`}`;
  console.log(`| ${shape.label} (${shape.batch}) | ${floats} floats, ${(floats * 4 / 1024).toFixed(1)} KiB | ${cell(0)} | ${cell(1)} | ${cell(2)} |`);
  rows.push({ ...shape, floats, msPerStep: Object.fromEntries(VARIANTS.map((v, i) => [v.label, ms[i]])) });
  model.dispose();
  wg.dispose([x, labels]);
}
const json = arg('json', '');
if (json) writeFileSync(json, JSON.stringify(rows, null, 2));
