// What training a model takes in memory, before it runs: weights, their gradients,
// the optimizer's state, and the activations the tape keeps from the forward pass
// for the backward pass (plus the largest transient of the backward pass). It counts
// tensor storage as wg.memory() does; tested against the measured peak of a training
// step (test/nn/memory-estimate.test.ts: within a factor of 1.5 either way).

import { checkChoice, checkNumber, checkOptions } from '../options.js';
import { type Precision, PRECISIONS } from '../precision.js';
import type { Optimizer } from '../optimizers.js';
import { Dropout, Flatten } from './basic-layers.js';
import { Checkpointed } from './checkpointed.js';
import { Dense } from './dense.js';
import type { Layer, Shape } from './layer.js';

export interface MemoryEstimate {
  readonly batchSize: number;
  /** The precision estimated (the option, else 'mixed_float16' when any layer computes in it, else 'float32'). */
  readonly precision: Precision;
  /** Every weight, float32 (under mixed_float16, the float32 master weights). */
  readonly weights: number;
  /** Under mixed_float16, the float16 copy of each matmul / conv / embedding weight (2 bytes an element); else 0. */
  readonly halfWeights: number;
  /** One gradient per trainable weight (alive together between backward and the update), float32. */
  readonly gradients: number;
  /** The optimizer's buffers (Adam: 2 per weight), and gradient-accumulation sums, float32. */
  readonly optimizerState: number;
  /** Activations kept for the backward pass, and the backward pass's largest transient. */
  readonly activations: number;
  /** The sum of the above, in bytes. */
  readonly total: number;
}

export interface EstimateOptions {
  /** Samples per step (default 32). For a GPT a sample is a sequence of contextLength tokens. */
  batchSize?: number;
  /** The optimizer to count state for (default: the compiled one; none when not compiled). */
  optimizer?: Optimizer;
  /**
   * The training precision to estimate (default: each layer's own `layer.precision`,
   * which layers take from wg.setPrecision when they are made). See estimateTrainingMemory.
   */
  precision?: Precision;
}

/**
 * One step of a forward pass as the estimate walks it: a layer call (its class says
 * what it keeps for the backward pass), an op outside layers that keeps its output (a
 * residual add, a tied output head; `half` when it computes in float16 under mixed
 * precision), or a block under activation checkpointing (keeps its output; the
 * backward pass recomputes the inside).
 */
export type TapeStep =
  | { readonly layer: Layer; readonly inputs: readonly Shape[]; readonly output: Shape }
  | { readonly op: string; readonly output: Shape; readonly half: boolean }
  | { readonly checkpointed: readonly TapeStep[]; readonly output: Shape };

/** A forward pass as the estimate walks it: the sample shapes of the inputs, then the steps in run order. */
export interface ForwardPlan {
  readonly inputs: readonly Shape[];
  readonly steps: readonly TapeStep[];
}

/** The model-like object estimated: its layers, and a chain's sample shape or a graph's forward plan. */
export interface EstimatedModel {
  readonly layers: readonly Layer[];
  readonly inputShape: Shape | undefined;
  readonly weights: readonly { readonly size: number }[];
  readonly trainableWeights: readonly { readonly size: number }[];
  readonly optimizer?: Optimizer | undefined;
  /** @internal graph models (functional, GPT) describe their forward pass; without it the layers are walked as a chain */
  forwardPlan?(): ForwardPlan;
}

const count = (shape: Shape): number => shape.reduce<number>((n, d) => n * (d ?? 1), 1);

/** Layers whose activations stay float32 under mixed precision (statistics, softmax). */
const FLOAT32_LAYERS = new Set(['LayerNormalization', 'BatchNormalization']);

/** Bytes per sample a step keeps, and its largest tensor in elements. */
interface Kept {
  readonly bytes: number;
  readonly largest: number;
}

/**
 * Bytes per sample a layer call adds to the tape, beyond its input (which the step
 * that made it accounts for). `half` is the bytes of an element it computes in float16
 * (2 under mixed precision, else 4).
 */
