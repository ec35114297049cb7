// The model workloads of the benchmark on tiny configs, on every webgrad backend present
// and with TensorFlow.js beside them: each contender starts from the same host weights,
// so its first losses (GPT, CNN), its fit losses (MLP, seed) and its greedy tokens are
// checked against webgrad's cpu backend before it is timed — which also shows that the
// hand-written TF.js GPT is the same model as wg.models.gpt. Rates are items over the
// median time; the report, the text and the chart carry each model's config.
import { describe, expect, it } from 'vitest';
import {
  type BenchReport, DEFAULT_MODEL_SIZES, MODEL_GROUPS, type ModelSizes, problems, reportChart, resultOf, runBench, textReport,
} from '../../src/bench/index.js';
import { mustRun } from '../helpers/backends.js';

const TINY: ModelSizes = {
  ...DEFAULT_MODEL_SIZES,
  gpt: { vocabSize: 11, contextLength: 8, numLayers: 2, numHeads: 2, embedDim: 8 },
  gptBatch: 2, prompt: 3, newTokens: 4, cnnBatch: 4, mlp: [6, 5, 3], mlpBatch: 4, mlpSamples: 12, seedSteps: 12, notOnCpu: [],
};

describe('model workloads', () => {
  let report: BenchReport;

  it('every backend and peer runs them from the same weights, checked against cpu', async () => {
    report = await runBench({ ops: [...MODEL_GROUPS], models: TINY, backends: ['webgpu', 'wasm-1t', 'cpu'], reps: 3, budgetSeconds: 10 });
    const gpu = report.contenders.some((c) => c.id === 'webgpu');
    if (mustRun('webgpu')) expect(gpu, JSON.stringify(report.unavailable)).toBe(true);
    expect(problems(report)).toEqual([]);
    const webgrad = ['wasm-1t', 'cpu', ...(gpu ? ['webgpu'] : [])];
    for (const w of report.workloads) {
      for (const id of webgrad) {
        const r = resultOf(report, w.id, id)!;
        expect(r.status, `${id} at ${w.id}: ${r.reason}`).toBe('ok');
        expect(r.check!.against).toMatch(/^cpu/);
        expect(r.check!.error).toBeLessThanOrEqual(r.check!.tolerance);
        // the rate is what one run processes over its median time
        expect(r.rate).toBeCloseTo(w.items! / r.seconds!.median, 6);
        expect(r.rateRange![0]).toBeLessThanOrEqual(r.rate! * (1 + 1e-9));
      }
    }
    // the peers: the hand-written TF.js GPT agrees with wg.models.gpt on its first three
    // losses (training) and greedy tokens (uncached generation); tfjs-layers on the others
    const peers = ['tfjs-cpu', ...(gpu ? ['tfjs-webgpu'] : [])];
    for (const group of ['gpt-train', 'gpt-generate-uncached', 'cnn-train', 'mlp-fit', 'seed']) {
      const w = report.workloads.find((x) => x.group === group)!;
      for (const id of peers) {
        const r = resultOf(report, w.id, id)!;
        expect(r.status, `${id} at ${w.id}: ${r.reason}`).toBe('ok');
        expect(r.check!.against).toBe('cpu');
        expect(r.check!.error).toBeLessThanOrEqual(r.check!.tolerance);
      }
    }
    // what TF.js cannot do is said, not failed
    const why = (group: string, id: string) => resultOf(report, report.workloads.find((x) => x.group === group)!.id, id);
    expect(why('gpt-train', 'tfjs-wasm')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/cannot train this GPT on WASM: .*UnsortedSegmentSum/) });
    expect(why('cnn-train', 'tfjs-wasm')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/Conv2DBackpropFilter/) });
    expect(why('gpt-generate', 'tfjs-cpu')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no KV cache/) });
    expect(why('seed', 'tfjs-wasm')?.status).toBe('ok');
    // the incumbent's ratio where both ran
    expect(why('mlp-fit', 'wasm-1t')!.ratio!.samples).toBe(why('mlp-fit', 'wasm-1t')!.seconds!.samples);
  }, 300_000);

  it('the report, the text and the chart carry each model config and unit', () => {
    const gpt = report.groups.find((g) => g.id === 'gpt-train')!;
    expect(gpt).toMatchObject({ unit: 'tokens/s', config: 'GPT vocab 11, context 8, 2 layers, 2 heads, embed 8; batch 2; Adam (lr 1e-3)' });
    expect(report.workloads.find((w) => w.group === 'gpt-train')!.items).toBe(2 * 8);
    expect(report.workloads.find((w) => w.group === 'cnn-train')!.items).toBe(4);
    expect(report.crossovers).toEqual([]);
    const text = textReport(report);
    expect(text).toContain('GPT training step  (cells: tokens/s; GPT vocab 11, context 8, 2 layers, 2 heads, embed 8; batch 2; Adam (lr 1e-3))');
    expect(text).toMatch(/CNN training step {2}\(cells: samples\/s; 16×16×1 images, conv 3×3 8 relu/);
    const svg = reportChart(report);
    // one bar panel per model workload, one bar per contender that ran it
    expect(svg.match(/<g class="panel bars"/g)).toHaveLength(MODEL_GROUPS.length);
    const gptBars = report.results.filter((r) => r.workload === 'gpt-train@2' && r.status === 'ok').length;
    expect(svg.split('GPT training step (tokens/s)')[1]!.split('</g>')[0]!.match(/<rect class="bar"/g)).toHaveLength(gptBars);
    expect(svg).toContain('GPT vocab 11, context 8, 2 layers, 2 heads, embed 8; batch 2;');
  });

  it('notOnCpu leaves plain JS out and checks against wasm-1t', async () => {
    const r = await runBench({ ops: ['gpt-train'], models: { ...TINY, notOnCpu: ['gpt-train'] }, backends: ['wasm-1t', 'cpu'], peers: [], reps: 3, budgetSeconds: 2 });
    expect(resultOf(r, 'gpt-train@2', 'cpu')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/not run on plain JS/) });
    expect(resultOf(r, 'gpt-train@2', 'wasm-1t')).toMatchObject({ status: 'ok', check: { against: 'nothing (it ran alone)' } });
  }, 120_000);
});
