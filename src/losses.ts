// Losses, each the mean over the batch of a per-sample loss, computed stably, with
// Keras' definitions and names (also accepted as strings in `compile`).

import { describe } from './autograd.js';
import { LOSS_NAMES as LOSS_SPELLINGS, canonical } from './names.js';
import { checkNumber, checkOptions } from './options.js';
import * as ops from './ops/index.js';
import { sparseSoftmaxCrossEntropy } from './ops/cross-entropy.js';
import { checkTensor, shapeString } from './ops/util.js';
import { tidy } from './scope.js';
import { Tensor } from './tensor.js';

export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

export interface CrossentropyOptions {
  /** yPred holds unnormalised scores (logits) rather than probabilities. */
  fromLogits?: boolean;
}

/** Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking logs. */
const EPSILON = 1e-7;

/** Both are live tensors on the active backend (and of one shape, unless told otherwise). */
export function checkPair(fn: string, yTrue: Tensor, yPred: Tensor, sameShape = true): void {
  checkTensor(yTrue, fn, 'yTrue');
  checkTensor(yPred, fn, 'yPred');
  if (sameShape && (yTrue.rank !== yPred.rank || yTrue.shape.some((d, i) => d !== yPred.shape[i]))) {
    throw new Error(`${fn}: yTrue and yPred should have the same shape, got yTrue ${shapeString(yTrue.shape)} and yPred ${shapeString(yPred.shape)}`);
  }
}

/** yTrue as float32 (labels often arrive as int32), yPred as float32 (mixed precision's float16 outputs). */
function asFloat(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : ops.cast(t, 'float32');
}

function meanOf(fn: string, yTrue: Tensor, yPred: Tensor, perElement: (y: Tensor, p: Tensor) => Tensor): Tensor {
  checkPair(fn, yTrue, yPred);
  // yPred too: a mixed-precision model's float16 output is scored in float32 (as Keras does).
  return tidy(() => ops.mean(perElement(asFloat(yTrue), asFloat(yPred))));
}

export function meanSquaredError(yTrue: Tensor, yPred: Tensor): Tensor {
  return meanOf('meanSquaredError', yTrue, yPred, (y, p) => ops.squaredDifference(p, y));
}

export function meanAbsoluteError(yTrue: Tensor, yPred: Tensor): Tensor {
  return meanOf('meanAbsoluteError', yTrue, yPred, (y, p) => ops.abs(ops.sub(p, y)));
}

/** 0.5 e² where |e| <= delta, delta (|e| - 0.5 delta) elsewhere. */
export function huber(yTrue: Tensor, yPred: Tensor, options: { delta?: number } = {}): Tensor {
  checkOptions('huber', options, ['delta']);
  const delta = checkNumber('huber', 'delta', options.delta, 1, { min: 0, minExclusive: true });
  return meanOf('huber', yTrue, yPred, (y, p) => {
    const e = ops.abs(ops.sub(p, y));
    const quadratic = ops.minimum(e, delta);
    const linear = ops.sub(e, quadratic);
    return ops.add(ops.mul(ops.square(quadratic), 0.5), ops.mul(linear, delta));
  });
}

export function binaryCrossentropy(yTrue: Tensor, yPred: Tensor, options: CrossentropyOptions = {}): Tensor {
  checkOptions('binaryCrossentropy', options, ['fromLogits']);
  checkPair('binaryCrossentropy', yTrue, yPred);
  checkProbabilityLabels('binaryCrossentropy', yTrue);
  return meanOf('binaryCrossentropy', yTrue, yPred, (y, p) => {
    if (options.fromLogits) {
      // max(x, 0) - x y + log(1 + exp(-|x|)): no overflow for any x.
      return ops.add(ops.sub(ops.relu(p), ops.mul(p, y)), ops.softplus(ops.neg(ops.abs(p))));
    }
    const q = ops.clipByValue(p, EPSILON, 1 - EPSILON);
    return ops.neg(ops.add(ops.mul(y, ops.log(q)), ops.mul(ops.sub(1, y), ops.log(ops.sub(1, q)))));
  });
}

export function categoricalCrossentropy(yTrue: Tensor, yPred: Tensor, options: CrossentropyOptions = {}): Tensor {
  const fn = 'categoricalCrossentropy';
  checkOptions(fn, options, ['fromLogits']);
  checkPair(fn, yTrue, yPred);
  if (yPred.rank < 1) throw new Error(`${fn}: yPred should have a class dimension, got a scalar`);
  return tidy(() => {
    const y = asFloat(yTrue);
    let logP: Tensor;
    if (options.fromLogits) {
      logP = ops.logSoftmax(yPred);
    } else {
      // Keras renormalises the probabilities, then clips them.
      const normalised = ops.div(yPred, ops.sum(yPred, -1, true));
      logP = ops.log(ops.clipByValue(normalised, EPSILON, 1 - EPSILON));
    }
    return ops.mean(ops.neg(ops.sum(ops.mul(y, logP), -1)));
  });
}

