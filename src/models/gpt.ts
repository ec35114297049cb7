// GPT-2's architecture as a webgrad model: token and position embeddings, pre-norm
// transformer blocks (layer norm → causal self-attention with a fused q/k/v
// projection → residual; layer norm → GELU-tanh MLP of 4 × width → residual), a final
// layer norm, and an output head tied to the token embedding (one Variable: the
// optimizer updates it once per step with the sum of both gradients).
// Weights carry Hugging Face's GPT-2 names (wte.weight, h.0.attn.c_attn.weight, ...),
// so a saved model is a GPT-2 checkpoint and a checkpoint loads by name.

import { describe } from '../autograd.js';
import type { History } from '../callbacks.js';
import { type ConfiguredArchitecture } from '../io/model-json.js';
import type { SaveResult, SaveTarget } from '../io/store.js';
import type { ByteSource } from '../io/sources.js';
import { Dropout } from '../nn/basic-layers.js';
import { Dense } from '../nn/dense.js';
import { toCompute } from '../nn/mixed.js';
import { assertIdsInRange, Embedding } from '../nn/embedding.js';
import { initializers } from '../nn/initializers.js';
import { lookupRows } from '../ops/gather.js';
import type { Layer, Shape } from '../nn/layer.js';
import { LayerNormalization } from '../nn/layer-norm.js';
import type { ForwardPlan, TapeStep } from '../nn/memory-estimate.js';
import { defaultModelName, LayersModel, type PredictOptions, type SummaryRow } from '../nn/model-base.js';
import { checkNumber, checkOptions, given } from '../options.js';
import * as ops from '../ops/index.js';
import { shapeString } from '../ops/util.js';
import { randomFor } from '../random.js';
import { checkpoint } from '../recompute.js';
import { tidy } from '../scope.js';
import { Tensor } from '../tensor.js';
import type { FitOptions } from '../train.js';
import type { FitDatasetOptions } from '../train-dataset.js';
import { type Dataset, isDataset } from '../datasets/dataset.js';
import { CausalSelfAttention, type LayerCache } from './gpt-attention.js';
import { generate, type GenerateOptions } from './generate.js';
import { loadGptWeights, saveGpt } from './gpt-io.js';

export interface GPTConfig {
  /** Number of distinct token ids; ids are in [0, vocabSize). */
  vocabSize: number;
  /** The most positions the model sees at once (GPT-2: 1024). */
  contextLength: number;
  numLayers: number;
  numHeads: number;
  /** Width of the model; a multiple of numHeads. */
  embedDim: number;
  /**
   * Dropout rate on embeddings, attention weights and residual branches while training
   * (default 0). Attention dropout is drawn on the device (wg.scaledDotProductAttention);
   * the embedding and residual dropouts are Dropout layers, whose masks are drawn on the host.
   */
  dropout?: number;
  /** Layer norm epsilon (default 1e-5, GPT-2's). */
  layerNormEpsilon?: number;
  /**
   * Activation checkpointing of the transformer blocks while training (default false):
   * each block keeps only its input for the backward pass and runs its forward again
   * then (wg.checkpoint), with the same dropout masks. Activation memory falls from every
   * block's activations to the block inputs plus one block's; each step does one more
   * forward per block. See wg.estimateTrainingMemory.
   */
  checkpointBlocks?: boolean;
  name?: string;
}

const CONFIG_KEYS = ['vocabSize', 'contextLength', 'numLayers', 'numHeads', 'embedDim', 'dropout', 'layerNormEpsilon', 'checkpointBlocks', 'name'];

interface Block {
  readonly ln1: LayerNormalization;
  readonly attn: CausalSelfAttention;
  readonly ln2: LayerNormalization;
  readonly fc: Dense;
  readonly proj: Dense;
  readonly dropAttn: Dropout | undefined;
  readonly dropMlp: Dropout | undefined;
}

/** Keys and values of every block for the positions generated so far. */
export interface KVCache {
  /** Positions cached. */
  length: number;
  layers: LayerCache[];
}

