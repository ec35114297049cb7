// What training a model takes in memory, before it runs: weights, their gradients,
// the optimizer's state, and the activations the tape keeps from the forward pass
// for the backward pass (plus the largest transient of the backward pass). It counts
// tensor storage as wg.memory() does; tested against the measured peak of a training
// step (test/nn/memory-estimate.test.ts: within a factor of 1.5 either way).

import { checkNumber, checkOptions } from '../options.js';
import type { Optimizer } from '../optimizers.js';
import { Dropout, Flatten } from './basic-layers.js';
import { Checkpointed } from './checkpointed.js';
import { Dense } from './dense.js';
import type { Layer, Shape } from './layer.js';

export interface MemoryEstimate {
  readonly batchSize: number;
  /** Every weight, float32. */
  readonly weights: number;
  /** One gradient per trainable weight (alive together between backward and the update). */
  readonly gradients: number;
  /** The optimizer's buffers (Adam: 2 per weight), and gradient-accumulation sums. */
  readonly optimizerState: number;
  /** Activations kept for the backward pass, and the backward pass's largest transient. */
  readonly activations: number;
  /** The sum of the above, in bytes. */
  readonly total: number;
}

export interface EstimateOptions {
  /** Samples per step (default 32). */
  batchSize?: number;
  /** The optimizer to count state for (default: the compiled one; none when not compiled). */
  optimizer?: Optimizer;
}

/** The model-like object estimated: a Sequential's layers and its sample shape. */
export interface EstimatedModel {
  readonly layers: readonly Layer[];
  readonly inputShape: Shape | undefined;
  readonly weights: readonly { readonly size: number }[];
  readonly trainableWeights: readonly { readonly size: number }[];
  readonly optimizer?: Optimizer | undefined;
}

const BYTES = 4;
const count = (shape: Shape): number => shape.reduce<number>((n, d) => n * (d ?? 1), 1);

/** Elements per sample a layer adds to the tape (beyond its input, which the previous layer accounts for). */
function kept(layer: Layer, output: Shape): number {
  if (layer instanceof Flatten) return 0; // a view of its input
  if (layer instanceof Dropout) return layer.rate > 0 ? 2 * count(output) : 0; // the mask and the output
  if (layer instanceof Dense) {
    // a fused activation keeps the output; another keeps the pre-activation as well
    const fused = ['linear', 'relu', 'sigmoid', 'tanh'].includes(String(layer.getConfig().activation));
    return (fused ? 1 : 2) * count(output);
  }
  return count(output);
}

/** Per-sample elements kept for a run of layers, the largest single activation, and the largest recompute. */
function walk(layers: readonly Layer[], input: Shape): { kept: number; largest: number; recompute: number; output: Shape } {
  let shape = input;
  let total = 0;
  let largest = count(input);
  let recompute = 0;
  for (const layer of layers) {
    const out = layer.computeOutputShape(shape);
    if (layer instanceof Checkpointed) {
      // only the block's output stays (its input is the previous layer's); the backward pass recomputes the inside
      const inner = walk(layer.layers, shape);
      total += count(out);
      recompute = Math.max(recompute, inner.kept, inner.recompute);
      largest = Math.max(largest, inner.largest);
    } else {
      total += kept(layer, out);
    }
    largest = Math.max(largest, count(out));
    shape = out;
  }
  return { kept: total, largest, recompute, output: shape };
}

/**
 * An estimate, in bytes, of what one training step of `model` holds at its peak for
 * a batch of `batchSize`: weights, gradients, optimizer state and activations. The
 * model must be built (or declare its input shape).
 */
export function estimateTrainingMemory(model: EstimatedModel, options: EstimateOptions = {}): MemoryEstimate {
  const fn = 'estimateTrainingMemory';
  checkOptions(fn, options, ['batchSize', 'optimizer']);
  const batchSize = checkNumber(fn, 'batchSize', options.batchSize, 32, { integer: true, min: 1 });
  const input = model.inputShape;
  if (!input) throw new Error(`${fn}: the model's input shape is unknown; build it or give its first layer inputShape`);
  const weights = BYTES * model.weights.reduce((n, w) => n + w.size, 0);
  const trainable = BYTES * model.trainableWeights.reduce((n, w) => n + w.size, 0);
  const optimizer = options.optimizer ?? model.optimizer;
  const slots = optimizer?.slotsPerWeight ?? 0;
  const sums = optimizer && optimizer.gradientAccumulationSteps > 1 ? 1 : 0;
  const w = walk(model.layers, input);
  // kept activations, the input batch, and in the backward pass two activation-sized
  // gradients at a time plus the largest block being recomputed
  const activations = BYTES * batchSize * (count(input) + w.kept + 2 * w.largest + w.recompute);
  const optimizerState = trainable * (slots + sums);
  return { batchSize, weights, gradients: trainable, optimizerState, activations, total: weights + trainable + optimizerState + activations };
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
    `Training memory (estimate, batch ${e.batchSize}): ${formatBytes(e.total)}`,
    `  weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, optimizer state ${formatBytes(e.optimizerState)}, activations ${formatBytes(e.activations)}`,
  ];
}
