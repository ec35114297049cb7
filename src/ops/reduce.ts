// Reductions over axes (sum, mean, max, min, prod, argmax, argmin, logSumExp), with
// keepDims and gradients. The gradient of a reduction is a broadcast view of dy: no copy.

import type { ReduceOp } from '../backends/backend.js';
import { record } from '../autograd.js';
import type { DataType, Tensor } from '../tensor.js';
import { binaryKernel } from './binary.js';
import { unaryKernel } from './unary.js';
import {
  asTensor, backend, broadcastView, castTo, normalizeAxes, normalizeAxis, output, shapeString, type TensorLike,
} from './util.js';

type Axis = number | readonly number[];

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** A view of `t` (shaped like x reduced over `axes`) broadcast back to x's shape. */
function expandBack(t: Tensor, xShape: readonly number[], axes: readonly number[]): Tensor {
  // t has x's shape without `axes`: those dims come back with stride 0.
  let j = 0;
  const strides = xShape.map((_, i) => (axes.includes(i) ? 0 : t.strides[j++]!));
  return t.share(xShape, strides, t.offset);
}

/** Runs a backend reduction; out has x's shape without `axes`. */
export function reduceKernel(op: ReduceOp, x: Tensor, axes: readonly number[], dtype: DataType): Tensor {
  // No float16 reduction kernel: a float16 operand (a gradient, here) is reduced in
  // float32 and gives float32, by the rule of src/ops/float16.ts.
  const wide = x.dtype === 'float16' ? castTo(x, 'float32') : x;
  const out = output(x.shape.filter((_, i) => !axes.includes(i)), dtype === 'float16' ? 'float32' : dtype, op);
  if (out.size > 0) backend().reduce(op, wide.view(), axes, out.view());
  if (wide !== x) wide.dispose();
  return out;
}

function finish(out: Tensor, xShape: readonly number[], axes: readonly number[], keepDims: boolean): Tensor {
  if (!keepDims) return out;
  // A view with the reduced dims put back as size 1 (their stride does not matter).
  let j = 0;
  const kept = out.share(keptShape(xShape, axes), xShape.map((_, i) => (axes.includes(i) ? 0 : out.strides[j++]!)));
  // The kept-dims tensor takes over the gradient of the plain one: drop those dims again.
  record([out], kept, [], (dy) => [() => dy.share(out.shape, dy.strides.filter((_, i) => !axes.includes(i)))]);
  out.dispose();
  return kept;
}

function reduction(op: 'sum' | 'mean' | 'max' | 'min' | 'prod', name: string) {
  return (input: TensorLike, axis?: Axis, keepDims = false): Tensor => {
    const x0 = asTensor(input, name, 'x');
    const axes = normalizeAxes(name, axis, x0.rank);
    const dtype: DataType = op === 'mean' ? 'float32' : x0.dtype === 'bool' ? 'int32' : x0.dtype;
    const x = castTo(x0, op === 'mean' ? 'float32' : dtype);
    if ((op === 'max' || op === 'min') && axes.some((a) => x.shape[a] === 0)) {
      throw new Error(`${name}: cannot reduce an empty dimension (shape ${shapeString(x.shape)}, axes [${axes.join(',')}])`);
    }
    const y = reduceKernel(op, x, axes, dtype);
    if (dtype === 'float32') {
      record([x], y, op === 'sum' || op === 'mean' ? [] : [x, y], (dy, [sx, sy]) => [
        () => {
          const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
          if (op === 'sum') return expandBack(dy, x.shape, axes);
          if (op === 'mean') {
            const s = asTensor(1 / n, name, 'scale');
            const scaled = binaryKernel('mul', dy, s);
            s.dispose();
            const out = expandBack(scaled, x.shape, axes);
            scaled.dispose();
            return out;
          }
          const dyb = expandBack(dy, x.shape, axes);
          const local = op === 'prod' ? prodGradient(sx!, axes) : extremeGradient(sx!, sy!, axes);
          const g = binaryKernel('mul', dyb, local);
          local.dispose();
          dyb.dispose();
          return g;
        },
      ]);
    }
    if (x !== x0) x.dispose();
    if (x0 !== input) x0.dispose();
    return finish(y, x0.shape, axes, keepDims);
  };
}

/**
 * d max / dx: the positions that attain the extreme share it evenly (1 / count), as
 * PyTorch's amax, TensorFlow and finite differences do, so the gradients of a group sum to 1.
 */
function extremeGradient(x: Tensor, y: Tensor, axes: readonly number[]): Tensor {
  const yb = expandBack(y, x.shape, axes);
  const hit = binaryKernel('eq', x, yb, 'float32');
  yb.dispose();
  const count = reduceKernel('sum', hit, axes, 'float32');
  const countb = expandBack(count, x.shape, axes);
  const share = binaryKernel('div', hit, countb);
  countb.dispose();
  count.dispose();
  hit.dispose();
  return share;
}

/**
 * d prod / dx_i, the product of the other elements, without dividing by zero: with no
 * zero in the group it is prod / x_i; with exactly one zero it is the product of the
 * nonzero elements at the zero and 0 elsewhere; with more zeros it is 0 everywhere.
 */
