// One-operand elementwise ops (math and activations), each with its gradient, plus cast.

import type { BinaryOp, UnaryOp } from '../backends/backend.js';
import { record } from '../autograd.js';
import { type DataType, isFloat, type Tensor } from '../tensor.js';
import { castRecorded } from './float16.js';
import { binaryKernel } from './binary.js';
import { asTensor, backend, castTo, checkTensor, output, type TensorLike } from './util.js';

/** Runs one backend unary kernel into a new tensor of x's shape. */
export function unaryKernel(op: UnaryOp, x: Tensor, args?: readonly number[], dtype: DataType = x.dtype): Tensor {
  const out = output(x.shape, dtype, op);
  if (out.size > 0) backend().unary(op, x.view(), out.view(), args);
  return out;
}

/** dy ∘ f(t) for a kernel f, freeing the intermediate. */
function times(dy: Tensor, t: Tensor): Tensor {
  const out = binaryKernel('mul', dy, t);
  t.dispose();
  return out;
}

function scaledBy(t: Tensor, factor: number): Tensor {
  const s = asTensor(factor, 'grad', 'factor');
  const out = binaryKernel('mul', t, s);
  s.dispose();
  return out;
}

/**
 * How a unary op's gradient is computed from dy, the input x and the output y:
 * - a fused backend `*Grad` kernel fed with x or y, or
 * - a function.
 */
type GradRule =
  | { kernel: BinaryOp; uses: 'x' | 'y' }
  | { fn: (dy: Tensor, x: Tensor, y: Tensor, args: readonly number[]) => Tensor; uses: 'x' | 'y' | 'xy' }
  | 'none';

function unaryOp(op: UnaryOp, name: string, rule: GradRule, integerOk = true) {
  return (input: TensorLike, args: readonly number[] = []): Tensor => {
    const x0 = asTensor(input, name, 'x');
    if (!integerOk && !isFloat(x0.dtype)) {
      throw new TypeError(`${name}: expected a float32 tensor, got ${x0.dtype}; cast it first with wg.cast(x, 'float32')`);
    }
    const x = x0.dtype === 'bool' ? castTo(x0, 'int32') : x0;
    const y = unaryKernel(op, x, args);
    if (rule !== 'none' && isFloat(x.dtype)) {
      const saved = rule.uses === 'x' ? [x] : rule.uses === 'y' ? [y] : [x, y];
      record([x], y, saved, (dy, s) => {
        const sx = rule.uses === 'y' ? undefined : s[0];
        const sy = rule.uses === 'x' ? undefined : s[rule.uses === 'y' ? 0 : 1];
        if ('kernel' in rule) return [() => binaryKernel(rule.kernel, dy, (sx ?? sy)!, dy.dtype, args)];
        return [() => rule.fn(dy, sx!, sy!, args)];
      });
    }
    if (x !== x0) x.dispose();
    if (x0 !== input) x0.dispose();
    return y;
  };
}

const zeroGrad: GradRule = { fn: (dy) => scaledBy(dy, 0), uses: 'x' };

