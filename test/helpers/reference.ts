// A tiny, naive numpy in float64: the oracle the cpu backend is checked against.
// It shares no code with src/ (written from numpy / PyTorch semantics), and is slow
// and plain on purpose: every function walks multi-indices over nested loops.

export type DType = 'float32' | 'int32' | 'bool';

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** An n-dimensional array of float64 values, row-major. */
export class Nd {
  constructor(
    readonly shape: readonly number[],
    readonly data: Float64Array,
    readonly dtype: DType = 'float32',
  ) {
    if (data.length !== sizeOf(shape)) throw new Error(`Nd: shape [${shape}] needs ${sizeOf(shape)} values, got ${data.length}`);
  }
  get size(): number {
    return this.data.length;
  }
  get rank(): number {
    return this.shape.length;
  }
  at(index: readonly number[]): number {
    return this.data[ravel(index, this.shape)]!;
  }
}

export function nd(shape: readonly number[], values: ArrayLike<number> | ((flat: number, index: number[]) => number), dtype: DType = 'float32'): Nd {
  const n = sizeOf(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = typeof values === 'function' ? values(i, unravel(i, shape)) : values[i]!;
  return new Nd([...shape], data, dtype);
}

export function scalar(value: number, dtype: DType = 'float32'): Nd {
  return nd([], [value], dtype);
}

/** Shape and values of a nested JS array (booleans count as 0 / 1). */
export function fromNested(values: unknown, dtype: DType = 'float32'): Nd {
  const shape: number[] = [];
  for (let v = values; Array.isArray(v); v = v[0]) shape.push(v.length);
  const flat: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else flat.push(typeof v === 'boolean' ? Number(v) : (v as number));
  };
  walk(values);
  return nd(shape, flat, dtype);
}

export function toNested(x: Nd): unknown {
  if (x.rank === 0) return x.data[0];
  let i = 0;
  const build = (dim: number): unknown[] =>
    Array.from({ length: x.shape[dim]! }, () => (dim === x.rank - 1 ? x.data[i++] : build(dim + 1)));
  return build(0);
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return index;
}

export function ravel(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + index[d]!;
  return flat;
}

function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

// --- broadcasting and elementwise -------------------------------------------

export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const big = dims.filter((d) => d !== 1);
    if (new Set(big).size > 1) throw new Error(`reference: cannot broadcast ${shapes.map((s) => `[${s}]`).join(' and ')}`);
    return big[0] ?? 1;
  });
}

/** The value of `x` at `index` of a shape that x broadcasts to. */
function broadcastAt(x: Nd, index: readonly number[]): number {
  const lead = index.length - x.rank;
  return x.at(x.shape.map((d, i) => (d === 1 ? 0 : index[lead + i]!)));
}

export function broadcastTo(x: Nd, shape: readonly number[]): Nd {
  return nd(shape, (_, index) => broadcastAt(x, index), x.dtype);
}

export function map(x: Nd, f: (v: number) => number, dtype: DType = x.dtype): Nd {
  return nd(x.shape, (i) => f(x.data[i]!), dtype);
}

/** f over numpy-broadcast operands. */
export function zip(operands: readonly Nd[], f: (...values: number[]) => number, dtype: DType): Nd {
  const shape = broadcastShapes(...operands.map((o) => o.shape));
  return nd(shape, (_, index) => f(...operands.map((o) => broadcastAt(o, index))), dtype);
}

/** The result dtype of arithmetic on a and b (bool arithmetic gives int32). */
export function arithmeticType(...xs: Nd[]): DType {
  return xs.some((x) => x.dtype === 'float32') ? 'float32' : 'int32';
}

export function binary(a: Nd, b: Nd, f: (x: number, y: number) => number, dtype = arithmeticType(a, b)): Nd {
  return zip([a, b], f, dtype);
}

export function where(c: Nd, a: Nd, b: Nd): Nd {
  return zip([c, a, b], (cv, av, bv) => (cv !== 0 ? av : bv), a.dtype === b.dtype ? a.dtype : arithmeticType(a, b));
}

export function cast(x: Nd, dtype: DType): Nd {
  if (dtype === 'bool') return map(x, (v) => (v !== 0 ? 1 : 0), 'bool');
  if (dtype === 'int32' && x.dtype === 'float32') return map(x, (v) => (Number.isFinite(v) ? Math.trunc(v) : 0), 'int32');
  return map(x, (v) => v, dtype);
}

