// GPT-2's causal self-attention: one fused projection to queries, keys and values
// (c_attn, kernel [E, 3E] as Hugging Face's Conv1D stores it), scaled dot-product
// attention per head, and an output projection (c_proj, [E, E]). With a KV cache it
// attends from new positions to every cached one, so generation costs one step per
// token instead of a rerun of the prefix.

import * as ops from '../ops/index.js';
import { Layer, type Shape } from '../nn/layer.js';
import { toCompute } from '../nn/mixed.js';
import type { Initializer } from '../nn/initializers.js';
import { Random, type RandomState } from '../random.js';
import { keep, tidy } from '../scope.js';
import type { Tensor, Variable } from '../tensor.js';

/** One layer's cached keys and values, [batch, heads, cached length, head width]. */
export interface LayerCache {
  k: Tensor;
  v: Tensor;
}

export interface CausalSelfAttentionArgs {
  name: string;
  embedDim: number;
  numHeads: number;
  /** Dropout on the attention weights while training. */
  dropout: number;
  kernelInitializer: Initializer;
  /** c_proj's initializer (GPT-2 scales it down by the depth). */
  projectionInitializer: Initializer;
  biasInitializer: Initializer;
  /** Seed of the attention dropout's generator. */
  seed: number;
}

export class CausalSelfAttention extends Layer {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  private readonly inits: Pick<CausalSelfAttentionArgs, 'kernelInitializer' | 'projectionInitializer' | 'biasInitializer'>;
  private w: { qkv: Variable; qkvBias: Variable; proj: Variable; projBias: Variable } | undefined;
  /** Draws a seed for each call's attention dropout; saved in checkpoints so that a resumed run draws the same. */
  private readonly random: Random;

  constructor(args: CausalSelfAttentionArgs) {
    super('CausalSelfAttention', { name: args.name }, 'causal_self_attention');
    this.embedDim = args.embedDim;
    this.numHeads = args.numHeads;
    this.dropout = args.dropout;
    this.inits = args;
    this.random = new Random(args.seed);
  }

  /** @internal */
  override randomState(): RandomState {
    return this.random.getState();
  }

  /** @internal */
  override restoreRandomState(state: RandomState): void {
    this.random.setState(state);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override weightShapes(): [string, number[]][] {
    const e = this.embedDim;
    return [['c_attn.weight', [e, 3 * e]], ['c_attn.bias', [3 * e]], ['c_proj.weight', [e, e]], ['c_proj.bias', [e]]];
  }

  protected override createWeights(): void {
    const e = this.embedDim;
    const { kernelInitializer, projectionInitializer, biasInitializer } = this.inits;
    this.w = {
      qkv: this.addWeight('c_attn.weight', [e, 3 * e], kernelInitializer),
      qkvBias: this.addWeight('c_attn.bias', [3 * e], biasInitializer),
      proj: this.addWeight('c_proj.weight', [e, e], projectionInitializer),
      projBias: this.addWeight('c_proj.bias', [e], biasInitializer),
    };
  }

  protected call(x: Tensor, training: boolean): Tensor {
    return this.attend(x, undefined, training, false).y;
  }

  /**
   * Attention from x [b, t, E] to itself (causal) or, given the cache of the positions
   * before it, from one new position to all of them and itself. With `wantCache` it
   * also returns the keys and values of every position seen (kept out of scopes; the
   * caller disposes them and the cache it passed in).
   */
  attend(x: Tensor, past: LayerCache | undefined, training: boolean, wantCache: boolean): { y: Tensor; cache: LayerCache | undefined } {
    const w = this.w!;
    const [b, t] = x.shape as [number, number, number];
    if (past && t !== 1) throw new Error(`${this.name}: a cached step takes one new position at a time, got ${t}`);
    const h = this.numHeads;
    const d = this.embedDim / h;
    let cache: LayerCache | undefined;
    const y = tidy(() => {
      const half = (t: Tensor) => toCompute(this.precision, t);
      const qkv = ops.dense(half(x), half(w.qkv), { bias: w.qkvBias });
      // q, k and v [b, h, t, d] from qkv [b, t, 3E] seen as [3, b, h, t, d] and made
      // contiguous with one copy: each is then a contiguous view the attention kernels
      // take as it is. Splitting the last axis first made each part non-contiguous: two
      // copies each forward (reshape, attention) and one each for the gradients.
      const heads = ops.contiguous(ops.transpose(ops.reshape(qkv, [b, t, 3, h, d]), [2, 0, 3, 1, 4]));
      const [q, k, v] = ops.unstack(heads, 0) as [Tensor, Tensor, Tensor];
      const keys = past ? ops.concat([past.k, k], 2) : k;
      const values = past ? ops.concat([past.v, v], 2) : v;
      if (wantCache) cache = { k: keep(ops.contiguous(keys)), v: keep(ops.contiguous(values)) };
      const dropout = training && this.dropout > 0 ? { dropout: this.dropout, seed: this.random.int(2 ** 31) } : {};
      // Without a cache queries and keys are the same positions: mask the future. A single
      // new query comes after every cached position and sees them all.
      const attended = ops.scaledDotProductAttention(q, keys, values, { causal: !past, ...dropout });
      const merged = ops.reshape(ops.transpose(attended, [0, 2, 1, 3]), [b, t, this.embedDim]);
      return ops.dense(half(merged), half(w.proj), { bias: w.projBias });
    });
    return { y, cache };
  }

  getConfig(): Record<string, unknown> {
    return { embedDim: this.embedDim, numHeads: this.numHeads, dropout: this.dropout };
  }
}
