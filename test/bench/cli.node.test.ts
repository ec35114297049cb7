// `webgrad bench` and `webgrad info` from the built CLI (dist/cli.js): a small run writes
// the JSON report, the SVG chart and the markdown section; bad options name what was
// expected; info lists the backends and, as JSON, the adapter and WASM features.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchReport, EnvironmentReport } from '../../src/bench/index.js';
import { mustRun } from '../helpers/backends.js';
import { expectBuiltCli, webgrad } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

describe('webgrad bench', () => {
  const dir = tempDir('webgrad-bench-');

  it('prints the table, writes JSON, the chart and a markdown section, and names the crossover', async () => {
    expectBuiltCli();
    const json = join(dir, 'report.json');
    const chart = join(dir, 'charts', 'bench.svg');
    const md = join(dir, 'benchmarks.md');
    writeFileSync(md, '# Benchmarks\n');
    const run = await webgrad(
      'bench', '--ops', 'matmul,train', '--sizes', '16,32', '--batch-sizes', '8', '--mlp', '12,8,3', '--backends', 'webgpu,wasm-1t,cpu',
      '--peers', 'none', '--reps', '3', '--budget', '4', '--json', json, '--chart', chart, '--markdown', md,
    );
    expect(run.code, run.stderr).toBe(0);
    // no terminal: one progress line per workload on stderr
    expect(run.stderr).toMatch(/bench 1\/3 matmul@16 \(\[16×16\]·\[16×16\]\)/);
    expect(run.stdout).toMatch(/matmul n×n · n×n/);
    expect(run.stdout).toMatch(/webgrad wasm-1t/);
    expect(run.stdout).toContain(`chart written to ${chart}`);
    const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
    expect(report.schema).toBe('webgrad-bench/1');
    expect(report.workloads.map((w) => w.id)).toEqual(['matmul@16', 'matmul@32', 'train@8']);
    expect(report.results.filter((r) => r.status !== 'ok')).toEqual([]);
    const gpu = report.contenders.some((c) => c.id === 'webgpu');
    if (mustRun('webgpu')) expect(gpu).toBe(true);
    if (gpu) expect(run.stdout).toMatch(/crossover: WebGPU (does not beat|beats) WASM/);
    const svg = readFileSync(chart, 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.match(/<path class="series"/g)).toHaveLength(2 * report.contenders.length);
    const markdown = readFileSync(md, 'utf8');
    expect(markdown.startsWith('# Benchmarks\n\n## Throughput: ')).toBe(true);
    expect(markdown).toContain('](charts/bench.svg)');
    expect(markdown).toContain('| n | shapes | webgrad');
  }, 180_000);

  it('--json alone puts only the report on stdout', async () => {
    const run = await webgrad('bench', '--ops', 'sum', '--elements', '1000', '--backends', 'cpu', '--peers', 'none', '--reps', '3', '--budget', '1', '--json', '--no-chart', '--quiet');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ workload: 'sum@1000', contender: 'cpu', status: 'ok' });
  }, 60_000);

  it('runs the model workloads, with their config and unit in the JSON', async () => {
    const run = await webgrad('bench', '--ops', 'seed,mlp-fit', '--backends', 'wasm-1t-simd,wasm-1t,cpu', '--peers', 'none', '--reps', '3', '--budget', '2', '--quick', '--json', '--no-chart');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.contenders.map((c) => c.id)).toEqual(['wasm-1t-simd', 'wasm-1t', 'cpu']);
    expect(report.contenders[0]!.description).toMatch(/^WebAssembly SIMD128, 1 thread/);
    // --quick: 50 seed steps, a fit over 1,280 samples, nothing on plain JS (checked against wasm-1t instead)
    expect(report.groups.find((g) => g.id === 'seed')).toMatchObject({ unit: 'steps/s', config: expect.stringContaining('model.fit for 50 full-batch epochs') });
    expect(report.groups.find((g) => g.id === 'mlp-fit')!.config).toContain('model.fit over 1280 samples, batch 128');
    for (const w of ['seed@50', 'mlp-fit@128']) {
      expect(report.results.find((r) => r.workload === w && r.contender === 'wasm-1t-simd')).toMatchObject({ status: 'ok', check: { against: 'wasm-1t (cpu too slow here)' } });
      expect(report.results.find((r) => r.workload === w && r.contender === 'wasm-1t')).toMatchObject({ status: 'ok', check: { against: 'wasm-1t-simd' } });
      expect(report.results.find((r) => r.workload === w && r.contender === 'cpu')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/not run on plain JS/) });
    }
    expect(run.stderr).toMatch(/^bench 1\/2 seed@50 \(x \[3×3\], y \[3×1\]\)$/m);
  }, 120_000);

  it.each([
    [['--ops', 'matmull'], /option '--ops <groups>' argument 'matmull' is invalid\. unknown op group 'matmull'; expected matmul, .*train, or mlp, elementwise, reduce, all|unknown op group 'matmull'; expected matmul/],
    [['--backends', 'gpu'], /unknown backend 'gpu'; expected webgpu, wasm \(1 thread and every core\), wasm-<threads>t \(e\.g\. wasm-1t\), cpu/],
    [['--sizes', '64,abc'], /expected positive integers separated by commas, e\.g\. 64,256,1024/],
    [['--mlp', '784'], /expected the input width and at least one layer, e\.g\. 784,128,10/],
    [['--peers', 'tfjs-gpu'], /unknown peer 'tfjs-gpu'; expected tfjs-webgpu, tfjs-wasm, tfjs-cpu or none/],
    [['--reps', '0'], /expected a positive integer/],
    [['--budget', '-1'], /expected a number > 0/],
    [['--ops', 'gpt,cnn'], /unknown op group 'cnn'; expected .*cnn-train, mlp-fit, seed, .*models, gpt/],
    [['--tiles', '128x64'], /expected a tile like 128x64x16 or 128x128x8\/8 .*got '128x64'/],
    [['--backends', 'wasm-2t-relaxed'], /unknown backend 'wasm-2t-relaxed'/],
  ])('refuses %j with a message that says what was expected', async (args, message) => {
    const run = await webgrad('bench', ...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });
});

