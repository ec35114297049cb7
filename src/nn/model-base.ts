// What every model shares, whatever its layers are wired like: compile, fit,
// evaluate, predict, weights in and out, summary, save, dispose. Sequential (a
// stack), Model (a graph from the functional API) and GPT only say how a batch
// flows through their layers, which layers and weights they have, and how their
// architecture is written down.

import { describe } from '../autograd.js';
import type { History } from '../callbacks.js';
import { type LossFunction, type ResolvedLoss, resolveLoss, sparseCategoricalCrossentropy, categoricalCrossentropy, binaryCrossentropy } from '../losses.js';
import { type MetricFunction, type ResolvedMetric, resolveMetric } from '../metrics.js';
import { canonical, type LossName, type MetricName, OPTIMIZER_NAMES, type OptimizerName } from '../names.js';
import { checkNumber, checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import { shapeString } from '../ops/util.js';
import { type Optimizer, optimizers } from '../optimizers.js';
import { checkLossScaling, checkMixedBackend, type LossScaling, modelPrecision, withLossScaling } from '../mixed-precision.js';
import type { Precision } from '../precision.js';
import { saveModel } from '../io/save.js';
import type { SaveResult, SaveTarget } from '../io/store.js';
import type { Preprocessing } from '../io/tabular.js';
import type { ModelArchitecture } from '../io/model-json.js';
import { keep, tidy } from '../scope.js';
import { activeBackend } from '../backends/select.js';
import { Tensor, type Variable } from '../tensor.js';
import { evaluateBatches, fitLoop, type FitOptions } from '../train.js';
import { fitDatasetLoop, type FitDatasetOptions } from '../train-dataset.js';
import { type Dataset, isDataset } from '../datasets/dataset.js';
import type { Layer, Shape } from './layer.js';
import { describeEstimate, type EstimatedModel, estimateTrainingMemory } from './memory-estimate.js';

export type { OptimizerName };

export interface SummaryOptions {
  /** Width of the table's rules (default 65). */
  lineLength?: number;
  /** Where lines go (default console.log). */
  printFn?: (line: string) => void;
  /** Add a training-memory estimate for batches of this size (see wg.estimateTrainingMemory). */
  batchSize?: number;
  /** The optimizer to count state for (default: the compiled one). */
  optimizer?: Optimizer;
  /** The precision to estimate memory for (default: the layers' own; see wg.estimateTrainingMemory). */
  precision?: Precision;
}

export interface CompileArgs {
  /** An optimizer from wg.optimizers, or a name ('adam', 'sgd', Keras' 'Adam', ...) for one with its defaults. */
  optimizer: Optimizer | OptimizerName;
  /**
   * A loss function or name. On a model whose output is logits (`model.outputsLogits`,
   * as a GPT's), the cross-entropy names are taken with `fromLogits: true`. Names are
   * webgrad's or Keras' ('meanSquaredError', 'mse', 'binary_crossentropy', ...).
   */
  loss: LossFunction | LossName;
  /** Metric names ('accuracy', 'acc', 'mse', 'sparse_categorical_accuracy', ...) or functions. */
  metrics?: readonly (MetricName | MetricFunction)[] | MetricName | MetricFunction;
  /**
   * Dynamic loss scaling around the optimizer (wg.optimizers.lossScale): true or
   * `{ initialScale, dynamicGrowthSteps }` to scale, false not to. Default: scale when
   * the model's layers compute in 'mixed_float16' (wg.setPrecision), as Keras does.
   */
  lossScaling?: LossScaling;
}

export interface Compiled {
  readonly optimizer: Optimizer;
  readonly loss: ResolvedLoss;
  readonly metrics: readonly ResolvedMetric[];
}

export interface PredictOptions {
  batchSize?: number;
}

/** One row of summary(): the layer, its output shape (with batch) and its parameter count. */
export interface SummaryRow {
  readonly layer: Layer;
  readonly outputShape: Shape | undefined;
  /** Names of the layers feeding this one (functional models). */
  readonly inputs?: readonly string[];
}

/** Crossentropy names taken from logits when the model's output is logits. */
const FROM_LOGITS: Readonly<Record<string, LossFunction>> = {
  sparseCategoricalCrossentropy: (y, p) => sparseCategoricalCrossentropy(y, p, { fromLogits: true }),
  categoricalCrossentropy: (y, p) => categoricalCrossentropy(y, p, { fromLogits: true }),
  binaryCrossentropy: (y, p) => binaryCrossentropy(y, p, { fromLogits: true }),
};

const modelCounts = new Map<string, number>();

/** Keras-style default model names: sequential, sequential_1, model, model_1, ... */
export function defaultModelName(base: string): string {
  const n = modelCounts.get(base) ?? 0;
  modelCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

export abstract class LayersModel {
  readonly name: string;
  /** Set to true (by a callback, say) to end `fit` after the current batch. */
  stopTraining = false;
  /** How tables become this model's inputs (from wg.data.loadCsv); saved and loaded with the model. */
  preprocessing: Preprocessing | undefined = undefined;
  /**
   * True when the model outputs logits (unnormalised scores), so that compile takes the
   * cross-entropy loss names with fromLogits. False for stacks of layers, which say
   * what they output through their last activation.
   */
  readonly outputsLogits: boolean = false;
  private compiled: Compiled | undefined;

  protected constructor(name: string) {
    this.name = name;
  }

  /** The model's layers, each once, in the order their weights are listed. */
  abstract get layers(): readonly Layer[];
  /** Creates every layer's weights for samples of `inputShape` (no batch dimension). */
  abstract build(inputShape: Shape): void;
  /** Sample shape in (no batch dimension), once known. */
  abstract get inputShape(): Shape | undefined;
  /** Sample shape out (no batch dimension), once known. */
  abstract get outputShape(): Shape | undefined;
  /** Runs the model on a batch. In training mode dropout is active. */
  abstract apply(x: Tensor, training?: boolean): Tensor;
  /** @internal the architecture saved in model.json (the model is built) */
  abstract architecture(): ModelArchitecture;
  /** @internal the rows summary() prints */
  protected abstract summaryRows(): SummaryRow[];

  get built(): boolean {
    return this.layers.length > 0 && this.layers.every((l) => l.built);
  }

  /** Every weight once (a layer or variable used twice is listed once), in Keras order. */
  get weights(): Variable[] {
    return unique(this.layers.flatMap((l) => [...l.weights]));
  }

  get trainableWeights(): Variable[] {
    return unique(this.layers.flatMap((l) => [...l.trainableWeights]));
  }

  countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  compile(args: CompileArgs): void {
    checkOptions('compile', args, ['optimizer', 'loss', 'metrics', 'lossScaling']);
    if (!args) throw new Error('compile: expected { optimizer, loss }, got undefined');
    if (args.loss === undefined) throw new Error("compile: loss is required, e.g. 'meanSquaredError' or a function (yTrue, yPred) => scalar");
    if (args.optimizer === undefined) throw new Error("compile: optimizer is required, e.g. 'adam' or wg.optimizers.sgd({ learningRate: 0.1 })");
    const optimizer = typeof args.optimizer === 'string'
      ? optimizers[canonical('compile', 'optimizer', args.optimizer, OPTIMIZER_NAMES)]()
      : args.optimizer;
    if (typeof (optimizer as Optimizer)?.applyGradients !== 'function') {
      throw new TypeError(`compile: optimizer should be a name or an optimizer from wg.optimizers, got ${describe(args.optimizer)}`);
    }
    const lossScaling = checkLossScaling('compile', args.lossScaling);
    checkMixedBackend('compile', this.precision, this.weights[0]?.backend ?? activeBackend());
    let loss = resolveLoss(args.loss);
    const logits = this.outputsLogits ? FROM_LOGITS[loss.name] : undefined;
    if (logits) loss = { fn: logits, name: loss.name };
    const list = args.metrics === undefined ? [] : Array.isArray(args.metrics) ? args.metrics : [args.metrics];
    const metrics = list.map((m) => resolveMetric(m, loss.name));
    const kept = withLossScaling('compile', optimizer, this.precision, lossScaling);
    this.compiled?.optimizer.dispose();
    this.compiled = { optimizer: kept, loss, metrics };
  }

  /** @internal the compiled configuration; the error names `fn`, the function that needs it */
  compiledFor(fn: 'fit' | 'evaluate' | 'save'): Compiled {
    if (!this.compiled) throw new Error(`${fn}: call model.compile({ optimizer, loss }) before ${fn}`);
    // the backend may have changed since compile (the weights are made on the active one at build)
    if (fn === 'fit') checkMixedBackend(fn, this.precision, this.weights[0]?.backend ?? activeBackend());
    return this.compiled;
  }

  /** 'mixed_float16' when any layer computes in it (wg.setPrecision before the layers were made), else 'float32'. */
  get precision(): Precision {
    return modelPrecision(this.layers);
  }

  get optimizer(): Optimizer | undefined {
    return this.compiled?.optimizer;
  }

  /** Predictions for x (batched to bound memory), as one tensor. */
  predict(x: Tensor, options: PredictOptions = {}): Tensor {
    checkOptions('predict', options, ['batchSize']);
    this.checkInputs('predict', x);
    const batchSize = checkNumber('predict', 'batchSize', options.batchSize, 32, { integer: true, min: 1 });
    const n = x.shape[0]!;
    if (n <= batchSize) return tidy(() => this.apply(x, false));
    return tidy(() => {
      const parts: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const batch = ops.slice(x, [start], [Math.min(batchSize, n - start)]);
        parts.push(this.apply(batch, false));
      }
      return ops.concat(parts, 0);
    });
  }

  /** Loss and metrics over (x, y), as numbers. */
  async evaluate(x: Tensor, y: Tensor, options: PredictOptions = {}): Promise<Record<string, number>> {
    checkOptions('evaluate', options, ['batchSize']);
    const batchSize = checkNumber('evaluate', 'batchSize', options.batchSize, 32, { integer: true, min: 1 });
    this.checkInputs('evaluate', x, y);
    this.compiledFor('evaluate');
    this.checkTargets('evaluate', y);
    return evaluateBatches(this, x, y, batchSize);
  }

  /**
   * Trains for `epochs` passes over (x, y) (see FitOptions), or over a dataset of
   * { x, y } batches such as wg.data.textDataset's (see FitDatasetOptions).
   */
  async fit(x: Tensor, y: Tensor, options?: FitOptions): Promise<History>;
  async fit(dataset: Dataset, options?: FitDatasetOptions): Promise<History>;
  async fit(x: Tensor | Dataset, y?: Tensor | FitDatasetOptions, options: FitOptions = {}): Promise<History> {
    // fit(x, y) with x not a Tensor (nested arrays, say) is a wrong call on the tensor path, not a dataset
    if (isDataset(x) && !(y instanceof Tensor)) return fitDatasetLoop(this, x, y as FitDatasetOptions | undefined);
    this.checkInputs('fit', x as Tensor, y as Tensor);
    return fitLoop(this, x as Tensor, y as Tensor, options);
  }

  /** @internal what the message says when the model has no layers */
  protected emptyMessage(fn: string): string {
    return `${fn}: the model has no layers`;
  }

  /** @internal argument checks shared by fit / evaluate / predict */
  checkInputs(fn: string, x: Tensor, y?: Tensor): void {
    if (this.layers.length === 0) throw new Error(this.emptyMessage(fn));
    for (const [name, t] of y === undefined ? [['x', x] as const] : [['x', x] as const, ['y', y] as const]) {
      if (!(t instanceof Tensor)) throw new TypeError(`${fn}: ${name} should be a Tensor, got ${describe(t)}`);
      t.assertAlive(fn, name);
      this.checkBackend(fn, name, t);
    }
    if (x.rank < 1) throw new Error(`${fn}: x should have a batch dimension, got a scalar`);
    if (y !== undefined && (y.rank < 1 || y.shape[0] !== x.shape[0])) {
      throw new Error(`${fn}: x and y should have the same number of samples, got x ${shapeString(x.shape)} and y ${shapeString(y.shape)}`);
    }
    const expected = this.inputShape;
    if (expected) {
      const sample = x.shape.slice(1);
      if (sample.length !== expected.length || sample.some((d, i) => expected[i] !== null && d !== expected[i])) {
        throw new Error(`${fn}: x should have shape [batch,${expected.map((d) => d ?? '*').join(',')}] for this model, got ${shapeString(x.shape)}`);
      }
    }
  }

  /**
   * @internal targets should fit the model's output for the named losses that compare
   * like with like (a custom loss decides for itself; sparse labels have one value per row).
   */
  checkTargets(fn: string, y: Tensor): void {
    const out = this.outputShape;
    const loss = this.compiled?.loss.name;
    if (!out || loss === undefined || loss === 'custom') return;
    const sample = y.shape.slice(1);
    if (loss === 'sparseCategoricalCrossentropy') {
      const rows = out.slice(0, -1);
      const ok = (sample.length === rows.length || (sample.length === rows.length + 1 && sample[sample.length - 1] === 1)) && rows.every((d, i) => d === null || sample[i] === d);
      const shape = (extra: number[]) => `[${['batch', ...rows.map((d) => d ?? '*'), ...extra].join(',')}]`;
      if (!ok) throw new Error(`${fn}: y should hold one class index per sample, shape ${shape([])} or ${shape([1])}, got ${shapeString(y.shape)}`);
      return;
    }
    if (out.some((d) => d === null)) return;
    if (sample.length !== out.length || sample.some((d, i) => d !== out[i])) {
      throw new Error(`${fn}: y should have shape [batch,${out.join(',')}] to match the model's output, got ${shapeString(y.shape)}`);
    }
  }

  /** Tensors the model works on must live where its weights are (or on the active backend before it is built). */
  private checkBackend(fn: string, name: string, t: Tensor): void {
    const weight = this.weights[0];
    const home = weight ? weight.backend : activeBackend();
    if (t.backend === home) return;
    const where = weight ? `the model's weights are on ${home.name}` : `the active backend is ${home.name}`;
    throw new Error(`${fn}: ${name} lives on the ${t.backend.name} backend but ${where}; move it with wg.toBackend(${name}) or create it after setBackend()`);
  }

  /** Copies of every weight, in Keras order (per layer: kernel, then bias). */
  getWeights(): Tensor[] {
    return this.weights.map((w) => keep(ops.clone(w)));
  }

  /** Replaces every weight; shapes and order as getWeights returns them. */
  setWeights(weights: readonly Tensor[]): void {
    const own = this.weights;
    if (!Array.isArray(weights) || weights.length !== own.length) {
      throw new Error(`setWeights: expected ${own.length} tensors (${own.map((w) => `${w.name} ${shapeString(w.shape)}`).join(', ')}), got ${Array.isArray(weights) ? weights.length : describe(weights)}`);
    }
    weights.forEach((w, i) => {
      const target = own[i]!;
      if (!(w instanceof Tensor)) throw new TypeError(`setWeights: weight ${i} (${target.name}) should be a Tensor, got ${describe(w)}`);
      w.assertAlive('setWeights', `weight ${i} (${target.name})`);
      if (w.backend !== target.backend) {
        throw new Error(`setWeights: weight ${i} (${target.name}) lives on the ${w.backend.name} backend but the model's weights are on ${target.backend.name}; move it with wg.toBackend`);
      }
      if (w.rank !== target.rank || w.shape.some((d, j) => d !== target.shape[j])) {
        throw new Error(`setWeights: weight ${i} (${target.name}) should have shape ${shapeString(target.shape)}, got ${shapeString(w.shape)}`);
      }
      if (w.dtype !== target.dtype) throw new Error(`setWeights: weight ${i} (${target.name}) should be ${target.dtype}, got ${w.dtype}`);
    });
    // Checked everything first: a bad call changes nothing.
    weights.forEach((w, i) => own[i]!.assign(w));
  }

  /**
   * Whether the layers form one chain (each layer's output the next one's input), which
   * the training-memory estimate walks; graph models (functional, GPT) give a forwardPlan
   * instead. Sequential says yes.
   */
  protected get isChain(): boolean {
    return false;
  }

  /**
   * Prints (and returns) a table of layers, output shapes and parameter counts. Give
   * `{ batchSize }` to add an estimate of training memory (weights, gradients,
   * optimizer state, activations; see wg.estimateTrainingMemory), and `{ precision }` to
   * estimate it under another training precision.
   */
  summary(lineLength: number | SummaryOptions = 65, _positions?: readonly number[], printFn: (line: string) => void = console.log): string {
    let estimate: string[] = [];
    if (typeof lineLength === 'object' && lineLength !== null) {
      const o = lineLength;
      checkOptions('summary', o, ['lineLength', 'printFn', 'batchSize', 'optimizer', 'precision']);
      if (o.printFn !== undefined && typeof o.printFn !== 'function') throw new TypeError(`summary: printFn should be a function, got ${describe(o.printFn)}`);
      printFn = o.printFn ?? printFn;
      if (o.batchSize !== undefined) {
        if (!this.isChain && !(this as EstimatedModel).forwardPlan) throw new Error(`summary: a training-memory estimate ({ batchSize }) needs a model whose forward pass it can walk; ${this.name} is neither a chain of layers nor a graph that describes itself`);
        estimate = describeEstimate(estimateTrainingMemory(this, { batchSize: o.batchSize, ...(o.optimizer ? { optimizer: o.optimizer } : {}), ...(o.precision ? { precision: o.precision } : {}) }));
      }
      lineLength = checkNumber('summary', 'lineLength', o.lineLength, 65, { integer: true, min: 1 });
    }
    const summaryRows = this.summaryRows();
    const withInputs = summaryRows.some((r) => r.inputs !== undefined);
    const header = ['Layer (type)', 'Output shape', 'Param #', ...(withInputs ? ['Connected to'] : [])];
    const rows: string[][] = [header];
    for (const { layer, outputShape, inputs } of summaryRows) {
      const out = outputShape ? `[null,${outputShape.map((d) => d ?? 'null').join(',')}]` : '?';
      rows.push([`${layer.name} (${layer.className})`, out, String(layer.countParams()), ...(withInputs ? [(inputs ?? []).join(', ')] : [])]);
    }
    const widths = [Math.max(28, ...rows.map((r) => r[0]!.length + 2)), Math.max(20, ...rows.map((r) => r[1]!.length + 2)), 10, ...(withInputs ? [20] : [])];
    const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('').trimEnd();
    const rule = (ch: string) => ch.repeat(Math.max(lineLength, widths.reduce((a, b) => a + b, 0)));
    const trainable = this.trainableWeights.reduce((n, w) => n + w.size, 0);
    const total = this.countParams();
    const text = [
      `Model: ${this.name}`,
      rule('_'),
      line(rows[0]!),
      rule('='),
      ...rows.slice(1).flatMap((r, i) => (i === 0 ? [line(r)] : [rule('_'), line(r)])),
      rule('='),
      `Total params: ${total}`,
      `Trainable params: ${trainable}`,
      `Non-trainable params: ${total - trainable}`,
      ...(this.precision === 'float32' ? [] : [`Precision: ${this.precision} (float16 activations, float32 weights)`]),
      ...(estimate.length > 0 ? [...estimate, rule('_')] : [rule('_')]),
    ].join('\n');
    printFn(text);
    return text;
  }

  /**
   * Saves the weights (safetensors) and model.json (architecture, preprocessing,
   * training configuration) to a folder (Node, Deno), 'downloads://name' or
   * 'indexeddb://name' (browser). Load with wg.loadModel.
   */
  async save(target: SaveTarget): Promise<SaveResult> {
    return saveModel(this, target);
  }

  /** Frees the weights and the optimizer state. */
  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    this.compiled?.optimizer.dispose();
  }
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
