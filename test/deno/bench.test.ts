// The benchmark library in Deno, from the built package (dist/bench.js): WebGPU (Deno's
// own navigator.gpu), WASM and JS on tiny sizes, every result checked against the cpu
// backend, a chart drawn. In CI every backend must be measured.
// @ts-types="../../dist/bench.d.ts"
import { problems, reportChart, runBench } from '../../dist/bench.js';

const strict = ['1', 'true'].includes(Deno.env.get('CI') ?? '');

Deno.test('webgrad bench runs in Deno: every backend, checked against cpu, and a chart', async () => {
  const report = await runBench({
    ops: ['matmul', 'sum', 'train'], sizes: [16, 40], elements: [1000], batchSizes: [8], mlp: [12, 8, 3],
    backends: ['webgpu', 'wasm', 'cpu'], peers: [], reps: 3, budgetSeconds: 4,
  });
  const ids = report.contenders.map((c) => c.id);
  for (const needed of ['cpu', 'wasm-1t', ...(strict ? ['webgpu'] : [])]) {
    if (!ids.includes(needed)) throw new Error(`${needed} was not measured: ${JSON.stringify(report.unavailable)}`);
  }
  if (!report.machine.runtime.startsWith('Deno ')) throw new Error(`runtime should be Deno, got ${report.machine.runtime}`);
  const wrong = problems(report);
  if (wrong.length) throw new Error(`wrong or failed: ${JSON.stringify(wrong)}`);
  for (const r of report.results) {
    if (r.status !== 'ok' || !(r.gflops! > 0) || !(r.check!.error <= r.check!.tolerance)) throw new Error(`bad result ${JSON.stringify(r)}`);
  }
  const lines = reportChart(report).match(/<path class="series"/g) ?? [];
  if (lines.length !== report.groups.length * ids.length) throw new Error(`chart: expected ${report.groups.length * ids.length} lines, got ${lines.length}`);
});

Deno.test('webgrad info runs in Deno (the built CLI) and names Deno as the runtime', async () => {
  const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
  const config = new URL('./deno.json', import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), { args: ['run', '-A', '--config', config, cli, 'info', '--json'] }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (code !== 0) throw new Error(`webgrad info failed (${code}): ${decode(stderr)}`);
  const env = JSON.parse(decode(stdout)) as { runtime: { name: string }; backends: { name: string; present: boolean }[] };
  if (env.runtime.name !== 'deno') throw new Error(`runtime should be deno, got ${env.runtime.name}`);
  const present = env.backends.filter((b) => b.present).map((b) => b.name);
  for (const needed of ['cpu', 'wasm', ...(strict ? ['webgpu'] : [])]) {
    if (!present.includes(needed)) throw new Error(`${needed} should be present in Deno, got ${present.join(', ')}`);
  }
});
