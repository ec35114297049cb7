// What the benchmark runs: the op groups (square matmul; the three products of an MLP
// layer's forward and backward pass; elementwise ops; reductions; a convolution
// layer's forward pass; a whole training step), their workloads per size, the host data every contender gets, webgrad's
// implementation of each, and how a result is compared with the reference.

// The pieces of the API it uses, by module: not '../index.js', whose import registers
// every backend. The training step is src/mlp-step.ts's, which the backend probe times
// too (the probe imports nothing from src/bench/).
import { MLP_ADAM, mlpParameterShapes, mlpStepData, mlpTrainingStep } from '../mlp-step.js';
import { add, conv2d, exp, matmul, max, relu, sum, tensor } from '../ops/index.js';
import { dispose } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { Random } from '../random.js';
import type { GroupInfo, WorkloadInfo } from './report.js';
import { compactNumber } from './svg.js';

export type WorkloadSpec =
  | { readonly kind: 'matmul'; readonly a: readonly [number, number]; readonly b: readonly [number, number]; readonly transposeA: boolean; readonly transposeB: boolean }
  | { readonly kind: 'unary'; readonly op: 'relu' | 'exp'; readonly length: number }
  | { readonly kind: 'binary'; readonly op: 'add'; readonly length: number }
  | { readonly kind: 'reduce'; readonly op: 'sum' | 'max'; readonly rows: number; readonly cols: number; readonly axis: 'all' | 'last' }
  | { readonly kind: 'conv2d'; readonly batch: number; readonly image: readonly [number, number, number]; readonly filters: number; readonly kernel: number }
  | { readonly kind: 'train'; readonly widths: readonly number[]; readonly batch: number };

export interface Workload {
  readonly info: WorkloadInfo;
  readonly spec: WorkloadSpec;
  /** Largest accepted error (see `errorOf`). */
  readonly tolerance: number;
}

/** Host data: the operands (or, for a training step, input, labels and initial weights). */
export interface WorkloadData {
  readonly inputs: readonly Float32Array[];
  readonly labels?: Int32Array;
}

/** One contender's instance of a workload, with its operands already on its device. */
export interface Case {
  /** One run (queued; the runner syncs). */
  run(): void;
  /**
   * The values compared with the reference: the output (after one run), or for a
   * training step the losses of the first three steps from the initial weights. Call
   * it before timing (it doubles as the warm-up that compiles kernels).
   */
  result(): Promise<Float32Array>;
  dispose(): void;
}