/** Checks and completes a GPT config; throws naming the option before anything is made. */
export function checkGptConfig(config: GPTConfig): Required<Omit<GPTConfig, 'name'>> {
  const fn = 'gpt';
  if (config === null || typeof config !== 'object') throw new TypeError(`${fn}: expected { vocabSize, contextLength, numLayers, numHeads, embedDim }, got ${given(config)}`);
  checkOptions(fn, config, CONFIG_KEYS);
  const whole = (key: 'vocabSize' | 'contextLength' | 'numLayers' | 'numHeads' | 'embedDim') => {
    const value = checkNumber(fn, key, config[key], NaN, { integer: true, min: 1 });
    if (Number.isNaN(value)) throw new Error(`${fn}: ${key} should be a positive integer, got undefined`);
    return value;
  };
  const c = {
    vocabSize: whole('vocabSize'),
    contextLength: whole('contextLength'),
    numLayers: whole('numLayers'),
    numHeads: whole('numHeads'),
    embedDim: whole('embedDim'),
    dropout: checkNumber(fn, 'dropout', config.dropout, 0, { min: 0, max: 1 }),
    layerNormEpsilon: checkNumber(fn, 'layerNormEpsilon', config.layerNormEpsilon, 1e-5, { min: 0, minExclusive: true }),
    checkpointBlocks: config.checkpointBlocks ?? false,
  };
  if (typeof c.checkpointBlocks !== 'boolean') throw new TypeError(`${fn}: checkpointBlocks should be true or false, got ${given(config.checkpointBlocks)}`);
  if (c.dropout >= 1) throw new Error(`${fn}: dropout should be in [0, 1), got ${c.dropout}`);
  if (c.embedDim % c.numHeads !== 0) throw new Error(`${fn}: embedDim (${c.embedDim}) should be divisible by numHeads (${c.numHeads})`);
  if (config.name !== undefined && (typeof config.name !== 'string' || config.name === '')) throw new Error(`${fn}: name should be a non-empty string, got ${given(config.name)}`);
  return c;
}

export class GPT extends LayersModel {
  readonly config: Required<Omit<GPTConfig, 'name'>>;
  /** The output is logits: compile takes 'sparseCategoricalCrossentropy' with fromLogits. */
  override readonly outputsLogits = true;
  private readonly wte: Embedding;
  private readonly wpe: Embedding;
  private readonly blocks: Block[] = [];
  private readonly lnF: LayerNormalization;
  private readonly dropEmbed: Dropout | undefined;
  private readonly layerList: Layer[];

  constructor(config: GPTConfig) {
    const c = checkGptConfig(config);
    super(config.name ?? defaultModelName('gpt'));
    this.config = c;
    const { vocabSize: V, contextLength: T, numLayers: L, embedDim: E, dropout } = c;
    // GPT-2's initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2L), zero biases.
    const normal = initializers.randomNormal({ stddev: 0.02 });
    const residual = initializers.randomNormal({ stddev: 0.02 / Math.sqrt(2 * L) });
    const zeros = initializers.zeros();
    // Seeds of the dropout generators, from wg.setSeed's stream; checkpoints save the generators.
    const random = randomFor(undefined);
    const named = <T extends Layer>(layer: T, names: Record<string, string>, shape: Shape): T => {
      layer.weightNames = names;
      layer.build(shape);
      return layer;
    };
    const norm = (name: string) => named(new LayerNormalization({ name, epsilon: c.layerNormEpsilon }), { gamma: `${name}.weight`, beta: `${name}.bias` }, [null, E]);
    const dense = (name: string, units: number, init = normal, inputs = E, activation: 'linear' | 'geluTanh' = 'linear') =>
      named(new Dense({ name, units, activation, kernelInitializer: init, biasInitializer: zeros }), { kernel: `${name}.weight`, bias: `${name}.bias` }, [null, inputs]);
    const drop = (name: string) => (dropout > 0 ? new Dropout({ name, rate: dropout, seed: random.int(2 ** 31) }) : undefined);
    this.wte = named(new Embedding({ name: 'wte', inputDim: V, outputDim: E, embeddingsInitializer: normal }), { embeddings: 'wte.weight' }, [null]);
    this.wpe = named(new Embedding({ name: 'wpe', inputDim: T, outputDim: E, embeddingsInitializer: initializers.randomNormal({ stddev: 0.01 }) }), { embeddings: 'wpe.weight' }, [null]);
    this.dropEmbed = drop('drop');
    for (let i = 0; i < L; i++) {
      const attn = new CausalSelfAttention({ name: `h.${i}.attn`, embedDim: E, numHeads: c.numHeads, dropout, kernelInitializer: normal, projectionInitializer: residual, biasInitializer: zeros, seed: random.int(2 ** 31) });
      attn.weightNames = Object.fromEntries(attn.weightShapes().map(([suffix]) => [suffix, `h.${i}.attn.${suffix}`]));
      attn.build([null, E]);
      this.blocks.push({
        ln1: norm(`h.${i}.ln_1`),
        attn,
        ln2: norm(`h.${i}.ln_2`),
        fc: dense(`h.${i}.mlp.c_fc`, 4 * E, normal, E, 'geluTanh'),
        proj: dense(`h.${i}.mlp.c_proj`, E, residual, 4 * E),
        dropAttn: drop(`h.${i}.drop_attn`),
        dropMlp: drop(`h.${i}.drop_mlp`),
      });
    }
    this.lnF = norm('ln_f');
    this.layerList = [
      this.wte, this.wpe, ...(this.dropEmbed ? [this.dropEmbed] : []),
      ...this.blocks.flatMap((b) => [b.ln1, b.attn, ...(b.dropAttn ? [b.dropAttn] : []), b.ln2, b.fc, b.proj, ...(b.dropMlp ? [b.dropMlp] : [])]),
      this.lnF,
    ];
  }

