// What watches fit's training steps. fit is an epoch loop around a TrainingStep; the
// NaN guard, the device-loss guard, the epoch's tally of the loss and the batch
// callbacks are observers of that step, each told of the moments it cares about, so
// that the loop itself stays a loop (src/fit-run.ts) and a new concern is a new
// observer rather than new lines interleaved with the others.

import * as ops from './ops/index.js';
import { tidy } from './scope.js';
import type { Tensor } from './tensor.js';

/** Where a step is in the run. */
export interface StepPlace {
  readonly epoch: number;
  /** The step's index in its epoch. */
  readonly batch: number;
  /** Samples in the batch. */
  readonly size: number;
  /** Whether it is the epoch's last step (false where not known ahead: a dataset's epoch). */
  readonly last: boolean;
}

/**
 * A completed step's [loss, ...metrics] scalars, still on the device. The loop owns
 * them and frees them once every observer has seen them: an observer that keeps them
 * takes its own references (`share`). Reading them as numbers happens at most once
 * per step, however many observers ask.
 */
export class StepValues {
  private read: Promise<ArrayLike<number>> | undefined;

  constructor(readonly tensors: readonly Tensor[]) {}

  /** New references to the scalars, for an observer that keeps them (it disposes them). */
  share(): Tensor[] {
    return this.tensors.map((t) => t.share(t.shape, t.strides, t.offset, 'internal'));
  }

  /**
   * An observer that reads the values anyway (the device-loss guard's snapshot carries
   * them) offers that read, so that asking for the numbers costs no second read.
   */
  offer(read: Promise<ArrayLike<number>>): void {
    if (this.read) return;
    // The offering observer awaits the same read and reports its failure (a lost device);
    // when nobody asks for the numbers afterwards, that failure must not also surface as
    // an unhandled rejection of this copy.
    read.catch(() => undefined);
    this.read = read;
  }

  /** The values as numbers [loss, ...metrics]: the offered read, or one read of them stacked. */
  numbers(): Promise<ArrayLike<number>> {
    if (!this.read) {
      // stacked now (queued before the loop frees the scalars), read later
      const stacked = tidy(() => ops.stack(this.tensors.map((v) => ops.reshape(v, []))));
      this.read = stacked.data().finally(() => stacked.dispose());
    }
    return this.read;
  }
}

/**
 * Hooks a step observer may have, in the order fit calls them. Each may be async
 * (fit awaits it) except `gate`, which runs inside the step, before its update.
 */
export interface StepObserver {
  /** A new epoch starts (not called when an epoch continues after a device loss). */
  epochBegin?(epoch: number): void | Promise<void>;
  /** Before the step runs. */
  beforeStep?(place: StepPlace): void | Promise<void>;
  /**
   * Inside the step, with its loss still on the device, before the update lands: false
   * refuses the step (the weights stay as they were) and ends the epoch.
   */
  gate?(loss: Tensor, place: StepPlace): boolean;
  /** After a step landed, with its values (see StepValues for who owns them). */
  afterStep?(place: StepPlace, values: StepValues): void | Promise<void>;
  /** The epoch's steps are done: wait for what is still in flight before its logs are read. */
  epochSettle?(): Promise<void>;
  /** Frees what the observer holds (fit ends, or the observer is replaced). */
  release?(): void;
}
