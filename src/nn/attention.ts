// MultiHeadAttention as Keras': query, value and (optionally) key inputs, each
// projected per head by a kernel [dim, numHeads, keyDim] (value: valueDim), scaled
// dot-product attention per head (one fused op), and an output projection from
// [numHeads, valueDim] back to the query's width (or outputShape).
// Called as mha.apply([query, value]) or mha.apply([query, value, key], { useCausalMask }).

import { checkBoolean, checkNumber, checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import { type Random, randomFor, type RandomState } from '../random.js';
import { tidy } from '../scope.js';
import type { Tensor, Variable } from '../tensor.js';
import { type InitializerSpec, resolveInitializer } from './initializers.js';
import { type ApplyOptions, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';
import { toCompute } from './mixed.js';
import { MultiInputLayer, shapesText } from './multi-input.js';

export interface MultiHeadAttentionArgs extends LayerArgs {
  numHeads: number;
  /** Width of each head's queries and keys. */
  keyDim: number;
  /** Width of each head's values (default keyDim). */
  valueDim?: number;
  /** Dropout rate on the attention weights while training (default 0). */
  dropout?: number;
  /** Biases on the four projections (default true). */
  useBias?: boolean;
  /** Width of the output (default: the query's last dimension). */
  outputShape?: number;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  /** Seed of the attention dropout. */
  seed?: number;
}

interface Projection {
  kernel: Variable;
  bias: Variable | undefined;
}

export class MultiHeadAttention extends MultiInputLayer {
  protected readonly arity = [2, 3] as const;
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly outputDim: number | undefined;
  readonly seed: number | undefined;
  private readonly kernelInit: ReturnType<typeof resolveInitializer>;
  private readonly biasInit: ReturnType<typeof resolveInitializer>;
  private readonly random: Random;
  private projections: { query: Projection; key: Projection; value: Projection; output: Projection } | undefined;

  constructor(args: MultiHeadAttentionArgs) {
    const fn = 'multiHeadAttention';
    checkOptions(fn, args, [...LAYER_ARG_KEYS, 'numHeads', 'keyDim', 'valueDim', 'dropout', 'useBias', 'outputShape', 'kernelInitializer', 'biasInitializer', 'seed']);
    if (args === undefined) throw new Error(`${fn}: expected options with numHeads and keyDim, got undefined`);
    super('MultiHeadAttention', args, 'multi_head_attention');
    this.numHeads = checkNumber(fn, 'numHeads', args.numHeads, NaN, { integer: true, min: 1 });
    this.keyDim = checkNumber(fn, 'keyDim', args.keyDim, NaN, { integer: true, min: 1 });
    if (Number.isNaN(this.numHeads)) throw new Error(`${fn}: numHeads should be a positive integer, got undefined`);
    if (Number.isNaN(this.keyDim)) throw new Error(`${fn}: keyDim should be a positive integer, got undefined`);
    this.valueDim = checkNumber(fn, 'valueDim', args.valueDim, this.keyDim, { integer: true, min: 1 });
    this.dropout = checkNumber(fn, 'dropout', args.dropout, 0, { min: 0, max: 1 });
    if (this.dropout >= 1) throw new Error(`${fn}: dropout should be in [0, 1), got ${this.dropout}`);
    this.useBias = checkBoolean(fn, 'useBias', args.useBias, true);
    this.outputDim = args.outputShape === undefined ? undefined : checkNumber(fn, 'outputShape', args.outputShape, 1, { integer: true, min: 1 });
    this.seed = args.seed === undefined ? undefined : checkNumber(fn, 'seed', args.seed, 0, { integer: true });
    this.kernelInit = resolveInitializer(fn, args.kernelInitializer, 'glorotUniform');
    this.biasInit = resolveInitializer(fn, args.biasInitializer, 'zeros');
    this.random = randomFor(this.seed);
  }

  protected override callOptionKeys(): readonly string[] {
    return ['useCausalMask'];
  }

  computeOutputShapes(shapes: readonly Shape[]): Shape {
    const [q, v, k = v] = shapes as [Shape, Shape, Shape?];
    if (q.length !== 2 || v.length !== 2 || k!.length !== 2) {
      throw new Error(`${this.name}: query, value and key should be [batch, time, features], got ${shapesText(shapes)}`);
    }
    if (v[0] !== null && k![0] !== null && v[0] !== k![0]) throw new Error(`${this.name}: key and value should have the same length, got ${shapesText(shapes)}`);
    if (q[1] === null || v[1] === null || k![1] === null) throw new Error(`${this.name}: the feature dimensions should be known, got ${shapesText(shapes)}`);
    return [q[0] ?? null, this.outputDim ?? (q[1] as number)];
  }

  /** Keras' weights, in order: query, key, value (kernel, bias), then attention_output; shapes follow the inputs. */
  override weightShapes(): undefined {
    return undefined;
  }

  protected override createWeightsFor(shapes: readonly Shape[]): void {
    const [q, v, k = v] = shapes as [Shape, Shape, Shape?];
    const [dq, dk, dv] = [q[1] as number, k![1] as number, v[1] as number];
    const h = this.numHeads;
    const make = (name: string, kernel: number[], bias: number[]): Projection => ({
      kernel: this.addWeight(`${name}/kernel`, kernel, this.kernelInit),
      bias: this.useBias ? this.addWeight(`${name}/bias`, bias, this.biasInit) : undefined,
    });
    const query = make('query', [dq, h, this.keyDim], [h, this.keyDim]);
    const key = make('key', [dk, h, this.keyDim], [h, this.keyDim]);
    const value = make('value', [dv, h, this.valueDim], [h, this.valueDim]);
    const out = this.outputDim ?? dq;
    const output = make('attention_output', [h, this.valueDim, out], [out]);
    this.projections = { query, key, value, output };
  }

  /** x [b, t, d] → [b, heads, t, width] through kernel [d, heads, width]. */
  private heads(x: Tensor, p: Projection, width: number): Tensor {
    const [b, t, d] = x.shape as [number, number, number];
    const kernel = ops.reshape(p.kernel, [d, this.numHeads * width]);
    const bias = p.bias ? ops.reshape(p.bias, [this.numHeads * width]) : undefined;
    const y = ops.dense(toCompute(this.precision, x), toCompute(this.precision, kernel), bias ? { bias } : {});
    return ops.transpose(ops.reshape(y, [b, t, this.numHeads, width]), [0, 2, 1, 3]);
  }

  protected callMany(inputs: readonly Tensor[], options: ApplyOptions): Tensor {
    const [query, value, key = value] = inputs as [Tensor, Tensor, Tensor?];
    const p = this.projections!;
    const training = options.training ?? false;
    // Only training steps draw a seed: predictions leave the generator (saved in checkpoints) alone.
    const dropout = training && this.dropout > 0 ? { dropout: this.dropout, seed: this.random.int(2 ** 31) } : {};
    return tidy(() => {
      const q = this.heads(query, p.query, this.keyDim);
      const k = this.heads(key!, p.key, this.keyDim);
      const v = this.heads(value, p.value, this.valueDim);
      const attended = ops.scaledDotProductAttention(q, k, v, { causal: options.useCausalMask ?? false, ...dropout });
      const [b, , tq] = attended.shape as [number, number, number, number];
      const merged = ops.reshape(ops.transpose(attended, [0, 2, 1, 3]), [b, tq, this.numHeads * this.valueDim]);
      const out = p.output.kernel.shape[2]!;
      const kernel = ops.reshape(p.output.kernel, [this.numHeads * this.valueDim, out]);
      return ops.dense(toCompute(this.precision, merged), toCompute(this.precision, kernel), p.output.bias ? { bias: p.output.bias } : {});
    });
  }

  /** @internal */
  override randomState(): RandomState {
    return this.random.getState();
  }

  /** @internal */
  override restoreRandomState(state: RandomState): void {
    this.random.setState(state);
  }

  getConfig(): Record<string, unknown> {
    return {
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      useBias: this.useBias,
      ...(this.outputDim === undefined ? {} : { outputShape: this.outputDim }),
      ...(this.seed === undefined ? {} : { seed: this.seed }),
      kernelInitializer: { className: this.kernelInit.className, config: this.kernelInit.config },
      biasInitializer: { className: this.biasInit.className, config: this.biasInit.config },
    };
  }
}
