// What the demo's throughput card can run: a quick look, the whole `webgrad bench`
// (the library's defaults), and a tiny run for the end-to-end test (?bench=tiny).
// Plain data, shared by the page (labels) and the benchmark worker (options).
import type { BenchOptions } from 'webgrad/bench';

export type PresetName = 'quick' | 'full' | 'tiny';

export interface Preset {
  readonly label: string;
  /** Offered in the picker; 'tiny' only when the URL asks for it. */
  readonly listed: boolean;
  readonly options: Omit<BenchOptions, 'signal' | 'onProgress' | 'loadPeers'>;
}

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  quick: {
    label: 'Quick (about 30 s)',
    listed: true,
    options: {
      ops: ['matmul', 'add', 'train'],
      sizes: [64, 128, 256, 512],
      batchSizes: [32, 128],
      elements: [2 ** 14, 2 ** 18],
      reps: 5,
      budgetSeconds: 20,
    },
  },
  full: { label: 'Full (about 5 minutes)', listed: true, options: {} },
  tiny: {
    label: 'Tiny (a few seconds, for tests)',
    listed: false,
    options: { ops: ['matmul', 'add', 'train'], sizes: [32, 64], batchSizes: [16, 32], elements: [2 ** 12, 2 ** 14], reps: 3, budgetSeconds: 2, maxRunMs: 500 },
  },
};

export const isPresetName = (name: string | null): name is PresetName => name !== null && Object.hasOwn(PRESETS, name);
