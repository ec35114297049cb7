// `npm run bench:wasm`: webgrad's WASM backend against tfjs-backend-wasm in one process.
// Options: --quick (fewer rounds), --only matmul|fit.
// Run through node --experimental-wasm-relaxed-simd so both module flavours are measured.

import os from 'node:os';
import { benchMlp, benchSeed, mlpTable, seedTable } from './wasm-fit.js';
import { benchMatmul, matmulTable } from './wasm-matmul.js';
import { tfjsVersion } from './wasm-peer.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, Node ${process.versions.node} (V8 ${process.versions.v8}), tfjs ${tfjsVersion()}`;
}

/** The 1-minute load average: other processes on the machine skew the timings. */
const load = (): string => os.loadavg()[0]!.toFixed(2);

console.log(`# webgrad WASM benchmarks\n\n${machine()}; load average at start ${load()}\n`);
process.on('exit', () => console.log(`load average at the end: ${load()}`));
if (!only || only === 'matmul') {
  // One worker pool at a time: a pool's workers spin for a while after each job, and
  // two pools on two cores would take turns. Each group is interleaved with tfjs.
  const groups = [
    [{ flavour: 'relaxed', threads: 1 }, { flavour: 'simd', threads: 1 }],
    [{ flavour: 'relaxed', threads: 2 }],
    [{ flavour: 'simd', threads: 2 }],
  ] as const;
  const results = [];
  for (const group of groups) results.push(...(await benchMatmul(group, [256, 512, 1024], quick ? 5 : 15, quick ? [] : ['a', 'b'])));
  console.log(`## f32 matmul (n×n · n×n)\n\n${matmulTable(results)}\n`);
}

if (!only || only === 'fit') {
  const configs = [{ threads: 2 }, { threads: 1 }];
  const mlp = await benchMlp(configs, quick ? 3 : 7);
  console.log(`## MLP 784-128-10 with model.fit (relu, softmax, categorical cross-entropy, SGD, batch 128)\n\n${mlpTable(mlp)}\n`);
  const seed = await benchSeed(configs, quick ? 3 : 9);
  console.log(`## The seed example: 1000 steps of fit on the 3×3 problem\n\n${seedTable(seed)}\n`);
}
