// The model workloads of `webgrad bench`: whole models, measured in what their users
// count (tokens/s, samples/s, steps/s) rather than GFLOP/s. A GPT's training step and
// its generation (with and without the KV cache), a small CNN's training step, an
// MLP's `fit` end to end and the seed example. This file says what each one is (the
// config the report prints), makes the host data every contender starts from
// (identical initial weights, so that the first losses can be compared), and how a
// result is compared with the reference. webgrad's implementation is in
// model-cases.ts, TensorFlow.js's in peer-tfjs-gpt.ts and peer-tfjs-models.ts.

import { Random } from '../random.js';
import type { GroupInfo, WorkloadInfo } from './report.js';

export const MODEL_GROUPS = ['gpt-train', 'gpt-generate', 'gpt-generate-uncached', 'cnn-train', 'mlp-fit', 'seed'] as const;
export type ModelGroup = (typeof MODEL_GROUPS)[number];

/** A GPT of issue 15: GPT-2's architecture at a size that trains on a laptop. */
export interface GptBenchConfig {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly embedDim: number;
}

export interface ModelSizes {
  readonly gpt: GptBenchConfig;
  /** Sequences of contextLength tokens per training step. */
  readonly gptBatch: number;
  /** Tokens of the generation prompt, and tokens generated per run (greedy). */
  readonly prompt: number;
  readonly newTokens: number;
  /** Images per CNN training step. */
  readonly cnnBatch: number;
  /** The MLP of `fit`: widths (input first), batch, and samples per epoch. */
  readonly mlp: readonly number[];
  readonly mlpBatch: number;
  readonly mlpSamples: number;
  /** Epochs of the seed example's fit (one full-batch step each). */
  readonly seedSteps: number;
  /**
   * Groups not run on plain JS (webgrad's cpu backend and tfjs-cpu), nor checked against
   * it: a GPT step takes seconds there. Their results are checked against wasm-1t instead
   * (and wasm-1t's against another contender).
   */
  readonly notOnCpu: readonly ModelGroup[];
}

export const DEFAULT_MODEL_SIZES: ModelSizes = {
  gpt: { vocabSize: 65, contextLength: 64, numLayers: 4, numHeads: 4, embedDim: 128 },
  gptBatch: 8,
  prompt: 8,
  newTokens: 32,
  cnnBatch: 64,
  mlp: [784, 128, 10],
  mlpBatch: 128,
  mlpSamples: 128 * 40,
  seedSteps: 1000,
  // the uncached generation reruns the prefix per token: tens of seconds on plain JS
  notOnCpu: ['gpt-generate-uncached'],
};

/**
 * `--quick`: the same models; GPT steps of 2 sequences, less generated text, a shorter
 * fit and seed run, nothing on plain JS (a quick run checks against wasm-1t).
 */
export const QUICK_MODEL_SIZES: ModelSizes = {
  ...DEFAULT_MODEL_SIZES, gptBatch: 2, newTokens: 8, mlpSamples: 128 * 10, seedSteps: 50,
  notOnCpu: ['gpt-train', 'gpt-generate', 'gpt-generate-uncached', 'cnn-train', 'mlp-fit', 'seed'],
};

export type ModelSpec =
  | { readonly kind: 'gpt-train'; readonly config: GptBenchConfig; readonly batch: number }
  | { readonly kind: 'gpt-generate'; readonly config: GptBenchConfig; readonly prompt: number; readonly newTokens: number; readonly cache: boolean }
  | { readonly kind: 'cnn-train'; readonly batch: number }
  | { readonly kind: 'mlp-fit'; readonly widths: readonly number[]; readonly batch: number; readonly samples: number }
  | { readonly kind: 'seed'; readonly steps: number };

export interface ModelWorkload {
  readonly info: WorkloadInfo;
  readonly spec: ModelSpec;
  /** Largest accepted error (see `modelErrorOf`). */
  readonly tolerance: number;
}

/** Host data: inputs, labels and initial weights (in the model's weight order). */
export interface ModelData {
  readonly x: Float32Array | Int32Array;
  readonly y: Float32Array | Int32Array;
  readonly weights: readonly Float32Array[];
  /** Generation: the prompt's ids. */
  readonly prompt?: Int32Array;
}

