// softmax and logSoftmax along one axis, computed stably (max subtracted first), each
// recorded as one node with its closed-form gradient.

import { record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { binaryKernel } from './binary.js';
import { expandBack, reduceKernel } from './reduce.js';
import { unaryKernel } from './unary.js';
import { asTensor, normalizeAxis, type TensorLike } from './util.js';

/** x - max(x) along the axis, and exp of that, and its sum (reduced shape). */
function shiftedExp(x: Tensor, axes: number[]): { shifted: Tensor; e: Tensor; total: Tensor } {
  const m = reduceKernel('max', x, axes, 'float32');
  const mb = expandBack(m, x.shape, axes);
  const shifted = binaryKernel('sub', x, mb);
  mb.dispose();
  m.dispose();
  const e = unaryKernel('exp', shifted);
  const total = reduceKernel('sum', e, axes, 'float32');
  return { shifted, e, total };
}

function prepare(op: string, input: TensorLike, axis: number): { x: Tensor; axes: number[] } {
  const x = asTensor(input, op, 'logits');
  if (x.dtype !== 'float32') throw new TypeError(`${op}: expected float32 logits, got ${x.dtype}`);
  if (x.rank === 0) throw new Error(`${op}: logits should have at least one dimension, got a scalar`);
  return { x, axes: [normalizeAxis(op, axis, x.rank)] };
}

/** exp(x) / sum(exp(x)) along `axis` (default: the last). */
export function softmax(input: TensorLike, axis = -1): Tensor {
  const { x, axes } = prepare('softmax', input, axis);
  const { shifted, e, total } = shiftedExp(x, axes);
  shifted.dispose();
  const tb = expandBack(total, x.shape, axes);
  const y = binaryKernel('div', e, tb);
  tb.dispose();
  total.dispose();
  e.dispose();
  // dx = y * (dy - sum(dy * y))
  record([x], y, [y], (dy, [sy]) => [
    () => {
      const p = binaryKernel('mul', dy, sy!);
      const s = reduceKernel('sum', p, axes, 'float32');
      p.dispose();
      const sb = expandBack(s, sy!.shape, axes);
      const d = binaryKernel('sub', dy, sb);
      sb.dispose();
      s.dispose();
      const g = binaryKernel('mul', sy!, d);
      d.dispose();
      return g;
    },
  ]);
  if (x !== input) x.dispose();
  return y;
}

/** x - log(sum(exp(x))) along `axis` (default: the last). */
export function logSoftmax(input: TensorLike, axis = -1): Tensor {
  const { x, axes } = prepare('logSoftmax', input, axis);
  const { shifted, e, total } = shiftedExp(x, axes);
  e.dispose();
  const logTotal = unaryKernel('log', total);
  total.dispose();
  const lb = expandBack(logTotal, x.shape, axes);
  const y = binaryKernel('sub', shifted, lb);
  lb.dispose();
  logTotal.dispose();
  shifted.dispose();
  // dx = dy - exp(y) * sum(dy)
  record([x], y, [y], (dy, [sy]) => [
    () => {
      const s = reduceKernel('sum', dy, axes, 'float32');
      const sb = expandBack(s, sy!.shape, axes);
      const p = unaryKernel('exp', sy!);
      const q = binaryKernel('mul', p, sb);
      p.dispose();
      sb.dispose();
      s.dispose();
      const g = binaryKernel('sub', dy, q);
      q.dispose();
      return g;
    },
  ]);
  if (x !== input) x.dispose();
  return y;
}
