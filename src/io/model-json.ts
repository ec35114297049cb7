// model.json: what a saved model is besides its weights — the architecture (each
// layer's toConfig()), the preprocessing, and the training configuration — and the
// checks that a model.json and a weights file agree before anything is allocated.

import type { LossScaleOptions } from '../loss-scaling.js';
import { lossScalingConfig } from '../mixed-precision.js';
import { preservingGlobalStream } from '../random.js';
import { describe } from '../autograd.js';
import { resolveLoss } from '../losses.js';
import { resolveMetric } from '../metrics.js';
import type { Layer, LayerConfig, Shape } from '../nn/layer.js';
import { layerFromConfig } from '../nn/registry.js';
import type { LayersModel } from '../nn/model-base.js';
import { isName, type LossName, type MetricName, OPTIMIZER_NAMES } from '../names.js';
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
  /** Dynamic loss scaling around the optimizer (absent in files from before it: then compile's default). */
  readonly lossScaling?: Required<LossScaleOptions> | false;
}

export interface ModelJson {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  /** The safetensors file next to this one (a bare file name). */
  readonly weightsFile: string;
  readonly model: ModelArchitecture;
  readonly preprocessing?: PreprocessingState;
  readonly training?: TrainingConfig;
}

/** A stack of layers. */
export interface SequentialArchitecture {
  readonly className: 'Sequential';
  readonly name: string;
  /** One sample's shape (no batch dimension). */
  readonly inputShape: Shape;
  readonly layers: readonly LayerConfig[];
}

/**
 * A functional model's graph. Tensors are numbered: the inputs first, then each
 * node's output in node order; a node names its layer by index in `layers`.
 */
export interface FunctionalArchitecture {
  readonly className: 'Model';
  readonly name: string;
  readonly inputs: readonly { readonly name: string; readonly shape: Shape; readonly dtype: 'float32' | 'int32' }[];
  readonly layers: readonly LayerConfig[];
  readonly nodes: readonly { readonly layer: number; readonly inputs: readonly number[]; readonly options: Readonly<Record<string, boolean>> }[];
  readonly outputs: readonly number[];
}

/** A model described by its own options (GPT): `config` is enough to rebuild it. */
export interface ConfiguredArchitecture {
  readonly className: 'GPT';
  readonly name: string;
  readonly config: Readonly<Record<string, number | boolean>>;
}

export type ModelArchitecture = SequentialArchitecture | FunctionalArchitecture | ConfiguredArchitecture;

/** One sample's shape for the model's (first) input. */
export function inputShapeOf(arch: ModelArchitecture): Shape {
  if (arch.className === 'Sequential') return arch.inputShape;
  if (arch.className === 'Model') return arch.inputs[0]!.shape;
  return [null];
}

/** The training configuration, when the model is compiled with a named loss. */
export function trainingConfig(model: LayersModel): TrainingConfig | undefined {
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
  const lossScaling = lossScalingConfig(optimizer);
  return { optimizer: { className: optimizer.name, config: optimizer.getConfig() }, loss: loss.name, metrics: names, ...(lossScaling ? { lossScaling } : {}) };
}

