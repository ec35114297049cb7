// Data preprocessing: scalers fitted on training data and applied to new data, a
// seeded train / test split and shuffle, and batching.

import { describe } from './autograd.js';
import { checkBoolean, checkNumber, checkOptions } from './options.js';
import * as ops from './ops/index.js';
import { checkTensor, shapeString } from './ops/util.js';
import { randomFor } from './random.js';
import { keep, tidy } from './scope.js';
import { Tensor } from './tensor.js';
import type { CsvSource, CsvTable, ReadCsvOptions } from './io/csv.js';
import type { LoadCsvOptions, TabularDataset } from './io/dataset.js';
import { textDataset } from './datasets/text.js';
import { textFile } from './datasets/stream.js';
import { csvStream } from './datasets/csv-stream.js';

function checkMatrix(fn: string, x: unknown): Tensor {
  checkTensor(x as Tensor, fn, 'x');
  if ((x as Tensor).rank < 1) throw new Error(`${fn}: x should have a sample dimension, got a scalar`);
  if ((x as Tensor).dtype !== 'float32') throw new TypeError(`${fn}: x should be float32, got ${(x as Tensor).dtype}`);
  return x as Tensor;
}

/** Per-feature statistics, as plain numbers, for saving with a model. */
export interface ScalerState {
  readonly kind: 'standard' | 'minMax';
  readonly offset: number[];
  readonly scale: number[];
}

/**
 * Base of the scalers: transform(x) = (x - offset) / scale per feature (the last
 * dimension), with offset and scale learnt by `fit` from training data only.
 */
abstract class Scaler {
  protected offset: Tensor | undefined;
  protected scale: Tensor | undefined;
  constructor(private readonly kind: ScalerState['kind'], private readonly fnName: string) {}

  protected abstract statistics(x: Tensor): [Tensor, Tensor];

  /** Learns the statistics from x [samples, ...features]. Returns this. */
  fit(x: Tensor): this {
    checkMatrix(`${this.fnName}.fit`, x);
    if (x.shape[0] === 0) throw new Error(`${this.fnName}.fit: x has no samples (shape ${shapeString(x.shape)})`);
    this.dispose();
    [this.offset, this.scale] = keep(tidy(() => this.statistics(x)));
    return this;
  }

  transform(x: Tensor): Tensor {
    const fn = `${this.fnName}.transform`;
    checkMatrix(fn, x);
    if (!this.offset || !this.scale) throw new Error(`${fn}: call fit(trainingData) first`);
    const features = this.offset.shape;
    const sample = x.shape.slice(1);
    if (sample.length !== features.length || sample.some((d, i) => d !== features[i])) {
      throw new Error(`${fn}: expected samples of shape ${shapeString(features)} (as fitted), got x ${shapeString(x.shape)}`);
    }
    return tidy(() => ops.div(ops.sub(x, this.offset!), this.scale!));
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** Maps transformed values back to the original units. */
  inverseTransform(x: Tensor): Tensor {
    checkMatrix(`${this.fnName}.inverseTransform`, x);
    if (!this.offset || !this.scale) throw new Error(`${this.fnName}.inverseTransform: call fit(trainingData) first`);
    return tidy(() => ops.add(ops.mul(x, this.scale!), this.offset!));
  }

  /** The fitted statistics as numbers (reads them from the device). */
  async state(): Promise<ScalerState> {
    if (!this.offset || !this.scale) throw new Error(`${this.fnName}.state: call fit(trainingData) first`);
    return { kind: this.kind, offset: Array.from(await this.offset.data()), scale: Array.from(await this.scale.data()) };
  }

  /** @internal restores statistics saved by state() */
  load(state: ScalerState, featureShape: readonly number[]): this {
    this.dispose();
    this.offset = keep(ops.tensor(state.offset, featureShape));
    this.scale = keep(ops.tensor(state.scale, featureShape));
    return this;
  }

  dispose(): void {
    this.offset?.dispose();
    this.scale?.dispose();
    this.offset = this.scale = undefined;
  }
}

/** Zero mean and unit variance per feature (population std; a constant feature gets scale 1). */
export class StandardScaler extends Scaler {
  constructor() {
    super('standard', 'standardScaler');
  }
  protected statistics(x: Tensor): [Tensor, Tensor] {
    const mean = ops.mean(x, 0);
    const std = ops.sqrt(ops.mean(ops.squaredDifference(x, mean), 0));
    return [mean, ops.where(ops.greater(std, 0), std, 1)];
  }
}

/** Maps each feature's training range onto [min, max] (default [0, 1]). */
export class MinMaxScaler extends Scaler {
  private readonly low: number;
  private readonly high: number;
  constructor(options: { featureRange?: readonly [number, number] } = {}) {
    checkOptions('minMaxScaler', options, ['featureRange']);
    super('minMax', 'minMaxScaler');
    const range = options.featureRange ?? [0, 1];
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] < range[1])) {
      throw new Error(`minMaxScaler: featureRange should be [min, max] with min < max, got ${JSON.stringify(options.featureRange)}`);
    }
    [this.low, this.high] = range;
  }
  protected statistics(x: Tensor): [Tensor, Tensor] {
    const lo = ops.min(x, 0);
    const span = ops.sub(ops.max(x, 0), lo);
    const safeSpan = ops.where(ops.greater(span, 0), span, 1);
    // (x - lo) / span * (high - low) + low  ==  (x - offset) / scale
    const scale = ops.div(safeSpan, this.high - this.low);
    const offset = ops.sub(lo, ops.mul(scale, this.low));
    return [offset, scale];
  }
}

