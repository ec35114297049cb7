// Two-operand elementwise ops with numpy broadcasting: arithmetic (with gradients),
// comparisons and logic (bool results), and `where`.

import type { BinaryOp } from '../backends/backend.js';
import { record } from '../autograd.js';
import { isFloat, Tensor } from '../tensor.js';
import { castRecorded } from './float16.js';
import { reduceSum } from './reduce.js';
import { reshape } from './shape.js';
import {
  asTensor, backend, broadcastAxes, broadcastShapes, broadcastView, castTo, output, type TensorLike, upcast,
} from './util.js';

/** Sums a gradient over the dims that broadcasting stretched, back to `shape`. */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  const axes = broadcastAxes(shape, g.shape);
  if (axes.length === 0) return g;
  const summed = reduceSum(g, axes);
  g.dispose();
  if (summed.rank === shape.length) return summed;
  const reshaped = reshape(summed, shape);
  summed.dispose();
  return reshaped;
}

/** Runs one backend binary kernel on two broadcast tensors of the same dtype. */
export function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor, outDtype = a.dtype, args?: readonly number[]): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = output(shape, outDtype, op);
  if (out.size > 0) backend().binary(op, broadcastView(a, shape), broadcastView(b, shape), out.view(), args);
  return out;
}

/** Converts both operands, upcasting to a common dtype, and frees what it made. */
function withOperands(op: string, a: TensorLike, b: TensorLike, body: (x: Tensor, y: Tensor) => Tensor, arithmetic = true): Tensor {
  const hintA = b instanceof Tensor ? b.dtype : 'float32';
  const x0 = asTensor(a, op, 'a', typeof a === 'number' ? hintA : 'float32');
  const y0 = asTensor(b, op, 'b', typeof b === 'number' ? x0.dtype : 'float32');
  let common = upcast(x0.dtype, y0.dtype);
  if (!arithmetic && x0.dtype === 'bool' && y0.dtype === 'bool') common = 'bool';
  // float16 promoted to float32 is a recorded cast, so its gradient flows back.
  const convert = (t: Tensor): Tensor => (t.dtype === 'float16' && common === 'float32' ? castRecorded(t, common) : castTo(t, common));
  const x = convert(x0);
  const y = convert(y0);
  try {
    return body(x, y);
  } finally {
    // Free the scalars and casts made here, never the caller's tensors.
    for (const t of new Set([x0, y0, x, y])) if (t !== a && t !== b) t.dispose();
  }
}

