// Matrix products: wg.matmul (transposes, batched with broadcasting, 1-D like numpy)
// and the fused dense product act(x·W + b) that layers use. Transposes are views:
// the backend reads them through strides, so backward never materialises one.

import type { Activation, BinaryOp } from '../backends/backend.js';
import { describe, needsGradient, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { binaryKernel, unbroadcast } from './binary.js';
import { reduceSum } from './reduce.js';
import { reshape } from './shape.js';
import { gelu } from './unary.js';
import { asTensor, backend, broadcastShapes, broadcastStrides, checkTensor, output, shapeString, type TensorLike } from './util.js';

/** A view with the last two dimensions swapped. */
function swapLast(t: Tensor): Tensor {
  const r = t.rank;
  const shape = [...t.shape];
  const strides = [...t.strides];
  [shape[r - 2], shape[r - 1]] = [shape[r - 1]!, shape[r - 2]!];
  [strides[r - 2], strides[r - 1]] = [strides[r - 1]!, strides[r - 2]!];
  return t.share(shape, strides, t.offset);
}

/** The kernel call: a [..., m, k] · b [..., k, n] with batch broadcasting, bias and activation. */
function product(a: Tensor, b: Tensor, bias?: Tensor, activation: Activation = 'linear'): Tensor {
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const m = a.shape[a.rank - 2]!;
  const n = b.shape[b.rank - 1]!;
  const k = a.shape[a.rank - 1]!;
  // float16 by float16 gives float16 (accumulated in float32); any float32 operand, float32.
  const out = output([...batch, m, n], a.dtype === 'float16' && b.dtype === 'float16' ? 'float16' : 'float32', 'matmul');
  if (out.size === 0) return out;
  // k may be 0: backends then write act(bias), an empty sum being 0.
  const aShape = [...batch, m, k];
  const bShape = [...batch, k, n];
  backend().matmul(
    { ...a.view(), shape: aShape, strides: broadcastStrides(a.shape, a.strides, aShape) },
    { ...b.view(), shape: bShape, strides: broadcastStrides(b.shape, b.strides, bShape) },
    out.view(),
    { ...(bias ? { bias: bias.view() } : {}), activation },
  );
  return out;
}

const ACTIVATION_GRAD: Readonly<Record<Activation, BinaryOp | undefined>> = {
  linear: undefined,
  relu: 'reluGrad',
  sigmoid: 'sigmoidGrad',
  tanh: 'tanhGrad',
  // Its gradient needs the pre-activation, which the fused product does not keep:
  // when a gradient is wanted, dense() runs the product and the activation apart.
  geluTanh: undefined,
};

/** act(a·b + bias), recorded as one node. a and b are already in product orientation. */
function recordedProduct(
  a: Tensor, b: Tensor, sources: readonly [Tensor, Tensor], transposed: readonly [boolean, boolean],
  bias?: Tensor, activation: Activation = 'linear',
): Tensor {
  const y = product(a, b, bias, activation);
  const inputs = bias ? [sources[0], sources[1], bias] : [sources[0], sources[1]];
  record(inputs, y, [a, b, y], (dy, [sa, sb, sy]) => {
    const gradKernel = ACTIVATION_GRAD[activation];
    let dz: Tensor | undefined;
    const preActivation = (): Tensor => (dz ??= gradKernel ? binaryKernel(gradKernel, dy, sy!) : dy.share());
    const grads = [
      () => {
        // dA = dZ · Bᵀ, summed over broadcast batch dims, then back to a's orientation
        const bt = swapLast(sb!);
        const g = unbroadcast(product(preActivation(), bt), sa!.shape);
        bt.dispose();
        return orient(g, transposed[0]);
      },
      () => {
        // dB = Aᵀ · dZ
        const at = swapLast(sa!);
        const g = unbroadcast(product(at, preActivation()), sb!.shape);
        at.dispose();
        return orient(g, transposed[1]);
      },
    ];
    if (bias) grads.push(() => reduceSum(preActivation(), [...Array(y.rank - 1).keys()]));
    return grads;
  });
  return y;
}

function orient(g: Tensor, transposed: boolean): Tensor {
  if (!transposed) return g;
  const t = swapLast(g);
  g.dispose();
  return t;
}

function checkOperand(op: string, t: Tensor, name: string): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float16') {
    throw new TypeError(`${op}: ${name} should be float32 or float16, got ${t.dtype}; cast it with wg.cast(${name}, 'float32')`);
  }
}

/**
 * The matrix product of a and b (optionally transposed first), batched over leading
 * dimensions with broadcasting. 1-D operands act as a row (a) or column (b) vector,
 * and that dimension is dropped from the result, as in numpy.
 */
