// One training step of a compiled model, as an object: forward in training mode, the
// loss, backward, the optimizer's update and the non-trainable state updates (batch
// normalization's moving statistics). fit (on tensors and on datasets), the backend
// probe and the benchmark run their steps through it, so that a faster step (traced,
// fused) lands in all of them at once. Everything is queued: nothing here reads the
// device, so a step on WebGPU never waits.

import { valueAndGrad } from './autograd.js';
import { scaledForBackward } from './loss-scaling.js';
import type { LayersModel } from './nn/model-base.js';
import { type StagedUpdates, stagingUpdates } from './nn/state-updates.js';
import { keep, tidy } from './scope.js';
import type { Tensor, Variable } from './tensor.js';

/**
 * Decides whether a step's update lands, given its loss (still on the device): the
 * NaN guard refuses a non-finite loss on a synchronous backend. A refused step leaves
 * the weights, the optimizer state and the moving statistics as they were.
 */
export type StepGate = (loss: Tensor) => boolean;

export class TrainingStep {
  /** The model's trainable weights, fixed when the step is made. */
  readonly params: readonly Variable[];

  /** A step of `model` with the optimizer, loss and metrics it was compiled with. */
  constructor(readonly model: LayersModel, fn = 'fit') {
    model.compiledFor('fit');
    this.params = model.trainableWeights;
    if (this.params.length === 0) throw new Error(`${fn}: the model has no trainable weights`);
  }

  /**
   * Trains on one batch. Returns the step's loss and metric values (scalars the caller
   * owns, in the order [loss, ...metrics]), or undefined when `gate` refused the step.
   */
  run(x: Tensor, y: Tensor, gate?: StepGate): Tensor[] | undefined {
    const { optimizer, loss, metrics } = this.model.compiledFor('fit');
    const params = this.params;
    return tidy(() => {
      let prediction: Tensor | undefined;
      let updates: StagedUpdates | undefined;
      try {
        const { value, grads } = valueAndGrad(() => {
          [prediction, updates] = stagingUpdates(() => keep(this.model.apply(x, true)));
          // under loss scaling, the gradient of the loss is scaled (loss-scaling.ts)
          return scaledForBackward(optimizer, loss.fn(y, prediction));
        }, params);
        if (gate && !gate(value)) return undefined;
        optimizer.applyGradients(grads, params);
        // Non-trainable state lands with the step, never with a refused one.
        updates!.commit();
        return [value, ...metrics.map((m) => m.fn(y, prediction!))];
      } finally {
        // a refused or failed step drops its state updates (after commit there are none left)
        updates?.discard();
        prediction?.dispose();
      }
    });
  }
}
