// What fit on tensors (train.ts) and fit on a dataset (train-dataset.ts) share around
// their loops: the options both take and their checks, the epoch line verbose prints, the
// logs made of device sums, and the pause that lets the event loop run.

import type { Callback, Logs } from './callbacks.js';
import type { CheckpointOptions } from './io/checkpoint.js';
import type { OnNaN } from './nan-guard.js';
import { checkChoice, given } from './options.js';

export type YieldEvery = 'batch' | 'epoch' | 'never';

/** The options fit takes alike for tensors (FitOptions) and for a dataset (FitDatasetOptions). */
export interface FitLoopOptions {
  callbacks?: Callback | readonly Callback[];
  /** 0: silent; 1 or 2: one line per epoch (default 1). */
  verbose?: 0 | 1 | 2;
  /** Let the event loop run after every 'batch' or 'epoch' (default), or 'never'. */
  yieldEvery?: YieldEvery;
  /** Aborting stops training at the next step boundary; fit then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Write a checkpoint to `dir` every `every` epochs, keeping the last `keep` (Node, Deno). */
  checkpoint?: CheckpointOptions;
}

/** An AbortSignal, or an object that behaves as one (another realm's, a polyfill). */
function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof AbortSignal !== 'undefined' && value instanceof AbortSignal) return true;
  const s = value as { aborted?: unknown; throwIfAborted?: unknown; addEventListener?: unknown } | null;
  return typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' && typeof s.throwIfAborted === 'function' && typeof s.addEventListener === 'function';
}

/** verbose (0, 1 or 2; default 1), onNaN ('stop' by default) and yieldEvery ('epoch' by default), checked for `fn`. */
export function checkLoopOptions(
  fn: string,
  options: { verbose?: unknown; onNaN?: unknown; yieldEvery?: unknown },
): { verbose: 0 | 1 | 2; onNaN: OnNaN; yieldEvery: YieldEvery } {
  const verbose = options.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`${fn}: verbose should be 0, 1 or 2, got ${String(verbose)}`);
  const onNaN = checkChoice<OnNaN>(fn, 'onNaN', options.onNaN, 'stop', ['stop', 'throw']);
  const yieldEvery = checkChoice<YieldEvery>(fn, 'yieldEvery', options.yieldEvery, 'epoch', ['batch', 'epoch', 'never']);
  return { verbose, onNaN, yieldEvery };
}

/** The signal option: undefined, or an AbortSignal (or an object that behaves as one). */
export function checkSignal(fn: string, signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !isAbortSignal(signal)) throw new TypeError(`${fn}: signal should be an AbortSignal, got ${given(signal)}`);
  return signal;
}

/** Sums (or a batch's values, with count 1) as named means. */
export function toLogs(values: ArrayLike<number>, metrics: readonly { name: string }[], count: number): Logs {
  const logs: Logs = { loss: values[0]! / count };
  metrics.forEach((m, i) => (logs[m.name] = values[i + 1]! / count));
  return logs;
}

/** verbose's line for an epoch: `Epoch 3/10 - 120ms - loss: 0.4123 - accuracy: 0.8750`. */
export function logEpoch(epoch: number, epochs: number, started: number, logs: Logs): void {
  const ms = performance.now() - started;
  const parts = Object.entries(logs).map(([k, v]) => `${k}: ${v.toPrecision(4)}`);
  console.log(`Epoch ${epoch + 1}/${epochs} - ${ms.toFixed(0)}ms - ${parts.join(' - ')}`);
}

/** Lets the event loop run (timers, rendering, an abort) between steps. */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => ((globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? setTimeout)(resolve));