export function matmul(aIn: TensorLike, bIn: TensorLike, transposeA = false, transposeB = false): Tensor {
  const a0 = asTensor(aIn, 'matmul', 'a');
  let b0: Tensor | undefined;
  try {
    b0 = asTensor(bIn, 'matmul', 'b');
    checkMatmul(a0, b0, transposeA, transposeB);
  } catch (error) {
    // Free the scalars made from numbers; nothing else exists yet.
    if (a0 !== aIn) a0.dispose();
    if (b0 && b0 !== bIn) b0.dispose();
    throw error;
  }
  const a = a0.rank === 1 ? reshape(a0, [1, a0.shape[0]!]) : a0;
  const b = b0.rank === 1 ? reshape(b0, [b0.shape[0]!, 1]) : b0;
  const ea = transposeA && a0.rank > 1 ? swapLast(a) : a;
  const eb = transposeB && b0.rank > 1 ? swapLast(b) : b;
  let y = recordedProduct(ea, eb, [a, b], [transposeA && a0.rank > 1, transposeB && b0.rank > 1]);
  for (const t of [ea, eb]) if (t !== a && t !== b) t.dispose();
  if (a0.rank === 1 || b0.rank === 1) {
    const shape = y.shape.filter((_, i) => !((a0.rank === 1 && i === y.rank - 2) || (b0.rank === 1 && i === y.rank - 1)));
    const squeezed = reshape(y, shape);
    y.dispose();
    y = squeezed;
  }
  for (const [t, src] of [[a, a0], [b, b0], [a0, aIn], [b0, bIn]] as const) if (t !== src) t.dispose();
  return y;
}

/** Every matmul check, on shapes alone, so that a wrong call creates no tensor. */
function checkMatmul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): void {
  checkOperand('matmul', a, 'a');
  checkOperand('matmul', b, 'b');
  if (typeof transposeA !== 'boolean' || typeof transposeB !== 'boolean') {
    throw new TypeError(`matmul: transposeA and transposeB should be booleans, got ${describe(transposeA)} and ${describe(transposeB)}`);
  }
  if (a.rank === 0 || b.rank === 0) {
    throw new Error(`matmul: operands should have at least one dimension, got a ${shapeString(a.shape)} and b ${shapeString(b.shape)}`);
  }
  // The operands as the product sees them: 1-D as a row / column, transposes applied.
  const swap = (shape: readonly number[]) => [...shape.slice(0, -2), shape[shape.length - 1]!, shape[shape.length - 2]!];
  const ea = a.rank === 1 ? [1, a.shape[0]!] : transposeA ? swap(a.shape) : a.shape;
  const eb = b.rank === 1 ? [b.shape[0]!, 1] : transposeB ? swap(b.shape) : b.shape;
  const k1 = ea[ea.length - 1]!;
  const k2 = eb[eb.length - 2]!;
  if (k1 !== k2) {
    const t = (flag: boolean) => (flag ? 'ᵀ' : '');
    throw new Error(
      `matmul: inner dimensions differ: a${t(transposeA)} is ${shapeString(ea)}, b${t(transposeB)} is ${shapeString(eb)} (${k1} vs ${k2})`,
    );
  }
  broadcastShapes('matmul (batch dimensions)', ea.slice(0, -2), eb.slice(0, -2));
}

export interface DenseOptions {
  bias?: Tensor;
  activation?: Activation;
}

/**
 * act(x · kernel + bias) as one fused kernel where the backend has it: x [..., in],
 * kernel [in, units], bias [units]. `activation: 'geluTanh'` (GPT-2's MLP) is fused
 * when no gradient is recorded (inference, generation); under a gradient the product
 * and the activation run as two kernels, so the backward has the pre-activation.
 */
export function dense(xIn: TensorLike, kernel: Tensor, options: DenseOptions = {}): Tensor {
  const x = asTensor(xIn, 'dense', 'x');
  checkTensor(kernel, 'dense', 'kernel');
  checkOperand('dense', x, 'x');
  checkOperand('dense', kernel, 'kernel');
  if (kernel.rank !== 2) throw new Error(`dense: kernel should be 2-D [inputs, units], got ${shapeString(kernel.shape)}`);
  if (x.rank < 1 || x.shape[x.rank - 1] !== kernel.shape[0]) {
    throw new Error(`dense: x's last dimension should be ${kernel.shape[0]} (the kernel's inputs), got x ${shapeString(x.shape)}`);
  }
  const { bias, activation = 'linear' } = options;
  if (bias) {
    checkTensor(bias, 'dense', 'bias');
    if (bias.rank !== 1 || bias.shape[0] !== kernel.shape[1]) {
      throw new Error(`dense: bias should be [${kernel.shape[1]}] to match the kernel ${shapeString(kernel.shape)}, got ${shapeString(bias.shape)}`);
    }
  }
  if (!(activation in ACTIVATION_GRAD)) {
    throw new Error(`dense: activation should be one of ${Object.keys(ACTIVATION_GRAD).join(', ')}, got ${JSON.stringify(activation)}`);
  }
  const x2 = x.rank === 2 ? x : reshape(x, [-1, x.shape[x.rank - 1]!]);
  let y: Tensor;
  if (activation === 'geluTanh' && needsGradient(bias ? [x2, kernel, bias] : [x2, kernel])) {
    const z = recordedProduct(x2, kernel, [x2, kernel], [false, false], bias, 'linear');
    y = gelu(z, { approximate: 'tanh' });
    z.dispose();
  } else {
    y = recordedProduct(x2, kernel, [x2, kernel], [false, false], bias, activation);
  }
  if (x2 !== x) {
    x2.dispose();
    const shaped = reshape(y, [...x.shape.slice(0, -1), kernel.shape[1]!]);
    y.dispose();
    y = shaped;
  }
  if (x !== xIn) x.dispose();
  return y;
}