const negOp = unaryOp('neg', 'neg', { fn: (dy) => scaledBy(dy, -1), uses: 'x' });
const absOp = unaryOp('abs', 'abs', { fn: (dy, x) => times(dy, unaryKernel('sign', x)), uses: 'x' });
const signOp = unaryOp('sign', 'sign', zeroGrad);
const expOp = unaryOp('exp', 'exp', { fn: (dy, _x, y) => binaryKernel('mul', dy, y), uses: 'y' }, false);
const logOp = unaryOp('log', 'log', { fn: (dy, x) => binaryKernel('div', dy, x), uses: 'x' }, false);
const log1pOp = unaryOp('log1p', 'log1p', {
  fn: (dy, x) => {
    const one = asTensor(1, 'log1p', 'one');
    const d = binaryKernel('add', x, one);
    one.dispose();
    const out = binaryKernel('div', dy, d);
    d.dispose();
    return out;
  },
  uses: 'x',
}, false);
const expm1Op = unaryOp('expm1', 'expm1', {
  fn: (dy, _x, y) => {
    const one = asTensor(1, 'expm1', 'one');
    const e = binaryKernel('add', y, one);
    one.dispose();
    return times(dy, e);
  },
  uses: 'y',
}, false);
const sqrtOp = unaryOp('sqrt', 'sqrt', {
  fn: (dy, _x, y) => {
    const q = binaryKernel('div', dy, y);
    const out = scaledBy(q, 0.5);
    q.dispose();
    return out;
  },
  uses: 'y',
}, false);
const rsqrtOp = unaryOp('rsqrt', 'rsqrt', {
  // d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
  fn: (dy, _x, y) => {
    const y3 = unaryKernel('powScalar', y, [3]);
    const t = times(dy, y3);
    const out = scaledBy(t, -0.5);
    t.dispose();
    return out;
  },
  uses: 'y',
}, false);
const squareOp = unaryOp('square', 'square', {
  fn: (dy, x) => {
    const t = binaryKernel('mul', dy, x);
    const out = scaledBy(t, 2);
    t.dispose();
    return out;
  },
  uses: 'x',
});
const reciprocalOp = unaryOp('reciprocal', 'reciprocal', {
  fn: (dy, _x, y) => {
    const t = times(dy, unaryKernel('square', y));
    const out = scaledBy(t, -1);
    t.dispose();
    return out;
  },
  uses: 'y',
}, false);
const floorOp = unaryOp('floor', 'floor', zeroGrad);
const ceilOp = unaryOp('ceil', 'ceil', zeroGrad);
const roundOp = unaryOp('round', 'round', zeroGrad);
const sinOp = unaryOp('sin', 'sin', { fn: (dy, x) => times(dy, unaryKernel('cos', x)), uses: 'x' }, false);
const cosOp = unaryOp('cos', 'cos', {
  fn: (dy, x) => {
    const t = times(dy, unaryKernel('sin', x));
    const out = scaledBy(t, -1);
    t.dispose();
    return out;
  },
  uses: 'x',
}, false);
const reluOp = unaryOp('relu', 'relu', { kernel: 'reluGrad', uses: 'y' });
const leakyReluOp = unaryOp('leakyRelu', 'leakyRelu', { kernel: 'leakyReluGrad', uses: 'x' }, false);
const eluOp = unaryOp('elu', 'elu', { kernel: 'eluGrad', uses: 'y' }, false);
const geluOp = unaryOp('gelu', 'gelu', { kernel: 'geluGrad', uses: 'x' }, false);
const geluTanhOp = unaryOp('geluTanh', 'gelu', { kernel: 'geluTanhGrad', uses: 'x' }, false);
const sigmoidOp = unaryOp('sigmoid', 'sigmoid', { kernel: 'sigmoidGrad', uses: 'y' }, false);
const tanhOp = unaryOp('tanh', 'tanh', { kernel: 'tanhGrad', uses: 'y' }, false);
const softplusOp = unaryOp('softplus', 'softplus', { fn: (dy, x) => times(dy, unaryKernel('sigmoid', x)), uses: 'x' }, false);
const clipOp = unaryOp('clip', 'clipByValue', { kernel: 'clipGrad', uses: 'x' });
const powScalarOp = unaryOp('powScalar', 'pow', {
  fn: (dy, x, _y, [e]) => {
    const t = times(dy, unaryKernel('powScalar', x, [e! - 1]));
    const out = scaledBy(t, e!);
    t.dispose();
    return out;
  },
  uses: 'x',
}, false);

