// From a table of text cells to model inputs and back: which column is the target and
// which are features, numeric features as numbers, categorical ones one-hot (with the
// category list kept), class names to class indices, and feature scaling fitted on
// training rows only. Everything here is plain numbers and strings, so it is saved
// with a model (toJSON / fromJSON) and applied the same way after loading.

import { MinMaxScaler, type ScalerState, StandardScaler } from '../data.js';
import { closest } from '../options.js';
import * as ops from '../ops/index.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import type { CsvTable } from './csv.js';

export type Task = 'classification' | 'regression';
export type ScaleKind = 'standard' | 'minMax' | 'none';

export type FeatureSpec =
  | { readonly name: string; readonly kind: 'numeric' }
  | { readonly name: string; readonly kind: 'categorical'; readonly categories: readonly string[] };

/** What a model needs to turn a table into inputs, as saved in model.json. */
export interface PreprocessingState {
  readonly task: Task;
  readonly target: string;
  readonly features: readonly FeatureSpec[];
  /** Class names, by class index (classification). */
  readonly classes?: readonly string[];
  /** Feature scaling over the encoded columns (one-hot columns have offset 0, scale 1). */
  readonly scaler?: ScalerState;
  /** Target standardisation (regression): model output = (y - offset) / scale. */
  readonly targetScaler?: { readonly offset: number; readonly scale: number };
  /** Cell texts that mean "missing". */
  readonly missing: readonly string[];
}

export interface PreprocessingOptions {
  /** The column to predict. */
  target: string;
  /** Feature columns (default: every column but the target and `exclude`). */
  features?: readonly string[];
  /** Columns to leave out of the default feature list (an id, say). */
  exclude?: readonly string[];
  /** Columns to one-hot encode even if they hold numbers. */
  categorical?: readonly string[];
  /** Columns that must hold numbers (default: a column is numeric when most of its cells are numbers). */
  numeric?: readonly string[];
  /** Default: classification when the target has text or at most 20 distinct integers, else regression. */
  task?: Task;
  /** Cell texts that mean "missing" (default: empty, NA, N/A, NaN, nan, null, NULL, ?). */
  missing?: readonly string[];
}

export interface EncodeOptions {
  /** Encode the target column too (an error when the table lacks it); default true. */
  target?: boolean;
  /** Leave out rows with a missing value instead of throwing (default false). */
  dropMissing?: boolean;
}

export interface EncodedRows {
  /** Features, row-major [count, inputWidth], before scaling. */
  readonly x: Float32Array;
  /** Class indices (classification) or target values before scaling (regression). */
  readonly y?: Int32Array | Float32Array;
  readonly count: number;
  /** The file line of each encoded row. */
  readonly rowNumbers: readonly number[];
  /** The file lines of rows left out for missing values (dropMissing). */
  readonly dropped: readonly number[];
}

const DEFAULT_MISSING = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?'];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const MAX_CLASSES_BY_DEFAULT = 20;

/** The number a cell holds, or undefined when it is not a plain decimal number. */
export function parseNumber(cell: string): number | undefined {
  if (!NUMBER.test(cell)) return undefined;
  const value = Number(cell);
  return Number.isFinite(value) ? value : undefined;
}

