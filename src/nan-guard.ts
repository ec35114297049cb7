// Watches the training loss for NaN / Infinity and keeps the weights of the last
// step whose loss was finite. Where the backend reads synchronously, each batch's
// loss is checked before its update is applied, so a bad step never lands; on an
// asynchronous device the loss is known only at the end of the epoch, so the weights
// and optimizer state are copied (on the device) at each epoch's start and put back.

import * as ops from './ops/index.js';
import type { Optimizer, OptimizerState } from './optimizers.js';
import { keep } from './scope.js';
import type { StepObserver, StepPlace } from './step-observer.js';
import type { Tensor, Variable } from './tensor.js';

export type OnNaN = 'stop' | 'throw';

export interface NonFinite {
  readonly epoch: number;
  /** The batch, where it is known (backends with synchronous reads). */
  readonly batch?: number;
  readonly value: number;
}

interface Snapshot {
  weights: Tensor[];
  /** The non-trainable weights (moving statistics), which the epoch's steps also change. */
  state: Tensor[];
  optimizer: OptimizerState & { slots: Tensor[][] };
}

/** A step observer: it refuses a step (gate), or at the epoch's end restores its start (acceptEpoch). */
export class NanGuard implements StepObserver {
  problem: NonFinite | undefined;
  private snapshot: Snapshot | undefined;

  constructor(
    private readonly params: readonly Variable[],
    private readonly optimizer: Optimizer,
    readonly synchronous: boolean,
    /** Non-trainable weights restored with the trainable ones (batch normalization's moving statistics). */
    private readonly state: readonly Variable[] = [],
  ) {}

  /** Synchronous backends: false (and the problem recorded) when this step's loss is not finite. */
  gate(loss: Tensor, { epoch, batch }: StepPlace): boolean {
    if (!this.synchronous) return true;
    const value = loss.dataSync()[0]!;
    if (Number.isFinite(value)) return true;
    this.problem = { epoch, batch, value };
    return false;
  }

  /** Asynchronous backends: remember the weights and optimizer state the epoch starts from. */
  epochBegin(): void {
    if (this.synchronous) return;
    this.release();
    const state = this.optimizer.getState(this.params);
    this.snapshot = {
      weights: this.params.map((p) => keep(ops.clone(p))),
      state: this.state.map((v) => keep(ops.clone(v))),
      optimizer: {
        iterations: state.iterations,
        steps: state.steps,
        slots: state.slots.map((s) => s.map((t) => keep(ops.clone(t)))),
        pending: state.pending,
        accumulators: state.accumulators?.map((t) => (t ? keep(ops.clone(t)) : undefined)),
      },
    };
  }

  /** Asynchronous backends: false, with the epoch's starting weights restored, when its loss was not finite. */
  acceptEpoch(loss: number, epoch: number): boolean {
    if (this.synchronous || Number.isFinite(loss)) return true;
    this.problem = { epoch, value: loss };
    if (this.snapshot) {
      this.params.forEach((p, i) => p.assign(this.snapshot!.weights[i]!));
      this.state.forEach((v, i) => v.assign(this.snapshot!.state[i]!));
      this.optimizer.setState(this.params, this.snapshot.optimizer);
    }
    return false;
  }

  describe(): string {
    const p = this.problem!;
    const where = p.batch === undefined ? `in epoch ${p.epoch + 1}` : `at epoch ${p.epoch + 1}, batch ${p.batch + 1}`;
    const kept = p.batch === undefined ? 'the weights are those the epoch started from' : 'that step was not applied: the weights are those of the last step with a finite loss';
    return `the loss became ${p.value} ${where}; training stopped and ${kept}`;
  }

  release(): void {
    if (!this.snapshot) return;
    for (const t of [...this.snapshot.weights, ...this.snapshot.state]) t.dispose();
    for (const slots of this.snapshot.optimizer.slots) for (const t of slots) t.dispose();
    for (const t of this.snapshot.optimizer.accumulators ?? []) t?.dispose();
    this.snapshot = undefined;
  }
}
