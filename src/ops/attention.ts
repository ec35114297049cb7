// Scaled dot-product attention with PyTorch's semantics
// (torch.nn.functional.scaled_dot_product_attention):
//   out = dropout(softmax(q·kᵀ · scale + bias)) · v
// q [..., Lq, d], k [..., Lk, d], v [..., Lk, dv]; leading dims broadcast.

import type { View } from '../backends/backend.js';
import { describe, needsGradient, record } from '../autograd.js';
import { sizeOf } from '../backends/strided.js';
import { randomFor } from '../random.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from './binary.js';
import { float32Input } from './float16.js';
import { backend, broadcastShapes, broadcastStrides, checkTensor, contiguousHandle, output, shapeString } from './util.js';

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
  checkAttention(q, k, v, options);
  // No float16 kernel: float16 operands are computed in float32 (src/ops/float16.ts).
  const wide = [q, k, v].map((t) => float32Input(t, 'scaledDotProductAttention'));
  try {
    return attend(wide[0]!, wide[1]!, wide[2]!, options);
  } finally {
    wide.forEach((t, i) => { if (t !== [q, k, v][i]) t.dispose(); });
  }
}

function attend(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
  const plan = checkAttention(q, k, v, options);
  const { mask, causal = false, dropout = 0 } = options;
  const { batch, lq, lk, d, dv } = plan;
  const seed = dropout > 0 ? (options.seed ?? randomFor().nextUint32()) >>> 0 : 0;
  const params = { causal, scale: plan.scale, dropout, seed };
  const b = sizeOf(batch);
  // The kernels take [B, L, features] operands, contiguous: broadcast batch dims are
  // materialised (k and v shared by heads are copied once per head).
  const q3 = batched(q, batch, b);
  const k3 = batched(k, batch, b);
  const v3 = batched(v, batch, b);
  const m3 = mask ? maskView(mask, batch, b, lq, lk) : undefined;
  const y = output([...batch, lq, dv], 'float32', 'scaledDotProductAttention');
  const lse = output([b, lq], 'float32', 'scaledDotProductAttention');
  const be = backend();
  if (y.size > 0) be.attention(q3.view(), k3.view(), v3.view(), m3?.view, as3(y, b, lq, dv), lse.view(), params);
  else if (lse.size > 0) be.fill(lse.view(), Infinity);
  const want = [needsGradient([q]), needsGradient([k]), needsGradient([v])];
  const saved = [q3, k3, v3, y, lse, ...(m3 ? [m3.tensor] : [])];
  record([q, k, v], y, saved, (dy, [sq, sk, sv, so, sl, sm]) => {
    let grads: Tensor[] | undefined;
    const all = (): Tensor[] => {
      if (grads) return grads;
      const dyc = contiguousHandle(dy);
      const dq = output([b, lq, d], 'float32', 'scaledDotProductAttention gradient');
      const dk = output([b, lk, d], 'float32', 'scaledDotProductAttention gradient');
      const dvv = output([b, lk, dv], 'float32', 'scaledDotProductAttention gradient');
      if (dq.size > 0 && dk.size > 0 && dvv.size > 0) {
        const mv = m3 && sm ? { ...m3.view, storage: sm.view().storage } : undefined;
        be.attentionGrad(sq!.view(), sk!.view(), sv!.view(), mv, as3(so!, b, lq, dv), sl!.view(), as3(dyc, b, lq, dv), dq.view(), dk.view(), dvv.view(), params);
      } else {
        for (const t of [dq, dk, dvv]) if (t.size > 0) be.fill(t.view(), 0);
      }
      if (dyc !== dy) dyc.dispose();
      grads = [unbatched(dq, [...batch, lq, d], q.shape), unbatched(dk, [...batch, lk, d], k.shape), unbatched(dvv, [...batch, lk, dv], v.shape)];
      // Gradients nobody asked for come from the same kernel; drop them now.
      grads.forEach((g, i) => { if (!want[i]) g.dispose(); });
      return grads;
    };
    return [() => all()[0]!, () => all()[1]!, () => all()[2]!];
  });
  for (const t of [q3, k3, v3, lse]) t.dispose();
  m3?.tensor.dispose();
  return y;
}

/** t broadcast to [...batch, L, F] as a contiguous [B, L, F] tensor (t's storage when it already is one). */
function batched(t: Tensor, batch: readonly number[], b: number): Tensor {
  const [l, f] = t.shape.slice(-2) as [number, number];
  const full = [...batch, l, f];
  const view = t.share(full, broadcastStrides(t.shape, t.strides, full), t.offset);
  const c = contiguousHandle(view);
  view.dispose();
  const out = c.share([b, l, f], [l * f, f, 1], c.offset);
  c.dispose();
  return out;
}

/** The [B, L, F] gradient back in the operand's own (possibly broadcast) shape. */
function unbatched(g: Tensor, full: readonly number[], shape: readonly number[]): Tensor {
  const shaped = g.share(full, full.map((_, i) => sizeOf(full.slice(i + 1))), g.offset);
  g.dispose();
  return unbroadcast(shaped, shape);
}

function as3(t: Tensor, b: number, l: number, f: number): View {
  return { ...t.view(), shape: [b, l, f], strides: [l * f, f, 1] };
}

/**
 * The mask as the kernels read it: an i32 [B, Lq, Lk] view with one batch stride. When
 * the broadcast batch dims do not fold into one stride (a [B, 1, Lq, Lk] mask over
 * heads), a contiguous copy is made.
 */
function maskView(mask: Tensor, batch: readonly number[], b: number, lq: number, lk: number): { tensor: Tensor; view: View } {
  const full = [...batch, lq, lk];
  const strides = broadcastStrides(mask.shape, mask.strides, full);
  const nb = batch.length;
  // One stride s serves every batch dim when dim i's stride is s * (product of the dims after it).
  const inner = (i: number) => sizeOf(batch.slice(i + 1));
  const s = nb === 0 ? 0 : strides[nb - 1]!;
  const folds = batch.every((dim, i) => dim === 1 || strides[i] === s * inner(i));
  if (folds) {
    const t = mask.share();
    return { tensor: t, view: { ...t.view(), dtype: 'i32', shape: [b, lq, lk], strides: [s, strides[nb]!, strides[nb + 1]!] } };
  }
  const view = mask.share(full, strides, mask.offset);
  const c = contiguousHandle(view);
  view.dispose();
  return { tensor: c, view: { ...c.view(), dtype: 'i32', shape: [b, lq, lk], strides: [lq * lk, lk, 1] } };
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
    if (t.dtype !== 'float32' && t.dtype !== 'float16') throw new TypeError(`${op}: ${name} should be float32 or float16, got ${t.dtype} of shape ${shapeString(t.shape)}`);
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