/** Sorts labels as numbers when they all are, else by code unit (the same order everywhere). */
function sortLabels(values: Iterable<string>): string[] {
  const list = [...values];
  if (list.every((v) => parseNumber(v) !== undefined)) return list.sort((a, b) => parseNumber(a)! - parseNumber(b)! || (a < b ? -1 : a > b ? 1 : 0));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function columnIndex(table: CsvTable, name: string, role: string): number {
  const j = table.columns.indexOf(name);
  if (j < 0) {
    const hint = closest(name, table.columns);
    throw new Error(`${table.source} has no column '${name}' (${role})${hint ? `; did you mean '${hint}'?` : ''}; its columns are: ${table.columns.join(', ')}`);
  }
  return j;
}

function listMissing(found: [number, string][], source: string): string {
  const shown = found.slice(0, 5).map(([row, col]) => `row ${row} column '${col}'`).join(', ');
  return `${source} has ${found.length} missing ${found.length === 1 ? 'value' : 'values'}: ${shown}${found.length > 5 ? ', ...' : ''}`;
}

export class Preprocessing {
  private constructor(private readonly state: PreprocessingState) {}

  /** Reads the column roles, categories and classes from a table (no scaling yet). */
  static infer(table: CsvTable, options: PreprocessingOptions): Preprocessing {
    if (!options || typeof options.target !== 'string') throw new Error('preprocessing: options.target should name the column to predict');
    const missing = [...(options.missing ?? DEFAULT_MISSING)];
    const isMissing = (cell: string) => missing.includes(cell);
    const targetIndex = columnIndex(table, options.target, 'the target');
    for (const [list, role] of [[options.features, 'a feature'], [options.exclude, 'excluded'], [options.categorical, 'categorical'], [options.numeric, 'numeric']] as const) {
      for (const name of list ?? []) columnIndex(table, name, role);
    }
    const featureNames = options.features
      ? [...options.features]
      : table.columns.filter((c) => c !== options.target && !(options.exclude ?? []).includes(c));
    if (featureNames.includes(options.target)) throw new Error(`preprocessing: the target '${options.target}' cannot also be a feature`);
    if (featureNames.length === 0) throw new Error(`preprocessing: no feature columns left in ${table.source} besides the target '${options.target}'`);
    const both = (options.categorical ?? []).find((c) => (options.numeric ?? []).includes(c));
    if (both) throw new Error(`preprocessing: column '${both}' is listed as both categorical and numeric`);

    const features: FeatureSpec[] = featureNames.map((name) => {
      const j = table.columns.indexOf(name);
      const cells = table.rows.map((r) => r[j]!).filter((c) => !isMissing(c));
      const numbers = cells.filter((c) => parseNumber(c) !== undefined).length;
      const categorical = options.categorical?.includes(name) || (!options.numeric?.includes(name) && cells.length > 0 && numbers * 2 < cells.length);
      return categorical ? { name, kind: 'categorical', categories: sortLabels(new Set(cells)) } : { name, kind: 'numeric' };
    });

    const targets = table.rows.map((r) => r[targetIndex]!).filter((c) => !isMissing(c));
    const distinct = new Set(targets);
    const allNumbers = targets.every((c) => parseNumber(c) !== undefined);
    const task: Task = options.task
      ?? (!allNumbers || (targets.every((c) => Number.isInteger(parseNumber(c))) && distinct.size <= MAX_CLASSES_BY_DEFAULT) ? 'classification' : 'regression');
    if (task !== 'classification' && task !== 'regression') throw new Error(`preprocessing: task should be 'classification' or 'regression', got ${JSON.stringify(task)}`);
    if (task === 'classification' && distinct.size < 2) {
      throw new Error(`preprocessing: classification needs at least 2 classes, but the target '${options.target}' has ${distinct.size === 0 ? 'no values' : `only '${[...distinct][0]}'`}`);
    }
    return new Preprocessing({
      task,
      target: options.target,
      features,
      ...(task === 'classification' ? { classes: sortLabels(distinct) } : {}),
      missing,
    });
  }

  /** Rebuilds saved preprocessing, checking it is well formed (it comes from a file). */
  static fromJSON(value: unknown): Preprocessing {
    return new Preprocessing(checkState(value));
  }

  toJSON(): PreprocessingState {
    return this.state;
  }

  get task(): Task {
    return this.state.task;
  }
  get target(): string {
    return this.state.target;
  }
  get classes(): readonly string[] | undefined {
    return this.state.classes;
  }
  /** The model's input columns: a numeric feature's name, or 'feature=category' per one-hot column. */
  get inputNames(): string[] {
    return this.state.features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.categories.map((c) => `${f.name}=${c}`)));
  }
  get inputWidth(): number {
    return this.state.features.reduce((n, f) => n + (f.kind === 'numeric' ? 1 : f.categories.length), 0);
  }
  /** Model outputs: one per class, or one value. */
  get outputWidth(): number {
    return this.state.classes?.length ?? 1;
  }

  /** Encodes a table's rows (features, and the target unless told not to), unscaled. */
  encode(table: CsvTable, options: EncodeOptions = {}): EncodedRows {
    const withTarget = options.target ?? true;
    const { features, missing, classes } = this.state;
    const featureColumns = features.map((f) => columnIndex(table, f.name, 'a feature of this model'));
    const targetColumn = withTarget ? columnIndex(table, this.state.target, 'the target') : -1;
    const isMissing = (cell: string) => missing.includes(cell);

    const found: [number, string][] = [];
    const dropped: number[] = [];
    const keep: number[] = [];
    table.rows.forEach((row, i) => {
      const before = found.length;
      featureColumns.forEach((j) => { if (isMissing(row[j]!)) found.push([table.rowNumbers[i]!, table.columns[j]!]); });
      if (targetColumn >= 0 && isMissing(row[targetColumn]!)) found.push([table.rowNumbers[i]!, table.columns[targetColumn]!]);
      if (found.length === before) keep.push(i);
      else dropped.push(table.rowNumbers[i]!);
    });
    if (found.length > 0 && !options.dropMissing) {
      throw new Error(`${listMissing(found, table.source)}; fill them in, or leave those rows out with dropMissing (--drop-missing)`);
    }
    if (keep.length === 0) throw new Error(`${table.source}: every row has a missing value; nothing is left to use`);

    const width = this.inputWidth;
    const x = new Float32Array(keep.length * width);
    const classIndex = new Map(classes?.map((c, k) => [c, k]));
    const y = targetColumn < 0 ? undefined : classes ? new Int32Array(keep.length) : new Float32Array(keep.length);
    keep.forEach((i, r) => {
      const row = table.rows[i]!;
      const line = table.rowNumbers[i]!;
      let at = r * width;
      features.forEach((f, k) => {
        const cell = row[featureColumns[k]!]!;
        if (f.kind === 'numeric') {
          const value = parseNumber(cell);
          if (value === undefined) {
            throw new Error(`${table.source} row ${line}, column '${f.name}': expected a number, got '${cell}' (list the column as categorical if it holds categories)`);
          }
          x[at++] = value;
        } else {
          const c = f.categories.indexOf(cell);
          if (c < 0) {
            throw new Error(`${table.source} row ${line}, column '${f.name}': unknown category '${cell}'; this model knows ${f.categories.map((v) => `'${v}'`).join(', ')}`);
          }
          x[at + c] = 1;
          at += f.categories.length;
        }
      });
      if (y) {
        const cell = row[targetColumn]!;
        if (classes) {
          const c = classIndex.get(cell);
          if (c === undefined) {
            throw new Error(`${table.source} row ${line}, column '${this.state.target}': unknown class '${cell}'; this model knows ${classes.map((v) => `'${v}'`).join(', ')}`);
          }
          y[r] = c;
        } else {
          const value = parseNumber(cell);
          if (value === undefined) throw new Error(`${table.source} row ${line}, column '${this.state.target}': expected a number (regression target), got '${cell}'`);
          y[r] = value;
        }
      }
    });
    return { x, ...(y ? { y } : {}), count: keep.length, rowNumbers: keep.map((i) => table.rowNumbers[i]!), dropped };
  }

  /**
   * Learns feature scaling from the training rows only (one-hot columns stay 0 / 1),
   * and for regression the target's mean and standard deviation. Returns a new
   * Preprocessing; this one is unchanged.
   */
  async fitScaling(xTrain: Tensor, yTrain: ArrayLike<number> | undefined, kind: ScaleKind = 'standard'): Promise<Preprocessing> {
    if (!['standard', 'minMax', 'none'].includes(kind)) throw new Error(`preprocessing: scale should be 'standard', 'minMax' or 'none', got ${JSON.stringify(kind)}`);
    let scaler: ScalerState | undefined;
    if (kind !== 'none') {
      const fitted = (kind === 'standard' ? new StandardScaler() : new MinMaxScaler()).fit(xTrain);
      const state = await fitted.state();
      fitted.dispose();
      const offset = [...state.offset];
      const scale = [...state.scale];
      let at = 0;
      for (const f of this.state.features) {
        if (f.kind === 'categorical') for (let c = 0; c < f.categories.length; c++) [offset[at + c], scale[at + c]] = [0, 1];
        at += f.kind === 'numeric' ? 1 : f.categories.length;
      }
      scaler = { kind: state.kind, offset, scale };
    }
    let targetScaler: PreprocessingState['targetScaler'];
    if (this.state.task === 'regression' && yTrain && yTrain.length > 0) {
      let mean = 0;
      for (let i = 0; i < yTrain.length; i++) mean += yTrain[i]!;
      mean /= yTrain.length;
      let sq = 0;
      for (let i = 0; i < yTrain.length; i++) sq += (yTrain[i]! - mean) ** 2;
      const std = Math.sqrt(sq / yTrain.length);
      targetScaler = { offset: Math.fround(mean), scale: Math.fround(std > 0 ? std : 1) };
    }
    const { scaler: _s, targetScaler: _t, ...rest } = this.state;
    return new Preprocessing({ ...rest, ...(scaler ? { scaler } : {}), ...(targetScaler ? { targetScaler } : {}) });
  }

  /** Applies the fitted feature scaling to encoded rows x [n, inputWidth] (a new tensor). */
  scale(x: Tensor): Tensor {
    const state = this.state.scaler;
    if (!state) return tidy(() => ops.reshape(x, x.shape));
    const scaler = (state.kind === 'standard' ? new StandardScaler() : new MinMaxScaler()).load(state, [this.inputWidth]);
    try {
      return scaler.transform(x);
    } finally {
      scaler.dispose();
    }
  }

  /** The model's training target for regression values (standardised when fitted). */
  scaleTarget(values: ArrayLike<number>): Float32Array {
    const t = this.state.targetScaler;
    return Float32Array.from(values as ArrayLike<number>, (v) => (t ? (v - t.offset) / t.scale : v));
  }

  /** Regression outputs back in the target's units. */
  unscaleTarget(outputs: ArrayLike<number>): Float64Array {
    const t = this.state.targetScaler;
    return Float64Array.from(outputs as ArrayLike<number>, (v) => (t ? v * t.scale + t.offset : v));
  }

  /** Model inputs (scaled) and, when asked and present, targets as tensors for a table. */
  tensors(table: CsvTable, options: EncodeOptions = {}): { x: Tensor; y?: Tensor; encoded: EncodedRows } {
    const encoded = this.encode(table, options);
    const raw = ops.tensor(encoded.x, [encoded.count, this.inputWidth]);
    const x = this.scale(raw);
    raw.dispose();
    if (!encoded.y) return { x, encoded };
    const y = this.state.classes
      ? ops.tensor(encoded.y as Int32Array, [encoded.count], 'int32')
      : ops.tensor(this.scaleTarget(encoded.y), [encoded.count, 1]);
    return { x, y, encoded };
  }
}

