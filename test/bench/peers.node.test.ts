// TensorFlow.js beside webgrad in one run (Node, where the devDependencies are
// installed): its backends compute the same workloads from the same data, their results
// pass the same check against webgrad's cpu backend, and each webgrad configuration gets
// its ratio to the incumbent of its family. tfjs-webgpu runs on webgrad's adapter.
import { describe, expect, it } from 'vitest';
import { resultOf, runBench } from '../../src/bench/index.js';
import { mustRun } from '../helpers/backends.js';

describe('TensorFlow.js as the peer', () => {
  it('runs the same matmuls, MLP products, convolutions and training steps; ratios are against the incumbent, sample by sample', async () => {
    const report = await runBench({
      ops: ['matmul', 'mlp-weight-grad', 'conv2d', 'train'], sizes: [24], batchSizes: [16], mlp: [12, 8, 3],
      backends: ['webgpu', 'wasm-1t', 'cpu'], reps: 3, budgetSeconds: 6,
    });
    const gpu = report.contenders.some((c) => c.id === 'webgpu');
    if (mustRun('webgpu')) expect(gpu, JSON.stringify(report.unavailable)).toBe(true);
    const peers = ['tfjs-wasm', 'tfjs-cpu', ...(gpu ? ['tfjs-webgpu'] : [])];
    expect(report.unavailable).toEqual([]);
    for (const w of report.workloads) {
      for (const id of peers) {
        const r = resultOf(report, w.id, id)!;
        expect(r.status, `${id} at ${w.id}: ${r.reason}`).toBe('ok');
        expect(r.check!.against).toBe('cpu');
        expect(r.check!.error).toBeLessThanOrEqual(r.check!.tolerance);
      }
      for (const [ours, theirs] of [['wasm-1t', 'tfjs-wasm'], ['cpu', 'tfjs-cpu'], ...(gpu ? [['webgpu', 'tfjs-webgpu']] : [])] as const) {
        const r = resultOf(report, w.id, ours)!;
        const p = resultOf(report, w.id, theirs)!;
        expect(report.contenders.find((c) => c.id === ours)!.incumbent).toBe(theirs);
        expect(r.ratio!.samples).toBe(r.seconds!.samples);
        expect(p.status).toBe('ok');
        // one ratio per round: their sample over ours, taken in the same round
        expect(r.ratio!.p10).toBeGreaterThan(0);
        expect(Number.isFinite(r.ratio!.p90)).toBe(true);
        expect(r.ratio!.p10).toBeLessThanOrEqual(r.ratio!.median);
        // peers carry no ratio of their own
        expect(p.ratio).toBeUndefined();
      }
    }
    expect(report.contenders.find((c) => c.id === 'tfjs-wasm')!.description).toMatch(/XNNPACK, SIMD, 1 thread/);
  }, 180_000);
});
