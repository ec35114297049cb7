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

/** How long a thread spins on a slot before sleeping on it (iterations of Atomics.load). */
export const SPIN = 20000;

/** What the main thread sends each worker once. */
export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Byte address of the control block. */
  readonly control: number;
  /** This worker's part number (1..threads-1; the main thread runs part 0). */
  readonly index: number;
}