function keptByLayer(layer: Layer, inputs: readonly Shape[], output: Shape, half: number): Kept {
  const out = count(output);
  const largest = out;
  if (layer instanceof Flatten || layer.className === 'Reshape') return { bytes: 0, largest }; // a view of its input
  if (layer instanceof Dropout) return { bytes: layer.rate > 0 ? 2 * out * half : 0, largest }; // the mask and the output
  if (layer instanceof Dense) {
    // a fused activation keeps the output; another keeps the pre-activation as well
    const fused = ['linear', 'relu', 'sigmoid', 'tanh'].includes(String(layer.getConfig().activation));
    return { bytes: (fused ? 1 : 2) * out * half, largest };
  }
  if (layer.className === 'Activation' && String(layer.getConfig().activation) === 'softmax') return { bytes: 4 * out, largest };
  if (layer.className === 'LayerNormalization') {
    // the output and each row's mean and reciprocal deviation, all float32
    const width = output[output.length - 1] ?? 1;
    return { bytes: 4 * (out + 2 * (out / width)), largest };
  }
  if (layer.className === 'CausalSelfAttention') {
    // GPT's attention [T, E]: q, k and v in the heads' layout [H, T, E/H] (3 T·E), the heads'
    // output and its merge back to [T, E] for the output projection (2 T·E), the output, and
    // the softmax's logsumexp [H, T] in float32
    const heads = Number((layer as unknown as { numHeads: number }).numHeads);
    const t = count(output.slice(0, -1));
    return { bytes: 6 * out * half + 4 * heads * t, largest: Math.max(largest, 3 * out) };
  }
  if (layer.className === 'MultiHeadAttention') {
    // projected queries, keys and values, the heads' output, the output; logsumexp per head and query in float32
    const a = layer as unknown as { numHeads: number; keyDim: number; valueDim: number };
    const tq = count(inputs[0]!.slice(0, -1));
    const tk = count((inputs[1] ?? inputs[0]!).slice(0, -1));
    const projected = a.numHeads * (tq * a.keyDim + tk * a.keyDim + tk * a.valueDim + tq * a.valueDim);
    return { bytes: (projected + out) * half + 4 * a.numHeads * tq, largest: Math.max(largest, a.numHeads * tk * Math.max(a.keyDim, a.valueDim)) };
  }
  return { bytes: out * (FLOAT32_LAYERS.has(layer.className) ? 4 : half), largest };
}

/** The chain of layers from a sample shape, as steps (Checkpointed blocks as checkpointed steps). */
function chainSteps(layers: readonly Layer[], input: Shape): { steps: TapeStep[]; output: Shape } {
  const steps: TapeStep[] = [];
  let shape = input;
  for (const layer of layers) {
    const out = layer.computeOutputShape(shape);
    steps.push(layer instanceof Checkpointed ? { checkpointed: chainSteps(layer.layers, shape).steps, output: out } : { layer, inputs: [shape], output: out });
    shape = out;
  }
  return { steps, output: shape };
}

/** Per-sample bytes kept for a run of steps, the largest single activation (elements), and the largest recompute (bytes). */
function walk(steps: readonly TapeStep[], halfOf: (layer: Layer | undefined) => number): { kept: number; largest: number; recompute: number } {
  let kept = 0;
  let largest = 0;
  let recompute = 0;
  for (const step of steps) {
    if ('checkpointed' in step) {
      // only the block's output stays (its input is the previous step's); the backward pass recomputes the inside
      const inner = walk(step.checkpointed, halfOf);
      const last = step.checkpointed[step.checkpointed.length - 1];
      kept += count(step.output) * (last && 'layer' in last ? halfOf(last.layer) : halfOf(undefined));
      recompute = Math.max(recompute, inner.kept, inner.recompute);
      largest = Math.max(largest, inner.largest, count(step.output));
    } else if ('op' in step) {
      kept += count(step.output) * (step.half ? halfOf(undefined) : 4);
      largest = Math.max(largest, count(step.output));
    } else {
      const k = keptByLayer(step.layer, step.inputs, step.output, halfOf(step.layer));
      kept += k.bytes;
      largest = Math.max(largest, k.largest);
    }
  }
  return { kept, largest, recompute };
}