export const neg = (x: TensorLike): Tensor => negOp(x);
export const abs = (x: TensorLike): Tensor => absOp(x);
export const sign = (x: TensorLike): Tensor => signOp(x);
export const exp = (x: TensorLike): Tensor => expOp(x);
export const log = (x: TensorLike): Tensor => logOp(x);
export const log1p = (x: TensorLike): Tensor => log1pOp(x);
export const expm1 = (x: TensorLike): Tensor => expm1Op(x);
export const sqrt = (x: TensorLike): Tensor => sqrtOp(x);
export const rsqrt = (x: TensorLike): Tensor => rsqrtOp(x);
export const square = (x: TensorLike): Tensor => squareOp(x);
export const reciprocal = (x: TensorLike): Tensor => reciprocalOp(x);
export const floor = (x: TensorLike): Tensor => floorOp(x);
export const ceil = (x: TensorLike): Tensor => ceilOp(x);
export const round = (x: TensorLike): Tensor => roundOp(x);
export const sin = (x: TensorLike): Tensor => sinOp(x);
export const cos = (x: TensorLike): Tensor => cosOp(x);
export const relu = (x: TensorLike): Tensor => reluOp(x);
export const sigmoid = (x: TensorLike): Tensor => sigmoidOp(x);
export const tanh = (x: TensorLike): Tensor => tanhOp(x);
export const softplus = (x: TensorLike): Tensor => softplusOp(x);
export interface GeluOptions {
  /**
   * 'none' (default): the exact form x Φ(x) with the normal CDF Φ (PyTorch's default,
   * Keras' `gelu`). 'tanh': 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))), GPT-2's
   * activation (PyTorch's `approximate='tanh'`, Keras' `approximate=True`).
   */
  approximate?: 'none' | 'tanh';
}

/** GELU, exact by default; `{ approximate: 'tanh' }` gives GPT-2's tanh form. */
export function gelu(x: TensorLike, options: GeluOptions = {}): Tensor {
  if (typeof options !== 'object' || options === null) throw new TypeError(`gelu: options should be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) if (key !== 'approximate') throw new Error(`gelu: unknown option '${key}' (expected approximate)`);
  const { approximate = 'none' } = options;
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate should be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  return approximate === 'tanh' ? geluTanhOp(x) : geluOp(x);
}

/** x where x > 0, alpha * x elsewhere (Keras' default alpha is 0.3, TF.js' 0.2; ours is 0.2). */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  checkNumber('leakyRelu', 'alpha', alpha);
  return leakyReluOp(x, [alpha]);
}

/** x where x > 0, alpha * (exp(x) - 1) elsewhere. */
export function elu(x: TensorLike, alpha = 1): Tensor {
  checkNumber('elu', 'alpha', alpha);
  return eluOp(x, [alpha]);
}

/** Limits every element to [min, max]; the gradient passes where x is inside. */
export function clipByValue(x: TensorLike, min: number, max: number): Tensor {
  checkNumber('clipByValue', 'min', min);
  checkNumber('clipByValue', 'max', max);
  if (min > max) throw new Error(`clipByValue: min should be <= max, got min ${min} and max ${max}`);
  return clipOp(x, [min, max]);
}

/** x raised to a constant exponent (wg.pow takes a tensor exponent too). */
export function powScalar(x: TensorLike, exponent: number): Tensor {
  checkNumber('pow', 'exponent', exponent);
  return powScalarOp(x, [exponent]);
}

export function logicalNot(x: TensorLike): Tensor {
  const t = asTensor(x, 'logicalNot', 'x');
  const out = unaryKernel('logicalNot', t, [], 'bool');
  if (t !== x) t.dispose();
  return out;
}

/**
 * A copy of x converted to `dtype` (float to int truncates toward zero; to float16
 * rounds to nearest even). Between float32 and float16 gradients flow, cast back to
 * x's dtype. float16 exists on the webgpu backend only: elsewhere casting to it throws.
 */
export function cast(x: Tensor, dtype: DataType): Tensor {
  checkTensor(x, 'cast', 'x');
  if (!['float32', 'int32', 'bool', 'float16'].includes(dtype)) {
    throw new Error(`cast: dtype should be 'float32', 'int32', 'bool' or 'float16', got ${JSON.stringify(dtype)}`);
  }
  if (dtype === 'float16' && x.backend.name !== 'webgpu') {
    throw new Error(`cast: float16 tensors need the webgpu backend; mixed precision runs on WebGPU only (x lives on ${x.backend.name})`);
  }
  // Same dtype: a new handle on the same storage, through which gradients flow.
  if (dtype === x.dtype || (isFloat(x.dtype) && isFloat(dtype))) return castRecorded(x, dtype);
  return castTo(x, dtype);
}

function checkNumber(op: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${op}: ${name} should be a number, got ${String(value)}`);
}
