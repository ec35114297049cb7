// The control block that the main thread and the workers share in linear memory
// (int32 slots). A job is published by bumping GENERATION; every worker runs its
// part and increments DONE. Shared by pool.ts (main side) and worker.ts.

export const GENERATION = 0;
export const KIND = 1;
export const DESCRIPTOR = 2;
export const PARTS = 3;
export const DONE = 4;
export const STOP = 5;
/** Bytes reserved for the control block. */
export const CONTROL_BYTES = 64;

/**
 * How long a thread spins on a slot before sleeping on it, in ms. Waking a sleeping
 * thread takes ~60 µs on this project's VMs, more than many kernels last, so workers
 * keep spinning for a while after each job (as OpenMP's blocktime does): during
 * training the next job arrives long before, and an idle pool still goes to sleep.
 */
export const SPIN_MS = 2;

/** Spins until `slot` differs from `value`, then sleeps on it (`canSleep`), up to `timeout` ms per sleep. */
export function waitWhile(ctl: Int32Array, slot: number, value: number, canSleep: () => boolean): void {
  let spins = 0;
  let deadline = 0;
  while (Atomics.load(ctl, slot) === value) {
    if ((++spins & 255) !== 0) continue;
    const now = performance.now();
    if (deadline === 0) deadline = now + SPIN_MS;
    else if (now > deadline && canSleep()) Atomics.wait(ctl, slot, value, 50);
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