export const GROUP_NAMES = ['matmul', 'mlp-forward', 'mlp-weight-grad', 'mlp-input-grad', 'add', 'relu', 'exp', 'sum', 'max', 'conv2d', 'train'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

/** Names --ops accepts besides the group names. */
export const GROUP_ALIASES: Readonly<Record<string, readonly GroupName[]>> = {
  mlp: ['mlp-forward', 'mlp-weight-grad', 'mlp-input-grad'],
  elementwise: ['add', 'relu', 'exp'],
  reduce: ['sum', 'max'],
  all: GROUP_NAMES,
};

export interface Sizes {
  /** n of the square products. */
  readonly sizes: readonly number[];
  /** Batch sizes of the MLP products and the training step. */
  readonly batchSizes: readonly number[];
  /** Elements of the elementwise ops and reductions. */
  readonly elements: readonly number[];
  /** Layer widths of the MLP, input first. */
  readonly mlp: readonly number[];
}

export const DEFAULT_SIZES: Sizes = {
  sizes: [64, 128, 256, 512, 1024, 2048],
  batchSizes: [32, 128, 512, 2048],
  elements: [2 ** 12, 2 ** 14, 2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22],
  mlp: [784, 128, 10],
};

/**
 * The convolution layer of the conv2d group: [batch, 16, 16, 8] images, 16 filters of
 * 3x3, 'same' padding, bias and relu (a small CNN's second layer); batches from batchSizes.
 */
const CONV = { image: [16, 16, 8] as const, filters: 16, kernel: 3 };
const convFlops = (batch: number) => 2 * batch * CONV.image[0] * CONV.image[1] * CONV.kernel * CONV.kernel * CONV.image[2] * CONV.filters;

/** Row length of the 'max along the last axis' reduction. */
const ROW = 256;

const shape = (s: readonly number[]) => `[${s.join('×')}]`;

export function groupInfo(group: GroupName, sizes: Sizes): GroupInfo {
  const [inputs, units] = [sizes.mlp[0]!, sizes.mlp[1]!];
  const mlp = sizes.mlp.join('-');
  switch (group) {
    case 'matmul': return { id: group, title: 'matmul n×n · n×n', xLabel: 'n', flopsNote: '2n³ flops' };
    case 'mlp-forward': return { id: group, title: `MLP forward x·W [B×${inputs}]·[${inputs}×${units}]`, xLabel: 'batch', flopsNote: `2·B·${inputs}·${units} flops` };
    case 'mlp-weight-grad': return { id: group, title: `MLP weight gradient xᵀ·dy [B×${inputs}]ᵀ·[B×${units}]`, xLabel: 'batch', flopsNote: `2·B·${inputs}·${units} flops` };
    case 'mlp-input-grad': return { id: group, title: `MLP input gradient dy·Wᵀ [B×${units}]·[${inputs}×${units}]ᵀ`, xLabel: 'batch', flopsNote: `2·B·${inputs}·${units} flops` };
    case 'add': return { id: group, title: 'add a + b', xLabel: 'elements', flopsNote: 'one flop per element' };
    case 'relu': return { id: group, title: 'relu', xLabel: 'elements', flopsNote: 'one flop per element' };
    case 'exp': return { id: group, title: 'exp', xLabel: 'elements', flopsNote: 'one flop per element' };
    case 'sum': return { id: group, title: 'sum of all elements', xLabel: 'elements', flopsNote: 'one flop per element' };
    case 'max': return { id: group, title: `max along rows of ${ROW}`, xLabel: 'elements', flopsNote: 'one flop per element' };
    case 'conv2d': {
      const [h, w, c] = CONV.image;
      return {
        id: group, title: `conv2d forward [B×${h}×${w}×${c}] ⊛ [${CONV.kernel}×${CONV.kernel}×${c}×${CONV.filters}], same, bias + relu`,
        xLabel: 'batch', flopsNote: `2·B·${h}·${w}·${CONV.kernel * CONV.kernel}·${c}·${CONV.filters} flops`,
      };
    }
    case 'train': return { id: group, title: `training step, MLP ${mlp}, Adam`, xLabel: 'batch', flopsNote: 'the matmuls of forward and backward: 6·B·Σ in·out flops' };
  }
}

function matmulWorkload(group: GroupName, size: number, a: [number, number], b: [number, number], transposeA: boolean, transposeB: boolean): Workload {
  const m = transposeA ? a[1] : a[0];
  const k = transposeA ? a[0] : a[1];
  const n = transposeB ? b[0] : b[1];
  const label = `${shape(a)}${transposeA ? 'ᵀ' : ''}·${shape(b)}${transposeB ? 'ᵀ' : ''}`;
  return {
    info: { id: `${group}@${size}`, group, size, shape: label, flops: 2 * m * k * n },
    spec: { kind: 'matmul', a, b, transposeA, transposeB },
    // float32 sums of k products in different orders
    tolerance: 1e-4,
  };
}

/** The workloads of a group, smallest first. */
export function workloadsFor(group: GroupName, sizes: Sizes): Workload[] {
  const [inputs, units] = [sizes.mlp[0]!, sizes.mlp[1]!];
  const sorted = (list: readonly number[]) => [...new Set(list)].sort((a, b) => a - b);
  switch (group) {
    case 'matmul':
      return sorted(sizes.sizes).map((n) => matmulWorkload(group, n, [n, n], [n, n], false, false));
    case 'mlp-forward':
      return sorted(sizes.batchSizes).map((b) => matmulWorkload(group, b, [b, inputs], [inputs, units], false, false));
    case 'mlp-weight-grad':
      return sorted(sizes.batchSizes).map((b) => matmulWorkload(group, b, [b, inputs], [b, units], true, false));
    case 'mlp-input-grad':
      return sorted(sizes.batchSizes).map((b) => matmulWorkload(group, b, [b, units], [inputs, units], false, true));
    case 'add':
      return sorted(sizes.elements).map((length) => ({
        info: { id: `${group}@${length}`, group, size: length, shape: `${shape([length])} + ${shape([length])}`, flops: length },
        spec: { kind: 'binary', op: 'add', length }, tolerance: 1e-6,
      }));
    case 'relu':
    case 'exp':
      return sorted(sizes.elements).map((length) => ({
        info: { id: `${group}@${length}`, group, size: length, shape: shape([length]), flops: length },
        spec: { kind: 'unary', op: group, length }, tolerance: group === 'exp' ? 1e-5 : 1e-6,
      }));
    case 'sum':
      return sorted(sizes.elements).map((length) => ({
        info: { id: `${group}@${length}`, group, size: length, shape: `${shape([length])} → []`, flops: length },
        spec: { kind: 'reduce', op: 'sum', rows: 1, cols: length, axis: 'all' }, tolerance: 1e-5,
      }));
    case 'max':
      return sorted(sizes.elements).map((length) => {
        const rows = Math.max(1, Math.floor(length / ROW));
        const cols = Math.min(length, ROW);
        return {
          info: { id: `${group}@${length}`, group, size: length, shape: `${shape([rows, cols])} → ${shape([rows])}`, flops: rows * cols },
          spec: { kind: 'reduce', op: 'max', rows, cols, axis: 'last' }, tolerance: 1e-6,
        };
      });
    case 'conv2d':
      return sorted(sizes.batchSizes).map((batch) => ({
        info: { id: `${group}@${batch}`, group, size: batch, shape: `x ${shape([batch, ...CONV.image])}, filter ${shape([CONV.kernel, CONV.kernel, CONV.image[2], CONV.filters])}`, flops: convFlops(batch) },
        spec: { kind: 'conv2d', batch, image: CONV.image, filters: CONV.filters, kernel: CONV.kernel },
        // float32 sums of 72 products in different orders
        tolerance: 1e-4,
      }));
    case 'train':
      return sorted(sizes.batchSizes).map((batch) => {
        let flops = 0;
        for (let i = 0; i + 1 < sizes.mlp.length; i++) flops += 6 * batch * sizes.mlp[i]! * sizes.mlp[i + 1]!;
        return {
          info: { id: `${group}@${batch}`, group, size: batch, shape: `x ${shape([batch, inputs])}, MLP ${sizes.mlp.join('-')}`, flops },
          spec: { kind: 'train', widths: sizes.mlp, batch },
          // losses of three steps: float32 sums in different orders, amplified a little by the updates
          tolerance: 1e-3,
        };
      });
  }
}

export function describeSize(w: WorkloadInfo): string {
  return `${w.group} ${compactNumber(w.size)}`;
}

// ---- host data -------------------------------------------------------------------

function uniform(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = new Random(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = r.uniform(lo, hi);
  return out;
}

export function makeData(spec: WorkloadSpec): WorkloadData {
  switch (spec.kind) {
    case 'matmul':
      return { inputs: [uniform(spec.a[0] * spec.a[1], 1), uniform(spec.b[0] * spec.b[1], 2)] };
    case 'unary':
      return { inputs: [uniform(spec.length, 3, -2, 2)] };
    case 'binary':
      return { inputs: [uniform(spec.length, 4), uniform(spec.length, 5)] };
    case 'reduce':
      return { inputs: [uniform(spec.rows * spec.cols, 6)] };
    case 'conv2d': {
      const [h, w, c] = spec.image;
      return { inputs: [uniform(spec.batch * h * w * c, 7), uniform(spec.kernel * spec.kernel * c * spec.filters, 8, -0.3, 0.3), uniform(spec.filters, 9, -0.1, 0.1)] };
    }
    case 'train':
      return mlpStepData(spec.widths, spec.batch);
  }
}

/** The shapes of the training step's parameters: [in, out] kernels and [out] biases, alternating. */
export const parameterShapes = mlpParameterShapes;

/** The learning rate and epsilon of the training step's Adam, in both libraries. */
export const ADAM = MLP_ADAM;

/**
 * The error of `got` against `reference`: the largest absolute difference, relative to
 * the scale of the values (the largest |reference| value; for a sum, the largest sum
 * of |inputs| it adds up, which bounds its rounding error).
 */
export function errorOf(spec: WorkloadSpec, data: WorkloadData, reference: Float32Array, got: Float32Array): number {
  if (reference.length !== got.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - reference[i]!);
    if (!(d <= worst)) worst = d; // NaN becomes the worst
  }
  let scale = 0;
  if (spec.kind === 'reduce' && spec.op === 'sum') {
    for (const v of data.inputs[0]!) scale += Math.abs(v);
  } else if (spec.kind === 'train') {
    // relative to each loss
    let rel = 0;
    for (let i = 0; i < got.length; i++) {
      const r = Math.abs(got[i]! - reference[i]!) / Math.max(Math.abs(reference[i]!), 1e-12);
      if (!(r <= rel)) rel = r;
    }
    return rel;
  } else {
    for (const v of reference) scale = Math.max(scale, Math.abs(v));
  }
  return Number.isNaN(worst) ? Infinity : worst / Math.max(scale, 1e-30);
}

// ---- webgrad's implementation (on the active backend) ------------------------------

export function webgradCase(spec: WorkloadSpec, data: WorkloadData): Case {
  const read = async (t: Tensor): Promise<Float32Array> => {
    try {
      return Float32Array.from(await t.data<Float32Array>());
    } finally {
      t.dispose();
    }
  };
  switch (spec.kind) {
    case 'matmul': {
      const a = tensor(data.inputs[0]!, [...spec.a]);
      const b = tensor(data.inputs[1]!, [...spec.b]);
      const op = () => matmul(a, b, spec.transposeA, spec.transposeB);
      return { run: () => op().dispose(), result: () => read(op()), dispose: () => dispose([a, b]) };
    }
    case 'unary': {
      const x = tensor(data.inputs[0]!, [spec.length]);
      const op = spec.op === 'relu' ? () => relu(x) : () => exp(x);
      return { run: () => op().dispose(), result: () => read(op()), dispose: () => x.dispose() };
    }
    case 'binary': {
      const a = tensor(data.inputs[0]!, [spec.length]);
      const b = tensor(data.inputs[1]!, [spec.length]);
      const op = () => add(a, b);
      return { run: () => op().dispose(), result: () => read(op()), dispose: () => dispose([a, b]) };
    }
    case 'reduce': {
      const x = tensor(data.inputs[0]!, [spec.rows, spec.cols]);
      const op = spec.op === 'sum' ? () => sum(x) : () => max(x, -1);
      return { run: () => op().dispose(), result: () => read(op()), dispose: () => x.dispose() };
    }
    case 'conv2d': {
      const [x, filter, bias] = convOperands(spec).map((s, i) => tensor(data.inputs[i]!, s));
      const op = () => conv2d(x!, filter!, { padding: 'same', bias: bias!, activation: 'relu' });
      return { run: () => op().dispose(), result: () => read(op()), dispose: () => dispose([x!, filter!, bias!]) };
    }
    case 'train':
      // the step the backend probe times too (src/mlp-step.ts)
      return mlpTrainingStep(spec.widths, spec.batch, { inputs: data.inputs, labels: data.labels! });
  }
}

/** Shapes of the conv2d workload's x (NHWC), filter (HWIO) and bias. */
export function convOperands(spec: Extract<WorkloadSpec, { kind: 'conv2d' }>): [number[], number[], number[]] {
  return [[spec.batch, ...spec.image], [spec.kernel, spec.kernel, spec.image[2], spec.filters], [spec.filters]];
}