export interface SplitOptions {
  /** Share of the samples for the test part (default 0.25). */
  testSize?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  seed?: number;
}

export interface Split {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
}

/** A seeded permutation of [0, n). */
export function permutation(n: number, seed?: number): Int32Array {
  checkNumber('permutation', 'n', n, 0, { integer: true, min: 0 });
  return randomFor(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
}

function checkSamePairs(fn: string, x: Tensor, y: Tensor): void {
  checkTensor(x, fn, 'x');
  checkTensor(y, fn, 'y');
  if (x.rank < 1 || y.rank < 1 || x.shape[0] !== y.shape[0]) {
    throw new Error(`${fn}: x and y should have the same number of samples, got x ${shapeString(x.shape)} and y ${shapeString(y.shape)}`);
  }
}

/** Splits (x, y) into train and test parts, shuffled with a seed (as scikit-learn's train_test_split). */
export function trainTestSplit(x: Tensor, y: Tensor, options: SplitOptions = {}): Split {
  checkOptions('trainTestSplit', options, ['testSize', 'shuffle', 'seed']);
  checkSamePairs('trainTestSplit', x, y);
  const testSize = checkNumber('trainTestSplit', 'testSize', options.testSize, 0.25, { min: 0, max: 1, minExclusive: true });
  const n = x.shape[0]!;
  const testCount = Math.ceil(n * testSize);
  if (testCount >= n) throw new Error(`trainTestSplit: testSize ${testSize} of ${n} samples leaves none for training`);
  const order = !checkBoolean('trainTestSplit', 'shuffle', options.shuffle, true) ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n, options.seed);
  const trainIdx = Array.from(order.subarray(0, n - testCount));
  const testIdx = Array.from(order.subarray(n - testCount));
  return {
    xTrain: ops.gather(x, trainIdx, 0),
    xTest: ops.gather(x, testIdx, 0),
    yTrain: ops.gather(y, trainIdx, 0),
    yTest: ops.gather(y, testIdx, 0),
  };
}

/** x (and y) with their samples in the same seeded random order. */
export function shuffle(x: Tensor, y?: Tensor, seed?: number): { x: Tensor; y?: Tensor } {
  if (y !== undefined) checkSamePairs('shuffle', x, y);
  else if (!(x instanceof Tensor) || x.rank < 1) throw new TypeError(`shuffle: x should be a Tensor with a sample dimension, got ${describe(x)}`);
  const order = Array.from(permutation(x.shape[0]!, seed));
  return y === undefined ? { x: ops.gather(x, order, 0) } : { x: ops.gather(x, order, 0), y: ops.gather(y, order, 0) };
}

export interface BatchOptions {
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropRemainder?: boolean;
}

/**
 * Mini-batches of (x, y) for hand-written loops. Each batch's tensors belong to the
 * caller (dispose them, or run the loop body in tidy).
 */
export function batches(x: Tensor, y: Tensor, options: BatchOptions = {}): Generator<{ x: Tensor; y: Tensor }> {
  // Checked here, not at the first next(): a generator body runs only when iterated.
  checkOptions('batches', options, ['batchSize', 'shuffle', 'seed', 'dropRemainder']);
  checkSamePairs('batches', x, y);
  const batchSize = checkNumber('batches', 'batchSize', options.batchSize, 32, { integer: true, min: 1 });
  const shuffle = checkBoolean('batches', 'shuffle', options.shuffle, false);
  const dropRemainder = checkBoolean('batches', 'dropRemainder', options.dropRemainder, false);
  const order = shuffle ? permutation(x.shape[0]!, options.seed) : undefined;
  return batchesOf(x, y, batchSize, order, dropRemainder);
}

function* batchesOf(x: Tensor, y: Tensor, batchSize: number, order: Int32Array | undefined, dropRemainder: boolean): Generator<{ x: Tensor; y: Tensor }> {
  const n = x.shape[0]!;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    if (size < batchSize && dropRemainder) return;
    if (order) {
      const idx = Array.from(order.subarray(start, start + size));
      yield { x: ops.gather(x, idx, 0), y: ops.gather(y, idx, 0) };
    } else {
      yield { x: ops.slice(x, [start], [size]), y: ops.slice(y, [start], [size]) };
    }
  }
}

export const data = {
  /** Reads a CSV file (path, URL, File / Blob, bytes or { text }) into a table of cells; papaparse is loaded on first use. */
  readCsv: async (source: CsvSource, options?: ReadCsvOptions): Promise<CsvTable> => (await import('./io/csv.js')).readCsv(source, options),
  /** A CSV file to scaled train / validation / test tensors with its preprocessing (see LoadCsvOptions). */
  loadCsv: async (source: CsvSource | CsvTable, options: LoadCsvOptions): Promise<TabularDataset> => (await import('./io/dataset.js')).loadCsv(source, options),
  standardScaler: (): StandardScaler => new StandardScaler(),
  minMaxScaler: (options?: { featureRange?: readonly [number, number] }): MinMaxScaler => new MinMaxScaler(options),
  trainTestSplit,
  shuffle,
  batches,
  permutation,
  /** Next-token batches { x, y: int32 [batch, contextLength] } from token ids or a streamed text file, for model.fit. */
  textDataset,
  /** A text file (path, URL, File, ReadableStream) read in chunks, for textDataset without loading it whole. */
  textFile,
  /** A numeric CSV file read in chunks as { x, y } batches for model.fit (see CsvStreamOptions). */
  csvStream,
};
