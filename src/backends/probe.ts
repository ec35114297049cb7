// setBackend('auto', { probe }): times a few training steps of the model at hand (an
// MLP of its layer widths, at its batch size) on every backend that starts, and picks
// the fastest. The same step the benchmark's 'train' group measures (src/mlp-step.ts),
// so that 'auto' and `webgrad bench` agree. Loaded only when a probe is asked for.

import { mlpStepData, mlpTrainingStep } from '../mlp-step.js';
import type { Backend, BackendName } from './backend.js';
import { useBackendInstance } from './select.js';

export interface ProbeTiming {
  readonly name: BackendName;
  /** Median ms per training step; undefined when the backend could not run it. */
  readonly ms?: number;
  readonly error?: string;
}

/** A backend whose first steps take longer than this is not timed further. */
const SLOW_STEP_MS = 2000;

async function sync(backend: Backend): Promise<void> {
  backend.flush?.();
  await backend.sync?.();
}

/** Median ms per step of each candidate, in the order given. The active backend is put back. */
export async function probeTrainingStep(
  candidates: readonly { readonly name: BackendName; readonly backend: Backend }[],
  widths: readonly number[],
  batch: number,
  steps: number,
): Promise<ProbeTiming[]> {
  const data = mlpStepData(widths, batch);
  const timings: ProbeTiming[] = [];
  for (const { name, backend } of candidates) {
    const previous = useBackendInstance(backend);
    const step = (() => {
      try {
        return mlpTrainingStep(widths, batch, data);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    })();
    try {
      if (step instanceof Error) throw step;
      // three steps read back: compiles kernels, fills pools
      const warm = performance.now();
      await step.result();
      const times: number[] = [];
      if ((performance.now() - warm) / 3 <= SLOW_STEP_MS) {
        for (let i = 0; i < steps; i++) {
          const t = performance.now();
          step.run();
          await sync(backend);
          times.push(performance.now() - t);
        }
      } else {
        times.push((performance.now() - warm) / 3);
      }
      times.sort((a, b) => a - b);
      timings.push({ name, ms: times[times.length >> 1]! });
    } catch (error) {
      timings.push({ name, error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (!(step instanceof Error)) step.dispose();
      useBackendInstance(previous);
    }
  }
  return timings;
}
