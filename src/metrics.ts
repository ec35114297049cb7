// Metrics for compile/fit/evaluate: each returns the batch mean as a scalar tensor, so
// fit can average them on the device and read them once per epoch. Below them, scores
// over a whole data set as plain numbers (classification report, log loss, R²).

import { checkPair, checkProbabilityLabels } from './losses.js';
import { canonical, METRIC_NAMES } from './names.js';
import { checkNumber, checkOptions } from './options.js';
import { shapeString } from './ops/util.js';
import * as ops from './ops/index.js';
import { tidy } from './scope.js';
import { Tensor } from './tensor.js';

export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** Share of predictions on the right side of `threshold` (0.5 for probabilities). */
export function binaryAccuracy(yTrue: Tensor, yPred: Tensor, threshold = 0.5): Tensor {
  checkPair('binaryAccuracy', yTrue, yPred);
  checkNumber('binaryAccuracy', 'threshold', threshold, 0.5);
  checkProbabilityLabels('binaryAccuracy', yTrue);
  return tidy(() => {
    const predicted = ops.cast(ops.greater(yPred, threshold), 'float32');
    const truth = ops.cast(ops.greater(yTrue, 0.5), 'float32');
    return ops.mean(ops.cast(ops.equal(predicted, truth), 'float32'));
  });
}

/** Share of rows whose largest prediction is at the one-hot label's position. */
export function categoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('categoricalAccuracy', yTrue, yPred);
  if (yPred.rank < 1) throw new Error('categoricalAccuracy: yPred should have a class dimension, got a scalar');
  return tidy(() => ops.mean(ops.cast(ops.equal(ops.argMax(yTrue, -1), ops.argMax(yPred, -1)), 'float32')));
}

/** Share of rows whose largest prediction is at the integer label. */
export function sparseCategoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  const fn = 'sparseCategoricalAccuracy';
  checkPair(fn, yTrue, yPred, false);
  if (yPred.rank < 1) throw new Error(`${fn}: yPred should have a class dimension, got a scalar`);
  const batchShape = yPred.shape.slice(0, -1);
  const labelShape = yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1 ? yTrue.shape.slice(0, -1) : yTrue.shape;
  if (labelShape.length !== batchShape.length || labelShape.some((d, i) => d !== batchShape[i])) {
    throw new Error(`${fn}: yTrue should have shape ${shapeString(batchShape)} or ${shapeString([...batchShape, 1])} (one label per row of yPred ${shapeString(yPred.shape)}), got ${shapeString(yTrue.shape)}`);
  }
  return tidy(() => {
    const labels = yTrue.rank === yPred.rank ? ops.reshape(yTrue, yTrue.shape.slice(0, -1)) : yTrue;
    const asInt = labels.dtype === 'int32' ? labels : ops.cast(labels, 'int32');
    return ops.mean(ops.cast(ops.equal(asInt, ops.argMax(yPred, -1)), 'float32'));
  });
}

export function meanSquaredError(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('meanSquaredError', yTrue, yPred);
  return tidy(() => ops.mean(ops.squaredDifference(yPred, ops.cast(yTrue, 'float32'))));
}

export function meanAbsoluteError(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('meanAbsoluteError', yTrue, yPred);
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

/** The metrics `compile` knows, by canonical name (names.ts maps every spelling to one). */
const NAMED: Readonly<Record<string, MetricFunction>> = {
  binaryAccuracy: (y, p) => binaryAccuracy(y, p),
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  meanSquaredError,
  meanAbsoluteError,
};

export function resolveMetric(metric: unknown, lossName: string): ResolvedMetric {
  if (typeof metric === 'function') {
    const name = (metric as { name?: string }).name || 'metric';
    return { name, fn: metric as MetricFunction };
  }
  // 'accuracy' means the accuracy that fits the loss; the log key is the name as given ('acc', 'mse', ...), as in Keras
  const name = canonical('compile', 'metric', metric, METRIC_NAMES);
  return { name: metric as string, fn: name === 'accuracy' ? accuracyFor(lossName) : NAMED[name]! };
}


// --- Scores over a whole data set, as plain numbers ------------------------------------
// These follow scikit-learn's definitions, including its zero-division rule: a ratio
// whose denominator is 0 (precision of a class never predicted, recall of a class
// never present) counts as 0, without an error.

/** Labels or values: an array, a typed array, or a tensor on a backend that reads synchronously (cpu, wasm). */
export type ScoreValues = ArrayLike<number> | Tensor;
/** Probabilities [samples, classes]: nested arrays, or a tensor as for ScoreValues. */
export type Probabilities = readonly (readonly number[])[] | Tensor;

function hostValues(fn: string, name: string, v: ScoreValues): ArrayLike<number> {
  if (v instanceof Tensor) {
    v.assertAlive(fn);
    if (!v.backend.readSync) throw new Error(`${fn}: ${name} is a tensor on the ${v.backend.name} backend, which reads asynchronously; pass await ${name}.data()`);
    return v.dataSync();
  }
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: ${name} should be an array of numbers or a tensor, got ${v === null ? 'null' : typeof v}`);
  }
  return v;
}

function labelPair(fn: string, yTrue: ScoreValues, yPred: ScoreValues): [Int32Array, Int32Array] {
  const t = hostValues(fn, 'yTrue', yTrue);
  const p = hostValues(fn, 'yPred', yPred);
  if (t.length !== p.length) throw new Error(`${fn}: yTrue and yPred should have the same length, got ${t.length} and ${p.length}`);
  const asLabels = (values: ArrayLike<number>, name: string) => Int32Array.from(values, (v, i) => {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${fn}: ${name} should hold class indices (integers >= 0), got ${v} at position ${i}`);
    return v;
  });
  return [asLabels(t, 'yTrue'), asLabels(p, 'yPred')];
}