// --- reductions -------------------------------------------------------------

export function normalizeAxes(axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return [...Array(rank).keys()];
  const list = typeof axis === 'number' ? [axis] : axis;
  return [...new Set(list.map((a) => axisOf(a, rank)))].sort((p, q) => p - q);
}

/** Applies `f` to the values of each reduced group (in row-major order of the reduced axes). */
export function reduce(
  x: Nd, axis: number | readonly number[] | undefined, keepDims: boolean,
  f: (values: number[]) => number, dtype: DType = x.dtype,
): Nd {
  const axes = normalizeAxes(axis, x.rank);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < x.size; i++) {
    const index = unravel(i, x.shape);
    const key = ravel(index.map((v, d) => (axes.includes(d) ? 0 : v)), kept);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(x.data[i]!);
  }
  const out = nd(kept, (i) => f(groups.get(i) ?? []), dtype);
  return keepDims ? out : reshape(out, x.shape.filter((_, i) => !axes.includes(i)));
}

export const sumOf = (v: number[]): number => v.reduce((p, q) => p + q, 0);
export const prodOf = (v: number[]): number => v.reduce((p, q) => p * q, 1);
export const meanOf = (v: number[]): number => sumOf(v) / v.length;
/** numpy's max: NaN wins. */
export const maxOf = (v: number[]): number => (v.some(Number.isNaN) ? NaN : Math.max(...v));
export const minOf = (v: number[]): number => (v.some(Number.isNaN) ? NaN : Math.min(...v));
/** numpy's argmax: the first maximum, and the first NaN if there is one. */
export function argmaxOf(v: number[]): number {
  const nan = v.findIndex(Number.isNaN);
  if (nan >= 0) return nan;
  return v.indexOf(Math.max(...v));
}
export function argminOf(v: number[]): number {
  const nan = v.findIndex(Number.isNaN);
  if (nan >= 0) return nan;
  return v.indexOf(Math.min(...v));
}
export function logSumExpOf(v: number[]): number {
  const m = Math.max(...v);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(sumOf(v.map((x) => Math.exp(x - m))));
}

export function sum(x: Nd, axis?: number | readonly number[], keepDims = false): Nd {
  return reduce(x, axis, keepDims, sumOf, x.dtype === 'bool' ? 'int32' : x.dtype);
}

export function softmax(x: Nd, axis = -1): Nd {
  const a = axisOf(axis, x.rank);
  const lse = reduce(x, a, true, logSumExpOf);
  return zip([x, lse], (v, l) => Math.exp(v - l), 'float32');
}

export function logSoftmax(x: Nd, axis = -1): Nd {
  const a = axisOf(axis, x.rank);
  const lse = reduce(x, a, true, logSumExpOf);
  return zip([x, lse], (v, l) => v - l, 'float32');
}

// --- rearranging -------------------------------------------------------------

export function reshape(x: Nd, shape: readonly number[]): Nd {
  const known = sizeOf(shape.filter((d) => d !== -1));
  const resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  return new Nd(resolved, x.data, x.dtype);
}

export function transpose(x: Nd, perm?: readonly number[]): Nd {
  const p = perm ?? [...x.shape.keys()].reverse();
  const shape = p.map((a) => x.shape[a]!);
  return nd(shape, (_, index) => {
    const src = new Array<number>(x.rank);
    p.forEach((a, i) => (src[a] = index[i]!));
    return x.at(src);
  }, x.dtype);
}

export function slice(x: Nd, begin: readonly number[], size: readonly number[]): Nd {
  const sizes = size.map((s, i) => (s === -1 ? x.shape[i]! - begin[i]! : s));
  return nd(sizes, (_, index) => x.at(index.map((v, i) => v + begin[i]!)), x.dtype);
}

export function pad(x: Nd, paddings: readonly (readonly [number, number])[], value = 0): Nd {
  const shape = x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  return nd(shape, (_, index) => {
    const src = index.map((v, i) => v - paddings[i]![0]);
    return src.every((v, i) => v >= 0 && v < x.shape[i]!) ? x.at(src) : value;
  }, x.dtype);
}

