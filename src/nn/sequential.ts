// A stack of layers with Keras' model API: compile, fit, evaluate, predict,
// getWeights / setWeights, summary.

import { describe } from '../autograd.js';
import type { Callback, History } from '../callbacks.js';
import { type LossFunction, type ResolvedLoss, resolveLoss } from '../losses.js';
import { type MetricFunction, type ResolvedMetric, resolveMetric } from '../metrics.js';
import { checkNumber, checkOptions, lookup } from '../options.js';
import * as ops from '../ops/index.js';
import { shapeString } from '../ops/util.js';
import { type Optimizer, optimizers } from '../optimizers.js';
import { saveModel } from '../io/save.js';
import type { SaveResult, SaveTarget } from '../io/store.js';
import type { Preprocessing } from '../io/tabular.js';
import { keep, tidy } from '../scope.js';
import { describeEstimate, estimateTrainingMemory } from './memory-estimate.js';
import { activeBackend } from '../backends/select.js';
import { Tensor, type Variable } from '../tensor.js';
import { evaluateBatches, fitLoop, type FitOptions } from '../train.js';
import { Layer, type Shape } from './layer.js';

export type OptimizerName = keyof typeof optimizers;

export interface SummaryOptions {
  /** Width of the table's rules (default 65). */
  lineLength?: number;
  /** Where lines go (default console.log). */
  printFn?: (line: string) => void;
  /** Add a training-memory estimate for batches of this size. */
  batchSize?: number;
  /** The optimizer to count state for (default: the compiled one). */
  optimizer?: Optimizer;
}

export interface CompileArgs {
  optimizer: Optimizer | OptimizerName;
  loss: LossFunction | string;
  metrics?: readonly (string | MetricFunction)[] | string | MetricFunction;
}

export interface Compiled {
  readonly optimizer: Optimizer;
  readonly loss: ResolvedLoss;
  readonly metrics: readonly ResolvedMetric[];
}

export interface SequentialArgs {
  layers?: readonly Layer[];
  name?: string;
}

export interface PredictOptions {
  batchSize?: number;
}

let modelCount = 0;

export class Sequential {
  readonly name: string;
  /** Set to true (by a callback, say) to end `fit` after the current batch. */
  stopTraining = false;
  /** How tables become this model's inputs (from wg.data.loadCsv); saved and loaded with the model. */
  preprocessing: Preprocessing | undefined = undefined;
  private readonly layerList: Layer[] = [];
  private compiled: Compiled | undefined;

  constructor(args: SequentialArgs | readonly Layer[] = {}) {
    const options = Array.isArray(args) ? { layers: args as readonly Layer[] } : (args as SequentialArgs);
    checkOptions('sequential', options, ['layers', 'name']);
    this.name = options.name ?? (modelCount++ === 0 ? 'sequential' : `sequential_${modelCount - 1}`);
    for (const layer of options.layers ?? []) this.add(layer);
  }

  get layers(): readonly Layer[] {
    return this.layerList;
  }

  /** Appends a layer; the model builds as soon as the first layer knows its input shape. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) {
      throw new TypeError(`sequential.add: expected a layer such as wg.layers.dense({ units: 8 }), got ${describe(layer)}`);
    }
    if (this.layerList.includes(layer)) throw new Error(`sequential.add: layer '${layer.name}' is already in this model`);
    if (this.layerList.length > 0 && layer.declaredInputShape) {
      // Keras ignores inputShape on later layers only when it matches; say so when it does not.
      const expected = this.outputShapeOf(this.layerList.length);
      if (expected && (expected.length !== layer.declaredInputShape.length || expected.some((d, i) => d !== null && d !== layer.declaredInputShape![i]))) {
        throw new Error(`sequential.add: layer '${layer.name}' declares inputShape ${shapeString(layer.declaredInputShape)}, but the previous layer outputs ${shapeString(expected.map((d) => d ?? -1))}`);
      }
    }
    this.layerList.push(layer);
    const first = this.layerList[0]!.declaredInputShape;
    if (first) this.build(first);
  }

  /** Creates every layer's weights for samples of `inputShape` (no batch dimension). */
  build(inputShape: Shape): void {
    let shape: Shape = inputShape;
    for (const layer of this.layerList) {
      layer.build(shape);
      shape = layer.computeOutputShape(shape);
    }
  }

  get built(): boolean {
    return this.layerList.length > 0 && this.layerList.every((l) => l.built);
  }

  /** Sample shape in (no batch dimension), once known. */
  get inputShape(): Shape | undefined {
    return this.layerList[0]?.inputShape ?? this.layerList[0]?.declaredInputShape;
  }

  /** Sample shape out (no batch dimension), once known. */
  get outputShape(): Shape | undefined {
    return this.outputShapeOf(this.layerList.length);
  }

  private outputShapeOf(count: number): Shape | undefined {
    let shape = this.inputShape;
    if (!shape) return undefined;
    for (const layer of this.layerList.slice(0, count)) shape = layer.computeOutputShape(shape);
    return shape;
  }

  get weights(): Variable[] {
    return this.layerList.flatMap((l) => [...l.weights]);
  }

  get trainableWeights(): Variable[] {
    return this.layerList.flatMap((l) => [...l.trainableWeights]);
  }

  countParams(): number {
    return this.layerList.reduce((n, l) => n + l.countParams(), 0);
  }