  get layers(): readonly Layer[] {
    return this.layerList;
  }

  /** The token embedding [vocabSize, embedDim], also the output head's weights. */
  get tokenEmbedding(): Tensor {
    return this.wte.embeddings;
  }

  /** A GPT is built when made; any sequence length up to contextLength fits. */
  build(inputShape: Shape): void {
    if (inputShape.length !== 1) throw new Error(`${this.name}.build: a GPT takes token ids [batch, time], got sample shape ${shapeString(inputShape.map((d) => d ?? -1))}`);
  }

  get inputShape(): Shape {
    return [null];
  }

  get outputShape(): Shape {
    return [null, this.config.vocabSize];
  }

  /**
   * Logits [batch, time, vocabSize] for int32 ids [batch, time] (time ≤ contextLength).
   * An id out of range is an error: refused before anything is queued where the backend
   * reads synchronously; on WebGPU the token lookup flags it and the next read (of these
   * logits or anything else) throws naming the lookup, the id and the vocabulary size.
   */
  apply(ids: Tensor, training = false): Tensor {
    this.checkIds(`${this.name}.apply`, ids, !training);
    return this.run(ids, 0, undefined, training, false).logits;
  }

  /**
   * @internal the forward pass over ids at positions start, start + 1, ...: with a cache,
   * attends to the cached positions too and extends the cache; `lastOnly` computes the
   * head for the last position only (generation).
   */
  run(ids: Tensor, start: number, cache: KVCache | undefined, training: boolean, lastOnly: boolean, wantCache = false): { logits: Tensor; cache: KVCache | undefined } {
    const [b, t] = ids.shape as [number, number];
    const fresh: LayerCache[] = [];
    const logits = tidy(() => {
      // The tables directly. Token ids are checked by the lookup (on the host where the backend
      // reads synchronously, else flagged on the device for the next read); positions are in
      // range by construction.
      const positions = ops.range(start, start + t, 1, 'int32');
      let x = ops.add(lookupRows(this.wte.embeddings, ids, 'wte (the token embedding)'), ops.gather(this.wpe.embeddings, positions, 0));
      // Mixed precision: the residual stream is float16; layer norms and the tied head
      // (lnF's float32 output times the float32 table) give float32, so the logits are float32.
      x = toCompute(this.wte.precision, x);
      if (this.dropEmbed) x = this.dropEmbed.apply(x, training);
      this.blocks.forEach((block, i) => {
        const forward = (input: Tensor): Tensor => {
          const { y, cache: c } = block.attn.attend(block.ln1.apply(input, training), cache?.layers[i], training, wantCache);
          if (c) fresh.push(c);
          const h = ops.add(input, block.dropAttn ? block.dropAttn.apply(y, training) : y);
          // c_fc fuses GELU's tanh form into its matmul where no gradient is recorded (generation)
          const m = block.proj.apply(block.fc.apply(block.ln2.apply(h, training)));
          return ops.add(h, block.dropMlp ? block.dropMlp.apply(m, training) : m);
        };
        x = training && this.config.checkpointBlocks && !wantCache ? checkpointedBlock(block, forward)(x) : forward(x);
      });
      if (lastOnly && t > 1) x = ops.slice(x, [0, t - 1, 0], [b, 1, this.config.embedDim]);
      return ops.matmul(this.lnF.apply(x), this.wte.embeddings, false, true);
    });
    if (!wantCache) return { logits, cache: undefined };
    if (cache) for (const c of cache.layers) { c.k.dispose(); c.v.dispose(); }
    return { logits, cache: { length: start + t, layers: fresh } };
  }