/** Share of samples whose predicted class equals the true class. */
export function accuracyScore(yTrue: ScoreValues, yPred: ScoreValues): number {
  const [t, p] = labelPair('accuracyScore', yTrue, yPred);
  if (t.length === 0) throw new Error('accuracyScore: no samples');
  let right = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) right++;
  return right / t.length;
}

export interface ConfusionOptions {
  /** Number of classes (default: 1 + the largest label seen). */
  numClasses?: number;
}

/** counts[i][j]: samples of true class i predicted as class j (rows: truth, as scikit-learn). */
export function confusionMatrix(yTrue: ScoreValues, yPred: ScoreValues, options: ConfusionOptions = {}): number[][] {
  checkOptions('confusionMatrix', options, ['numClasses']);
  return countClasses('confusionMatrix', yTrue, yPred, options.numClasses);
}

/** The confusion matrix; errors name `fn`, the public function that was called. */
function countClasses(fn: string, yTrue: ScoreValues, yPred: ScoreValues, numClasses: number | undefined): number[][] {
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 1)) {
    throw new Error(`${fn}: numClasses should be a positive integer, got ${String(numClasses)}`);
  }
  const [t, p] = labelPair(fn, yTrue, yPred);
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < t.length; i++) k = Math.max(k, t[i]! + 1, p[i]! + 1);
  if (k < 1) throw new Error(`${fn}: no samples`);
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) {
    if (t[i]! >= k || p[i]! >= k) throw new Error(`${fn}: label ${Math.max(t[i]!, p[i]!)} at position ${i} is outside the ${k} classes`);
    counts[t[i]!]![p[i]!]!++;
  }
  return counts;
}

export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Samples of this class in yTrue. */
  readonly support: number;
}

export interface ClassificationReport {
  readonly accuracy: number;
  /** Scores per class, indexed by class. */
  readonly perClass: readonly ClassScores[];
  /** Unweighted means over the classes. */
  readonly macro: Omit<ClassScores, 'support'>;
  /** Means weighted by support. */
  readonly weighted: Omit<ClassScores, 'support'>;
  readonly confusionMatrix: readonly (readonly number[])[];
  /** Class names, when given. */
  readonly classNames?: readonly string[];
  readonly samples: number;
}

export interface ReportOptions {
  /** Number of classes (default: 1 + the largest label; classes never seen count, with zero scores, when given). */
  numClasses?: number;
  /** Names by class index (sets numClasses). */
  classNames?: readonly string[];
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Precision, recall and F1 per class and averaged, accuracy and the confusion matrix, as numbers. */
export function classificationReport(yTrue: ScoreValues, yPred: ScoreValues, options: ReportOptions = {}): ClassificationReport {
  return report('classificationReport', yTrue, yPred, options);
}

function report(fn: string, yTrue: ScoreValues, yPred: ScoreValues, options: ReportOptions): ClassificationReport {
  checkOptions(fn, options, ['numClasses', 'classNames']);
  if (options.classNames !== undefined && (!Array.isArray(options.classNames) || !options.classNames.every((c) => typeof c === 'string'))) {
    throw new TypeError(`${fn}: classNames should be an array of strings, got ${JSON.stringify(options.classNames)}`);
  }
  const numClasses = options.classNames?.length ?? options.numClasses;
  const counts = countClasses(fn, yTrue, yPred, numClasses);
  const k = counts.length;
  const samples = counts.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0);
  if (samples === 0) throw new Error(`${fn}: no samples`);
  const perClass: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    const tp = counts[c]![c]!;
    const support = counts[c]!.reduce((a, b) => a + b, 0);
    const predicted = counts.reduce((n, row) => n + row[c]!, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    perClass.push({ precision, recall, f1: ratio(2 * precision * recall, precision + recall), support });
  }
  const mean = (key: 'precision' | 'recall' | 'f1', weighted: boolean) =>
    perClass.reduce((s, c) => s + c[key] * (weighted ? c.support : 1), 0) / (weighted ? samples : k);
  const correct = counts.reduce((n, row, c) => n + row[c]!, 0);
  return {
    accuracy: correct / samples,
    perClass,
    macro: { precision: mean('precision', false), recall: mean('recall', false), f1: mean('f1', false) },
    weighted: { precision: mean('precision', true), recall: mean('recall', true), f1: mean('f1', true) },
    confusionMatrix: counts,
    ...(options.classNames ? { classNames: [...options.classNames] } : {}),
    samples,
  };
}

