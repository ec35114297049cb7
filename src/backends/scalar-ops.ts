// The scalar definition of every elementwise primitive, in float64. The cpu backend
// applies these per element, and so they are the reference all other backends are
// tested against. Keep them plain and exact rather than fast.

import type { BinaryOp, UnaryOp } from './backend.js';

type Unary = (x: number) => number;
type Binary = (a: number, b: number) => number;

const SQRT1_2 = Math.SQRT1_2;

/** erfc with float64 accuracy: series below 2.5, a continued fraction above. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), Lentz's method
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : d;
    c = x + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

function sigmoid(x: number): number {
  // Two branches so that neither exp overflows: stable for |x| up to float max.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

const gelu = (x: number): number => 0.5 * x * erfc(-x * SQRT1_2);
const geluDerivative = (x: number): number =>
  0.5 * erfc(-x * SQRT1_2) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);

// GELU's tanh form 0.5 x (1 + tanh u), u = sqrt(2/pi) (x + 0.044715 x^3), computed as
// x sigmoid(2u) (the same function): 1 + tanh u cancels for x << 0 even in float64.
const GELU_C = Math.sqrt(2 / Math.PI);
const geluTanh = (x: number): number => x * sigmoid(2 * GELU_C * (x + 0.044715 * x * x * x));
function geluTanhDerivative(x: number): number {
  const s = sigmoid(2 * GELU_C * (x + 0.044715 * x * x * x));
  return s + 2 * GELU_C * (1 + 3 * 0.044715 * x * x) * x * s * (1 - s);
}

// Round half to even, as numpy, PyTorch and TensorFlow do.
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function unaryFunction(op: UnaryOp, args: readonly number[] = []): Unary {
  switch (op) {
    case 'neg': return (x) => -x;
    case 'abs': return Math.abs;
    case 'sign': return (x) => (x > 0 ? 1 : x < 0 ? -1 : x);
    case 'step': return (x) => (x > 0 ? 1 : Number.isNaN(x) ? NaN : 0);
    case 'exp': return Math.exp;
    case 'log': return Math.log;
    case 'log1p': return Math.log1p;
    case 'expm1': return Math.expm1;
    case 'sqrt': return Math.sqrt;
    case 'rsqrt': return (x) => 1 / Math.sqrt(x);
    case 'square': return (x) => x * x;
    case 'reciprocal': return (x) => 1 / x;
    case 'floor': return Math.floor;
    case 'ceil': return Math.ceil;
    case 'round': return roundHalfEven;
    case 'sin': return Math.sin;
    case 'cos': return Math.cos;
    case 'relu': return (x) => (x > 0 ? x : Number.isNaN(x) ? NaN : 0);
    case 'leakyRelu': { const alpha = args[0] ?? 0.2; return (x) => (x > 0 ? x : alpha * x); }
    case 'elu': { const alpha = args[0] ?? 1; return (x) => (x > 0 ? x : alpha * Math.expm1(x)); }
    case 'gelu': return gelu;
    case 'geluTanh': return geluTanh;
    case 'sigmoid': return sigmoid;
    case 'tanh': return Math.tanh;
    case 'softplus': return softplus;
    case 'clip': { const lo = args[0] ?? -Infinity; const hi = args[1] ?? Infinity; return (x) => Math.min(Math.max(x, lo), hi); }
    case 'powScalar': { const e = args[0] ?? 1; return (x) => Math.pow(x, e); }
    case 'logicalNot': return (x) => (x === 0 ? 1 : 0);
  }
}

export function binaryFunction(op: BinaryOp, args: readonly number[] = [], integer = false): Binary {
  switch (op) {
    case 'add': return (a, b) => a + b;
    case 'sub': return (a, b) => a - b;
    case 'mul': return integer ? Math.imul : (a, b) => a * b;
    // Integer division floors, as TensorFlow.js and Python's // do.
    case 'div': return integer ? (a, b) => (b === 0 ? 0 : Math.floor(a / b)) : (a, b) => a / b;
    case 'pow': return Math.pow;
    case 'max': return Math.max;
    case 'min': return Math.min;
    // Python / numpy semantics: the result takes the sign of the divisor.
    case 'mod': return (a, b) => { if (integer && b === 0) return 0; const r = a % b; return r !== 0 && (r < 0) !== (b < 0) ? r + b : r; };
    case 'eq': return (a, b) => (a === b ? 1 : 0);
    case 'ne': return (a, b) => (a !== b ? 1 : 0);
    case 'lt': return (a, b) => (a < b ? 1 : 0);
    case 'le': return (a, b) => (a <= b ? 1 : 0);
    case 'gt': return (a, b) => (a > b ? 1 : 0);
    case 'ge': return (a, b) => (a >= b ? 1 : 0);
    case 'and': return (a, b) => (a !== 0 && b !== 0 ? 1 : 0);
    case 'or': return (a, b) => (a !== 0 || b !== 0 ? 1 : 0);
    case 'reluGrad': return (dy, y) => (y > 0 ? dy : 0);
    case 'sigmoidGrad': return (dy, y) => dy * y * (1 - y);
    case 'tanhGrad': return (dy, y) => dy * (1 - y * y);
    case 'eluGrad': { const alpha = args[0] ?? 1; return (dy, y) => (y > 0 ? dy : dy * (y + alpha)); }
    case 'leakyReluGrad': { const alpha = args[0] ?? 0.2; return (dy, x) => (x > 0 ? dy : dy * alpha); }
    case 'geluGrad': return (dy, x) => dy * geluDerivative(x);
    case 'geluTanhGrad': return (dy, x) => dy * geluTanhDerivative(x);
    case 'clipGrad': {
      const lo = args[0] ?? -Infinity;
      const hi = args[1] ?? Infinity;
      return (dy, x) => (x >= lo && x <= hi ? dy : 0);
    }
  }
}