  compile(args: CompileArgs): void {
    checkOptions('compile', args, ['optimizer', 'loss', 'metrics']);
    if (!args) throw new Error('compile: expected { optimizer, loss }, got undefined');
    if (args.loss === undefined) throw new Error("compile: loss is required, e.g. 'meanSquaredError' or a function (yTrue, yPred) => scalar");
    if (args.optimizer === undefined) throw new Error("compile: optimizer is required, e.g. 'adam' or wg.optimizers.sgd({ learningRate: 0.1 })");
    const optimizer = typeof args.optimizer === 'string'
      ? lookup('compile', 'optimizer', args.optimizer, optimizers)()
      : args.optimizer;
    if (typeof (optimizer as Optimizer)?.applyGradients !== 'function') {
      throw new TypeError(`compile: optimizer should be a name or an optimizer from wg.optimizers, got ${describe(args.optimizer)}`);
    }
    const loss = resolveLoss(args.loss);
    const list = args.metrics === undefined ? [] : Array.isArray(args.metrics) ? args.metrics : [args.metrics];
    const metrics = list.map((m) => resolveMetric(m, loss.name));
    this.compiled?.optimizer.dispose();
    this.compiled = { optimizer, loss, metrics };
  }

  /** @internal the compiled configuration; the error names `fn`, the function that needs it */
  compiledFor(fn: 'fit' | 'evaluate' | 'save'): Compiled {
    if (!this.compiled) throw new Error(`${fn}: call model.compile({ optimizer, loss }) before ${fn}`);
    return this.compiled;
  }

  get optimizer(): Optimizer | undefined {
    return this.compiled?.optimizer;
  }

  /** Runs the layers on a batch. In training mode dropout is active. */
  apply(x: Tensor, training = false): Tensor {
    if (this.layerList.length === 0) throw new Error(`${this.name}: the model has no layers`);
    let h = x;
    for (const layer of this.layerList) {
      const next = layer.apply(h, training);
      if (h !== x) h.dispose();
      h = next;
    }
    return h;
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

  /** Trains for `epochs` passes over (x, y); see FitOptions. */
  async fit(x: Tensor, y: Tensor, options: FitOptions = {}): Promise<History> {
    this.checkInputs('fit', x, y);
    return fitLoop(this, x, y, options);
  }

  /** @internal argument checks shared by fit / evaluate / predict */
  checkInputs(fn: string, x: Tensor, y?: Tensor): void {
    if (this.layerList.length === 0) throw new Error(`${fn}: the model has no layers; add one with model.add(wg.layers.dense({ units, inputShape }))`);
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
    if (!out || out.some((d) => d === null) || loss === undefined || loss === 'custom') return;
    const sample = y.shape.slice(1);
    if (loss === 'sparseCategoricalCrossentropy') {
      const rows = out.slice(0, -1) as number[];
      const ok = (sample.length === rows.length || (sample.length === rows.length + 1 && sample[sample.length - 1] === 1)) && rows.every((d, i) => sample[i] === d);
      const shape = (extra: number[]) => `[${['batch', ...rows, ...extra].join(',')}]`;
      if (!ok) throw new Error(`${fn}: y should hold one class index per sample, shape ${shape([])} or ${shape([1])}, got ${shapeString(y.shape)}`);
      return;
    }
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
   * Prints (and returns) a table of layers, output shapes and parameter counts. Give
   * `{ batchSize }` to add an estimate of training memory (weights, gradients,
   * optimizer state, activations; see wg.estimateTrainingMemory).
   */
  summary(lineLength: number | SummaryOptions = 65, _positions?: readonly number[], printFn: (line: string) => void = console.log): string {
    let estimate: string[] = [];
    if (typeof lineLength === 'object' && lineLength !== null) {
      const o = lineLength;
      checkOptions('summary', o, ['lineLength', 'printFn', 'batchSize', 'optimizer']);
      if (o.printFn !== undefined && typeof o.printFn !== 'function') throw new TypeError(`summary: printFn should be a function, got ${describe(o.printFn)}`);
      printFn = o.printFn ?? printFn;
      if (o.batchSize !== undefined) {
        estimate = describeEstimate(estimateTrainingMemory(this, { batchSize: o.batchSize, ...(o.optimizer ? { optimizer: o.optimizer } : {}) }));
      }
      lineLength = checkNumber('summary', 'lineLength', o.lineLength, 65, { integer: true, min: 1 });
    }
    const rows: string[][] = [['Layer (type)', 'Output shape', 'Param #']];
    let shape = this.inputShape;
    for (const layer of this.layerList) {
      shape = shape ? layer.computeOutputShape(shape) : undefined;
      const out = shape ? `[null,${shape.map((d) => d ?? 'null').join(',')}]` : '?';
      rows.push([`${layer.name} (${layer.className})`, out, String(layer.countParams())]);
    }
    const widths = [Math.max(28, ...rows.map((r) => r[0]!.length + 2)), Math.max(20, ...rows.map((r) => r[1]!.length + 2)), 10];
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
    for (const layer of this.layerList) layer.dispose();
    this.compiled?.optimizer.dispose();
  }
}

export function sequential(args?: SequentialArgs | readonly Layer[]): Sequential {
  return new Sequential(args);
}

export type { Callback };
