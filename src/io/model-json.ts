// model.json: what a saved model is besides its weights — the architecture (each
// layer's toConfig()), the preprocessing, and the training configuration — and the
// checks that a model.json and a weights file agree before anything is allocated.

import { preservingGlobalStream } from '../random.js';
import { describe } from '../autograd.js';
import { resolveLoss } from '../losses.js';
import { resolveMetric } from '../metrics.js';
import type { Layer, LayerConfig, Shape } from '../nn/layer.js';
import { layerFromConfig } from '../nn/registry.js';
import type { Sequential } from '../nn/sequential.js';
import { type OptimizerConfig, optimizers } from '../optimizers.js';
import { scheduleFromConfig, type SerializedSchedule } from '../schedules.js';
import * as ops from '../ops/index.js';
import { shapeString } from '../ops/util.js';
import type { Safetensors } from './safetensors.js';
import type { PreprocessingState } from './tabular.js';

export const MODEL_FORMAT = 'webgrad-model';
export const FORMAT_VERSION = 1;

export interface TrainingConfig {
  readonly optimizer: { readonly className: string; readonly config: Readonly<OptimizerConfig> };
  /** A loss name usable in compile. */
  readonly loss: string;
  readonly metrics: readonly string[];
}

export interface ModelJson {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  /** The safetensors file next to this one (a bare file name). */
  readonly weightsFile: string;
  readonly model: {
    readonly className: 'Sequential';
    readonly name: string;
    /** One sample's shape (no batch dimension). */
    readonly inputShape: Shape;
    readonly layers: readonly LayerConfig[];
  };
  readonly preprocessing?: PreprocessingState;
  readonly training?: TrainingConfig;
}

/** The training configuration, when the model is compiled with a named loss. */
export function trainingConfig(model: Sequential): TrainingConfig | undefined {
  const optimizer = model.optimizer;
  if (!optimizer) return undefined;
  const { loss, metrics } = model.compiledFor('save');
  if (loss.name === 'custom') return undefined;
  // Keep the metrics that a name brings back (custom functions cannot be saved).
  const names = metrics.map((m) => m.name).filter((name) => {
    try {
      resolveMetric(name, loss.name);
      return true;
    } catch {
      return false;
    }
  });
  return { optimizer: { className: optimizer.name, config: optimizer.getConfig() }, loss: loss.name, metrics: names };
}

/** The architecture part of model.json; the model must be built. */
export function architectureOf(model: Sequential, fn: string): ModelJson['model'] {
  if (!model.built || !model.inputShape) throw new Error(`${fn}: the model is not built yet; give its first layer an inputShape, or train or call it once`);
  const names = new Set<string>();
  for (const w of model.weights) {
    if (names.has(w.name)) throw new Error(`${fn}: two weights are named '${w.name}'; give the layers distinct names`);
    names.add(w.name);
  }
  return { className: 'Sequential', name: model.name, inputShape: [...model.inputShape], layers: model.layers.map((l) => l.toConfig()) };
}

function fail(where: string, what: string): never {
  throw new Error(`${where}: ${what}`);
}

