// Making tensors: from JS values, constants, ranges and seeded random draws.

import { sizeOf } from '../backends/strided.js';
import { describe, record, registerTrainable } from '../autograd.js';
import { randomFor } from '../random.js';
import { checkBoolean, checkOptions, given } from '../options.js';
import { type DataType, type NestedArray, Tensor, Variable } from '../tensor.js';
import { backend, checkShape, checkTensor, fromValues, output, shapeString } from './util.js';

export type TensorValues = NestedArray | Float32Array | Int32Array | Uint8Array | Float64Array | readonly number[];

const DTYPES: readonly DataType[] = ['float32', 'int32', 'bool', 'float16'];

function checkDtype(op: string, dtype: unknown): DataType {
  if (!DTYPES.includes(dtype as DataType)) {
    throw new Error(`${op}: dtype should be 'float32', 'int32', 'bool' or 'float16', got ${JSON.stringify(dtype)}`);
  }
  return dtype as DataType;
}

/** Shape of a nested array, checking that it is not ragged. */
function inferShape(values: unknown, path = ''): number[] {
  if (!Array.isArray(values)) return [];
  if (values.length === 0) return [0];
  const inner = inferShape(values[0], `${path}[0]`);
  for (let i = 1; i < values.length; i++) {
    const other = inferShape(values[i], `${path}[${i}]`);
    if (other.length !== inner.length || other.some((d, j) => d !== inner[j])) {
      throw new Error(`tensor: ragged nested array: element ${path}[${i}] has shape ${shapeString(other)}, expected ${shapeString(inner)} like ${path}[0]`);
    }
  }
  return [values.length, ...inner];
}

function flatten(values: unknown, out: number[], sawBoolean: { value: boolean }): void {
  if (Array.isArray(values)) {
    for (const v of values) flatten(v, out, sawBoolean);
  } else if (typeof values === 'number') {
    out.push(values);
  } else if (typeof values === 'boolean') {
    sawBoolean.value = true;
    out.push(values ? 1 : 0);
  } else {
    throw new TypeError(`tensor: values should be numbers or booleans, got ${describe(values)}`);
  }
}

/**
 * A tensor from nested arrays, a flat array or a typed array, with an optional
 * shape (required to give flat values more than one dimension) and dtype
 * (inferred: Int32Array → int32, booleans → bool, anything else → float32).
 */
export function tensor(values: TensorValues, shape?: readonly number[], dtype?: DataType): Tensor {
  if (dtype !== undefined) checkDtype('tensor', dtype);
  if (shape !== undefined) checkShape('tensor', shape);
  let flat: ArrayLike<number>;
  let inferred: number[];
  let inferredDtype: DataType = 'float32';
  if (ArrayBuffer.isView(values)) {
    if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array || values instanceof Float64Array)) {
      throw new TypeError(`tensor: typed arrays should be Float32Array, Int32Array, Uint8Array or Float64Array, got ${(values as object).constructor.name}`);
    }
    flat = values;
    inferred = [values.length];
    if (values instanceof Int32Array) inferredDtype = 'int32';
    if (values instanceof Uint8Array) inferredDtype = 'bool';
  } else {
    if (typeof values !== 'number' && typeof values !== 'boolean' && !Array.isArray(values)) {
      throw new TypeError(`tensor: values should be a number, a (nested) array or a typed array, got ${describe(values)}`);
    }
    inferred = inferShape(values);
    const list: number[] = [];
    const sawBoolean = { value: false };
    flatten(values, list, sawBoolean);
    flat = list;
    if (sawBoolean.value) inferredDtype = 'bool';
  }
  const finalShape = shape ?? inferred;
  if (sizeOf(finalShape) !== flat.length) {
    throw new Error(`tensor: shape ${shapeString(finalShape)} needs ${sizeOf(finalShape)} values, got ${flat.length}`);
  }
  const finalDtype = dtype ?? inferredDtype;
  const data = finalDtype === 'float32' || finalDtype === 'float16' ? Float32Array.from(flat) : Int32Array.from(flat, finalDtype === 'bool' ? asBool : asInt);
  return fromValues(data, finalShape, finalDtype);
}