function prodGradient(x: Tensor, axes: readonly number[]): Tensor {
  const be = backend();
  const [zero, one] = [asTensor(0, 'prod', 'zero'), asTensor(1, 'prod', 'one')];
  const isZero = binaryKernel('eq', x, zero, 'float32');
  const nonzero = output(x.shape, 'float32'); // x with its zeros replaced by 1
  if (nonzero.size > 0) be.where(isZero.view(), broadcastView(one, x.shape), x.view(), nonzero.view());
  const zeros = reduceKernel('sum', isZero, axes, 'float32');
  const product = reduceKernel('prod', nonzero, axes, 'float32');
  const zerosb = expandBack(zeros, x.shape, axes);
  const productb = expandBack(product, x.shape, axes);
  const noZero = binaryKernel('eq', zerosb, zero, 'float32');
  const oneZero = binaryKernel('eq', zerosb, one, 'float32');
  const others = binaryKernel('div', productb, nonzero);
  const atNonzero = binaryKernel('mul', others, noZero);
  const atZero = binaryKernel('mul', productb, oneZero);
  const g = output(x.shape, 'float32');
  if (g.size > 0) be.where(isZero.view(), atZero.view(), atNonzero.view(), g.view());
  for (const t of [zero, one, isZero, nonzero, zeros, product, zerosb, productb, noZero, oneZero, others, atNonzero, atZero]) t.dispose();
  return g;
}

export const sum = reduction('sum', 'sum');
export const mean = reduction('mean', 'mean');
export const max = reduction('max', 'max');
export const min = reduction('min', 'min');
export const prod = reduction('prod', 'prod');

function argReduction(op: 'argmax' | 'argmin', name: string) {
  return (input: TensorLike, axis = 0): Tensor => {
    const x = asTensor(input, name, 'x');
    // A scalar is its own single element: axis 0 (or -1) gives index 0, as numpy does.
    const a = normalizeAxis(name, axis, Math.max(x.rank, 1));
    if (x.rank > 0 && x.shape[a] === 0) throw new Error(`${name}: cannot reduce an empty dimension (shape ${shapeString(x.shape)}, axis ${a})`);
    const out = reduceKernel(op, x, x.rank === 0 ? [] : [a], 'int32');
    if (x !== input) x.dispose();
    return out;
  };
}

/** Index of the largest element along `axis` (default 0, as in TensorFlow.js); the first wins ties. */
export const argMax = argReduction('argmax', 'argMax');
export const argMin = argReduction('argmin', 'argMin');

/** log(sum(exp(x))) over axes, computed stably (the max is subtracted first). */
export function logSumExp(input: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const x = asTensor(input, 'logSumExp', 'x');
  if (x.dtype !== 'float32') throw new TypeError(`logSumExp: expected a float32 tensor, got ${x.dtype}`);
  const axes = normalizeAxes('logSumExp', axis, x.rank);
  const m = finiteOrZero(reduceKernel('max', x, axes, 'float32'));
  const mb = expandBack(m, x.shape, axes);
  const shifted = binaryKernel('sub', x, mb);
  const e = unaryKernel('exp', shifted);
  shifted.dispose();
  const s = reduceKernel('sum', e, axes, 'float32');
  e.dispose();
  const l = unaryKernel('log', s);
  s.dispose();
  const y = binaryKernel('add', l, m);
  l.dispose();
  mb.dispose();
  m.dispose();
  // d/dx logSumExp = softmax(x) = exp(x - y)
  record([x], y, [x, y], (dy, [sx, sy]) => [
    () => {
      const yb = expandBack(sy!, sx!.shape, axes);
      const d = binaryKernel('sub', sx!, yb);
      yb.dispose();
      const p = unaryKernel('exp', d);
      d.dispose();
      const dyb = expandBack(dy, sx!.shape, axes);
      const g = binaryKernel('mul', dyb, p);
      dyb.dispose();
      p.dispose();
      return g;
    },
  ]);
  if (x !== input) x.dispose();
  return finish(y, x.shape, axes, keepDims);
}

/**
 * t with its infinite (and NaN) elements replaced by 0, consuming t. logSumExp shifts by
 * the max for stability; an infinite max would make inf - inf = NaN, while shifting by 0
 * gives the right -Infinity (all -Infinity) or +Infinity.
 */
function finiteOrZero(t: Tensor): Tensor {
  const magnitude = unaryKernel('abs', t);
  const infinity = asTensor(Infinity, 'logSumExp', 'infinity');
  const finite = binaryKernel('lt', magnitude, infinity, 'float32');
  const zero = asTensor(0, 'logSumExp', 'zero');
  const out = output(t.shape, 'float32');
  if (out.size > 0) backend().where(finite.view(), t.view(), broadcastView(zero, t.shape), out.view());
  for (const u of [magnitude, infinity, finite, zero, t]) u.dispose();
  return out;
}

/** @internal sum without recording or keepDims, for gradients (unbroadcast). */
export function reduceSum(x: Tensor, axes: readonly number[]): Tensor {
  return reduceKernel('sum', x, axes, x.dtype);
}

export { expandBack, keptShape };
