// Which vitest project a suite is running in (vitest.config.ts provides it). The
// browser project re-runs the suites in Chromium to check what differs there: its
// WebGPU implementation and limits, its wasm engine, Workers, the DOM. Where a suite
// is a large table of rows that differ only in the WGSL they compile (which is the
// same in Node), the node project checks every row and Chromium a subset that still
// compiles and checks each kernel family and variant once: on SwiftShader in Chromium
// every new pipeline costs seconds to compile, in Node milliseconds.

import { inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The vitest project: 'node' (Node 20) or 'browser' (Chromium). */
    runtime: 'node' | 'browser';
  }
}

/** True in the browser (Chromium) project. */
export const IN_BROWSER_PROJECT: boolean = inject('runtime') === 'browser';

/**
 * The rows to check here: all of them in the node project, those `keep` picks in the
 * browser project. Every row still runs somewhere: the node project runs them all.
 */
export function rowsHere<T>(rows: readonly T[], keep: (row: T, index: number) => boolean): T[] {
  return IN_BROWSER_PROJECT ? rows.filter(keep) : [...rows];
}

/**
 * Whether a test of host-side logic that a suite runs on every backend (the dataset
 * plumbing around fit, the memory planner's report, the CSV pipeline, autograd's
 * checkpointing, the functional graph, save / load) is defined for
 * `backend` here: on every backend in the node project; in Chromium on cpu and wasm
 * only. There, on webgpu, it would compile the model's kernels for seconds each while
 * checking nothing of WebGPU's own; the suites that train on webgpu (test/train/,
 * test/models/gpt.test.ts) check that in Chromium.
 */
export function hostSideHere(backend: string): boolean {
  return !(IN_BROWSER_PROJECT && backend === 'webgpu');
}

/**
 * Defines a test in the node project only: for a check of host-side orchestration
 * (fit's snapshots, optimizer wrappers, save / load) that a suite also runs on webgpu,
 * where Chromium would spend its seconds recompiling pipelines on SwiftShader to check
 * the same JavaScript again. The suite's other tests still run on webgpu in Chromium.
 */
export function itInNodeProject(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (!IN_BROWSER_PROJECT) it(name, fn, timeout);
}
