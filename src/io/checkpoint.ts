// Training checkpoints: one safetensors file per checkpoint holding the weights and
// the optimizer's state buffers, with the rest (epoch, optimizer step counts, the
// shuffle and dropout generators, the architecture) as JSON in its metadata. Files
// are written atomically (temporary file, then rename) and the last K are kept, so
// a failed write never costs the previous checkpoint. Resuming restores all of it,
// so a resumed run reaches the same weights as one that never stopped.

import { LossScaleOptimizer } from '../loss-scaling.js';
import { checkNumber, checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import type { RandomState } from '../random.js';
import type { LayersModel } from '../nn/model-base.js';
import { fileSystem, makeDirectory, pathKind, reason, writeFileAtomic } from './fs.js';
import { architectureOf, checkModelJson, FORMAT_VERSION, MODEL_FORMAT, type ModelJson, trainingConfig } from './model-json.js';
import { decodeSafetensors, encodeSafetensors, type Safetensors } from './safetensors.js';
import { type ByteSource, describeSource, readBytes } from './sources.js';
import { weightsRecord } from './save.js';

export interface CheckpointOptions {
  /** The folder to write to (Node, Deno); one folder per training run. */
  dir: string;
  /** Write a checkpoint after every this many epochs (default 1). */
  every?: number;
  /** How many of the most recent checkpoints to keep (default 3; 0 keeps all). */
  keep?: number;
}

interface OptimizerEntry {
  /** Index of the parameter in model.weights. */
  readonly weight: number;
  readonly steps: number;
  /** Tensor names of the state buffers in the file. */
  readonly slots: readonly string[];
  /** Tensor name of the summed micro-batch gradients, while accumulating. */
  readonly accumulated?: string;
}

export interface CheckpointState {
  readonly format: 'webgrad-checkpoint';
  readonly formatVersion: number;
  /** Epochs completed; training resumes at this epoch index. */
  readonly epoch: number;
  /** Model.json's content (architecture, preprocessing, training configuration). */
  readonly model: ModelJson;
  /** Tensor names of model.weights, in order. */
  readonly weights: readonly string[];
  readonly optimizer: {
    readonly name: string;
    readonly iterations: number;
    readonly params: readonly OptimizerEntry[];
    /** Micro-batches summed since the last update (gradient accumulation); absent means 0. */
    readonly pending?: number;
    /** The dynamic loss scale (wg.optimizers.lossScale), when the optimizer scales the loss. */
    readonly lossScale?: number;
  };
  /** fit's shuffle generator, and each layer's own generator by layer index. */
  readonly random: { readonly fit: RandomState; readonly layers: Readonly<Record<string, RandomState>> };
}

/** A checkpoint read from a file, ready to resume from (see FitOptions.resumeFrom). */
export interface Checkpoint {
  readonly epoch: number;
  /** Where it was read from. */
  readonly where: string;
  readonly state: CheckpointState;
  /** @internal */
  readonly file: Safetensors;
}

const METADATA_KEY = 'webgrad.checkpoint';
const FILE_PATTERN = /^checkpoint-(\d+)\.safetensors$/;

export function checkpointFileName(epoch: number): string {
  return `checkpoint-${String(epoch).padStart(6, '0')}.safetensors`;
}

/** The checkpoint's bytes: weights, optimizer buffers, and the JSON state in the metadata. */
export async function encodeCheckpoint(model: LayersModel, epoch: number, fitRandom: RandomState): Promise<Uint8Array> {
  const fn = 'checkpoint';
  const optimizer = model.optimizer;
  if (!optimizer) throw new Error(`${fn}: the model is not compiled`);
  const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = await weightsRecord(model);
  const weights = model.weights;
  const params = model.trainableWeights;
  const saved = optimizer.getState(params);
  const entries: OptimizerEntry[] = [];
  for (let k = 0; k < params.length; k++) {
    const param = params[k]!;
    const slots: string[] = [];
    for (let j = 0; j < saved.slots[k]!.length; j++) {
      const name = `optimizer/${param.name}/${j}`;
      tensors[name] = { shape: param.shape, data: await saved.slots[k]![j]!.data<Float32Array>() };
      slots.push(name);
    }
    const sum = saved.accumulators?.[k];
    let accumulated: string | undefined;
    if (sum && (saved.pending ?? 0) > 0) {
      accumulated = `optimizer/${param.name}/accumulated`;
      tensors[accumulated] = { shape: param.shape, data: await sum.data<Float32Array>() };
    }
    entries.push({ weight: weights.indexOf(param), steps: saved.steps[k]!, slots, ...(accumulated ? { accumulated } : {}) });
  }
  const layers: Record<string, RandomState> = {};
  model.layers.forEach((layer, i) => {
    const state = layer.randomState();
    if (state) layers[String(i)] = state;
  });
  const training = trainingConfig(model);
  const state: CheckpointState = {
    format: 'webgrad-checkpoint',
    formatVersion: FORMAT_VERSION,
    epoch,
    model: {
      format: MODEL_FORMAT,
      formatVersion: FORMAT_VERSION,
      weightsFile: checkpointFileName(epoch),
      model: architectureOf(model, fn),
      ...(model.preprocessing ? { preprocessing: model.preprocessing.toJSON() } : {}),
      ...(training ? { training } : {}),
    },
    weights: weights.map((w) => w.name),
    optimizer: {
      name: optimizer.name, iterations: saved.iterations, params: entries, ...(saved.pending ? { pending: saved.pending } : {}),
      ...(optimizer instanceof LossScaleOptimizer ? { lossScale: await optimizer.readLossScale() } : {}),
    },
    random: { fit: fitRandom, layers },
  };
  return encodeSafetensors(tensors, { format: 'webgrad', [METADATA_KEY]: JSON.stringify(state) });
}

/** Writes checkpoints during fit (see FitOptions.checkpoint). */
export class Checkpointer {
  readonly dir: string;
  readonly every: number;
  readonly keep: number;
  constructor(options: CheckpointOptions) {
    checkOptions('fit: checkpoint', options, ['dir', 'every', 'keep']);
    if (typeof options?.dir !== 'string' || options.dir === '') throw new Error(`fit: checkpoint.dir should be a folder path, got ${JSON.stringify(options?.dir)}`);
    this.dir = options.dir;
    this.every = checkNumber('fit: checkpoint', 'every', options.every, 1, { integer: true, min: 1 });
    this.keep = checkNumber('fit: checkpoint', 'keep', options.keep, 3, { integer: true, min: 0 });
  }

  /** Whether a checkpoint is due after `epoch` (0-based) ends. */
  due(epoch: number): boolean {
    return (epoch + 1) % this.every === 0;
  }

  /** Writes the checkpoint for `epoch` completed epochs, then removes the oldest beyond `keep`. */
  async write(model: LayersModel, epoch: number, fitRandom: RandomState): Promise<string> {
    const { fs, path } = await fileSystem('fit: checkpoint');
    await makeDirectory('fit: checkpoint', this.dir);
    const file = path.join(this.dir, checkpointFileName(epoch));
    await writeFileAtomic('fit: checkpoint', file, await encodeCheckpoint(model, epoch, fitRandom));
    if (this.keep > 0) {
      // The file just written always stays, even beside higher-numbered leftovers of another run.
      const others = (await listCheckpoints(this.dir)).filter((c) => c.file !== file);
      for (const old of others.slice(0, Math.max(0, others.length - (this.keep - 1)))) await fs.rm(old.file, { force: true });
    }
    return file;
  }
}

/** Checkpoint files in a folder, oldest epoch first. */
export async function listCheckpoints(dir: string): Promise<{ file: string; epoch: number }[]> {
  const { fs, path } = await fileSystem('checkpoint');
  let names: string[];
  try {
    names = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    throw new Error(`checkpoint: cannot list ${dir}: ${reason(error)}`, { cause: error });
  }
  return names
    .map((name) => ({ name, match: FILE_PATTERN.exec(name) }))
    .filter((e) => e.match)
    .map((e) => ({ file: path.join(dir, e.name), epoch: Number(e.match![1]) }))
    .sort((a, b) => a.epoch - b.epoch);
}

function checkState(value: unknown, where: string): CheckpointState {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (value === null || typeof value !== 'object') fail('the checkpoint state should be a JSON object');
  const s = value as Record<string, unknown>;
  if (s.format !== 'webgrad-checkpoint' || s.formatVersion !== FORMAT_VERSION) fail(`not a webgrad checkpoint of format version ${FORMAT_VERSION}`);
  if (!Number.isSafeInteger(s.epoch) || (s.epoch as number) < 0) fail(`epoch should be a non-negative integer, got ${JSON.stringify(s.epoch)}`);
  checkModelJson(s.model, `${where} (model)`);
  if (!Array.isArray(s.weights) || !s.weights.every((w) => typeof w === 'string')) fail('weights should be a list of tensor names');
  const opt = s.optimizer as Record<string, unknown> | undefined;
  if (typeof opt?.name !== 'string' || !Number.isSafeInteger(opt.iterations) || !Array.isArray(opt.params)) fail('optimizer should be { name, iterations, params }');
  for (const p of opt!.params as unknown[]) {
    const e = p as Record<string, unknown>;
    if (!Number.isSafeInteger(e?.weight) || !Number.isSafeInteger(e.steps) || !Array.isArray(e.slots) || !e.slots.every((n) => typeof n === 'string')) {
      fail(`optimizer.params entries should be { weight, steps, slots }, got ${JSON.stringify(p)}`);
    }
  }
  const random = s.random as Record<string, unknown> | undefined;
  if (!random || typeof random.fit !== 'object' || typeof random.layers !== 'object' || random.layers === null) fail('random should be { fit, layers }');
  return value as CheckpointState;
}

/** Parses a checkpoint file's bytes (hostile-file checks included). */
export function decodeCheckpoint(bytes: Uint8Array, where: string): Checkpoint {
  const file = decodeSafetensors(bytes, where);
  const text = file.metadata[METADATA_KEY];
  if (text === undefined) throw new Error(`${where}: not a webgrad checkpoint (its metadata has no '${METADATA_KEY}')`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: the checkpoint state is not valid JSON (${reason(error)})`);
  }
  const state = checkState(parsed, where);
  return { epoch: state.epoch, where, state, file };
}

/** Where to resume from: a checkpoint folder (its latest file), a checkpoint file or URL, its bytes, or a Checkpoint already read. */
export type CheckpointSource = ByteSource | Checkpoint;

function isCheckpoint(source: unknown): source is Checkpoint {
  return typeof source === 'object' && source !== null && 'state' in source && 'file' in source && 'epoch' in source;
}

export async function readCheckpoint(source: CheckpointSource): Promise<Checkpoint> {
  if (isCheckpoint(source)) return source;
  let where = describeSource(source);
  let target: ByteSource = source;
  if (typeof source === 'string' && (await pathKind('checkpoint', source).catch(() => undefined)) === 'directory') {
    const latest = (await listCheckpoints(source)).pop();
    if (!latest) throw new Error(`checkpoint: ${source} holds no checkpoint-NNNNNN.safetensors file to resume from`);
    target = where = latest.file;
  }
  return decodeCheckpoint(await readBytes('checkpoint', target), where);
}

/**
 * Puts a checkpoint's weights, optimizer state and layer generators into `model`
 * (whose architecture must match) and returns the epoch and fit's generator state.
 */
export function restoreCheckpoint(model: LayersModel, checkpoint: Checkpoint): { epoch: number; fitRandom: RandomState } {
  const { state, file, where } = checkpoint;
  const fail = (what: string): never => {
    throw new Error(`resume from ${where}: ${what}`);
  };
  const weights = model.weights;
  if (weights.length !== state.weights.length) fail(`the checkpoint has ${state.weights.length} weights, this model ${weights.length}`);
  const values = weights.map((w, i) => {
    const t = file.tensors.get(state.weights[i]!);
    if (!t) fail(`the file lacks the weight '${state.weights[i]}'`);
    if (t!.dtype !== 'F32' || t!.shape.length !== w.shape.length || t!.shape.some((d, j) => d !== w.shape[j])) {
      fail(`weight ${i} ('${state.weights[i]}') is ${t!.dtype} [${t!.shape.join(',')}] in the checkpoint but this model's '${w.name}' is [${w.shape.join(',')}]`);
    }
    return t!;
  });
  const optimizer = model.optimizer;
  if (!optimizer) fail('compile the model before resuming');
  if (optimizer!.name !== state.optimizer.name) fail(`the checkpoint was trained with ${state.optimizer.name}, this model is compiled with ${optimizer!.name}`);
  const layerStates = model.layers.map((layer, i) => {
    const saved = state.random.layers[String(i)];
    const has = layer.randomState() !== undefined;
    if (has !== (saved !== undefined)) fail(`layer ${i} ('${layer.name}') ${has ? 'has a random generator the checkpoint lacks' : 'has no random generator, the checkpoint has one'}`);
    return saved;
  });
  const params = model.trainableWeights;
  const slotTensors = params.map((p) => {
    const entry = state.optimizer.params.find((e) => e.weight === weights.indexOf(p));
    return (entry?.slots ?? []).map((name) => {
      const t = file.tensors.get(name);
      if (!t || t.dtype !== 'F32' || t.data.length !== p.size) fail(`optimizer buffer '${name}' is missing or is not ${p.size} float32 values`);
      return t!;
    });
  });
  const steps = params.map((p) => state.optimizer.params.find((e) => e.weight === weights.indexOf(p))?.steps ?? 0);
  const pending = state.optimizer.pending ?? 0;
  if (!Number.isSafeInteger(pending) || pending < 0 || pending >= optimizer!.gradientAccumulationSteps) {
    fail(`the checkpoint has ${pending} micro-batches pending; this model's optimizer accumulates ${optimizer!.gradientAccumulationSteps} (gradientAccumulationSteps)`);
  }
  const sums = params.map((p) => {
    const name = state.optimizer.params.find((e) => e.weight === weights.indexOf(p))?.accumulated;
    if (name === undefined || pending === 0) return undefined;
    const t = file.tensors.get(name);
    if (!t || t.dtype !== 'F32' || t.data.length !== p.size) fail(`optimizer buffer '${name}' is missing or is not ${p.size} float32 values`);
    return t!;
  });

  // Everything is checked: now change the model.
  const weightTensors = values.map((t, i) => ops.tensor(t.data as Float32Array, weights[i]!.shape));
  model.setWeights(weightTensors);
  for (const t of weightTensors) t.dispose();
  const slots = slotTensors.map((list, k) => list.map((t) => ops.tensor(t.data as Float32Array, params[k]!.shape)));
  const accumulators = sums.map((t, k) => (t ? ops.tensor(t.data as Float32Array, params[k]!.shape) : undefined));
  optimizer!.setState(params, { iterations: state.optimizer.iterations, steps, slots, pending, accumulators });
  const lossScale = state.optimizer.lossScale;
  if (optimizer instanceof LossScaleOptimizer && typeof lossScale === 'number' && Number.isFinite(lossScale) && lossScale > 0) optimizer.restoreLossScale(lossScale);
  for (const list of slots) for (const t of list) t.dispose();
  for (const t of accumulators) t?.dispose();
  model.layers.forEach((layer, i) => {
    const saved = layerStates[i];
    if (saved) layer.restoreRandomState(saved);
  });
  return { epoch: state.epoch, fitRandom: state.random.fit };
}
