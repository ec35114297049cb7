// `wg.data.loadCsv`: a CSV file to train / validation / test tensors in one call, with
// a seeded split and the preprocessing (fitted on the training rows only) to save
// with the model.

import { permutation } from '../data.js';
import { checkBoolean, checkNumber, checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { type CsvSource, type CsvTable, readCsv, type ReadCsvOptions } from './csv.js';
import { Preprocessing, type PreprocessingOptions, type ScaleKind } from './tabular.js';

export interface LoadCsvOptions extends PreprocessingOptions, ReadCsvOptions {
  /** Share of the rows held out for validation (default 0). */
  validation?: number;
  /** Share of the rows held out for the final test (default 0). */
  test?: number;
  /** Seed of the split's shuffle (default 0). */
  seed?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  /** Feature scaling fitted on the training rows (default 'standard'). */
  scale?: ScaleKind;
  /** Leave out rows with missing values instead of throwing (default false). */
  dropMissing?: boolean;
}

export interface TabularPart {
  /** Scaled inputs [rows, inputWidth]. */
  readonly x: Tensor;
  /** Class indices [rows] (int32), or targets [rows, 1] (standardised for regression). */
  readonly y: Tensor;
  /** The targets on the host, unscaled: class indices, or values in the target's units. */
  readonly targets: Int32Array | Float32Array;
  /** The file line of each row. */
  readonly rowNumbers: readonly number[];
}

export interface TabularDataset {
  readonly train: TabularPart;
  readonly validation?: TabularPart;
  readonly test?: TabularPart;
  /** Column roles, categories, classes and the fitted scaling: give it to the model to save. */
  readonly preprocessing: Preprocessing;
  readonly table: CsvTable;
  /** File lines of rows left out for missing values. */
  readonly dropped: readonly number[];
}

const OPTION_KEYS = [
  'target', 'features', 'exclude', 'categorical', 'numeric', 'task', 'missing', 'delimiter',
  'validation', 'test', 'seed', 'shuffle', 'scale', 'dropMissing',
];

function isTable(source: unknown): source is CsvTable {
  return typeof source === 'object' && source !== null && Array.isArray((source as CsvTable).columns) && Array.isArray((source as CsvTable).rows);
}

/** Row indices of each part: test from the end of the (shuffled) order, validation before it, training first. */
export function splitIndices(n: number, options: { validation?: number; test?: number; seed?: number; shuffle?: boolean }): { train: number[]; validation: number[]; test: number[] } {
  const validation = checkNumber('loadCsv', 'validation', options.validation, 0, { min: 0, max: 1 });
  const test = checkNumber('loadCsv', 'test', options.test, 0, { min: 0, max: 1 });
  const testCount = Math.ceil(n * test);
  const validationCount = Math.ceil(n * validation);
  const trainCount = n - testCount - validationCount;
  if (trainCount < 1) {
    throw new Error(`loadCsv: validation ${validation} and test ${test} of ${n} rows leave ${Math.max(trainCount, 0)} for training; lower them`);
  }
  const order = options.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n, options.seed ?? 0);
  const list = Array.from(order);
  return {
    train: list.slice(0, trainCount),
    validation: list.slice(trainCount, trainCount + validationCount),
    test: list.slice(trainCount + validationCount),
  };
}

/**
 * Reads a CSV file (or takes a table from readCsv) and returns scaled tensors for
 * training, validation and test, split with a seed, and the fitted preprocessing.
 */
export async function loadCsv(source: CsvSource | CsvTable, options: LoadCsvOptions): Promise<TabularDataset> {
  checkOptions('loadCsv', options, OPTION_KEYS);
  if (!options || typeof options.target !== 'string') throw new Error("loadCsv: options.target should name the column to predict, e.g. { target: 'label' }");
  // The numbers first: a wrong share should not wait for the file to be read and parsed.
  checkNumber('loadCsv', 'validation', options.validation, 0, { min: 0, max: 1 });
  checkNumber('loadCsv', 'test', options.test, 0, { min: 0, max: 1 });
  if (options.seed !== undefined) checkNumber('loadCsv', 'seed', options.seed, 0, { integer: true });
  checkBoolean('loadCsv', 'shuffle', options.shuffle, true);
  checkBoolean('loadCsv', 'dropMissing', options.dropMissing, false);
  const table = isTable(source) ? source : await readCsv(source, options.delimiter === undefined ? {} : { delimiter: options.delimiter });
  const inferred = Preprocessing.infer(table, options);
  const encoded = inferred.encode(table, { dropMissing: options.dropMissing ?? false });
  const parts = splitIndices(encoded.count, options);
  const width = inferred.inputWidth;
  const pick = (indices: number[]) => {
    const x = new Float32Array(indices.length * width);
    indices.forEach((i, r) => x.set(encoded.x.subarray(i * width, (i + 1) * width), r * width));
    const y = encoded.y!;
    const labels = y instanceof Int32Array ? Int32Array.from(indices, (i) => y[i]!) : Float32Array.from(indices, (i) => y[i]!);
    return { x, labels, rowNumbers: indices.map((i) => encoded.rowNumbers[i]!) };
  };
  const train = pick(parts.train);
  const rawTrain = ops.tensor(train.x, [parts.train.length, width]);
  const preprocessing = await inferred.fitScaling(rawTrain, train.labels instanceof Float32Array ? train.labels : undefined, options.scale ?? 'standard');
  rawTrain.dispose();
  const toPart = (p: ReturnType<typeof pick>): TabularPart => {
    const raw = ops.tensor(p.x, [p.rowNumbers.length, width]);
    const x = preprocessing.scale(raw);
    raw.dispose();
    const y = p.labels instanceof Int32Array
      ? ops.tensor(p.labels, [p.labels.length], 'int32')
      : ops.tensor(preprocessing.scaleTarget(p.labels), [p.labels.length, 1]);
    return { x, y, targets: p.labels, rowNumbers: p.rowNumbers };
  };
  return {
    train: toPart(train),
    ...(parts.validation.length > 0 ? { validation: toPart(pick(parts.validation)) } : {}),
    ...(parts.test.length > 0 ? { test: toPart(pick(parts.test)) } : {}),
    preprocessing,
    table,
    dropped: encoded.dropped,
  };
}