describe('webgrad info', () => {
  it('lists the runtime, the backends, the adapter and the WASM features', async () => {
    const text = await webgrad('info');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^runtime {3}Node 2\d\./);
    expect(text.stdout).toMatch(/\n {2}wasm {4}present {3}WebAssembly (relaxed )?SIMD/);
    expect(text.stdout).toMatch(/\n {2}'auto' picks (webgpu|wasm|cpu): picked/);
    expect(text.stdout).toMatch(/\nWebAssembly\n {2}SIMD {14}yes\n {2}relaxed SIMD {6}yes\n/);

    const json = await webgrad('info', '--json');
    expect(json.code, json.stderr).toBe(0);
    const env = JSON.parse(json.stdout) as EnvironmentReport;
    expect(env.backends.map((b) => b.name)).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(env.wasm.simd).toBe(true);
    // the CLI turns on relaxed SIMD where Node 20 keeps it behind a flag
    expect(env.wasm.relaxedSimd).toBe(true);
    const gpu = env.backends.find((b) => b.name === 'webgpu')!;
    if (mustRun('webgpu')) expect(gpu.present).toBe(true);
    if (gpu.present) {
      expect(text.stdout).toContain(`name              ${env.adapter!.name}`);
      expect(typeof env.adapter!.software).toBe('boolean');
      expect(typeof env.adapter!.shaderF16).toBe('boolean');
      expect(env.adapter!.limits['maxStorageBufferBindingSize']).toBeGreaterThan(0);
      // a software adapter is never what 'auto' picks while wasm starts
      if (env.adapter!.software) expect(env.auto.backend).toBe('wasm');
    } else {
      expect(gpu.detail.length).toBeGreaterThan(10);
    }
  }, 60_000);
});
