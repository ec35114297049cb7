// The reference backend: plain TypeScript, float64 arithmetic rounded to the
// output's dtype, written to be obviously right rather than fast. Every other
// backend is tested against it.

import type {
  AttentionParams, Backend, BackendInfo, BinaryOp, ConvGeometry, MatmulOptions, OptimizerRule, StepDevice, PoolGeometry, PoolOp, RandomDistribution,
  ReduceOp, Storage, UnaryOp, View,
} from './backend.js';
import * as conv from './cpu-conv.js';
import { convByIm2col } from './conv-by-im2col.js';
import * as lm from './cpu-lm.js';
import { binaryFunction, unaryFunction } from './scalar-ops.js';
import { randomBits, uniformFromBits } from './random-bits.js';
import { applyStepRule } from './step-rules.js';
import { elementOffsets, sizeOf } from './strided.js';

class CpuStorage implements Storage {
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  constructor(readonly bytes: number) {
    const buffer = new ArrayBuffer(Math.ceil(bytes / 4) * 4);
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
  }
}

function array(view: View): Float32Array | Int32Array {
  const s = view.storage as CpuStorage;
  return view.dtype === 'f32' ? s.f32 : s.i32;
}

function offsets(view: View): Int32Array {
  return elementOffsets(view.shape, view.strides, view.offset);
}

function image(view: View): conv.Image {
  return { data: array(view) as Float32Array, strides: view.strides, offset: view.offset };
}

/** The view's elements as a contiguous float64 list. */
function gatherValues(view: View): Float64Array {
  const src = array(view);
  const offs = offsets(view);
  const out = new Float64Array(offs.length);
  for (let i = 0; i < offs.length; i++) out[i] = src[offs[i]!]!;
  return out;
}