function checkState(value: unknown): PreprocessingState {
  const fail = (what: string): never => {
    throw new Error(`preprocessing in model.json: ${what}`);
  };
  if (value === null || typeof value !== 'object') fail('expected an object');
  const s = value as Record<string, unknown>;
  if (s.task !== 'classification' && s.task !== 'regression') fail(`task should be 'classification' or 'regression', got ${JSON.stringify(s.task)}`);
  if (typeof s.target !== 'string') fail('target should be a column name');
  if (!Array.isArray(s.features) || s.features.length === 0) fail('features should be a non-empty list');
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((c) => typeof c === 'string');
  for (const f of s.features as unknown[]) {
    const spec = f as Record<string, unknown>;
    if (typeof spec?.name !== 'string') fail(`each feature needs a name, got ${JSON.stringify(f)}`);
    if (spec.kind === 'categorical' ? !strings(spec.categories) || spec.categories.length === 0 : spec.kind !== 'numeric') {
      fail(`feature '${spec.name as string}' should be { kind: 'numeric' } or { kind: 'categorical', categories: [...] }`);
    }
  }
  if (!strings(s.missing)) fail('missing should be a list of strings');
  if (s.task === 'classification' && (!strings(s.classes) || s.classes.length < 2)) fail('classification needs a list of at least 2 class names');
  const width = (s.features as FeatureSpec[]).reduce((n, f) => n + (f.kind === 'numeric' ? 1 : f.categories.length), 0);
  if (s.scaler !== undefined) {
    const sc = s.scaler as Record<string, unknown>;
    const numbers = (v: unknown) => Array.isArray(v) && v.length === width && v.every((n) => typeof n === 'number' && Number.isFinite(n));
    if ((sc?.kind !== 'standard' && sc?.kind !== 'minMax') || !numbers(sc.offset) || !numbers(sc.scale)) {
      fail(`scaler should be { kind, offset, scale } with ${width} finite numbers each (one per input column)`);
    }
  }
  if (s.targetScaler !== undefined) {
    const t = s.targetScaler as Record<string, unknown>;
    if (!Number.isFinite(t?.offset) || !Number.isFinite(t?.scale) || t.scale === 0) fail('targetScaler should be { offset, scale } with finite numbers, scale not 0');
  }
  return value as PreprocessingState;
}
