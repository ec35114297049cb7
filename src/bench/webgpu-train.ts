// One training step of an MLP (fused dense + relu layers, softmax cross-entropy,
// Adam): webgrad on WebGPU against tfjs-webgpu with the same initial weights and
// data, on the same adapter. The losses of the first steps are cross-checked.

import * as wg from '../index.js';
import { activeBackend } from '../backends/select.js';
import { Random } from '../random.js';
import type { TfjsPeer } from './webgpu-peer.js';
import { gflops, measure, type TimingOptions } from './webgpu-timing.js';

export interface TrainBenchOptions extends TimingOptions {
  /** Layer widths, input first: [784, 256, 256, 10] is a 784-256-256-10 MLP. */
  readonly widths: readonly number[];
  readonly batch: number;
  readonly peer?: TfjsPeer;
  readonly log?: (line: string) => void;
}

export interface TrainRow {
  readonly model: string;
  readonly batch: number;
  /** Median milliseconds per step. */
  readonly webgradMs: number;
  readonly tfjsMs?: number;
  /** tfjs time / webgrad time (> 1: webgrad is faster). */
  readonly ratio?: number;
  /** GFLOP/s of webgrad counting the matmuls (forward 2, backward 4 per weight). */
  readonly webgradGflops: number;
  /** Losses of the first three steps, webgrad and tfjs. */
  readonly losses: { readonly webgrad: readonly number[]; readonly tfjs?: readonly number[] };
}

interface Problem {
  readonly x: Float32Array;
  readonly labels: Int32Array;
  readonly weights: { data: Float32Array; shape: number[] }[];
}

function problem(widths: readonly number[], batch: number): Problem {
  const r = new Random(2024);
  const x = Float32Array.from({ length: batch * widths[0]! }, () => r.uniform(0, 1));
  const labels = Int32Array.from({ length: batch }, () => r.int(widths.at(-1)!));
  const weights: Problem['weights'] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const [fanIn, fanOut] = [widths[i]!, widths[i + 1]!];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    weights.push({ data: Float32Array.from({ length: fanIn * fanOut }, () => r.uniform(-limit, limit)), shape: [fanIn, fanOut] });
    weights.push({ data: new Float32Array(fanOut), shape: [fanOut] });
  }
  return { x, labels, weights };
}

async function webgradSteps(p: Problem, widths: readonly number[], batch: number, options: TimingOptions) {
  await wg.setBackend('webgpu');
  const x = wg.tensor(p.x, [batch, widths[0]!]);
  const labels = wg.tensor(p.labels, [batch], 'int32');
  const vars = p.weights.map((w, i) => wg.variable(wg.tensor(w.data, w.shape), true, `w${i}`));
  const optimizer = wg.optimizers.adam({ learningRate: 1e-3, eps: 1e-7 });
  const step = (): wg.Tensor =>
    wg.tidy(() => {
      const { value, grads } = wg.valueAndGrad(() => {
        let h = x;
        for (let i = 0; i < vars.length; i += 2) {
          h = wg.dense(h, vars[i]!, { bias: vars[i + 1]!, activation: i + 2 < vars.length ? 'relu' : 'linear' });
        }
        return wg.losses.sparseCategoricalCrossentropy(labels, h, { fromLogits: true });
      }, vars);
      optimizer.applyGradients(grads, vars);
      return value;
    });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) losses.push((await step().data())[0]!);
  const m = await measure(() => step().dispose(), async () => { await activeBackend().sync?.(); }, options);
  wg.dispose([x, labels, ...vars]);
  return { seconds: m.seconds, losses };
}

async function tfjsSteps(peer: TfjsPeer, p: Problem, widths: readonly number[], batch: number, options: TimingOptions) {
  const { tf } = peer;
  const x = tf.tensor2d(p.x, [batch, widths[0]!]);
  const oneHot = tf.oneHot(tf.tensor1d(p.labels, 'int32'), widths.at(-1)!);
  const vars = p.weights.map((w, i) => tf.variable(tf.tensor(w.data, w.shape), true, `bench_w${i}_${Date.now()}`));
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        let h: import('@tensorflow/tfjs-core').Tensor2D = x;
        for (let i = 0; i < vars.length; i += 2) {
          h = tf.fused.matMul({ a: h, b: vars[i] as never, bias: vars[i + 1], activation: i + 2 < vars.length ? 'relu' : 'linear' }) as typeof h;
        }
        return tf.losses.softmaxCrossEntropy(oneHot, h) as import('@tensorflow/tfjs-core').Scalar;
      }, vars);
      optimizer.applyGradients(grads as never);
      return value;
    });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const v = step();
    losses.push((await v.data())[0]!);
    v.dispose();
  }
  const m = await measure(() => step().dispose(), () => peer.sync(), options);
  tf.dispose([x, oneHot, ...vars]);
  optimizer.dispose();
  return { seconds: m.seconds, losses };
}

export async function benchTrainStep(options: TrainBenchOptions): Promise<TrainRow> {
  const { widths, batch, peer, log = () => {} } = options;
  const p = problem(widths, batch);
  const mine = await webgradSteps(p, widths, batch, options);
  let flops = 0;
  for (let i = 0; i + 1 < widths.length; i++) flops += 6 * batch * widths[i]! * widths[i + 1]!;
  const row: { -readonly [K in keyof TrainRow]: TrainRow[K] } = {
    model: `MLP ${widths.join('-')}, Adam`,
    batch,
    webgradMs: mine.seconds * 1000,
    webgradGflops: gflops(flops, mine.seconds),
    losses: { webgrad: mine.losses },
  };
  if (peer && !peer.gradients) log('tfjs training step skipped: tfjs gradients are not registered (run the bundled bench: npm run bench:webgpu)');
  if (peer?.gradients) {
    const theirs = await tfjsSteps(peer, p, widths, batch, options);
    row.tfjsMs = theirs.seconds * 1000;
    row.ratio = row.tfjsMs / row.webgradMs;
    row.losses = { webgrad: mine.losses, tfjs: theirs.losses };
    for (const [i, l] of theirs.losses.entries()) {
      if (Math.abs(l - mine.losses[i]!) > 1e-3 * Math.abs(l)) {
        throw new Error(`training step ${i + 1}: webgrad loss ${mine.losses[i]} differs from tfjs' ${l}`);
      }
    }
  }
  log(
    `train step (${row.model}, batch ${batch}): webgrad ${row.webgradMs.toFixed(1)} ms (${row.webgradGflops.toFixed(2)} GFLOP/s)` +
      (row.tfjsMs !== undefined ? `, tfjs-webgpu ${row.tfjsMs.toFixed(1)} ms (ratio ${row.ratio!.toFixed(2)}x); losses agree: ${mine.losses.map((l) => l.toFixed(5)).join(', ')}` : ''),
  );
  return row;
}