/**
 * An estimate, in bytes, of what one training step of `model` holds at its peak for
 * a batch of `batchSize`: weights, gradients, optimizer state and activations. The
 * model must be built (or declare its input shape). Sequential models are walked as a
 * chain of layers; functional models (wg.model) node by node over their graph, and a
 * GPT block by block (a sample is a sequence of contextLength tokens).
 *
 * What is counted:
 * - weights once each (a layer applied twice shares them), float32; gradients for the
 *   trainable ones; the optimizer's slots (and gradient-accumulation sums).
 * - activations per layer *call* (a shared layer applied twice keeps its activations
 *   twice): what its backward pass reads besides its input (a dense layer's output, and
 *   its pre-activation when the activation is not fused into the matmul; a dropout's
 *   mask; an attention's projections, heads' output and softmax logsumexp; a layer
 *   norm's output and row statistics; nothing for flatten / reshape), plus the input
 *   batch and, for the backward pass, two gradients the size of the largest activation
 *   (float32).
 * - a checkpointed block (wg.layers.checkpointed, or a GPT with checkpointBlocks) keeps
 *   only its output; the largest block being recomputed is counted once on top.
 *
 * `precision: 'mixed_float16'` (default: each layer's `layer.precision`) keeps weights,
 * gradients and optimizer state in float32 (master weights) and adds a float16 copy
 * (2 bytes an element) of every weight of rank 2 or more (matmul and conv kernels,
 * embedding tables: a GPT's token table is also its output head's matrix); activations
 * of layers that compute in float16 (dense, conv, attention projections, embedding
 * outputs, the elementwise layers and adds between them) count 2 bytes an element;
 * layer / batch norm, softmax statistics (attention's logsumexp, a softmax layer), the
 * logits a loss reads and the backward pass's gradients stay 4.
 *
 * Tested against the measured peak of a training step (test/nn/memory-estimate.test.ts):
 * within a factor of 1.5 either way, for sequential models and a GPT.
 */
export function estimateTrainingMemory(model: EstimatedModel, options: EstimateOptions = {}): MemoryEstimate {
  const fn = 'estimateTrainingMemory';
  checkOptions(fn, options, ['batchSize', 'optimizer', 'precision']);
  const batchSize = checkNumber(fn, 'batchSize', options.batchSize, 32, { integer: true, min: 1 });
  const forced = options.precision === undefined ? undefined : checkChoice(fn, 'precision', options.precision, 'float32', PRECISIONS);
  let plan: ForwardPlan;
  if (model.forwardPlan) {
    plan = model.forwardPlan();
  } else {
    const input = model.inputShape;
    if (!input) throw new Error(`${fn}: the model's input shape is unknown; build it or give its first layer inputShape`);
    plan = { inputs: [input], steps: chainSteps(model.layers, input).steps };
  }
  const precisionOf = (layer: Layer | undefined): Precision => forced ?? layer?.precision ?? model.layers[0]?.precision ?? 'float32';
  const halfOf = (layer: Layer | undefined): number => (precisionOf(layer) === 'mixed_float16' ? 2 : 4);
  const precision: Precision = forced ?? (model.layers.some((l) => l.precision === 'mixed_float16') ? 'mixed_float16' : 'float32');

  const weights = 4 * model.weights.reduce((n, w) => n + w.size, 0);
  const trainable = 4 * model.trainableWeights.reduce((n, w) => n + w.size, 0);
  // float16 copies of the matmul / conv / embedding weights, once per layer however often it is applied
  let halfWeights = 0;
  for (const layer of model.layers) {
    if (precisionOf(layer) !== 'mixed_float16') continue;
    for (const w of layer.weights) if (w.rank >= 2) halfWeights += 2 * w.size;
  }
  const optimizer = options.optimizer ?? model.optimizer;
  const slots = optimizer?.slotsPerWeight ?? 0;
  const sums = optimizer && optimizer.gradientAccumulationSteps > 1 ? 1 : 0;
  const w = walk(plan.steps, halfOf);
  const inputs = plan.inputs.reduce((n, s) => n + count(s), 0);
  // kept activations, the input batch, and in the backward pass two activation-sized
  // float32 gradients at a time plus the largest block being recomputed
  const activations = batchSize * (4 * inputs + w.kept + 4 * 2 * Math.max(w.largest, inputs) + w.recompute);
  const optimizerState = trainable * (slots + sums);
  return { batchSize, precision, weights, halfWeights, gradients: trainable, optimizerState, activations, total: weights + halfWeights + trainable + optimizerState + activations };
}

/** Bytes as KiB / MiB / GiB with 3 significant digits. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toPrecision(3)} ${units[u]}`;
}

/** The estimate as lines: each part and the total. */
export function describeEstimate(e: MemoryEstimate): string[] {
  return [
    `Training memory (estimate, batch ${e.batchSize}${e.precision === 'float32' ? '' : `, ${e.precision}`}): ${formatBytes(e.total)}`,
    `  weights ${formatBytes(e.weights)}${e.halfWeights > 0 ? ` (+ ${formatBytes(e.halfWeights)} float16 copies)` : ''}, gradients ${formatBytes(e.gradients)}, optimizer state ${formatBytes(e.optimizerState)}, activations ${formatBytes(e.activations)}`,
  ];
}
