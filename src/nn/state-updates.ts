// Non-trainable state that a layer changes while training (batch normalization's
// moving statistics). Outside fit a layer's update lands at once, as in Keras. Inside
// a fit step the updates are staged and land only once the step is accepted: a step
// whose loss is NaN (refused by the NaN guard) must leave the moving statistics as
// they were, just as it leaves the weights.

import type { Tensor, Variable } from '../tensor.js';

interface Staged {
  readonly variable: Variable;
  readonly value: Tensor;
}

/** The updates of the step now running, when fit stages them; undefined otherwise. */
let staging: Staged[] | undefined;

/**
 * Sets `variable` to `value`, or stages it when a fit step is collecting updates.
 * `value` stays the caller's.
 */
export function updateState(variable: Variable, value: Tensor): void {
  if (!staging) {
    variable.assign(value);
    return;
  }
  // An internal handle: the step's tidy (and valueAndGrad's) must not free it before the step commits.
  staging.push({ variable, value: value.share(value.shape, value.strides, value.offset, 'internal') });
}

/** The updates a step staged: commit them once the step is accepted, else discard them. */
export class StagedUpdates {
  constructor(private list: Staged[]) {}
  get size(): number {
    return this.list.length;
  }
  commit(): void {
    for (const { variable, value } of this.list) variable.assign(value);
    this.discard();
  }
  discard(): void {
    for (const { value } of this.list) value.dispose();
    this.list = [];
  }
}

/** Runs `fn` (a forward pass in training mode) and returns its result with the state updates it made. */
export function stagingUpdates<T>(fn: () => T): [T, StagedUpdates] {
  if (staging) throw new Error('internal error: state updates are already being staged');
  const list: Staged[] = [];
  staging = list;
  try {
    return [fn(), new StagedUpdates(list)];
  } catch (error) {
    new StagedUpdates(list).discard();
    throw error;
  } finally {
    staging = undefined;
  }
}