const ACTIVATIONS = {
  linear: (x: number) => x,
  relu: unaryFunction('relu'),
  sigmoid: unaryFunction('sigmoid'),
  tanh: unaryFunction('tanh'),
  geluTanh: unaryFunction('geluTanh'),
} as const;

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;

  alloc(bytes: number): Storage {
    return new CpuStorage(bytes);
  }

  free(_storage: Storage): void {
    // Garbage collected.
  }

  write(storage: Storage, data: Float32Array | Int32Array, offset = 0): void {
    const s = storage as CpuStorage;
    (data instanceof Float32Array ? s.f32 : s.i32).set(data, offset);
  }

  async read(view: View): Promise<Float32Array | Int32Array> {
    return this.readSync(view);
  }

  readSync(view: View): Float32Array | Int32Array {
    const src = array(view);
    const offs = offsets(view);
    const out = view.dtype === 'f32' ? new Float32Array(offs.length) : new Int32Array(offs.length);
    for (let i = 0; i < offs.length; i++) out[i] = src[offs[i]!]!;
    return out;
  }

  matmul(a: View, b: View, out: View, options: MatmulOptions = {}): void {
    const rank = out.shape.length;
    const m = out.shape[rank - 2]!;
    const n = out.shape[rank - 1]!;
    const k = a.shape[rank - 1]!;
    const batchShape = out.shape.slice(0, rank - 2);
    const aBatch = elementOffsets(batchShape, a.strides.slice(0, rank - 2), a.offset);
    const bBatch = elementOffsets(batchShape, b.strides.slice(0, rank - 2), b.offset);
    const [aRow, aCol] = [a.strides[rank - 2]!, a.strides[rank - 1]!];
    const [bRow, bCol] = [b.strides[rank - 2]!, b.strides[rank - 1]!];
    const A = array(a);
    const B = array(b);
    const C = array(out);
    const bias = options.bias ? gatherValues(options.bias) : undefined;
    const act = ACTIVATIONS[options.activation ?? 'linear'];
    for (let batch = 0; batch < aBatch.length; batch++) {
      const aBase = aBatch[batch]!;
      const bBase = bBatch[batch]!;
      const cBase = batch * m * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += A[aBase + i * aRow + p * aCol]! * B[bBase + p * bRow + j * bCol]!;
          C[cBase + i * n + j] = act(sum + (bias ? bias[j]! : 0));
        }
      }
    }
  }

  unary(op: UnaryOp, x: View, out: View, args?: readonly number[]): void {
    const f = unaryFunction(op, args);
    const X = array(x);
    const O = array(out);
    const offs = offsets(x);
    for (let i = 0; i < offs.length; i++) O[i] = f(X[offs[i]!]!);
  }

  binary(op: BinaryOp, a: View, b: View, out: View, args?: readonly number[]): void {
    const f = binaryFunction(op, args, a.dtype === 'i32');
    const A = array(a);
    const B = array(b);
    const O = array(out);
    const aOffs = offsets(a);
    const bOffs = offsets(b);
    for (let i = 0; i < aOffs.length; i++) O[i] = f(A[aOffs[i]!]!, B[bOffs[i]!]!);
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const outer = elementOffsets(kept.map((i) => x.shape[i]!), kept.map((i) => x.strides[i]!), x.offset);
    const inner = elementOffsets(axes.map((i) => x.shape[i]!), axes.map((i) => x.strides[i]!), 0);
    const X = array(x);
    const O = array(out);
    for (let o = 0; o < outer.length; o++) {
      const base = outer[o]!;
      O[o] = reduceOne(op, inner.length, (r) => X[base + inner[r]!]!);
    }
  }

  gather(x: View, indices: View, axis: number, out: View): void {
    const values = gatherValues(x);
    const idx = gatherValues(indices);
    const outer = sizeOf(x.shape.slice(0, axis));
    const axisLen = x.shape[axis]!;
    const inner = sizeOf(x.shape.slice(axis + 1));
    const O = array(out);
    let w = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < idx.length; i++) {
        const j = idx[i]!;
        const inRange = j >= 0 && j < axisLen;
        const base = (o * axisLen + j) * inner;
        for (let r = 0; r < inner; r++) O[w++] = inRange ? values[base + r]! : 0;
      }
    }
  }

  scatterAdd(updates: View, indices: View, axis: number, out: View): void {
    const values = gatherValues(updates);
    const idx = gatherValues(indices);
    const outer = sizeOf(out.shape.slice(0, axis));
    const axisLen = out.shape[axis]!;
    const inner = sizeOf(out.shape.slice(axis + 1));
    const O = array(out);
    let r = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < idx.length; i++) {
        const j = idx[i]!;
        const inRange = j >= 0 && j < axisLen;
        const base = (o * axisLen + j) * inner;
        for (let q = 0; q < inner; q++, r++) if (inRange) O[base + q] = O[base + q]! + values[r]!;
      }
    }
  }

  where(cond: View, a: View, b: View, out: View): void {
    const C = array(cond);
    const A = array(a);
    const B = array(b);
    const O = array(out);
    const cOffs = offsets(cond);
    const aOffs = offsets(a);
    const bOffs = offsets(b);
    for (let i = 0; i < cOffs.length; i++) O[i] = C[cOffs[i]!] !== 0 ? A[aOffs[i]!]! : B[bOffs[i]!]!;
  }

  copy(x: View, out: View): void {
    const X = array(x);
    const O = array(out);
    const xOffs = offsets(x);
    const oOffs = offsets(out);
    const toInt = out.dtype === 'i32' && x.dtype === 'f32';
    for (let i = 0; i < xOffs.length; i++) {
      const v = X[xOffs[i]!]!;
      // Float to int truncates toward zero (as a C cast and tf.cast do); NaN becomes 0.
      O[oOffs[i]!] = toInt ? Math.trunc(v) : v;
    }
  }

  fill(out: View, value: number): void {
    const O = array(out);
    for (const o of offsets(out)) O[o] = value;
  }

  im2col(x: View, out: View, geometry: ConvGeometry): void {
    conv.im2col(image(x), array(out) as Float32Array, geometry);
  }

  conv2d(x: View, filter: View, out: View, geometry: ConvGeometry, options?: MatmulOptions): void {
    convByIm2col(this, x, filter, out, geometry, options);
  }

  col2im(cols: View, out: View, geometry: ConvGeometry): void {
    conv.col2im(array(cols) as Float32Array, cols.offset, array(out) as Float32Array, geometry);
  }

  pool2d(op: PoolOp, x: View, out: View, geometry: PoolGeometry): void {
    conv.pool(op, image(x), array(out) as Float32Array, geometry);
  }

  pool2dGrad(op: PoolOp, x: View, dy: View, out: View, geometry: PoolGeometry): void {
    conv.poolGrad(op, image(x), array(dy) as Float32Array, dy.offset, array(out) as Float32Array, geometry);
  }

  random(out: View, seed: number, offset: number, dist: RandomDistribution): void {
    const O = array(out);
    const n = sizeOf(out.shape);
    for (let i = 0; i < n; i++) {
      const bits = randomBits(seed >>> 0, (offset + i) >>> 0);
      O[out.offset + i] = dist === 'bits' ? bits | 0 : uniformFromBits(bits);
    }
  }

  step(rule: OptimizerRule, param: View, grad: View, state: readonly View[], hyper: readonly number[], device?: StepDevice): void {
    if (device) {
      // Scalars kept on the device (loss scaling), read in place: entry 7 nonzero skips the update.
      const d = gatherValues(device.view);
      if (d[7] !== 0) return;
      hyper = hyper.map((h, i) => ((device.mask >> i) & 1 ? d[i]! : h));
    }
    const p = array(param);
    const g = gatherValues(grad);
    const s = state.map((v) => array(v) as Float32Array);
    const base = state.map((v) => v.offset);
    const slots = new Float64Array(s.length);
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < s.length; j++) slots[j] = s[j]![base[j]! + i]!;
      p[param.offset + i] = applyStepRule(rule, p[param.offset + i]!, g[i]!, slots, hyper);
      for (let j = 0; j < s.length; j++) s[j]![base[j]! + i] = slots[j]!;
    }
  }

  layerNorm(x: View, gamma: View | undefined, beta: View | undefined, out: View, mean: View, rstd: View, epsilon: number): void {
    lm.layerNorm(array, x, gamma, beta, out, mean, rstd, epsilon);
  }

  layerNormGrad(dy: View, x: View, gamma: View | undefined, mean: View, rstd: View, dx: View, dgamma: View | undefined, dbeta: View | undefined): void {
    lm.layerNormGrad(array, dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
  }

  attention(q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, params: AttentionParams): void {
    lm.attention(array, q, k, v, mask, out, lse, params);
  }

  attentionGrad(
    q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, dout: View, dq: View, dk: View, dv: View, params: AttentionParams,
  ): void {
    lm.attentionGrad(array, q, k, v, mask, out, lse, dout, dq, dk, dv, params);
  }

  sparseCrossEntropy(logits: View, labels: View, loss: View, lse: View): void {
    lm.sparseCrossEntropy(array, logits, labels, loss, lse);
  }

  sparseCrossEntropyGrad(logits: View, labels: View, lse: View, dloss: View, dlogits: View): void {
    lm.sparseCrossEntropyGrad(array, logits, labels, lse, dloss, dlogits);
  }

  info(): BackendInfo {
    return { name: 'cpu', description: 'JavaScript reference backend (float64 arithmetic, float32 storage)' };
  }
}

function reduceOne(op: ReduceOp, n: number, at: (r: number) => number): number {
  switch (op) {
    case 'sum':
    case 'mean': {
      let s = 0;
      for (let r = 0; r < n; r++) s += at(r);
      return op === 'mean' ? s / n : s;
    }
    case 'prod': {
      let s = 1;
      for (let r = 0; r < n; r++) s *= at(r);
      return s;
    }
    case 'max':
    case 'min': {
      let best = op === 'max' ? -Infinity : Infinity;
      for (let r = 0; r < n; r++) best = op === 'max' ? Math.max(best, at(r)) : Math.min(best, at(r));
      return best;
    }
    case 'argmax':
    case 'argmin': {
      // The first extreme wins, and a NaN counts as the extreme (numpy's rule).
      let best = 0;
      for (let r = 1; r < n; r++) {
        const v = at(r);
        const b = at(best);
        if (Number.isNaN(b)) break;
        if (Number.isNaN(v) || (op === 'argmax' ? v > b : v < b)) best = r;
      }
      return best;
    }
  }
}