/**
 * Cross-entropy with integer class labels: yTrue [...batch] or [...batch, 1] (int32,
 * or float32 holding integers), yPred [...batch, classes] — e.g. [batch, time, vocab]
 * logits with [batch, time] labels. With `fromLogits` it is fused: no one-hot of the
 * classes is built, so a 50k-token vocabulary costs one pass over the logits. On
 * WebGPU (which cannot check labels without waiting) an out-of-range label makes the
 * next read throw an error naming this loss, the label and the class count.
 */
export function sparseCategoricalCrossentropy(yTrue: Tensor, yPred: Tensor, options: CrossentropyOptions = {}): Tensor {
  const fn = 'sparseCategoricalCrossentropy';
  checkOptions(fn, options, ['fromLogits']);
  checkPair(fn, yTrue, yPred, false);
  if (yPred.rank < 1) throw new Error(`${fn}: yPred should have a class dimension, got a scalar`);
  const classes = yPred.shape[yPred.rank - 1]!;
  const batchShape = yPred.shape.slice(0, -1);
  const labelShape = yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1 ? yTrue.shape.slice(0, -1) : yTrue.shape;
  if (labelShape.length !== batchShape.length || labelShape.some((d, i) => d !== batchShape[i])) {
    throw new Error(`${fn}: yTrue should have shape ${shapeString(batchShape)} or ${shapeString([...batchShape, 1])} (one label per row of yPred ${shapeString(yPred.shape)}), got ${shapeString(yTrue.shape)}`);
  }
  if (yTrue.dtype === 'bool') throw new TypeError(`${fn}: yTrue should be int32 (or float32 holding integers), got bool`);
  checkLabels(fn, yTrue, classes);
  return tidy(() => {
    const labels = ops.reshape(yTrue.dtype === 'int32' ? yTrue : ops.cast(yTrue, 'int32'), labelShape);
    // From logits: one fused kernel per direction over [rows, classes] (see ops/cross-entropy.ts).
    if (options.fromLogits) return ops.mean(sparseSoftmaxCrossEntropy(asFloat(yPred), labels, fn));
    const logP = ops.log(ops.clipByValue(asFloat(yPred), EPSILON, 1 - EPSILON));
    const picked = ops.sum(ops.mul(ops.oneHot(labels, classes), logP), -1);
    return ops.mean(ops.neg(picked));
  });
}

/**
 * Labels must be whole numbers in [0, classes). Checked where the backend reads
 * synchronously (cpu, wasm); `fit` checks its labels once up front on every backend.
 */
function checkLabels(fn: string, labels: Tensor, classes: number): void {
  if (!labels.backend.readSync) return;
  assertLabelsInRange(fn, labels.dataSync(), classes);
}

export function assertLabelsInRange(fn: string, values: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new Error(`${fn}: labels should be integers in [0, ${classes - 1}] (${classes} classes), got ${v} at position ${i}`);
    }
  }
}

/**
 * Binary labels must lie in [0, 1] (0 / 1, or soft labels between): outside it the
 * loss is no longer a cross-entropy and can go negative. Checked where the backend
 * reads synchronously (cpu, wasm); `fit` checks its labels once up front on every backend.
 */
export function checkProbabilityLabels(fn: string, labels: Tensor): void {
  if (!labels.backend.readSync) return;
  assertProbabilityLabels(fn, labels.dataSync());
}

export function assertProbabilityLabels(fn: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= 1)) throw new Error(`${fn}: labels should be in [0, 1] (binary targets or probabilities), got ${v} at position ${i}`);
  }
}

export const losses = {
  meanSquaredError,
  meanAbsoluteError,
  huber,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
};

/** The losses `compile({ loss })` knows, by canonical name (names.ts maps every spelling to one). */
const LOSS_NAMES: Readonly<Record<string, LossFunction>> = {
  meanSquaredError,
  meanAbsoluteError,
  huber: (y, p) => huber(y, p),
  binaryCrossentropy: (y, p) => binaryCrossentropy(y, p),
  categoricalCrossentropy: (y, p) => categoricalCrossentropy(y, p),
  sparseCategoricalCrossentropy: (y, p) => sparseCategoricalCrossentropy(y, p),
};

export interface ResolvedLoss {
  readonly fn: LossFunction;
  /** The canonical name, or 'custom' for a user function. */
  readonly name: string;
}

export function resolveLoss(loss: unknown): ResolvedLoss {
  if (typeof loss === 'function') return { fn: loss as LossFunction, name: 'custom' };
  // Keras' spellings ('binary_crossentropy', 'mse', ...) resolve to the canonical name saved in model.json.
  const name = canonical('compile', 'loss', loss, LOSS_SPELLINGS);
  return { fn: LOSS_NAMES[name]!, name };
}