export function isModelGroup(name: string): name is ModelGroup {
  return (MODEL_GROUPS as readonly string[]).includes(name);
}

/** The small CNN of issue 15: 16×16×1 images, conv 8 → pool → conv 16 → pool → dense 10, Adam. */
export const CNN = { image: [16, 16, 1] as const, filters: [8, 16] as const, kernel: 3, classes: 10 };
/** Adam of every model workload, in both libraries (Keras' epsilon). */
export const MODEL_ADAM = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 };
/** The seed example (examples/seed.ts): one sigmoid unit, 3×3 inputs, SGD 0.1, mean squared error, full batch. */
export const SEED = { x: [1, 2, 3, 4, 5, 6, 7, 8, 9], y: [1, 0, 1], learningRate: 0.1 };
/** The MLP of fit: relu hidden layers, softmax output, categorical cross-entropy on one-hot labels, SGD. */
export const MLP_SGD = 0.1;

export const describeGpt = (c: GptBenchConfig) =>
  `GPT vocab ${c.vocabSize}, context ${c.contextLength}, ${c.numLayers} layers, ${c.numHeads} heads, embed ${c.embedDim}`;

/** Parameters of a GPT of this config (the head is tied to the token embedding). */
export function gptParameters(c: GptBenchConfig): number {
  const E = c.embedDim;
  const block = 4 * E + (E * 3 * E + 3 * E) + (E * E + E) + (E * 4 * E + 4 * E) + (4 * E * E + E);
  return c.vocabSize * E + c.contextLength * E + c.numLayers * block + 2 * E;
}

/** Flops of a GPT training step: 6 per parameter per token, and attention's QKᵀ and AV forward and backward. */
function gptTrainFlops(c: GptBenchConfig, batch: number): number {
  const tokens = batch * c.contextLength;
  return 6 * gptParameters(c) * tokens + 6 * 2 * c.numLayers * batch * c.contextLength * c.contextLength * c.embedDim;
}

export function modelGroupInfo(group: ModelGroup, s: ModelSizes): GroupInfo {
  const gpt = describeGpt(s.gpt);
  const mlp = s.mlp.join('-');
  switch (group) {
    case 'gpt-train':
      return { id: group, title: 'GPT training step', xLabel: 'batch', flopsNote: '6 flops per parameter per token, plus attention', unit: 'tokens/s', config: `${gpt}; batch ${s.gptBatch}; Adam (lr 1e-3)` };
    case 'gpt-generate':
      return { id: group, title: 'GPT generation, KV cache', xLabel: 'new tokens', flopsNote: 'not counted', unit: 'tokens/s', config: `${gpt}; ${s.prompt}-token prompt, ${s.newTokens} new tokens, greedy, batch 1` };
    case 'gpt-generate-uncached':
      return { id: group, title: 'GPT generation, no cache', xLabel: 'new tokens', flopsNote: 'not counted', unit: 'tokens/s', config: `${gpt}; ${s.prompt}-token prompt, ${s.newTokens} new tokens, greedy, batch 1, the whole prefix rerun per token` };
    case 'cnn-train':
      return { id: group, title: 'CNN training step', xLabel: 'batch', flopsNote: 'the convolutions and the dense layer, forward and backward', unit: 'samples/s', config: `16×16×1 images, conv 3×3 ${CNN.filters[0]} relu → max pool 2 → conv 3×3 ${CNN.filters[1]} relu → max pool 2 → dense ${CNN.classes} softmax; batch ${s.cnnBatch}; Adam (lr 1e-3)` };
    case 'mlp-fit':
      return { id: group, title: 'MLP fit, one epoch', xLabel: 'batch', flopsNote: 'the matmuls of forward and backward', unit: 'samples/s', config: `MLP ${mlp} (relu, softmax), categorical cross-entropy, SGD ${MLP_SGD}; model.fit over ${s.mlpSamples} samples, batch ${s.mlpBatch}, no shuffle` };
    case 'seed':
      return { id: group, title: 'The seed example (fit)', xLabel: 'steps', flopsNote: 'negligible: the time is overhead per step', unit: 'steps/s', config: `examples/seed.ts: one sigmoid unit on a 3×3 input, mean squared error, SGD ${SEED.learningRate}; model.fit for ${s.seedSteps} full-batch epochs` };
  }
}

