// The loss and metrics of one epoch, summed over its batches without making an
// asynchronous device wait inside the epoch.

import type { TallyState } from './device-loss.js';
import * as ops from './ops/index.js';
import { keep, tidy } from './scope.js';
import type { Tensor } from './tensor.js';

/**
 * Batch losses and metrics of one epoch, summed weighted by batch size. Where the
 * backend reads synchronously (cpu, wasm) each batch's scalars are read at once; on
 * an asynchronous device they stay there, folded into one tensor every CHUNK
 * batches, and are read once at the end of the epoch.
 */
export class EpochTally {
  private static readonly CHUNK = 64;
  private readonly host: Float64Array;
  private pending: Tensor[] = [];
  private weights: number[] = [];
  private folded: Tensor | undefined;
  private seen = 0;
  /** Batches added so far. */
  count = 0;
  /** `from`: sums carried over (after a device loss, from the snapshot the epoch continues from). */
  constructor(private readonly width: number, from?: TallyState) {
    this.host = new Float64Array(width + 1);
    if (from) {
      this.host.set(from.sums);
      this.seen = from.seen;
      this.count = from.count;
    }
  }

  /** Frees what is still on the device without reading it (its device is lost). */
  discard(): void {
    for (const v of this.pending) v.dispose();
    this.folded?.dispose();
    this.pending = [];
    this.weights = [];
    this.folded = undefined;
  }

  /** Takes ownership of `values` ([loss, ...metrics] scalars). */
  add(values: readonly Tensor[], size: number): void {
    this.seen += size;
    this.count++;
    if (values[0]!.backend.readSync) {
      values.forEach((v, i) => {
        this.host[i]! += v.dataSync()[0]! * size;
        v.dispose();
      });
      return;
    }
    this.pending.push(...values);
    this.weights.push(size);
    if (this.weights.length >= EpochTally.CHUNK) this.fold();
  }

  /** Weighted means [loss, ...metrics] over the epoch. */
  async read(): Promise<Float64Array> {
    this.fold();
    const sums = Float64Array.from(this.host);
    if (this.folded) {
      // freed even when the read throws (an error a WebGPU kernel flagged, say)
      try {
        (await this.folded.data()).forEach((v, i) => (sums[i]! += v));
      } finally {
        this.folded.dispose();
        this.folded = undefined;
      }
    }
    return sums.map((v) => v / this.seen);
  }

  /** Sums the pending scalars, weighted by batch size, into `folded` ([1 + width]). */
  private fold(): void {
    if (this.pending.length === 0) return;
    const count = this.weights.length;
    const pending = this.pending;
    const weights = ops.tensor(this.weights.flatMap((w) => new Array<number>(this.width + 1).fill(w)), [count, this.width + 1]);
    const next = tidy(() => {
      const table = ops.reshape(ops.stack(pending.map((v) => ops.reshape(v, []))), [count, this.width + 1]);
      const sum = ops.sum(ops.mul(table, weights), 0);
      return this.folded ? ops.add(this.folded, sum) : sum;
    });
    weights.dispose();
    for (const v of pending) v.dispose();
    this.folded?.dispose();
    this.folded = keep(next);
    this.pending = [];
    this.weights = [];
  }
}