export type Average = 'macro' | 'weighted' | 'none';

function averaged(fn: string, key: 'precision' | 'recall' | 'f1', yTrue: ScoreValues, yPred: ScoreValues, average: Average, options: ReportOptions): number | number[] {
  if (average !== 'macro' && average !== 'weighted' && average !== 'none') {
    throw new Error(`${fn}: average should be 'macro', 'weighted' or 'none', got ${JSON.stringify(average)}`);
  }
  const scores = report(fn, yTrue, yPred, options);
  if (average === 'none') return scores.perClass.map((c) => c[key]);
  return scores[average][key];
}

/** Precision (macro average by default; 'none' gives one per class). */
export function precisionScore(yTrue: ScoreValues, yPred: ScoreValues, average: Average = 'macro', options: ReportOptions = {}): number | number[] {
  return averaged('precisionScore', 'precision', yTrue, yPred, average, options);
}

export function recallScore(yTrue: ScoreValues, yPred: ScoreValues, average: Average = 'macro', options: ReportOptions = {}): number | number[] {
  return averaged('recallScore', 'recall', yTrue, yPred, average, options);
}

export function f1Score(yTrue: ScoreValues, yPred: ScoreValues, average: Average = 'macro', options: ReportOptions = {}): number | number[] {
  return averaged('f1Score', 'f1', yTrue, yPred, average, options);
}

/** Probabilities are clipped to [LOG_LOSS_EPS, 1 - LOG_LOSS_EPS] before the log, so a confident mistake costs about 34.5, not infinity. */
export const LOG_LOSS_EPS = 1e-15;

/** Mean of -ln p(true class) over the samples (cross-entropy with class indices). */
export function logLoss(yTrue: ScoreValues, probabilities: Probabilities): number {
  const fn = 'logLoss';
  const labels = hostValues(fn, 'yTrue', yTrue);
  let rows: ArrayLike<number>;
  let k: number;
  if (probabilities instanceof Tensor) {
    if (probabilities.rank !== 2) throw new Error(`${fn}: probabilities should be [samples, classes], got shape [${probabilities.shape.join(',')}]`);
    rows = hostValues(fn, 'probabilities', probabilities);
    k = probabilities.shape[1]!;
  } else {
    if (!Array.isArray(probabilities) || probabilities.some((r) => !Array.isArray(r) || r.length !== probabilities[0]!.length)) {
      throw new TypeError(`${fn}: probabilities should be a tensor or equal-length arrays [samples][classes]`);
    }
    k = probabilities[0]?.length ?? 0;
    rows = probabilities.flat();
  }
  const n = labels.length;
  if (n === 0) throw new Error(`${fn}: no samples`);
  if (rows.length !== n * k) throw new Error(`${fn}: ${n} labels but ${k === 0 ? 0 : rows.length / k} rows of probabilities`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new Error(`${fn}: label ${c} at position ${i} is not a class index in [0, ${k - 1}]`);
    const p = Math.min(Math.max(rows[i * k + c]!, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
    total -= Math.log(p);
  }
  return total / n;
}

function valuePair(fn: string, yTrue: ScoreValues, yPred: ScoreValues): [ArrayLike<number>, ArrayLike<number>] {
  const t = hostValues(fn, 'yTrue', yTrue);
  const p = hostValues(fn, 'yPred', yPred);
  if (t.length !== p.length) throw new Error(`${fn}: yTrue and yPred should have the same length, got ${t.length} and ${p.length}`);
  if (t.length === 0) throw new Error(`${fn}: no samples`);
  return [t, p];
}

/**
 * Coefficient of determination 1 - SS_res / SS_tot. When yTrue is constant
 * (SS_tot = 0), 1 for perfect predictions and 0 otherwise, as scikit-learn.
 */
export function r2Score(yTrue: ScoreValues, yPred: ScoreValues): number {
  const [t, p] = valuePair('r2Score', yTrue, yPred);
  let mean = 0;
  for (let i = 0; i < t.length; i++) mean += t[i]!;
  mean /= t.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    residual += (t[i]! - p[i]!) ** 2;
    total += (t[i]! - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

export interface RegressionReport {
  readonly mse: number;
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  readonly samples: number;
}

/** Mean squared error, its root, mean absolute error and R², as numbers (float64 sums). */
export function regressionReport(yTrue: ScoreValues, yPred: ScoreValues): RegressionReport {
  const [t, p] = valuePair('regressionReport', yTrue, yPred);
  let sq = 0;
  let abs = 0;
  for (let i = 0; i < t.length; i++) {
    const e = p[i]! - t[i]!;
    sq += e * e;
    abs += Math.abs(e);
  }
  const mse = sq / t.length;
  return { mse, rmse: Math.sqrt(mse), mae: abs / t.length, r2: r2Score(t, p), samples: t.length };
}

export const metrics = {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  meanSquaredError,
  meanAbsoluteError,
  accuracyScore,
  confusionMatrix,
  classificationReport,
  precisionScore,
  recallScore,
  f1Score,
  logLoss,
  r2Score,
  regressionReport,
};