/** The one workload of a model group. */
export function modelWorkloads(group: ModelGroup, s: ModelSizes): ModelWorkload[] {
  const info = (size: number, shape: string, flops: number, items: number): WorkloadInfo => ({ id: `${group}@${size}`, group, size, shape, flops, items });
  switch (group) {
    case 'gpt-train': {
      const tokens = s.gptBatch * s.gpt.contextLength;
      // losses of three steps: float32 sums in different orders through 4 blocks, then two Adam updates
      return [{ info: info(s.gptBatch, `ids [${s.gptBatch}×${s.gpt.contextLength}]`, gptTrainFlops(s.gpt, s.gptBatch), tokens), spec: { kind: 'gpt-train', config: s.gpt, batch: s.gptBatch }, tolerance: 1e-3 }];
    }
    case 'gpt-generate':
    case 'gpt-generate-uncached': {
      const cache = group === 'gpt-generate';
      // the greedy tokens: the same tokens, or a wrong result
      return [{ info: info(s.newTokens, `prompt [1×${s.prompt}] + ${s.newTokens}`, 0, s.newTokens), spec: { kind: 'gpt-generate', config: s.gpt, prompt: s.prompt, newTokens: s.newTokens, cache }, tolerance: 0 }];
    }
    case 'cnn-train': {
      const [h, w] = CNN.image;
      const [f1, f2] = CNN.filters;
      const k = CNN.kernel * CNN.kernel;
      const flops = 6 * s.cnnBatch * (h * w * k * 1 * f1 + (h / 2) * (w / 2) * k * f1 * f2 + (h / 4) * (w / 4) * f2 * CNN.classes);
      return [{ info: info(s.cnnBatch, `x [${s.cnnBatch}×${h}×${w}×1]`, flops, s.cnnBatch), spec: { kind: 'cnn-train', batch: s.cnnBatch }, tolerance: 1e-3 }];
    }
    case 'mlp-fit': {
      let flops = 0;
      for (let i = 0; i + 1 < s.mlp.length; i++) flops += 6 * s.mlpSamples * s.mlp[i]! * s.mlp[i + 1]!;
      return [{ info: info(s.mlpBatch, `${s.mlpSamples} samples × ${s.mlp[0]}, batch ${s.mlpBatch}`, flops, s.mlpSamples), spec: { kind: 'mlp-fit', widths: s.mlp, batch: s.mlpBatch, samples: s.mlpSamples }, tolerance: 1e-3 }];
    }
    case 'seed':
      return [{ info: info(s.seedSteps, 'x [3×3], y [3×1]', 0, s.seedSteps), spec: { kind: 'seed', steps: s.seedSteps }, tolerance: 1e-4 }];
  }
}

// ---- host data -------------------------------------------------------------------

function glorot(r: Random, fanIn: number, fanOut: number, length = fanIn * fanOut, receptive = 1): Float32Array {
  const limit = Math.sqrt(6 / (fanIn * receptive + fanOut * receptive));
  return Float32Array.from({ length }, () => r.uniform(-limit, limit));
}

const normal = (r: Random, length: number, std: number) => Float32Array.from({ length }, () => r.normal() * std);
const filled = (length: number, v: number) => new Float32Array(length).fill(v);

/** GPT-2's weight names and shapes in webgrad's (and Hugging Face's) order; [in, out] kernels. */
export function gptWeightShapes(c: GptBenchConfig): [string, number[]][] {
  const E = c.embedDim;
  const out: [string, number[]][] = [['wte.weight', [c.vocabSize, E]], ['wpe.weight', [c.contextLength, E]]];
  for (let i = 0; i < c.numLayers; i++) {
    const h = `h.${i}.`;
    out.push(
      [`${h}ln_1.weight`, [E]], [`${h}ln_1.bias`, [E]],
      [`${h}attn.c_attn.weight`, [E, 3 * E]], [`${h}attn.c_attn.bias`, [3 * E]],
      [`${h}attn.c_proj.weight`, [E, E]], [`${h}attn.c_proj.bias`, [E]],
      [`${h}ln_2.weight`, [E]], [`${h}ln_2.bias`, [E]],
      [`${h}mlp.c_fc.weight`, [E, 4 * E]], [`${h}mlp.c_fc.bias`, [4 * E]],
      [`${h}mlp.c_proj.weight`, [4 * E, E]], [`${h}mlp.c_proj.bias`, [E]],
    );
  }
  out.push(['ln_f.weight', [E]], ['ln_f.bias', [E]]);
  return out;
}

