// A small MLP's training step on the active backend: fused dense + relu layers, softmax
// cross-entropy on integer labels, backward, Adam. It is what setBackend('auto',
// { probe }) times on each backend (src/backends/probe.ts) and what the benchmark's
// 'train' group measures (src/bench/workloads.ts), so that the two agree; it lives
// below both, built on ops and optimizers only (no layers: the probe is loaded by
// 'webgrad/core' and must stay small).

import { valueAndGrad } from './autograd.js';
import { losses } from './losses.js';
import { dense, tensor, variable } from './ops/index.js';
import { optimizers } from './optimizers.js';
import { Random } from './random.js';
import { dispose, tidy } from './scope.js';
import type { Tensor } from './tensor.js';

/** Host data of a step: the input [batch, widths[0]], then the initial weights; integer labels. */
export interface MlpStepData {
  readonly inputs: readonly Float32Array[];
  readonly labels: Int32Array;
}

/** The learning rate, betas and epsilon of the step's Adam (the benchmark's peers use the same). */
export const MLP_ADAM = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const;

/** The shapes of the step's parameters: [in, out] kernels and [out] biases, alternating. */
export function mlpParameterShapes(widths: readonly number[]): number[][] {
  const shapes: number[][] = [];
  for (let i = 0; i + 1 < widths.length; i++) shapes.push([widths[i]!, widths[i + 1]!], [widths[i + 1]!]);
  return shapes;
}

/**
 * Seeded host data for an MLP of `widths` (input first) at `batch`: uniform inputs in
 * [0, 1), labels, Glorot-uniform kernels and zero biases. Its own generator, so that
 * making it leaves wg.setSeed's stream as it was.
 */
export function mlpStepData(widths: readonly number[], batch: number): MlpStepData {
  const r = new Random(2024);
  const x = Float32Array.from({ length: batch * widths[0]! }, () => r.uniform(0, 1));
  const labels = Int32Array.from({ length: batch }, () => r.int(widths[widths.length - 1]!));
  const weights: Float32Array[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const [fanIn, fanOut] = [widths[i]!, widths[i + 1]!];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    weights.push(Float32Array.from({ length: fanIn * fanOut }, () => r.uniform(-limit, limit)));
    weights.push(new Float32Array(fanOut));
  }
  return { inputs: [x, ...weights], labels };
}

/** A step with its data and weights on the device. */
export interface MlpStep {
  /** One step (queued; the caller syncs). */
  run(): void;
  /** The losses of the next three steps, read back (the first call doubles as a warm-up). */
  result(): Promise<Float32Array>;
  /** Frees the data, the weights and the optimizer's state. */
  dispose(): void;
}

/** The training step of an MLP of `widths` at `batch`, on the active backend, from `data`. */
export function mlpTrainingStep(widths: readonly number[], batch: number, data: MlpStepData): MlpStep {
  const x = tensor(data.inputs[0]!, [batch, widths[0]!]);
  const labels = tensor(data.labels, [batch], 'int32');
  const shapes = mlpParameterShapes(widths);
  // the tidy frees the initial tensors (a variable holds its own reference to the values)
  const params = tidy(() => shapes.map((s, i) => variable(tensor(data.inputs[i + 1]!, s), true, `mlp_step_w${i}`)));
  const optimizer = optimizers.adam({ ...MLP_ADAM });
  const step = (): Tensor =>
    tidy(() => {
      const { value, grads } = valueAndGrad(() => {
        let h: Tensor = x;
        for (let i = 0; i < params.length; i += 2) {
          h = dense(h, params[i]!, { bias: params[i + 1]!, activation: i + 2 < params.length ? 'relu' : 'linear' });
        }
        return losses.sparseCategoricalCrossentropy(labels, h, { fromLogits: true });
      }, params);
      optimizer.applyGradients(grads, params);
      return value;
    });
  return {
    run: () => step().dispose(),
    async result() {
      const values = new Float32Array(3);
      for (let i = 0; i < 3; i++) {
        const loss = step();
        try {
          values[i] = (await loss.data())[0]!;
        } finally {
          loss.dispose();
        }
      }
      return values;
    },
    dispose: () => {
      dispose([x, labels, ...params]);
      optimizer.dispose();
    },
  };
}