/** The architecture part of model.json; the model must be built. */
export function architectureOf(model: LayersModel, fn: string): ModelArchitecture {
  if (!model.built || !model.inputShape) throw new Error(`${fn}: the model is not built yet; give its first layer an inputShape, or train or call it once`);
  const names = new Set<string>();
  for (const w of model.weights) {
    if (names.has(w.name)) throw new Error(`${fn}: two weights are named '${w.name}'; give the layers distinct names`);
    names.add(w.name);
  }
  // a layer that cannot be described (a custom activation function) says so under `fn`'s name
  try {
    return model.architecture();
  } catch (error) {
    throw new Error(`${fn}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
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
  const kinds = ['Sequential', 'Model', 'GPT'];
  if (!model || !kinds.includes(model.className as string)) fail(where, `model.className should be one of ${kinds.map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(model?.className)}`);
  if (typeof model.name !== 'string') fail(where, 'model.name should be a string');
  const isShape = (shape: unknown) => Array.isArray(shape) && shape.length > 0 && shape.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) > 0));
  if (model.className === 'Sequential') {
    if (!isShape(model.inputShape)) fail(where, `model.inputShape should be a list of positive integers, got ${JSON.stringify(model.inputShape)}`);
    if (!Array.isArray(model.layers) || model.layers.length === 0) fail(where, 'model.layers should be a non-empty list of { className, config }');
  } else if (model.className === 'Model') {
    const inputs = model.inputs;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((i) => i && typeof i === 'object' && typeof i.name === 'string' && isShape(i.shape) && (i.dtype === 'float32' || i.dtype === 'int32'))) {
      fail(where, 'model.inputs should be a non-empty list of { name, shape, dtype }');
    }
    if (!Array.isArray(model.layers) || model.layers.length === 0) fail(where, 'model.layers should be a non-empty list of { className, config }');
    const layers = (model.layers as unknown[]).length;
    let tensors = (inputs as unknown[]).length;
    const nodes = model.nodes;
    if (!Array.isArray(nodes)) fail(where, 'model.nodes should be a list of { layer, inputs, options }');
    (nodes as unknown[]).forEach((n, i) => {
      const node = n as { layer?: unknown; inputs?: unknown; options?: unknown };
      const index = (v: unknown, below: number) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < below;
      if (!node || !index(node.layer, layers) || !Array.isArray(node.inputs) || node.inputs.length === 0 || !node.inputs.every((t) => index(t, tensors))
        || node.options === null || typeof node.options !== 'object') {
        fail(where, `model.nodes[${i}] should be { layer: a layer index, inputs: indices of earlier tensors, options }, got ${JSON.stringify(n)}`);
      }
      tensors++;
    });
    const outputs = model.outputs;
    if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((t) => Number.isSafeInteger(t) && t >= 0 && t < tensors)) {
      fail(where, `model.outputs should be a non-empty list of tensor indices below ${tensors}, got ${JSON.stringify(outputs)}`);
    }
  } else {
    const config = model.config;
    if (config === null || typeof config !== 'object' || !Object.values(config as object).every((v) => typeof v === 'number' || typeof v === 'boolean')) fail(where, 'model.config should be an object of numbers (and switches: true / false)');
  }
  const training = doc.training as Record<string, unknown> | undefined;
  if (training !== undefined) {
    const opt = training.optimizer as Record<string, unknown> | undefined;
    if (typeof opt?.className !== 'string' || opt.config === null || typeof opt.config !== 'object') fail(where, 'training.optimizer should be { className, config }');
    if (typeof training.loss !== 'string') fail(where, 'training.loss should be a loss name');
    if (!Array.isArray(training.metrics) || !training.metrics.every((m) => typeof m === 'string')) fail(where, 'training.metrics should be a list of names');
    const ls = training.lossScaling;
    if (ls !== undefined && ls !== false && (ls === null || typeof ls !== 'object' || Array.isArray(ls))) fail(where, 'training.lossScaling should be false or { initialScale, dynamicGrowthSteps }');
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

/** How each kind of model is made again from its architecture (passed in to keep the module graph acyclic). */
export interface ModelMakers {
  sequential(layers: Layer[], name: string): LayersModel;
  functional(arch: FunctionalArchitecture, layers: Layer[], where: string): LayersModel;
  configured(arch: ConfiguredArchitecture, where: string): LayersModel;
}

/**
 * Rebuilds the model of `doc`, checking the weights file against the shapes the
 * layers imply before creating any weight where they can say (a stack of known
 * layers), then copies the weights in.
 */
export function buildFromJson(doc: ModelJson, file: Safetensors, makers: ModelMakers, where: string, ignorePrefix?: string): LayersModel {
  // The initial weights are overwritten below: drawing them must not move the global stream.
  return preservingGlobalStream(() => buildAndFill(doc, file, makers, where, ignorePrefix));
}

function layersOf(configs: readonly LayerConfig[], where: string): Layer[] {
  const layers = configs.map((c, i) => layerFromConfig(c, `${where}: layer ${i}`));
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) fail(where, `two layers are named '${l.name}'`);
    names.add(l.name);
  }
  return layers;
}

function buildAndFill(doc: ModelJson, file: Safetensors, makers: ModelMakers, where: string, ignorePrefix?: string): LayersModel {
  const arch = doc.model;
  let model: LayersModel;
  if (arch.className === 'Sequential') {
    const layers = layersOf(arch.layers, where);
    const expected = expectedWeights(layers, arch.inputShape);
    if (expected) matchWeights(expected, file, where, ignorePrefix);
    model = makers.sequential(layers, arch.name);
  } else if (arch.className === 'Model') {
    model = makers.functional(arch, layersOf(arch.layers, where), where);
  } else {
    model = makers.configured(arch, where);
  }
  try {
    if (!model.built) model.build(inputShapeOf(arch));
    // Layers that could not say their shapes up front: check what they built.
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
export function compileFromJson(model: LayersModel, training: TrainingConfig | undefined): boolean {
  if (!training) return false;
  // Keras' class names ('Adam', 'RMSprop') load too.
  if (!isName(OPTIMIZER_NAMES, training.optimizer.className)) return false;
  const make = optimizers[OPTIMIZER_NAMES[training.optimizer.className]] as (config: object) => unknown;
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
  // the names were checked above
  // loss scaling as saved; without a record, compile's default (on when the layers are mixed)
  const lossScaling = training.lossScaling;
  model.compile({
    optimizer: make(config) as never, loss: training.loss as LossName, metrics: metrics as MetricName[],
    ...(lossScaling !== undefined ? { lossScaling } : {}),
  });
  return true;
}
