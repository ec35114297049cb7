// What fit on tensors (train.ts) and fit on a dataset (train-dataset.ts) share around
// their loops: the options both take and their checks, the epoch line verbose prints, the
// logs made of device sums, and the pause that lets the event loop run.

import type { Callback, Logs } from './callbacks.js';
import type { CheckpointOptions } from './io/checkpoint.js';
import type { OnNaN } from './nan-guard.js';
import { checkChoice, given } from './options.js';

/**
 * When fit lets the event loop run: 'auto' (default, TF.js' name) after any step once
 * {@link AUTO_YIELD_MS} have passed since it last did, 'batch' after every step, 'epoch'
 * after every epoch, 'never'.
 */
export type YieldEvery = 'auto' | 'batch' | 'epoch' | 'never';

/**
 * 'auto''s pause interval: a frame at 60 Hz, so a page stays responsive, while a fit of
 * tiny steps does not pay a macrotask turn for each epoch (~30 µs in Node here: the seed
 * example's 1,000 one-step epochs ran at 58 µs a step with a pause per epoch, 27 without).
 */
export const AUTO_YIELD_MS = 16;

/** The options fit takes alike for tensors (FitOptions) and for a dataset (FitDatasetOptions). */
export interface FitLoopOptions {
  callbacks?: Callback | readonly Callback[];
  /** 0: silent; 1 or 2: one line per epoch (default 1). */
  verbose?: 0 | 1 | 2;
  /** Let the event loop run every 16 ms at a step's end ('auto', the default), after every 'batch' or 'epoch', or 'never'. */
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

/** verbose (0, 1 or 2; default 1), onNaN ('stop' by default) and yieldEvery ('auto' by default), checked for `fn`. */
export function checkLoopOptions(
  fn: string,
  options: { verbose?: unknown; onNaN?: unknown; yieldEvery?: unknown },
): { verbose: 0 | 1 | 2; onNaN: OnNaN; yieldEvery: YieldEvery } {
  const verbose = options.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`${fn}: verbose should be 0, 1 or 2, got ${String(verbose)}`);
  const onNaN = checkChoice<OnNaN>(fn, 'onNaN', options.onNaN, 'stop', ['stop', 'throw']);
  const yieldEvery = checkChoice<YieldEvery>(fn, 'yieldEvery', options.yieldEvery, 'auto', ['auto', 'batch', 'epoch', 'never']);
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
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => ((globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? setTimeout)(resolve));

/** Pauses a fit's loop for the event loop as its yieldEvery says. */
export class EventLoopPacer {
  private lastPause = performance.now();

  constructor(private readonly every: YieldEvery) {}

  /** At the end of a step (a batch). */
  afterStep(): Promise<void> | undefined {
    return this.every === 'batch' || this.autoDue() ? this.pause() : undefined;
  }

  /** At the end of an epoch. */
  afterEpoch(): Promise<void> | undefined {
    return this.every === 'epoch' || this.autoDue() ? this.pause() : undefined;
  }

  private autoDue(): boolean {
    return this.every === 'auto' && performance.now() - this.lastPause >= AUTO_YIELD_MS;
  }

  private async pause(): Promise<void> {
    await yieldToEventLoop();
    this.lastPause = performance.now();
  }
}
