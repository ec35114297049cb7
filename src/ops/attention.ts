// Scaled dot-product attention with PyTorch's semantics
// (torch.nn.functional.scaled_dot_product_attention):
//   out = dropout(softmax(q·kᵀ · scale + bias)) · v
// q [..., Lq, d], k [..., Lk, d], v [..., Lk, dv]; leading dims broadcast.

import { describe, noGrad } from '../autograd.js';
import { dropoutKeeps } from '../backends/counter-hash.js';
import { randomFor } from '../random.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { div, greaterEqual, logicalAnd, maximum, mul, sub, where } from './binary.js';
import { cast } from './unary.js';
import { exp } from './unary.js';
import { tensor } from './creation.js';
import { matmul } from './matmul.js';
import { max, sum } from './reduce.js';
import { broadcastShapes, checkTensor, shapeString } from './util.js';

export interface AttentionOptions {
  /**
   * Masks out keys after each query: query i attends to keys 0..i (PyTorch's top-left
   * alignment, `torch.ones(Lq, Lk).tril()`, also when Lq ≠ Lk). Combined with `mask`
   * by logical and.
   */
  causal?: boolean;
  /** bool, broadcastable to [..., Lq, Lk]: true where a query may attend to a key. */
  mask?: Tensor;
  /** Multiplies q·kᵀ (default 1 / sqrt(d)). */
  scale?: number;
  /**
   * Probability of zeroing an attention weight, in [0, 1); kept weights are scaled by
   * 1 / (1 - dropout), as PyTorch does. Applied whenever it is nonzero.
   */
  dropout?: number;
  /**
   * Seeds the dropout mask (an unsigned 32-bit integer): the mask is a pure function of
   * (seed, position), so equal seeds give equal masks on every backend. Without one, a
   * seed is drawn from the global generator (wg.setSeed).
   */
  seed?: number;
}

/**
 * Attention of queries q over keys k and values v: softmax(q·kᵀ·scale) · v, with an
 * optional boolean mask (true = attend), causal masking and dropout on the weights.
 * A query row whose keys are all masked out gives 0 (PyTorch gives NaN there); its
 * gradients are 0 too. Gradients flow to q, k and v.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const plan = checkAttention(q, k, v, options);
  const { mask, causal = false, dropout = 0 } = options;
  const seed = dropout > 0 ? (options.seed ?? randomFor().nextUint32()) >>> 0 : 0;
  return tidy(() => {
    const scores = mul(matmul(q, k, false, true), plan.scale);
    let allowed: Tensor | undefined = mask;
    if (causal) {
      const c = causalMask(plan.lq, plan.lk);
      allowed = allowed ? logicalAnd(allowed, c) : c;
    }
    let p: Tensor;
    if (allowed) {
      const masked = where(allowed, scores, -1e30);
      const m = noGrad(() => max(masked, -1, true));
      const e = mul(exp(sub(masked, m)), cast(allowed, 'float32'));
      p = div(e, maximum(sum(e, -1, true), 1e-30));
    } else {
      const m = noGrad(() => max(scores, -1, true));
      const e = exp(sub(scores, m));
      p = div(e, sum(e, -1, true));
    }
    if (dropout > 0) p = mul(p, dropoutScale([...plan.batch, plan.lq, plan.lk], seed, dropout));
    return matmul(p, v);
  });
}

function causalMask(lq: number, lk: number): Tensor {
  const rows = Int32Array.from({ length: lq * lk }, (_, e) => Math.floor(e / lk));
  const cols = Int32Array.from({ length: lq * lk }, (_, e) => e % lk);
  return greaterEqual(tensor(rows, [lq, lk]), tensor(cols, [lq, lk]));
}

function dropoutScale(shape: readonly number[], seed: number, p: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = dropoutKeeps(seed, i, p) ? 1 / (1 - p) : 0;
  return tensor(values, shape);
}

interface AttentionPlan {
  readonly batch: number[];
  readonly lq: number;
  readonly lk: number;
  readonly d: number;
  readonly dv: number;
  readonly scale: number;
}

const OPTION_KEYS = ['causal', 'mask', 'scale', 'dropout', 'seed'];

/** Every check, on shapes alone, before anything is made. */
export function checkAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): AttentionPlan {
  const op = 'scaledDotProductAttention';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${op}: options should be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new Error(`${op}: unknown option '${key}' (expected ${OPTION_KEYS.join(', ')})`);
  }
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    checkTensor(t, op, name);
    if (t.dtype !== 'float32') throw new TypeError(`${op}: ${name} should be float32, got ${t.dtype} of shape ${shapeString(t.shape)}`);
    if (t.rank < 2) throw new Error(`${op}: ${name} should have at least 2 dimensions ([..., length, features]), got ${shapeString(t.shape)}`);
  }
  const lq = q.shape[q.rank - 2]!;
  const d = q.shape[q.rank - 1]!;
  const lk = k.shape[k.rank - 2]!;
  const dv = v.shape[v.rank - 1]!;
  if (k.shape[k.rank - 1] !== d) {
    throw new Error(`${op}: q and k should have the same last dimension (d), got q ${shapeString(q.shape)} and k ${shapeString(k.shape)} (${d} vs ${k.shape[k.rank - 1]})`);
  }
  if (v.shape[v.rank - 2] !== lk) {
    throw new Error(`${op}: k and v should have the same length (dimension -2), got k ${shapeString(k.shape)} and v ${shapeString(v.shape)} (${lk} vs ${v.shape[v.rank - 2]})`);
  }
  const batch = broadcastShapes(`${op} (batch dimensions of q, k, v)`, broadcastShapes(`${op} (batch dimensions of q, k)`, q.shape.slice(0, -2), k.shape.slice(0, -2)), v.shape.slice(0, -2));
  const { mask, causal, scale, dropout, seed } = options;
  if (mask !== undefined) {
    checkTensor(mask, op, 'mask');
    if (mask.dtype !== 'bool') throw new TypeError(`${op}: mask should be a bool tensor (true = attend), got ${mask.dtype} of shape ${shapeString(mask.shape)}`);
    const target = [...batch, lq, lk];
    const fits = mask.rank <= target.length && mask.shape.every((dim, i) => dim === 1 || dim === target[target.length - mask.rank + i]);
    if (!fits) throw new Error(`${op}: mask should be broadcastable to ${shapeString(target)} ([..., Lq, Lk]), got ${shapeString(mask.shape)}`);
  }
  if (causal !== undefined && typeof causal !== 'boolean') throw new TypeError(`${op}: causal should be a boolean, got ${describe(causal)}`);
  if (scale !== undefined && (typeof scale !== 'number' || !Number.isFinite(scale))) throw new TypeError(`${op}: scale should be a finite number, got ${describe(scale)}`);
  if (dropout !== undefined && (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1))) {
    throw new Error(`${op}: dropout should be a number in [0, 1), got ${describe(dropout)}`);
  }
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new Error(`${op}: seed should be an unsigned 32-bit integer, got ${describe(seed)}`);
  }
  return { batch, lq, lk, d, dv, scale: scale ?? 1 / Math.sqrt(d) };
}