  /**
   * @internal the forward pass for wg.estimateTrainingMemory, for a sample of contextLength
   * tokens: the two lookups and their sum, each block (as a checkpointed step under
   * checkpointBlocks), the final norm, the tied head's logits and the loss's logsumexp
   * (read in float32).
   */
  forwardPlan(): ForwardPlan {
    const { contextLength: T, embedDim: E, vocabSize: V } = this.config;
    const ids: Shape = [T];
    const width: Shape = [T, E];
    const call = (layer: Layer, input: Shape): TapeStep => ({ layer, inputs: [input], output: layer.computeOutputShape(input) });
    const steps: TapeStep[] = [
      call(this.wte, ids),
      call(this.wpe, ids),
      { op: 'add', output: width, half: true },
      ...(this.dropEmbed ? [call(this.dropEmbed, width)] : []),
    ];
    for (const b of this.blocks) {
      const block: TapeStep[] = [
        call(b.ln1, width), call(b.attn, width), ...(b.dropAttn ? [call(b.dropAttn, width)] : []), { op: 'add', output: width, half: true },
        call(b.ln2, width), call(b.fc, width), call(b.proj, [T, 4 * E]), ...(b.dropMlp ? [call(b.dropMlp, width)] : []), { op: 'add', output: width, half: true },
      ];
      if (this.config.checkpointBlocks) steps.push({ checkpointed: block, output: width });
      else steps.push(...block);
    }
    steps.push(call(this.lnF, width), { op: 'logits', output: [T, V], half: false }, { op: 'logsumexp', output: [T], half: false });
    return { inputs: [ids], steps };
  }

  /** Ids are int32 [batch, time] with 1 ≤ time ≤ contextLength, in range where the backend reads synchronously. */
  private checkIds(fn: string, ids: Tensor, range = true): void {
    if (!(ids instanceof Tensor)) throw new TypeError(`${fn}: ids should be an int32 Tensor [batch, time], got ${describe(ids)}`);
    ids.assertAlive(fn, 'ids');
    if (ids.dtype !== 'int32') throw new TypeError(`${fn}: ids should be int32 token ids, got ${ids.dtype} of shape ${shapeString(ids.shape)}`);
    if (ids.rank !== 2) throw new Error(`${fn}: ids should have shape [batch, time], got ${shapeString(ids.shape)}`);
    const t = ids.shape[1]!;
    if (t < 1 || t > this.config.contextLength) {
      throw new Error(`${fn}: sequences should have 1 to ${this.config.contextLength} tokens (contextLength), got ${t} (ids ${shapeString(ids.shape)})`);
    }
    if (range && ids.backend.readSync) assertIdsInRange(fn, ids.dataSync(), this.config.vocabSize);
  }

  /** @internal */
  override checkInputs(fn: string, x: Tensor, y?: Tensor): void {
    super.checkInputs(fn, x, y);
    this.checkIds(fn, x, fn !== 'fit');
    if (y !== undefined && (y.rank !== 2 || y.shape[1] !== x.shape[1])) {
      throw new Error(`${fn}: y should hold the next token id for every position, shape ${shapeString(x.shape)} like x, got ${shapeString(y.shape)}`);
    }
  }

  /** Trains on ids x [n, time] and next ids y [n, time] (int32); see FitOptions. */
  override async fit(x: Tensor, y: Tensor, options?: FitOptions): Promise<History>;
  override async fit(dataset: Dataset, options?: FitDatasetOptions): Promise<History>;
  override async fit(x: Tensor | Dataset, y?: Tensor | FitDatasetOptions, options: FitOptions = {}): Promise<History> {
    if (isDataset(x) && !(y instanceof Tensor)) {
      // A dataset that knows its largest id (wg.data.textDataset's maxId) is checked once, up
      // front; batches are not read back one by one (that would stall every step).
      const maxId = (x as { maxId?: unknown }).maxId;
      if (typeof maxId === 'number' && maxId >= this.config.vocabSize) {
        throw new Error(`fit: the dataset holds ids up to ${maxId} but the model's vocabulary has ${this.config.vocabSize} (ids in [0, ${this.config.vocabSize - 1}])`);
      }
      return super.fit(x, y as FitDatasetOptions | undefined);
    }
    if (!(x instanceof Tensor) || !(y instanceof Tensor)) return super.fit(x as Tensor, y as Tensor, options);
    this.checkInputs('fit', x, y);
    // Checked once here (asynchronously, like the labels), not in every batch.
    assertIdsInRange('fit', await x.data(), this.config.vocabSize);
    return super.fit(x, y, options);
  }