const asInt = (v: number): number => (Number.isFinite(v) ? Math.trunc(v) : 0);
// Bool tensors hold exactly 0 or 1 (kernels compare them with ==); nonzero, NaN included, is true.
const asBool = (v: number): number => (v !== 0 ? 1 : 0);

export function scalar(value: number | boolean, dtype?: DataType): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`scalar: expected a number or boolean, got ${describe(value)}`);
  return tensor(value, [], dtype);
}

/** A tensor of `shape` with every element `value`. */
export function fill(shape: readonly number[], value: number, dtype: DataType = 'float32'): Tensor {
  checkShape('fill', shape);
  checkDtype('fill', dtype);
  if (typeof value !== 'number') throw new TypeError(`fill: value should be a number, got ${describe(value)}`);
  return filled('fill', shape, value, dtype);
}

/** The checked part of fill, for the functions built on it (errors name `op`). */
function filled(op: string, shape: readonly number[], value: number, dtype: DataType): Tensor {
  const out = output(shape, dtype, op);
  if (out.size > 0) backend().fill(out.view(), dtype === 'bool' ? asBool(value) : value);
  return out;
}

export function zeros(shape: readonly number[], dtype: DataType = 'float32'): Tensor {
  checkShape('zeros', shape);
  return filled('zeros', shape, 0, checkDtype('zeros', dtype));
}

export function ones(shape: readonly number[], dtype: DataType = 'float32'): Tensor {
  checkShape('ones', shape);
  return filled('ones', shape, 1, checkDtype('ones', dtype));
}

export function zerosLike(t: Tensor): Tensor {
  checkTensor(t, 'zerosLike', 'x');
  return filled('zerosLike', t.shape, 0, t.dtype);
}

export function onesLike(t: Tensor): Tensor {
  checkTensor(t, 'onesLike', 'x');
  return filled('onesLike', t.shape, 1, t.dtype);
}

/** [start, start + step, ...) up to but excluding `stop`, like numpy's arange. */
export function range(start: number, stop?: number, step = 1, dtype: DataType = 'float32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (![start, stop, step].every(Number.isFinite)) throw new Error(`range: start, stop and step should be finite numbers, got ${start}, ${stop}, ${step}`);
  if (step === 0) throw new Error('range: step should not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const values = dtype === 'int32' || dtype === 'bool' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return fromValues(values, [n], checkDtype('range', dtype));
}

/** The n × m identity matrix (m defaults to n). */
export function eye(n: number, m = n, dtype: DataType = 'float32'): Tensor {
  checkShape('eye', [n, m], 'size');
  const values = dtype === 'int32' || dtype === 'bool' ? new Int32Array(n * m) : new Float32Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return fromValues(values, [n, m], checkDtype('eye', dtype));
}

/**
 * The dtype and seed of a random draw. Both argument orders work, told apart by type:
 * webgrad's `(…, seed)` and TF.js' `(…, dtype, seed)`.
 */
function drawOptions(op: string, dtypeOrSeed: unknown, seed: unknown): { dtype: 'float32' | 'int32'; seed: number | undefined } {
  if (typeof dtypeOrSeed === 'string') {
    if (dtypeOrSeed !== 'float32' && dtypeOrSeed !== 'int32') {
      throw new Error(`${op}: dtype should be 'float32' or 'int32', got ${JSON.stringify(dtypeOrSeed)}`);
    }
    if (seed !== undefined && typeof seed !== 'number') throw new TypeError(`${op}: seed (after the dtype) should be a number, got ${given(seed)}`);
    return { dtype: dtypeOrSeed, seed };
  }
  if (dtypeOrSeed !== undefined && dtypeOrSeed !== null && typeof dtypeOrSeed !== 'number') {
    throw new TypeError(`${op}: expected a seed (number) or a dtype ('float32', 'int32') after the distribution's parameters, got ${given(dtypeOrSeed)}`);
  }
  if (seed !== undefined) {
    throw new Error(`${op}: a seed was given twice (${String(dtypeOrSeed)} and ${String(seed)}); pass (shape, …, seed) or TF.js' (shape, …, dtype, seed)`);
  }
  return { dtype: 'float32', seed: dtypeOrSeed ?? undefined };
}

function checkParameter(op: string, name: string, value: unknown, min?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (min !== undefined && value < min)) {
    throw new TypeError(`${op}: ${name} should be a finite number${min === undefined ? '' : ` >= ${min}`}, got ${given(value)}`);
  }
  return value;
}

