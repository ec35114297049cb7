// The TF.js peer of the GPT workloads: a hand-written GPT of the same architecture as
// wg.models.gpt, in tfjs-core ops (TF.js has no GPT of its own): token + position
// embeddings, pre-norm blocks with a fused q/k/v projection, causal attention, a GELU
// (tanh form) MLP of 4× the width, a final layer norm and the output head tied to the
// token embedding; mean sparse cross-entropy and Adam. It starts from the same weights
// as webgrad's (Hugging Face's names and [in, out] kernels), so its first losses are
// checked against webgrad's cpu backend like any contender's. Generation reruns the
// whole prefix for each token (no KV cache), greedy.

import type * as TfCore from '@tensorflow/tfjs-core';
import { type GptBenchConfig, gptWeightShapes, MODEL_ADAM, type ModelData, type ModelSpec } from './model-workloads.js';
import type { Case } from './workloads.js';
import { tfjsStepCase } from './tfjs-step-case.js';

type Tf = typeof TfCore;
type T = TfCore.Tensor;

/** GPT-2's layer-norm epsilon (wg.models.gpt's default). */
const EPS = 1e-5;
let variables = 0;

function layerNorm(tf: Tf, x: T, gamma: T, beta: T): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), gamma), beta);
}

/** GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(tf: Tf, x: T): T {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** x [rows, in] · W [in, out] + b */
const linear = (tf: Tf, x: T, w: T, b: T): T => tf.add(tf.matMul(x as TfCore.Tensor2D, w as TfCore.Tensor2D), b);

/** The model's variables, by Hugging Face name, from the host's initial weights. */
function gptVariables(tf: Tf, config: GptBenchConfig, data: ModelData): Map<string, TfCore.Variable> {
  const id = variables++;
  return new Map(gptWeightShapes(config).map(([name, shape], i) => [name, tf.variable(tf.tensor(data.weights[i]!, shape), true, `webgrad_bench_gpt${id}_${name}`)]));
}

/** Logits [batch·time, vocab] for int32 ids [batch, time]. */
function forward(tf: Tf, c: GptBenchConfig, p: Map<string, TfCore.Variable>, ids: TfCore.Tensor2D, mask: T): T {
  const [B, T] = ids.shape;
  const E = c.embedDim;
  const H = c.numHeads;
  const D = E / H;
  const w = (name: string) => p.get(name)!;
  const positions = tf.range(0, T, 1, 'int32');
  // [B, T, E] as rows [B·T, E]
  let x = tf.reshape(tf.add(tf.gather(w('wte.weight'), ids), tf.gather(w('wpe.weight'), positions)), [B * T, E]);
  const causal = T === mask.shape[0] ? mask : tf.slice(mask, [0, 0], [T, T]);
  for (let i = 0; i < c.numLayers; i++) {
    const h = `h.${i}.`;
    const qkv = linear(tf, layerNorm(tf, x, w(`${h}ln_1.weight`), w(`${h}ln_1.bias`)), w(`${h}attn.c_attn.weight`), w(`${h}attn.c_attn.bias`));
    // [B, T, 3, H, D] → [3, B, H, T, D]: q, k, v with the heads as a batch
    const heads = tf.transpose(tf.reshape(qkv, [B, T, 3, H, D]), [2, 0, 3, 1, 4]);
    const [q, k, v] = tf.split(heads, 3, 0).map((t) => tf.reshape(t, [B * H, T, D]) as TfCore.Tensor3D);
    const scores = tf.add(tf.mul(tf.matMul(q!, k!, false, true), 1 / Math.sqrt(D)), causal);
    const y = tf.matMul(tf.softmax(scores) as TfCore.Tensor3D, v!);
    const merged = tf.reshape(tf.transpose(tf.reshape(y, [B, H, T, D]), [0, 2, 1, 3]), [B * T, E]);
    x = tf.add(x, linear(tf, merged, w(`${h}attn.c_proj.weight`), w(`${h}attn.c_proj.bias`)));
    const fc = geluTanh(tf, linear(tf, layerNorm(tf, x, w(`${h}ln_2.weight`), w(`${h}ln_2.bias`)), w(`${h}mlp.c_fc.weight`), w(`${h}mlp.c_fc.bias`)));
    x = tf.add(x, linear(tf, fc, w(`${h}mlp.c_proj.weight`), w(`${h}mlp.c_proj.bias`)));
  }
  const final = layerNorm(tf, x, w('ln_f.weight'), w('ln_f.bias'));
  return tf.matMul(final as TfCore.Tensor2D, w('wte.weight') as unknown as TfCore.Tensor2D, false, true);
}

/** 0 on and below the diagonal, a large negative number above it (the future). */
function causalMask(tf: Tf, T: number): T {
  const values = new Float32Array(T * T);
  for (let r = 0; r < T; r++) for (let col = r + 1; col < T; col++) values[r * T + col] = -1e9;
  return tf.tensor2d(values, [T, T]);
}

/** The peer's instance of a GPT workload: a training step, or uncached greedy generation. */
export function tfjsGptCase(tf: Tf, spec: Extract<ModelSpec, { kind: 'gpt-train' | 'gpt-generate' }>, data: ModelData): Case {
  const c = spec.config;
  const params = gptVariables(tf, c, data);
  const mask = causalMask(tf, c.contextLength);
  const owned: T[] = [mask, ...params.values()];
  if (spec.kind === 'gpt-generate') {
    const generate = async (): Promise<Float32Array> => {
      const ids = Array.from(data.prompt!);
      for (let i = 0; i < spec.newTokens; i++) {
        const window = ids.slice(-c.contextLength);
        const next = tf.tidy(() => {
          const logits = forward(tf, c, params, tf.tensor2d(window, [1, window.length], 'int32'), mask);
          return tf.argMax(tf.slice(logits, [window.length - 1, 0], [1, c.vocabSize]), -1);
        });
        ids.push((await next.data())[0]!);
        next.dispose();
      }
      return Float32Array.from(ids);
    };
    return { run: async () => void (await generate()), result: generate, dispose: () => tf.dispose(owned) };
  }
  const shape: [number, number] = [spec.batch, c.contextLength];
  const x = tf.tensor2d(data.x as Int32Array, shape, 'int32');
  const oneHot = tf.oneHot(tf.tensor1d(data.y as Int32Array, 'int32'), c.vocabSize);
  owned.push(x, oneHot);
  const optimizer = tf.train.adam(MODEL_ADAM.learningRate, MODEL_ADAM.beta1, MODEL_ADAM.beta2, MODEL_ADAM.eps);
  const list = [...params.values()];
  const step = (): TfCore.Scalar => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(oneHot, forward(tf, c, params, x, mask)) as TfCore.Scalar, list);
    optimizer.applyGradients(grads as never);
    return value;
  });
  return tfjsStepCase(step, () => {
    tf.dispose(owned);
    optimizer.dispose();
  });
}