type GradRule = (dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [() => Tensor, () => Tensor];

function arithmetic(op: BinaryOp, name: string, rule: GradRule, saveOutput = false) {
  return (a: TensorLike, b: TensorLike): Tensor =>
    withOperands(name, a, b, (x, y) => {
      broadcastShapes(name, x.shape, y.shape);
      const out = binaryKernel(op, x, y);
      if (isFloat(x.dtype)) {
        record([x, y], out, saveOutput ? [x, y, out] : [x, y], (dy, [sa, sb, so]) => {
          const [ga, gb] = rule(dy, sa!, sb!, so!);
          return [() => unbroadcast(ga(), sa!.shape), () => unbroadcast(gb(), sb!.shape)];
        });
      }
      return out;
    });
}

// Gradient helpers that run kernels directly (no recording needed during backward).
const k = (op: BinaryOp, a: Tensor, b: Tensor, dtype = a.dtype): Tensor => binaryKernel(op, a, b, dtype);
function scaled(t: Tensor, factor: number): Tensor {
  const s = asTensor(factor, 'grad', 'factor');
  const out = k('mul', t, s);
  s.dispose();
  return out;
}
/** dy where `wins(a, b)`, dy / 2 where a == b (a tie shares evenly), 0 elsewhere. */
function winnerMask(wins: BinaryOp, a: Tensor, b: Tensor, dy: Tensor): Tensor {
  const won = k(wins, a, b, 'float32');
  const tie = k('eq', a, b, 'float32');
  const half = scaled(tie, 0.5);
  tie.dispose();
  const m = k('add', won, half);
  won.dispose();
  half.dispose();
  const out = k('mul', dy, m);
  m.dispose();
  return out;
}

export const add = arithmetic('add', 'add', (dy) => [() => dy.share(), () => dy.share()]);
export const sub = arithmetic('sub', 'sub', (dy) => [() => dy.share(), () => scaled(dy, -1)]);
export const mul = arithmetic('mul', 'mul', (dy, a, b) => [() => k('mul', dy, b), () => k('mul', dy, a)]);
export const div = arithmetic('div', 'div', (dy, a, b) => [
  () => k('div', dy, b),
  () => {
    // -dy * a / b^2
    const q = k('div', a, b);
    const r = k('div', q, b);
    q.dispose();
    const t = k('mul', dy, r);
    r.dispose();
    const out = scaled(t, -1);
    t.dispose();
    return out;
  },
]);
export const pow = arithmetic(
  'pow',
  'pow',
  (dy, a, b, y) => [
    () => {
      // dy * b * a^(b-1) computed as dy * b * y / a would fail at a = 0; use pow directly.
      const one = asTensor(1, 'pow', 'one');
      const bm1 = k('sub', b, one);
      one.dispose();
      const p = k('pow', a, bm1);
      bm1.dispose();
      const t = k('mul', p, b);
      p.dispose();
      const out = k('mul', dy, t);
      t.dispose();
      return out;
    },
    () => {
      // dy * y * log(a), taken as 0 where a <= 0 (as TensorFlow does).
      const zero = asTensor(0, 'pow', 'zero');
      const positive = k('gt', a, zero, 'float32');
      const safe = k('max', a, zero);
      zero.dispose();
      const logA = output(a.shape, 'float32');
      backend().unary('log', safe.view(), logA.view());
      safe.dispose();
      const t1 = k('mul', y, logA);
      logA.dispose();
      const t2 = k('mul', t1, positive);
      t1.dispose();
      positive.dispose();
      const out = k('mul', dy, t2);
      t2.dispose();
      return out;
    },
  ],
  true,
);
// At a tie each operand gets half, as in PyTorch and JAX (and central differences).
export const maximum = arithmetic('max', 'maximum', (dy, a, b) => [() => winnerMask('gt', a, b, dy), () => winnerMask('lt', a, b, dy)]);
export const minimum = arithmetic('min', 'minimum', (dy, a, b) => [() => winnerMask('lt', a, b, dy), () => winnerMask('gt', a, b, dy)]);
export const mod = arithmetic('mod', 'mod', (dy, a, b) => [
  () => dy.share(),
  () => {
    const q = k('div', a, b);
    const f = output(q.shape, 'float32');
    backend().unary('floor', q.view(), f.view());
    q.dispose();
    const t = k('mul', dy, f);
    f.dispose();
    const out = scaled(t, -1);
    t.dispose();
    return out;
  },
]);

/** (a - b)^2, elementwise. */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  return withOperands('squaredDifference', a, b, (x, y) => {
    broadcastShapes('squaredDifference', x.shape, y.shape);
    const d = sub(x, y);
    const out = mul(d, d);
    d.dispose();
    return out;
  });
}

function comparison(op: BinaryOp, name: string) {
  return (a: TensorLike, b: TensorLike): Tensor =>
    withOperands(name, a, b, (x, y) => {
      broadcastShapes(name, x.shape, y.shape); // so that errors name the op, not the kernel
      return binaryKernel(op, x, y, 'bool');
    }, false);
}

export const equal = comparison('eq', 'equal');
export const notEqual = comparison('ne', 'notEqual');
export const less = comparison('lt', 'less');
export const lessEqual = comparison('le', 'lessEqual');
export const greater = comparison('gt', 'greater');
export const greaterEqual = comparison('ge', 'greaterEqual');
export const logicalAnd = comparison('and', 'logicalAnd');
export const logicalOr = comparison('or', 'logicalOr');

/** Picks `a` where `condition` is true (nonzero) and `b` elsewhere, broadcasting all three. */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = asTensor(condition, 'where', 'condition');
  try {
    return withOperands('where', a, b, (x, y) => {
      const shape = broadcastShapes('where', broadcastShapes('where', c.shape, x.shape), y.shape);
      const out = output(shape, x.dtype);
      if (out.size > 0) backend().where(broadcastView(c, shape), broadcastView(x, shape), broadcastView(y, shape), out.view());
      if (isFloat(x.dtype)) {
        record([x, y], out, [c, x, y], (dy, [sc, sx, sy]) => {
          // dy where the condition picked this operand, 0 elsewhere.
          const pick = (picked: boolean, shapeOf: Tensor): Tensor => {
            const zero = asTensor(0, 'where', 'zero');
            const g = output(dy.shape, 'float32');
            const [first, second] = picked ? [dy.view(), broadcastView(zero, dy.shape)] : [broadcastView(zero, dy.shape), dy.view()];
            backend().where(broadcastView(sc!, dy.shape), first, second, g.view());
            zero.dispose();
            return unbroadcast(g, shapeOf.shape);
          };
          return [() => pick(true, sx!), () => pick(false, sy!)];
        });
      }
      return out;
    }, false);
  } finally {
    if (c !== condition) c.dispose();
  }
}