  override async evaluate(x: Tensor, y: Tensor, options: PredictOptions = {}): Promise<Record<string, number>> {
    this.checkInputs('evaluate', x, y);
    if (!x.backend.readSync) assertIdsInRange('evaluate', await x.data(), this.config.vocabSize);
    return super.evaluate(x, y, options);
  }

  /**
   * Continues each row of `ids` (int32 [batch, promptLength]) by `maxNewTokens` tokens,
   * one incremental step per token with a KV cache; returns the prompt and the new tokens,
   * int32 [batch, promptLength + maxNewTokens]. See GenerateOptions for sampling, streaming
   * and what happens past contextLength.
   */
  async generate(ids: Tensor | readonly (readonly number[])[], options: GenerateOptions): Promise<Tensor> {
    return generate(this, ids, options);
  }

  /**
   * Reads weights in Hugging Face's GPT-2 safetensors layout (a path, URL, File / Blob or
   * bytes): wte, wpe, h.{i}.ln_1 / attn.c_attn / attn.c_proj / ln_2 / mlp.c_fc / mlp.c_proj,
   * ln_f, with or without the 'transformer.' prefix. lm_head.weight may be present and must
   * equal wte (the head is tied); the causal-mask buffers h.{i}.attn.bias / masked_bias are
   * skipped. Everything is checked before any weight changes.
   */
  async loadWeights(source: ByteSource): Promise<void> {
    return loadGptWeights(this, source);
  }

  /**
   * Saves as a Hugging Face GPT-2 folder: model.safetensors (Hugging Face's names, float32)
   * and config.json (model_type 'gpt2'), which PyTorch's GPT2LMHeadModel.from_pretrained
   * reads, plus model.json for wg.loadModel (training configuration included).
   */
  override async save(target: SaveTarget): Promise<SaveResult> {
    return saveGpt(this, target);
  }

  /** @internal */
  architecture(): ConfiguredArchitecture {
    // checkpointBlocks only when on: files of GPTs without it read as before
    const { checkpointBlocks, ...config } = this.config;
    return { className: 'GPT', name: this.name, config: checkpointBlocks ? { ...config, checkpointBlocks } : config };
  }

  protected summaryRows(): SummaryRow[] {
    const E = this.config.embedDim;
    return this.layerList.map((layer) => ({ layer, outputShape: [null, this.blocks.some((b) => b.fc === layer) ? 4 * E : E] }));
  }
}

/**
 * A block's forward under wg.checkpoint: the backward pass runs it again, restoring the
 * block's generators (attention and residual dropout) first so that it draws the masks
 * the first run drew.
 */
function checkpointedBlock(block: Block, forward: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  const generators = ([block.attn, block.dropAttn, block.dropMlp] as (Layer | undefined)[]).filter((l): l is Layer => l !== undefined && l.randomState() !== undefined);
  const before = generators.map((l) => l.randomState()!);
  let ran = false;
  return checkpoint((x: Tensor) => {
    if (!ran) {
      ran = true;
      return forward(x);
    }
    const now = generators.map((l) => l.randomState()!);
    generators.forEach((l, i) => l.restoreRandomState(before[i]!));
    try {
      return forward(x);
    } finally {
      generators.forEach((l, i) => l.restoreRandomState(now[i]!));
    }
  });
}

/** @internal rebuilds a GPT from model.json's architecture (wg.loadModel) */
export function gptFromConfig(arch: ConfiguredArchitecture, where: string): GPT {
  if (arch.className !== 'GPT') throw new Error(`${where}: unknown model class '${String(arch.className)}'`);
  try {
    return new GPT({ ...(arch.config as unknown as GPTConfig), name: arch.name });
  } catch (error) {
    throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** A GPT-2 style language model; see GPTConfig. Compile with loss 'sparseCategoricalCrossentropy' (taken from logits). */
export function gpt(config: GPTConfig): GPT {
  return new GPT(config);
}
