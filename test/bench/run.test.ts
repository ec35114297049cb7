// The benchmark library on tiny sizes, on every webgrad backend present (in Node and
// in Chromium): every figure is checked against the cpu reference before it is timed,
// the figures follow from flops and medians, the crossovers agree with the series, and
// the chart, text and markdown show what ran. A wrong or failing contender is reported,
// never timed or drawn. (How fast anything is, is for `npm run bench`, not for tests.)
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BenchReport, findCrossovers, GROUP_NAMES, markdownReport, type PeerLoader, problems, reportChart, resultOf, runBench, seriesOf, textReport, workloadsOf,
} from '../../src/bench/index.js';
import type { Peer } from '../../src/bench/peers.js';
import * as wg from '../../src/index.js';
import { mustRun } from '../helpers/backends.js';

const TINY = { sizes: [16, 40], batchSizes: [8, 24], elements: [1000, 5000], mlp: [12, 8, 3], reps: 3, budgetSeconds: 8, peers: [] };

describe('runBench on every backend present', () => {
  let report: BenchReport;
  beforeAll(async () => {
    report = await runBench({ ...TINY, backends: ['webgpu', 'wasm', 'cpu'] });
  }, 180_000);

  it('measures each configuration that starts, and says why the others did not', () => {
    const ids = report.contenders.map((c) => c.id);
    expect(ids).toContain('cpu');
    expect(ids).toContain('wasm-1t');
    if (mustRun('webgpu')) expect(ids, JSON.stringify(report.unavailable)).toContain('webgpu');
    for (const u of report.unavailable) expect(u.reason.length).toBeGreaterThan(10);
    // nothing is both measured and unavailable
    for (const u of report.unavailable) expect(ids).not.toContain(u.id);
    expect(report.groups.map((g) => g.id)).toEqual([...GROUP_NAMES]);
  });

  it('every result is right (checked against cpu) and timed', () => {
    expect(problems(report)).toEqual([]);
    for (const w of report.workloads) {
      for (const c of report.contenders) {
        const r = resultOf(report, w.id, c.id);
        expect(r?.status, `${c.id} at ${w.id}: ${r?.reason}`).toBe('ok');
        expect(r!.check!.against).toMatch(/^cpu/);
        expect(r!.check!.error).toBeLessThanOrEqual(r!.check!.tolerance);
        const s = r!.seconds!;
        expect(s.median, `${c.id} at ${w.id}: ${JSON.stringify(r)}`).toBeGreaterThan(0);
        expect(s.p10).toBeLessThanOrEqual(s.median);
        expect(s.median).toBeLessThanOrEqual(s.p90);
        // GFLOP/s is the workload's flops over the median time; the range comes from p90 and p10
        expect(r!.gflops).toBeCloseTo(w.flops / s.median / 1e9, 6);
        expect(r!.gflopsRange![0]).toBeLessThanOrEqual(r!.gflops! * (1 + 1e-9));
        expect(r!.gflopsRange![1]).toBeGreaterThanOrEqual(r!.gflops! * (1 - 1e-9));
        expect(r!.runsPerSample).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('counts flops as the shapes say', () => {
    const flops = (id: string) => report.workloads.find((w) => w.id === id)!.flops;
    expect(flops('matmul@40')).toBe(2 * 40 ** 3);
    expect(flops('mlp-weight-grad@24')).toBe(2 * 24 * 12 * 8);
    expect(flops('add@5000')).toBe(5000);
    // forward, and two products per layer backward: 6·B·Σ in·out
    expect(flops('train@8')).toBe(6 * 8 * (12 * 8 + 8 * 3));
    // each output pixel of each filter: a 3x3x8 window's products
    expect(flops('conv2d@24')).toBe(2 * 24 * 16 * 16 * 16 * 3 * 3 * 8);
    expect(workloadsOf(report, 'mlp-input-grad').map((w) => w.shape)).toEqual(['[8×8]·[12×8]ᵀ', '[24×8]·[12×8]ᵀ']);
  });

  it('crossovers agree with the series: WebGPU ahead of the best WASM from that size on, and not just before it', () => {
    const hasGpu = report.contenders.some((c) => c.id === 'webgpu');
    expect(report.crossovers.length).toBe(hasGpu ? report.groups.length : 0);
    const wasm = report.contenders.filter((c) => c.family === 'wasm' && c.kind === 'webgrad').map((c) => c.id);
    for (const x of report.crossovers) {
      const gpu = new Map(seriesOf(report, x.group, 'webgpu'));
      const best = (size: number) => Math.max(...wasm.map((id) => new Map(seriesOf(report, x.group, id)).get(size) ?? 0));
      const sizes = x.compared;
      const ahead = sizes.map((s) => (gpu.get(s) ?? 0) > best(s));
      if (x.size === undefined) {
        expect(ahead[ahead.length - 1]).toBe(false);
        expect(x.note).toMatch(/does not beat WASM/);
      } else {
        const from = sizes.indexOf(x.size);
        expect(ahead.slice(from).every(Boolean)).toBe(true);
        if (from > 0) expect(ahead[from - 1]).toBe(false);
      }
    }
  });

  it('the chart has a panel per group and a line per contender, with the machine in the title', () => {
    const svg = reportChart(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<g class="panel"/g)).toHaveLength(report.groups.length);
    const lines = [...svg.matchAll(/<path class="series" data-series="([^"]+)"/g)].map((m) => m[1]);
    expect(lines).toHaveLength(report.groups.length * report.contenders.length);
    for (const c of report.contenders) expect(lines).toContain(`webgrad ${c.id}`);
    expect(svg).toContain(report.machine.label.replace(/&/g, '&amp;').split(',')[0]!);
    // every path coordinate is a finite number
    for (const m of svg.matchAll(/ d="([^"]+)"/g)) expect(m[1]).toMatch(/^M-?[\d.]+,-?[\d.]+( L-?[\d.]+,-?[\d.]+)*$/);
  });

  it('the text and markdown reports have a row per workload and a column per contender', () => {
    const text = textReport(report);
    const md = markdownReport(report, { chart: 'bench/chart.svg' });
    for (const w of report.workloads) expect(md).toContain(`| ${w.shape.replace(/\|/g, '\\|')} |`);
    for (const c of report.contenders) {
      expect(text).toContain(`webgrad ${c.id}`);
      expect(md).toContain(`webgrad ${c.id}`);
    }
    expect(md).toContain('![GFLOP/s against size');
    expect(md).toMatch(/Every result was checked before timing/);
  });

  it('is plain data: JSON keeps all of it', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    // and what reads it back draws the same
    expect(reportChart(JSON.parse(JSON.stringify(report)) as BenchReport)).toBe(reportChart(report));
  });

  it('the readers refuse what is not a report, naming what they were given', () => {
    expect(() => reportChart(undefined as never)).toThrow(/^reportChart: expected a benchmark report \(what runBench returns, schema 'webgrad-bench\/1'\), got undefined$/);
    expect(() => textReport({ results: [] } as never)).toThrow(/^textReport: expected a benchmark report .*, got an object without workloads, contenders, groups, crossovers$/);
    expect(() => findCrossovers('report' as never)).toThrow(/^findCrossovers: expected a benchmark report .*, got string report$/);
    expect(() => markdownReport(report, { chrt: 'x.svg' } as never)).toThrow(/^markdownReport: unknown option 'chrt'; did you mean 'chart'\?/);
  });
});

/** A peer whose matmul is instant and wrong, or which throws. */
function fakePeer(id: 'tfjs-cpu' | 'tfjs-wasm', behaviour: 'wrong' | 'throws'): Peer {
  return {
    info: { id, kind: 'peer', family: id === 'tfjs-cpu' ? 'cpu' : 'wasm', description: `a ${behaviour} stand-in` },
    activate: async () => {},
    sync: async () => {},
    whyNot: () => undefined,
    build: (spec) => ({
      run: () => {},
      result: async () => {
        if (behaviour === 'throws') throw new Error('kernel exploded');
        const n = spec.kind === 'matmul' ? (spec.transposeA ? spec.a[1] : spec.a[0]) * (spec.transposeB ? spec.b[0] : spec.b[1]) : 1;
        return new Float32Array(n).fill(0.5);
      },
      dispose: () => {},
    }),
    dispose: () => {},
  };
}

describe('a fast wrong kernel cannot win', () => {
  it('a wrong result is reported and never timed or drawn; a contender that throws is reported too', async () => {
    const loadPeers: PeerLoader = async (names) => ({
      peers: names.map((n) => fakePeer(n as 'tfjs-cpu' | 'tfjs-wasm', n === 'tfjs-cpu' ? 'wrong' : 'throws')),
      unavailable: [],
    });
    const report = await runBench({ ops: ['matmul', 'sum'], sizes: [16], elements: [1000], backends: ['cpu', 'wasm-1t'], peers: ['tfjs-cpu', 'tfjs-wasm'], loadPeers, reps: 3, budgetSeconds: 3 });
    const wrong = resultOf(report, 'matmul@16', 'tfjs-cpu')!;
    expect(wrong.status).toBe('wrong');
    expect(wrong.reason).toMatch(/^result differs from cpu: error [\d.e+-]+ > tolerance 0\.0001$/);
    expect(wrong.gflops).toBeUndefined();
    expect(resultOf(report, 'matmul@16', 'tfjs-wasm')).toMatchObject({ status: 'failed', reason: 'kernel exploded' });
    expect(problems(report).map((r) => `${r.contender}@${r.workload}`).sort()).toEqual(['tfjs-cpu@matmul@16', 'tfjs-cpu@sum@1000', 'tfjs-wasm@matmul@16', 'tfjs-wasm@sum@1000']);
    expect(seriesOf(report, 'matmul', 'tfjs-cpu')).toEqual([]);
    expect(reportChart(report)).not.toContain('data-series="tfjs-cpu"');
    // webgrad's own figures stand, without a ratio to an incumbent that was not timed
    const cpu = resultOf(report, 'matmul@16', 'cpu')!;
    expect(cpu.status).toBe('ok');
    expect(cpu.ratio).toBeUndefined();
  }, 60_000);

  it('says so when none of the backends asked for can start', async () => {
    // more threads than a pool allows: the wasm backend refuses, and nothing else was asked for
    await expect(runBench({ ops: ['sum'], elements: [1000], backends: ['wasm-1000t'], peers: [] })).rejects.toThrow(/^runBench: none of the backends asked for could start here: wasm-1000t: /);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('enough'));
    await expect(runBench({ ops: ['matmul'], sizes: [16], backends: ['cpu'], peers: [], signal: controller.signal })).rejects.toThrow('enough');
  });
});

describe('runBench refuses wrong options before it starts anything', () => {
  const before = () => wg.memory().numTensors;
  it.each([
    [{ sizes: [64, 0] }, /^runBench: sizes should be a list of positive integers \(e\.g\. \[64, 256, 1024\]\), got \[64,0\]$/],
    [{ batchSizes: 32 }, /^runBench: batchSizes should be a list of positive integers \(e\.g\. \[32, 128\]\), got number 32$/],
    [{ mlp: [784] }, /^runBench: mlp should be 2 or more positive integers \(e\.g\. \[784, 128, 10\]\), got \[784\]$/],
    [{ backends: ['wbgpu'] }, /^runBench: backends has "wbgpu", expected one of webgpu, wasm, wasm-1t, wasm-<threads>t, cpu; did you mean 'webgpu'\?$/],
    [{ backends: 'cpu' }, /^runBench: backends should be an array of names \(webgpu, wasm, .*\), got string cpu$/],
    [{ peers: ['tfjs-gpu'] }, /^runBench: peers has "tfjs-gpu", expected one of tfjs-webgpu, tfjs-wasm, tfjs-cpu; did you mean 'tfjs-cpu'\?$/],
    [{ ops: ['matmull'] }, /^runBench: ops has "matmull", expected one of matmul, .*, train, gpt-train, .*, seed; did you mean 'matmul'\?$/],
    [{ ops: ['gpt-trian'] }, /^runBench: ops has "gpt-trian", expected one of .*; did you mean 'gpt-train'\?$/],
    [{ models: { gptbatch: 2 } }, /^runBench models: unknown option 'gptbatch'; did you mean 'gptBatch'\?/],
    [{ models: 5 }, /^runBench: models should be an object of model sizes \(e\.g\. \{ gptBatch: 8, newTokens: 32 \}\), got number 5$/],
    [{ reps: 2.5 }, /^runBench: reps should be an integer >= 1, got 2\.5$/],
    [{ budgetSeconds: 0 }, /^runBench: budgetSeconds should be a finite number > 0, got 0$/],
    [{ maxRunMs: Number.NaN }, /^runBench: maxRunMs should be a finite number > 0, got NaN$/],
    [{ repetitions: 5 }, /^runBench: unknown option 'repetitions' \(expected one of: sizes, /],
    [{ budget: 10 }, /^runBench: unknown option 'budget' \(expected one of: .*, budgetSeconds, /],
    [{ budgetsecond: 10 }, /^runBench: unknown option 'budgetsecond'; did you mean 'budgetSeconds'\?/],
    [{ onProgress: 'yes' }, /^runBench: onProgress should be a function, got string yes$/],
    [{ signal: {} }, /^runBench: signal should be an AbortSignal, got an object \(Object\)$/],
  ])('%j', async (options, message) => {
    const tensors = before();
    await expect(runBench(options as never)).rejects.toThrow(message);
    expect(wg.memory().numTensors).toBe(tensors);
  });
});
