// Learning-rate schedules: functions of the optimizer's update count (0 for the first
// update) to a learning rate, with Keras 3's names and formulas. Each carries its
// class name and options, so a model saved with one (model.json, checkpoints) comes
// back with the same schedule, and a resumed run continues at the saved step (the
// optimizer's `iterations`).

import { checkBoolean, checkNumber, checkOptions, given, lookup } from './options.js';

/** A schedule's options as they are saved: numbers, booleans and lists of numbers. */
export type ScheduleConfig = Readonly<Record<string, number | boolean | readonly number[] | undefined>>;

/** A learning rate as a function of the update step (0 for the first update). */
export interface LearningRateSchedule {
  (step: number): number;
  /** The name in `wg.schedules` that recreates it. */
  readonly className: string;
  /** The options that recreate it: `wg.schedules[className](config)`. */
  readonly config: ScheduleConfig;
}

/** How a schedule is stored in model.json / checkpoints. */
export interface SerializedSchedule {
  readonly className: string;
  readonly config: ScheduleConfig;
}

function makeSchedule(className: string, config: ScheduleConfig, at: (step: number) => number): LearningRateSchedule {
  const schedule = (step: number): number => at(step);
  return Object.assign(schedule, { className, config: Object.freeze({ ...config }) });
}

export interface CosineDecayOptions {
  /** The rate at step 0 (the start of warmup, or of the decay when there is no warmup). */
  initialLearningRate: number;
  /** Steps of cosine decay after the warmup. */
  decaySteps: number;
  /** The final rate as a fraction of the peak (default 0). */
  alpha?: number;
  /** The peak reached at the end of warmup (default: no warmup, the decay starts at initialLearningRate). */
  warmupTarget?: number;
  /** Steps of linear warmup from initialLearningRate to warmupTarget (default 0). */
  warmupSteps?: number;
}

/**
 * Keras 3's `CosineDecay`: linear warmup from `initialLearningRate` to `warmupTarget`
 * over `warmupSteps`, then cosine decay from the peak to `alpha × peak` over
 * `decaySteps`, constant after that:
 * rate(s) = peak × ((1 − alpha) × ½(1 + cos(π × min(s − warmupSteps, decaySteps) / decaySteps)) + alpha).
 */
function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  const fn = 'schedules.cosineDecay';
  required(fn, options, ['initialLearningRate', 'decaySteps']);
  checkOptions(fn, options, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps']);
  const initial = checkNumber(fn, 'initialLearningRate', options.initialLearningRate, 0, { min: 0 });
  const decaySteps = checkNumber(fn, 'decaySteps', options.decaySteps, 0, { min: 0, minExclusive: true });
  const alpha = checkNumber(fn, 'alpha', options.alpha, 0, { min: 0, max: 1 });
  const warmupSteps = checkNumber(fn, 'warmupSteps', options.warmupSteps, 0, { min: 0 });
  const warmupTarget = options.warmupTarget === undefined ? undefined : checkNumber(fn, 'warmupTarget', options.warmupTarget, 0, { min: 0 });
  if (warmupSteps > 0 && warmupTarget === undefined) throw new Error(`${fn}: warmupSteps ${warmupSteps} needs a warmupTarget (the rate to warm up to)`);
  const peak = warmupTarget ?? initial;
  const config = { initialLearningRate: initial, decaySteps, alpha, warmupSteps, ...(warmupTarget === undefined ? {} : { warmupTarget }) };
  return makeSchedule('cosineDecay', config, (step) => {
    if (step < warmupSteps) return initial + (peak - initial) * (step / warmupSteps);
    const progress = Math.min(step - warmupSteps, decaySteps) / decaySteps;
    return peak * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha);
  });
}

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** The factor applied every decaySteps (for example 0.96). */
  decayRate: number;
  /** Decay in whole steps of decaySteps rather than continuously (default false). */
  staircase?: boolean;
}

/** Keras' `ExponentialDecay`: rate(s) = initialLearningRate × decayRate^(s / decaySteps), the exponent floored when staircase. */
function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  const fn = 'schedules.exponentialDecay';
  required(fn, options, ['initialLearningRate', 'decaySteps', 'decayRate']);
  checkOptions(fn, options, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase']);
  const initial = checkNumber(fn, 'initialLearningRate', options.initialLearningRate, 0, { min: 0 });
  const decaySteps = checkNumber(fn, 'decaySteps', options.decaySteps, 0, { min: 0, minExclusive: true });
  const decayRate = checkNumber(fn, 'decayRate', options.decayRate, 0, { min: 0 });
  const staircase = checkBoolean(fn, 'staircase', options.staircase, false);
  return makeSchedule('exponentialDecay', { initialLearningRate: initial, decaySteps, decayRate, staircase }, (step) => {
    const p = step / decaySteps;
    return initial * decayRate ** (staircase ? Math.floor(p) : p);
  });
}

export interface PiecewiseConstantDecayOptions {
  /** Increasing steps where the rate changes. */
  boundaries: readonly number[];
  /** One more value than boundaries: values[i] applies while step <= boundaries[i] (after the last, the last value). */
  values: readonly number[];
}