export function concat(xs: readonly Nd[], axis = 0): Nd {
  const a = axisOf(axis, xs[0]!.rank);
  const shape = [...xs[0]!.shape];
  shape[a] = xs.reduce((p, x) => p + x.shape[a]!, 0);
  return nd(shape, (_, index) => {
    let i = index[a]!;
    for (const x of xs) {
      if (i < x.shape[a]!) return x.at(index.map((v, d) => (d === a ? i : v)));
      i -= x.shape[a]!;
    }
    throw new Error('unreachable');
  }, xs[0]!.dtype);
}

export function expandDims(x: Nd, axis: number): Nd {
  const a = axisOf(axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export function stack(xs: readonly Nd[], axis = 0): Nd {
  return concat(xs.map((x) => expandDims(x, axis)), axisOf(axis, xs[0]!.rank + 1));
}

export function tile(x: Nd, reps: readonly number[]): Nd {
  const shape = x.shape.map((d, i) => d * reps[i]!);
  return nd(shape, (_, index) => x.at(index.map((v, i) => v % x.shape[i]!)), x.dtype);
}

/** numpy.take: out-of-range indices give 0 here (webgrad's documented rule). */
export function gather(x: Nd, indices: Nd, axis = 0): Nd {
  const a = axisOf(axis, x.rank);
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  return nd(shape, (_, index) => {
    const j = indices.at(index.slice(a, a + indices.rank));
    if (j < 0 || j >= x.shape[a]!) return 0;
    return x.at([...index.slice(0, a), j, ...index.slice(a + indices.rank)]);
  }, x.dtype);
}

export function oneHot(indices: Nd, depth: number, on = 1, off = 0): Nd {
  return nd([...indices.shape, depth], (_, index) => (indices.at(index.slice(0, -1)) === index[index.length - 1] ? on : off));
}

// --- matmul ------------------------------------------------------------------

/** numpy.matmul with optional transposes of the last two dims (1-D operands as in numpy). */
export function matmul(a: Nd, b: Nd, transposeA = false, transposeB = false): Nd {
  const swap = (x: Nd): Nd => transpose(x, [...x.shape.keys()].map((i) => (i === x.rank - 2 ? x.rank - 1 : i === x.rank - 1 ? x.rank - 2 : i)));
  let A = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : transposeA ? swap(a) : a;
  let B = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : transposeB ? swap(b) : b;
  const m = A.shape[A.rank - 2]!;
  const k = A.shape[A.rank - 1]!;
  const n = B.shape[B.rank - 1]!;
  if (B.shape[B.rank - 2] !== k) throw new Error(`reference matmul: inner dims ${k} vs ${B.shape[B.rank - 2]}`);
  const batch = broadcastShapes(A.shape.slice(0, -2), B.shape.slice(0, -2));
  A = broadcastTo(A, [...batch, m, k]);
  B = broadcastTo(B, [...batch, k, n]);
  let out = nd([...batch, m, n], (_, index) => {
    const pre = index.slice(0, -2);
    const [i, j] = index.slice(-2) as [number, number];
    let s = 0;
    for (let p = 0; p < k; p++) s += A.at([...pre, i, p]) * B.at([...pre, p, j]);
    return s;
  });
  if (a.rank === 1 || b.rank === 1) {
    out = reshape(out, out.shape.filter((_, i) => !((a.rank === 1 && i === out.rank - 2) || (b.rank === 1 && i === out.rank - 1))));
  }
  return out;
}

// --- scalar functions (numpy / PyTorch semantics) -----------------------------

/** erf by its everywhere-convergent series erf(x) = 2/√π e^{-x²} Σ 2ⁿ x^{2n+1} / (1·3···(2n+1)). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) > 6) return Math.sign(x);
  let term = x;
  let total = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    total += term;
    if (Math.abs(term) < 1e-17 * Math.abs(total)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * total;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
export const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
export const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
/** GELU's tanh form as printed in Hendrycks & Gimpel and PyTorch's docs. */
export const geluTanh = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
export const relu = (x: number): number => (Number.isNaN(x) ? NaN : Math.max(x, 0));
export const elu = (alpha: number) => (x: number): number => (x > 0 ? x : alpha * (Math.exp(x) - 1));
export const leakyRelu = (alpha: number) => (x: number): number => (x > 0 ? x : alpha * x);
export const sign = (x: number): number => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0);

/** numpy.round / torch.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Python's %: the result takes the divisor's sign. */
export function pyMod(a: number, b: number): number {
  return a - b * Math.floor(a / b);
}