/** Checks a parsed model.json's structure (it may come from anywhere). */
export function checkModelJson(value: unknown, where = 'model.json'): ModelJson {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(where, `expected a JSON object, got ${describe(value)}`);
  const doc = value as Record<string, unknown>;
  if (doc.format !== MODEL_FORMAT) fail(where, `format should be '${MODEL_FORMAT}', got ${JSON.stringify(doc.format)} (not a webgrad model?)`);
  if (doc.formatVersion !== FORMAT_VERSION) fail(where, `formatVersion ${JSON.stringify(doc.formatVersion)} is not supported; this webgrad reads version ${FORMAT_VERSION}`);
  if (typeof doc.weightsFile !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(doc.weightsFile)) {
    fail(where, `weightsFile should be a plain file name next to model.json, got ${JSON.stringify(doc.weightsFile)}`);
  }
  const model = doc.model as Record<string, unknown> | undefined;
  if (!model || model.className !== 'Sequential') fail(where, `model.className should be 'Sequential', got ${JSON.stringify(model?.className)}`);
  if (typeof model.name !== 'string') fail(where, 'model.name should be a string');
  const shape = model.inputShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) > 0))) {
    fail(where, `model.inputShape should be a list of positive integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(model.layers) || model.layers.length === 0) fail(where, 'model.layers should be a non-empty list of { className, config }');
  const training = doc.training as Record<string, unknown> | undefined;
  if (training !== undefined) {
    const opt = training.optimizer as Record<string, unknown> | undefined;
    if (typeof opt?.className !== 'string' || opt.config === null || typeof opt.config !== 'object') fail(where, 'training.optimizer should be { className, config }');
    if (typeof training.loss !== 'string') fail(where, 'training.loss should be a loss name');
    if (!Array.isArray(training.metrics) || !training.metrics.every((m) => typeof m === 'string')) fail(where, 'training.metrics should be a list of names');
  }
  return value as ModelJson;
}

/** Weight names and shapes the architecture implies, worked out without creating any (undefined if a layer cannot say). */
function expectedWeights(layers: readonly Layer[], inputShape: Shape): [string, number[]][] | undefined {
  const out: [string, number[]][] = [];
  let shape = inputShape;
  for (const layer of layers) {
    const shapes = layer.weightShapes(shape);
    if (!shapes) return undefined;
    for (const [suffix, s] of shapes) out.push([`${layer.name}/${suffix}`, s]);
    shape = layer.computeOutputShape(shape);
  }
  return out;
}

/** Throws unless the file holds exactly these float32 tensors with these shapes. */
export function matchWeights(expected: readonly (readonly [string, readonly number[]])[], file: Safetensors, where: string, ignorePrefix?: string): void {
  const names = new Set(expected.map(([n]) => n));
  for (const [name, shape] of expected) {
    const t = file.tensors.get(name);
    if (!t) fail(where, `the weights file has no tensor '${name}' (${shapeString(shape)}) that the architecture needs; it has: ${[...file.tensors.keys()].join(', ') || 'none'}`);
    if (t.dtype !== 'F32') fail(where, `tensor '${name}' should be F32, the file has ${t.dtype}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      fail(where, `tensor '${name}' should have shape ${shapeString(shape)} for this architecture, the file has ${shapeString(t.shape)}`);
    }
  }
  const extra = [...file.tensors.keys()].filter((n) => !names.has(n) && !(ignorePrefix && n.startsWith(ignorePrefix)));
  if (extra.length > 0) fail(where, `the weights file has tensors the architecture does not use: ${extra.join(', ')}`);
}

/**
 * Rebuilds the layers of `doc`, checks the weights file against the shapes they
 * imply before creating any weight, then builds the model and copies the weights in.
 * `makeModel` is Sequential's constructor (passed in to keep the module graph acyclic).
 */
export function buildFromJson(
  doc: ModelJson,
  file: Safetensors,
  makeModel: (layers: Layer[], name: string) => Sequential,
  where: string,
  ignorePrefix?: string,
): Sequential {
  // The initial weights are overwritten below: drawing them must not move the global stream.
  return preservingGlobalStream(() => buildAndFill(doc, file, makeModel, where, ignorePrefix));
}

function buildAndFill(
  doc: ModelJson,
  file: Safetensors,
  makeModel: (layers: Layer[], name: string) => Sequential,
  where: string,
  ignorePrefix?: string,
): Sequential {
  const layers = doc.model.layers.map((c, i) => layerFromConfig(c, `${where}: layer ${i}`));
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) fail(where, `two layers are named '${l.name}'`);
    names.add(l.name);
  }
  const expected = expectedWeights(layers, doc.model.inputShape);
  if (expected) matchWeights(expected, file, where, ignorePrefix);
  const model = makeModel(layers, doc.model.name);
  try {
    if (!model.built) model.build(doc.model.inputShape);
    // Custom layers could not say their shapes up front: check what they built.
    matchWeights(model.weights.map((w) => [w.name, w.shape] as const), file, where, ignorePrefix);
    const values = model.weights.map((w) => ops.tensor(file.tensors.get(w.name)!.data as Float32Array, w.shape));
    model.setWeights(values);
    for (const v of values) v.dispose();
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Compiles a loaded model from its training configuration when every name is known; returns whether it did. */
export function compileFromJson(model: Sequential, training: TrainingConfig | undefined): boolean {
  if (!training) return false;
  const make = (optimizers as Record<string, ((config: object) => unknown) | undefined>)[training.optimizer.className];
  if (!make) return false;
  try {
    resolveLoss(training.loss);
  } catch {
    return false;
  }
  const metrics = training.metrics.filter((m) => {
    try {
      resolveMetric(m, training.loss);
      return true;
    } catch {
      return false;
    }
  });
  const config: Record<string, unknown> = { ...training.optimizer.config };
  // A saved schedule comes back as one (it resumes at the optimizer's restored step).
  if (typeof config.learningRate === 'object' && config.learningRate !== null) {
    config.learningRate = scheduleFromConfig(config.learningRate as SerializedSchedule, 'load: training.optimizer.config.learningRate');
  }
  model.compile({ optimizer: make(config) as never, loss: training.loss, metrics });
  return true;
}