/** The draws as a tensor of `dtype` (int32 rounds, as TF.js does). */
function drawn(values: Float32Array, shape: readonly number[], dtype: 'float32' | 'int32'): Tensor {
  if (dtype === 'float32') return fromValues(values, shape, 'float32');
  return fromValues(Int32Array.from(values, (v) => Math.round(v)), shape, 'int32');
}

/**
 * Normal draws; the same seed gives the same values on every backend. Takes
 * `(shape, mean, stddev, seed)` or TF.js' `(shape, mean, stdDev, dtype, seed)`.
 */
export function randomNormal(shape: readonly number[], mean = 0, stddev = 1, dtypeOrSeed?: number | 'float32' | 'int32', seed?: number): Tensor {
  checkShape('randomNormal', shape);
  checkParameter('randomNormal', 'mean', mean);
  checkParameter('randomNormal', 'stddev', stddev, 0);
  const draw = drawOptions('randomNormal', dtypeOrSeed, seed);
  const rng = randomFor(draw.seed);
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = mean + stddev * rng.normal();
  return drawn(values, shape, draw.dtype);
}

/**
 * Normal draws redrawn until within two standard deviations (Keras' truncated normal).
 * Takes `(shape, mean, stddev, seed)` or TF.js' `(shape, mean, stdDev, dtype, seed)`.
 */
export function truncatedNormal(shape: readonly number[], mean = 0, stddev = 1, dtypeOrSeed?: number | 'float32' | 'int32', seed?: number): Tensor {
  checkShape('truncatedNormal', shape);
  checkParameter('truncatedNormal', 'mean', mean);
  checkParameter('truncatedNormal', 'stddev', stddev, 0);
  const draw = drawOptions('truncatedNormal', dtypeOrSeed, seed);
  const rng = randomFor(draw.seed);
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    values[i] = mean + stddev * z;
  }
  return drawn(values, shape, draw.dtype);
}

/**
 * Uniform draws in [min, max). Takes `(shape, min, max, seed)` or TF.js'
 * `(shape, minval, maxval, dtype, seed)`.
 */
export function randomUniform(shape: readonly number[], min = 0, max = 1, dtypeOrSeed?: number | 'float32' | 'int32', seed?: number): Tensor {
  checkShape('randomUniform', shape);
  checkParameter('randomUniform', 'min', min);
  checkParameter('randomUniform', 'max', max);
  if (!(min <= max)) throw new Error(`randomUniform: min should be <= max, got min ${min} and max ${max}`);
  const draw = drawOptions('randomUniform', dtypeOrSeed, seed);
  const rng = randomFor(draw.seed);
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(min, max);
  return drawn(values, shape, draw.dtype);
}

/** A contiguous copy with its own storage; gradients pass through unchanged. */
export function clone(t: Tensor): Tensor {
  checkTensor(t, 'clone', 'x');
  const out = output(t.shape, t.dtype, 'clone');
  if (out.size > 0) backend().copy(t.view(), out.view());
  record([t], out, [], (dy) => [() => dy.share()]);
  return out;
}

let unnamed = 0;

export interface VariableOptions {
  /** Whether optimizers and valueAndGrad(f) without params update it (default true). */
  trainable?: boolean;
  name?: string;
}

/** A mutable tensor that `tidy` never disposes, for weights and state. */
export function variable(initial: Tensor, trainable: boolean | VariableOptions = true, name?: string): Variable {
  checkTensor(initial, 'variable', 'initial');
  if (typeof trainable === 'object' && trainable !== null) checkOptions('variable', trainable, ['trainable', 'name']);
  const options = typeof trainable === 'object' && trainable !== null ? trainable : { trainable, name };
  const isTrainable = checkBoolean('variable', 'trainable', options.trainable, true);
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new TypeError(`variable: name should be a non-empty string, got ${given(options.name)}`);
  }
  const v = new Variable(initial, isTrainable, options.name ?? `variable_${unnamed++}`);
  if (v.trainable) registerTrainable(v);
  return v;
}
