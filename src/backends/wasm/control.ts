// The control block that the main thread and the workers share in linear memory
// (int32 slots), shared by pool.ts (main side) and worker.ts.
//
// A job is split into parts. The main thread writes KIND and DESCRIPTOR, resets
// DONE, publishes the parts in NEXT and bumps GENERATION to wake the workers. Every
// thread, the main one included, then claims parts from NEXT until none is left
// and counts each finished part in DONE. A worker that wakes late, or is
// descheduled, leaves its parts to the others instead of stalling the job.
//
// NEXT packs [parts: 16 bits][next part: 16 bits] in one word, so a claim (a
// compare-exchange) can never pair the count of one job with the index of
// another; KIND and DESCRIPTOR are read after a successful claim, when they are
// the claimed job's.

export const GENERATION = 0;
export const KIND = 1;
export const DESCRIPTOR = 2;
export const NEXT = 3;
export const DONE = 4;
export const STOP = 5;
/** Most parts a job may have. */
export const MAX_PARTS = 0xffff;

export function packParts(parts: number): number {
  return (parts << 16) | 0;
}

/** Claims the next part: [index, parts], or undefined when none is left. */
export function claim(ctl: Int32Array): [number, number] | undefined {
  for (;;) {
    const v = Atomics.load(ctl, NEXT);
    const parts = v >>> 16;
    const index = v & 0xffff;
    if (index >= parts) return undefined;
    if (Atomics.compareExchange(ctl, NEXT, v, v + 1) === v) return [index, parts];
  }
}
/** Bytes reserved for the control block. */
export const CONTROL_BYTES = 64;

/**
 * How long a thread spins on a slot before sleeping on it, in ms. Waking a sleeping
 * thread takes ~60 µs on this project's VMs, more than many kernels last, so workers
 * keep spinning for a while after each job (as OpenMP's blocktime does): during
 * training the next job arrives long before. The main thread, waiting for the last
 * parts of a job, spins for less.
 */
export const WORKER_SPIN_MS = 2;
export const MAIN_SPIN_MS = 0.25;

/**
 * Spins until `slot` differs from `value`, then sleeps on it (if `canSleep`). A
 * spinning thread that finds it was descheduled (a gap between two looks at the
 * clock) sleeps at once: the machine has more runnable threads than cores, and
 * spinning would take the core from the thread it waits for.
 */
export function waitWhile(ctl: Int32Array, slot: number, value: number, spinMs: number, canSleep: () => boolean): void {
  let spins = 0;
  let deadline = 0;
  let last = 0;
  while (Atomics.load(ctl, slot) === value) {
    if ((++spins & 255) !== 0) continue;
    const now = performance.now();
    if (deadline === 0) deadline = now + spinMs;
    const descheduled = last !== 0 && now - last > 0.2;
    last = now;
    if ((now > deadline || descheduled) && canSleep()) {
      Atomics.wait(ctl, slot, value, 50);
      deadline = performance.now() + spinMs;
      last = 0;
    }
  }
}

/** What the main thread sends each worker once. */
export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Byte address of the control block. */
  readonly control: number;
  /** This worker's part number (1..threads-1; the main thread runs part 0). */
  readonly index: number;
}
