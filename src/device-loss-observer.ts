// The device-loss guard (device-loss.ts) as an observer of fit's steps: each completed
// step goes out with the next snapshot, and an epoch ends only once the snapshot of its
// last step has arrived (a later loss never rolls back past an epoch's end).

import { DeviceLossGuard, type Recovery } from './device-loss.js';
import type { StepObserver, StepPlace, StepValues } from './step-observer.js';

export class DeviceLossObserver implements StepObserver {
  constructor(
    readonly guard: DeviceLossGuard,
    /** Whether a callback reads each step's values: the snapshot then carries them, every step. */
    private readonly wantsValues: boolean,
  ) {}

  async afterStep({ epoch, batch, size, last }: StepPlace, values: StepValues): Promise<void> {
    const snapshot = this.guard.afterStep(epoch, batch, values.tensors, size, last, this.wantsValues);
    if (this.wantsValues) values.offer(snapshot.then((read) => read!));
    await snapshot;
  }

  epochSettle(): Promise<void> {
    return this.guard.settled();
  }

  /** Whether `error` means the device is gone (see DeviceLossGuard.isDeviceLoss). */
  isDeviceLoss(): Promise<boolean> {
    return this.guard.isDeviceLoss();
  }

  /** Moves training to the next backend (see DeviceLossGuard.recover); this observer is done. */
  async recover(): Promise<Recovery> {
    try {
      return await this.guard.recover();
    } finally {
      this.guard.release();
    }
  }

  release(): void {
    this.guard.release();
  }
}
