// Seeded test inputs: value generators, input specs (shape, dtype, values, and how
// the tensor is laid out: contiguous, a transposed / sliced / broadcast view), and
// turning a spec into both a webgrad tensor and its float64 reference twin.

import * as wg from '../../src/index.js';
import { type DType, fromNested, Nd, nd, sizeOf, transpose } from './reference.js';

/** mulberry32: a small seeded generator, independent of webgrad's own. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** FNV-1a of a label, so every row gets stable values whatever the test order. */
export function seedOf(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Draws one element. */
export type Gen = (rng: Rng) => number;

export const gen = {
  uniform: (lo = -2, hi = 2): Gen => (r) => lo + (hi - lo) * r.next(),
  normal: (mean = 0, std = 1): Gen => (r) => mean + std * r.normal(),
  /** Integers in [lo, hi]. */
  ints: (lo: number, hi: number): Gen => (r) => lo + Math.floor(r.next() * (hi - lo + 1)),
  bools: (): Gen => (r) => (r.next() < 0.5 ? 1 : 0),
  oneOf: (values: readonly number[]): Gen => (r) => values[Math.floor(r.next() * values.length)]!,
  /** Uniform in ±[lo, hi]: never near zero (for division, log|x|, kinks at 0). */
  awayFromZero: (lo = 0.25, hi = 2): Gen => (r) => (r.next() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r.next()),
  /** Uniform in [lo, hi] but at least `margin` from any multiple of `period` plus `phase`. */
  awayFromGrid: (lo: number, hi: number, period = 1, phase = 0, margin = 0.1): Gen => (r) => {
    for (;;) {
      const v = lo + (hi - lo) * r.next();
      const off = (((v - phase) % period) + period) % period;
      if (off > margin && off < period - margin) return v;
    }
  },
  /** Values that break sloppy kernels: NaN, infinities, signed zeros, halves. */
  special: (): Gen => gen.oneOf([NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-30, -1e30, 3, -7]),
} as const;

export type View = 'transpose' | 'slice' | { readonly broadcastFrom: readonly number[] };

/** One op argument: its shape, dtype, values, and how its tensor is laid out. */
export interface Input {
  readonly shape: readonly number[];
  readonly dtype?: wg.DataType;
  readonly gen?: Gen;
  /** Explicit values (row-major, or nested) instead of a generator. */
  readonly values?: unknown;
  readonly view?: View;
}

type Options = Omit<Input, 'shape' | 'dtype'>;

export const f32 = (shape: readonly number[], options: Options = {}): Input => ({ shape, dtype: 'float32', ...options });
export const i32 = (shape: readonly number[], options: Options = {}): Input => ({ shape, dtype: 'int32', ...options });
export const bool = (shape: readonly number[], options: Options = {}): Input => ({ shape, dtype: 'bool', ...options });
/** A tensor with known values; the shape comes from the nesting unless given. */
export function known(values: unknown, dtype: wg.DataType = 'float32', shape?: readonly number[]): Input {
  return { shape: shape ?? fromNested(values).shape, dtype, values };
}

function defaultGen(dtype: wg.DataType): Gen {
  return dtype === 'float32' ? gen.uniform() : dtype === 'int32' ? gen.ints(-5, 5) : gen.bools();
}

function roundTo(dtype: wg.DataType, v: number): number {
  if (dtype === 'float32') return Math.fround(v);
  if (dtype === 'bool') return v !== 0 ? 1 : 0;
  return Math.trunc(v);
}

/** The reference values of an input (float32 inputs are rounded to float32 first). */
export function referenceOf(input: Input, seed: number): Nd {
  const dtype = input.dtype ?? 'float32';
  const n = sizeOf(input.shape);
  let flat: number[];
  if (input.values !== undefined) {
    flat = [...fromNested(input.values).data];
    if (flat.length !== n) throw new Error(`test input: ${flat.length} values for shape [${input.shape}]`);
  } else {
    const g = input.gen ?? defaultGen(dtype);
    const rng = new Rng(seed);
    const from = typeof input.view === 'object' ? input.view.broadcastFrom : input.shape;
    const base = nd(from, () => g(rng), dtype as DType);
    flat = [...(from === input.shape ? base : broadcastRef(base, input.shape)).data];
  }
  return nd(input.shape, flat.map((v) => roundTo(dtype, v)), dtype as DType);
}

function broadcastRef(x: Nd, shape: readonly number[]): Nd {
  const lead = shape.length - x.rank;
  return nd(shape, (_, index) => x.at(x.shape.map((d, i) => (d === 1 ? 0 : index[lead + i]!))), x.dtype);
}

function upload(x: Nd, dtype: wg.DataType): wg.Tensor {
  const data = dtype === 'float32' ? Float32Array.from(x.data) : Int32Array.from(x.data);
  return wg.tensor(data, x.shape, dtype);
}

/** Filler around sliced views, so a kernel that reads outside the window shows it. */
const OUTSIDE = 777;

/** Makes the tensor for `input` (with values `ref`) on the active backend, as the view asked for. */
export function tensorOf(input: Input, ref: Nd): wg.Tensor {
  const dtype = input.dtype ?? 'float32';
  const view = input.view;
  if (view === undefined) return upload(ref, dtype);
  if (view === 'transpose') {
    if (ref.rank < 2) throw new Error('test input: a transposed view needs rank >= 2');
    // Store the reversed-axes array contiguously; reversing again gives ref's values.
    const stored = upload(transpose(ref), dtype);
    const t = wg.transpose(stored);
    stored.dispose();
    return t;
  }
  if (view === 'slice') {
    if (ref.rank < 1) throw new Error('test input: a sliced view needs rank >= 1');
    // A window at offset 1 into a larger array whose other elements are OUTSIDE.
    const big = nd(ref.shape.map((d) => d + 3), (_, index) => {
      const inside = index.every((v, i) => v >= 1 && v <= ref.shape[i]!);
      return inside ? ref.at(index.map((v) => v - 1)) : OUTSIDE;
    }, ref.dtype);
    const stored = upload(big, dtype);
    const t = wg.slice(stored, ref.shape.map(() => 1), ref.shape);
    stored.dispose();
    return t;
  }
  // Broadcast: store only the `broadcastFrom` values (ref is constant along the other dims).
  const from = view.broadcastFrom;
  const lead = ref.rank - from.length;
  const small = upload(nd(from, (_, index) => (ref.size === 0 ? 0 : ref.at([...Array<number>(lead).fill(0), ...index.map((v, i) => (from[i] === 1 ? 0 : v))]))), dtype);
  const t = wg.broadcastTo(small, ref.shape);
  small.dispose();
  return t;
}

/** A short label for an input, e.g. "[3,4] i32 (transposed view)". */
export function describeInput(input: Input): string {
  const dtype = { float32: '', int32: ' i32', bool: ' bool', float16: ' f16' }[input.dtype ?? 'float32'];
  const view = input.view === undefined ? '' : input.view === 'transpose' ? ' (transposed view)'
    : input.view === 'slice' ? ' (sliced view)' : ` (broadcast from [${input.view.broadcastFrom}])`;
  return `[${input.shape.join(',')}]${dtype}${view}`;
}
