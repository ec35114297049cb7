// Metrics for compile/fit/evaluate: each returns the batch mean as a scalar tensor, so
// fit can average them on the device and read them once per epoch.

import { lookup } from './options.js';
import * as ops from './ops/index.js';
import { tidy } from './scope.js';
import type { Tensor } from './tensor.js';

export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** Share of predictions on the right side of `threshold` (0.5 for probabilities). */
export function binaryAccuracy(yTrue: Tensor, yPred: Tensor, threshold = 0.5): Tensor {
  return tidy(() => {
    const predicted = ops.cast(ops.greater(yPred, threshold), 'float32');
    const truth = ops.cast(ops.greater(yTrue, 0.5), 'float32');
    return ops.mean(ops.cast(ops.equal(predicted, truth), 'float32'));
  });
}

/** Share of rows whose largest prediction is at the one-hot label's position. */
export function categoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  return tidy(() => ops.mean(ops.cast(ops.equal(ops.argMax(yTrue, -1), ops.argMax(yPred, -1)), 'float32')));
}

/** Share of rows whose largest prediction is at the integer label. */
export function sparseCategoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  return tidy(() => {
    const labels = yTrue.rank === yPred.rank ? ops.reshape(yTrue, yTrue.shape.slice(0, -1)) : yTrue;
    const asInt = labels.dtype === 'int32' ? labels : ops.cast(labels, 'int32');
    return ops.mean(ops.cast(ops.equal(asInt, ops.argMax(yPred, -1)), 'float32'));
  });
}

export function meanSquaredError(yTrue: Tensor, yPred: Tensor): Tensor {
  return tidy(() => ops.mean(ops.squaredDifference(yPred, ops.cast(yTrue, 'float32'))));
}

export function meanAbsoluteError(yTrue: Tensor, yPred: Tensor): Tensor {
  return tidy(() => ops.mean(ops.abs(ops.sub(yPred, ops.cast(yTrue, 'float32')))));
}

export interface ResolvedMetric {
  /** The key in logs and History (Keras' naming: 'accuracy', 'acc', 'mse', ...). */
  readonly name: string;
  readonly fn: MetricFunction;
}

/** Keras' rule for a plain 'accuracy' when the loss does not say: look at the shapes. */
function accuracyByShape(yTrue: Tensor, yPred: Tensor): Tensor {
  const classes = yPred.shape[yPred.rank - 1];
  if (yPred.rank === 0 || classes === 1) return binaryAccuracy(yTrue, yPred);
  if (yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === classes) return categoricalAccuracy(yTrue, yPred);
  return sparseCategoricalAccuracy(yTrue, yPred);
}

/** 'accuracy' means the accuracy that fits the loss, as in Keras. */
function accuracyFor(lossName: string): MetricFunction {
  if (lossName === 'sparseCategoricalCrossentropy') return sparseCategoricalAccuracy;
  if (lossName === 'categoricalCrossentropy') return categoricalAccuracy;
  if (lossName === 'binaryCrossentropy') return (y, p) => binaryAccuracy(y, p);
  return accuracyByShape;
}

const NAMED: Readonly<Record<string, MetricFunction>> = {
  binaryAccuracy: (y, p) => binaryAccuracy(y, p),
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  meanSquaredError,
  mse: meanSquaredError,
  meanAbsoluteError,
  mae: meanAbsoluteError,
};

export function resolveMetric(metric: unknown, lossName: string): ResolvedMetric {
  if (typeof metric === 'function') {
    const name = (metric as { name?: string }).name || 'metric';
    return { name, fn: metric as MetricFunction };
  }
  if (metric === 'accuracy' || metric === 'acc') {
    return { name: metric, fn: accuracyFor(lossName) };
  }
  return { name: metric as string, fn: lookup('compile', 'metric', metric, NAMED) };
}

export const metrics = {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  meanSquaredError,
  meanAbsoluteError,
};