/** GPT-2's initialisation, drawn on the host: N(0, 0.02), residual projections scaled by 1/√(2L), unit norms, zero biases. */
function gptWeights(c: GptBenchConfig, r: Random): Float32Array[] {
  return gptWeightShapes(c).map(([name, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (/ln_\w+\.weight$/.test(name)) return filled(n, 1);
    if (name.endsWith('.bias')) return filled(n, 0);
    if (name === 'wpe.weight') return normal(r, n, 0.01);
    return normal(r, n, /c_proj\.weight$/.test(name) ? 0.02 / Math.sqrt(2 * c.numLayers) : 0.02);
  });
}

export function modelData(spec: ModelSpec): ModelData {
  const r = new Random(1515);
  switch (spec.kind) {
    case 'gpt-train': {
      const { vocabSize: V, contextLength: T } = spec.config;
      // a random token stream: the speed does not depend on the text
      const stream = Int32Array.from({ length: spec.batch * T + 1 }, () => r.int(V));
      const x = new Int32Array(spec.batch * T);
      const y = new Int32Array(spec.batch * T);
      for (let b = 0; b < spec.batch; b++) {
        // row b starts at offset b·T (overlapping windows are as good as any for timing)
        x.set(stream.subarray(b * T, b * T + T), b * T);
        y.set(stream.subarray(b * T + 1, b * T + T + 1), b * T);
      }
      return { x, y, weights: gptWeights(spec.config, r) };
    }
    case 'gpt-generate': {
      const prompt = Int32Array.from({ length: spec.prompt }, () => r.int(spec.config.vocabSize));
      return { x: prompt, y: new Int32Array(0), weights: gptWeights(spec.config, r), prompt };
    }
    case 'cnn-train': {
      const [h, w] = CNN.image;
      const [f1, f2] = CNN.filters;
      const k = CNN.kernel;
      const x = Float32Array.from({ length: spec.batch * h * w }, () => r.next());
      const y = Int32Array.from({ length: spec.batch }, () => r.int(CNN.classes));
      const flat = (h / 4) * (w / 4) * f2;
      const weights = [
        glorot(r, 1, f1, k * k * f1, k * k), filled(f1, 0),
        glorot(r, f1, f2, k * k * f1 * f2, k * k), filled(f2, 0),
        glorot(r, flat, CNN.classes), filled(CNN.classes, 0),
      ];
      return { x, y, weights };
    }
    case 'mlp-fit': {
      const { widths, samples } = spec;
      const classes = widths[widths.length - 1]!;
      const x = Float32Array.from({ length: samples * widths[0]! }, () => r.next());
      const y = new Float32Array(samples * classes);
      for (let i = 0; i < samples; i++) y[i * classes + r.int(classes)] = 1;
      const weights: Float32Array[] = [];
      for (let i = 0; i + 1 < widths.length; i++) weights.push(glorot(r, widths[i]!, widths[i + 1]!), filled(widths[i + 1]!, 0));
      return { x, y, weights };
    }
    case 'seed':
      return { x: Float32Array.from(SEED.x), y: Float32Array.from(SEED.y), weights: [glorot(r, 3, 1), filled(1, 0)] };
  }
}

/**
 * The error of `got` against `reference`: for losses, the largest difference relative
 * to each loss; for generated tokens, the share of tokens that differ (0 or a wrong result).
 */
export function modelErrorOf(spec: ModelSpec, reference: Float32Array, got: Float32Array): number {
  if (reference.length !== got.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const e = spec.kind === 'gpt-generate'
      ? (got[i] === reference[i] ? 0 : 1 / got.length)
      : Math.abs(got[i]! - reference[i]!) / Math.max(Math.abs(reference[i]!), 1e-12);
    if (spec.kind === 'gpt-generate') worst += e;
    else if (!(e <= worst)) worst = e; // NaN becomes the worst
  }
  return Number.isNaN(worst) ? Infinity : worst;
}
