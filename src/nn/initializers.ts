// Weight initializers with Keras' definitions, drawn from a seeded generator so that
// the same seed gives the same weights on every backend.

import { canonical, INITIALIZER_NAMES, type InitializerName } from '../names.js';
import { checkNumber, checkOptions } from '../options.js';
import { Random, randomFor } from '../random.js';
import { fromValues } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { sizeOf } from '../backends/strided.js';

/** Keras' truncated normal keeps draws within 2 standard deviations; this undoes the variance lost. */
const TRUNCATED_STDDEV_CORRECTION = 0.87962566103423978;

type Draw = (shape: readonly number[], rng: Random) => Float32Array;

export class Initializer {
  /** @internal */
  constructor(
    readonly className: string,
    readonly config: Readonly<Record<string, number | string>>,
    private readonly draw: Draw,
    readonly seed?: number,
  ) {}

  /** A float32 tensor of `shape`; uses this initializer's seed, else the global stream. */
  apply(shape: readonly number[]): Tensor {
    const values = this.draw(shape, randomFor(this.seed));
    return fromValues(values, shape, 'float32');
  }
}

function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  // Dense kernels are [in, out]; for more dims the leading ones form a receptive field.
  const receptive = sizeOf(shape.slice(0, -2));
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';

function varianceScaling(scale: number, mode: FanMode, distribution: 'uniform' | 'truncatedNormal'): Draw {
  return (shape, rng) => {
    const [fanIn, fanOut] = fans(shape);
    const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const values = new Float32Array(sizeOf(shape));
    if (distribution === 'uniform') {
      const limit = Math.sqrt((3 * scale) / Math.max(1, n));
      for (let i = 0; i < values.length; i++) values[i] = rng.uniform(-limit, limit);
    } else {
      const stddev = Math.sqrt(scale / Math.max(1, n)) / TRUNCATED_STDDEV_CORRECTION;
      for (let i = 0; i < values.length; i++) {
        let z = rng.normal();
        while (Math.abs(z) > 2) z = rng.normal();
        values[i] = z * stddev;
      }
    }
    return values;
  };
}

interface SeedOption {
  seed?: number;
}

function seeded(name: string, options: SeedOption | undefined, draw: Draw, extraKeys: string[] = [], config: Record<string, number> = {}): Initializer {
  checkOptions(name, options, ['seed', ...extraKeys]);
  const seed = options?.seed === undefined ? undefined : checkNumber(name, 'seed', options.seed, 0, { integer: true });
  return new Initializer(name, { ...config, ...(seed === undefined ? {} : { seed }) }, draw, seed);
}

export const initializers = {
  /** U(-l, l) with l = sqrt(6 / (fanIn + fanOut)); the Dense kernel default. */
  glorotUniform: (options?: SeedOption) => seeded('glorotUniform', options, varianceScaling(1, 'fanAvg', 'uniform')),
  glorotNormal: (options?: SeedOption) => seeded('glorotNormal', options, varianceScaling(1, 'fanAvg', 'truncatedNormal')),
  heUniform: (options?: SeedOption) => seeded('heUniform', options, varianceScaling(2, 'fanIn', 'uniform')),
  heNormal: (options?: SeedOption) => seeded('heNormal', options, varianceScaling(2, 'fanIn', 'truncatedNormal')),
  leCunNormal: (options?: SeedOption) => seeded('leCunNormal', options, varianceScaling(1, 'fanIn', 'truncatedNormal')),
  zeros: () => new Initializer('zeros', {}, (shape) => new Float32Array(sizeOf(shape))),
  ones: () => new Initializer('ones', {}, (shape) => new Float32Array(sizeOf(shape)).fill(1)),
  constant: (options: { value: number }) => {
    checkOptions('constant', options, ['value']);
    const value = checkNumber('constant', 'value', options?.value, NaN);
    if (Number.isNaN(value)) throw new Error('constant: options.value should be a finite number, got undefined');
    return new Initializer('constant', { value }, (shape) => new Float32Array(sizeOf(shape)).fill(value));
  },
  randomNormal: (options: SeedOption & { mean?: number; stddev?: number } = {}) => {
    const mean = checkNumber('randomNormal', 'mean', options.mean, 0);
    const stddev = checkNumber('randomNormal', 'stddev', options.stddev, 0.05, { min: 0 });
    return seeded('randomNormal', options, (shape, rng) => Float32Array.from({ length: sizeOf(shape) }, () => mean + stddev * rng.normal()), ['mean', 'stddev'], { mean, stddev });
  },
  randomUniform: (options: SeedOption & { minval?: number; maxval?: number } = {}) => {
    const minval = checkNumber('randomUniform', 'minval', options.minval, -0.05);
    const maxval = checkNumber('randomUniform', 'maxval', options.maxval, 0.05);
    return seeded('randomUniform', options, (shape, rng) => Float32Array.from({ length: sizeOf(shape) }, () => rng.uniform(minval, maxval)), ['minval', 'maxval'], { minval, maxval });
  },
};

export type { InitializerName };
/** An initializer name (webgrad's or Keras': 'glorotUniform', 'he_normal', 'Zeros', ...) or one from wg.initializers. */
export type InitializerSpec = InitializerName | Initializer;

export function resolveInitializer(fn: string, spec: unknown, fallback: InitializerName): Initializer {
  if (spec instanceof Initializer) return spec;
  const name = canonical(fn, 'initializer', spec ?? fallback, INITIALIZER_NAMES);
  if (name === 'constant') throw new Error(`${fn}: the 'constant' initializer needs a value: use wg.initializers.constant({ value })`);
  return (initializers[name] as () => Initializer)();
}
