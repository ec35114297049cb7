// The step observer that calls the callbacks' batch hooks. onBatchEnd gets the step's
// loss and metrics, which costs a device read per step: it is asked for only when a
// callback has onBatchEnd, and shares the device-loss guard's read where there is one.

import type { Callback, Logs } from './callbacks.js';
import type { StepObserver, StepPlace, StepValues } from './step-observer.js';

export class BatchCallbacks implements StepObserver {
  /** Whether a callback reads each step's values (the device-loss guard then snapshots every step). */
  readonly wantsValues: boolean;

  constructor(
    private readonly callbacks: readonly Callback[],
    /** The logs of a step's values (fit's one place that assembles logs). */
    private readonly logsOf: (values: ArrayLike<number>) => Logs,
  ) {
    this.wantsValues = callbacks.some((c) => typeof c.onBatchEnd === 'function');
  }

  beforeStep(place: StepPlace): Promise<void> | undefined {
    // nothing to await (no turn of the event loop per step) when no callback has the hook
    return this.callbacks.some((c) => c.onBatchBegin) ? this.batchBegin(place) : undefined;
  }

  afterStep(place: StepPlace, values: StepValues): Promise<void> | undefined {
    return this.wantsValues ? this.batchEnd(place, values) : undefined;
  }

  private async batchBegin({ batch, size }: StepPlace): Promise<void> {
    for (const c of this.callbacks) await c.onBatchBegin?.(batch, { batch, size });
  }

  private async batchEnd({ batch, size }: StepPlace, values: StepValues): Promise<void> {
    const logs = this.logsOf(await values.numbers());
    for (const c of this.callbacks) await c.onBatchEnd?.(batch, { batch, size, ...logs });
  }
}