/** Keras' `PiecewiseConstantDecay`: values[0] for step <= boundaries[0], values[1] for boundaries[0] < step <= boundaries[1], … */
function piecewiseConstantDecay(options: PiecewiseConstantDecayOptions): LearningRateSchedule {
  const fn = 'schedules.piecewiseConstantDecay';
  required(fn, options, ['boundaries', 'values']);
  checkOptions(fn, options, ['boundaries', 'values']);
  const boundaries = numberList(fn, 'boundaries', options.boundaries);
  const values = numberList(fn, 'values', options.values);
  if (values.length !== boundaries.length + 1) {
    throw new Error(`${fn}: values should have one more entry than boundaries (${boundaries.length + 1}), got ${values.length}`);
  }
  boundaries.forEach((b, i) => {
    if (i > 0 && b <= boundaries[i - 1]!) throw new Error(`${fn}: boundaries should increase, got ${boundaries[i - 1]} then ${b}`);
  });
  values.forEach((v) => checkNumber(fn, 'every value', v, 0, { min: 0 }));
  return makeSchedule('piecewiseConstantDecay', { boundaries, values }, (step) => {
    const i = boundaries.findIndex((b) => step <= b);
    return values[i === -1 ? values.length - 1 : i]!;
  });
}

export interface PolynomialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** The rate after decaySteps (default 0.0001, as Keras). */
  endLearningRate?: number;
  /** 1 is linear (default 1). */
  power?: number;
}

/**
 * Keras' `PolynomialDecay` (without cycling): from initialLearningRate to
 * endLearningRate over decaySteps, then constant:
 * rate(s) = (initial − end) × (1 − min(s, decaySteps) / decaySteps)^power + end.
 */
function polynomialDecay(options: PolynomialDecayOptions): LearningRateSchedule {
  const fn = 'schedules.polynomialDecay';
  required(fn, options, ['initialLearningRate', 'decaySteps']);
  checkOptions(fn, options, ['initialLearningRate', 'decaySteps', 'endLearningRate', 'power']);
  const initial = checkNumber(fn, 'initialLearningRate', options.initialLearningRate, 0, { min: 0 });
  const decaySteps = checkNumber(fn, 'decaySteps', options.decaySteps, 0, { min: 0, minExclusive: true });
  const end = checkNumber(fn, 'endLearningRate', options.endLearningRate, 0.0001, { min: 0 });
  const power = checkNumber(fn, 'power', options.power, 1, { min: 0 });
  return makeSchedule('polynomialDecay', { initialLearningRate: initial, decaySteps, endLearningRate: end, power }, (step) => {
    return (initial - end) * (1 - Math.min(step, decaySteps) / decaySteps) ** power + end;
  });
}

export interface LinearWarmupOptions {
  /** The rate after warmup (and the peak of the ramp). */
  learningRate: number;
  /** Steps of the ramp. */
  warmupSteps: number;
  /** The rate at step 0 (default 0). */
  initialLearningRate?: number;
}

/**
 * A linear ramp from initialLearningRate to learningRate over warmupSteps, then
 * constant: rate(s) = initial + (target − initial) × min(s, warmupSteps) / warmupSteps.
 */
function linearWarmup(options: LinearWarmupOptions): LearningRateSchedule {
  const fn = 'schedules.linearWarmup';
  required(fn, options, ['learningRate', 'warmupSteps']);
  checkOptions(fn, options, ['learningRate', 'warmupSteps', 'initialLearningRate']);
  const target = checkNumber(fn, 'learningRate', options.learningRate, 0, { min: 0 });
  const warmupSteps = checkNumber(fn, 'warmupSteps', options.warmupSteps, 0, { integer: true, min: 1 });
  const initial = checkNumber(fn, 'initialLearningRate', options.initialLearningRate, 0, { min: 0 });
  return makeSchedule('linearWarmup', { learningRate: target, warmupSteps, initialLearningRate: initial }, (step) => {
    return initial + (target - initial) * (Math.min(step, warmupSteps) / warmupSteps);
  });
}

function required(fn: string, options: unknown, keys: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: expected options { ${keys.join(', ')}, … }, got ${given(options)}`);
  }
  for (const key of keys) {
    if ((options as Record<string, unknown>)[key] === undefined) throw new Error(`${fn}: ${key} is required`);
  }
}

function numberList(fn: string, name: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${fn}: ${name} should be an array of numbers, got ${given(value)}`);
  return value.map((v, i) => checkNumber(fn, `${name}[${i}]`, v, 0));
}

/** Learning-rate schedules (Keras 3 names): pass one as any optimizer's `learningRate`. */
export const schedules = { cosineDecay, exponentialDecay, piecewiseConstantDecay, polynomialDecay, linearWarmup };

/** Recreates a schedule saved as `{ className, config }`. */
export function scheduleFromConfig(saved: SerializedSchedule, where = 'schedule'): LearningRateSchedule {
  const make = lookup(where, 'learning-rate schedule', saved?.className, schedules) as (config: object) => LearningRateSchedule;
  return make({ ...saved.config });
}

/** Whether `value` is a schedule from `wg.schedules` (it can be saved). */
export function isSchedule(value: unknown): value is LearningRateSchedule {
  return typeof value === 'function' && typeof (value as Partial<LearningRateSchedule>).className === 'string'
    && typeof (value as Partial<LearningRateSchedule>).config === 'object';
}
