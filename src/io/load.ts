// `wg.loadModel(source)` and `wg.loadCheckpoint(source)`: rebuild a Sequential model
// from model.json (or a checkpoint's state) and its safetensors weights, refusing
// files that disagree with each other before allocating anything they claim.

import { Sequential } from '../nn/sequential.js';
import { functionalFromConfig } from '../nn/functional.js';
import type { LayersModel } from '../nn/model-base.js';
import { gptFromConfig } from '../models/gpt.js';
import { checkBoolean, checkOptions } from '../options.js';
import { type Checkpoint, type CheckpointSource, readCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { buildFromJson, checkModelJson, compileFromJson, inputShapeOf, type ModelJson, type ModelMakers } from './model-json.js';
import { decodeSafetensors } from './safetensors.js';
import { type ModelSource, readModelFiles } from './store.js';
import { Preprocessing } from './tabular.js';

export interface LoadModelOptions {
  /** Compile with the saved optimizer, loss and metrics when they are known names (default true). */
  compile?: boolean;
}

function parseJson(text: string, where: string): ModelJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return checkModelJson(value, where);
}

const makers: ModelMakers = {
  sequential: (layers, name) => new Sequential({ layers, name }),
  functional: functionalFromConfig,
  configured: gptFromConfig,
};

function modelFrom(doc: ModelJson, file: ReturnType<typeof decodeSafetensors>, where: string, compile: boolean, ignorePrefix?: string): LayersModel {
  // Preprocessing is checked before the model is built: a bad file allocates nothing.
  const preprocessing = doc.preprocessing === undefined ? undefined : Preprocessing.fromJSON(doc.preprocessing);
  const inputs = inputShapeOf(doc.model);
  if (preprocessing && (inputs.length !== 1 || inputs[0] !== preprocessing.inputWidth)) {
    throw new Error(`${where}: the preprocessing makes ${preprocessing.inputWidth} input columns but the model takes samples of shape [${inputs.join(',')}]`);
  }
  const model = buildFromJson(doc, file, makers, where, ignorePrefix);
  const outputs = model.outputShape;
  if (preprocessing && outputs?.[outputs.length - 1] !== preprocessing.outputWidth) {
    model.dispose();
    throw new Error(`${where}: the preprocessing expects ${preprocessing.outputWidth} model outputs but the model gives [${outputs?.join(',')}]`);
  }
  if (preprocessing) model.preprocessing = preprocessing;
  if (compile) compileFromJson(model, doc.training);
  return model;
}

/** Loads a model saved with `model.save` (see ModelSource for where from). Predictions match the saved model's bit for bit on the same backend. */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<LayersModel> {
  checkOptions('loadModel', options, ['compile']);
  const compile = checkBoolean('loadModel', 'compile', options.compile, true);
  // Messages about the files start with the function, then say which file.
  const files = await readModelFiles(source, 'loadModel', (json, where) => parseJson(json, `loadModel: ${where}`).weightsFile);
  const where = `loadModel: ${files.where}`;
  const doc = parseJson(files.json, where);
  const file = decodeSafetensors(files.weights, `${where}: ${doc.weightsFile}`);
  return modelFrom(doc, file, where, compile);
}

export interface LoadedCheckpoint extends Checkpoint {
  /** The model at the checkpoint: weights, compiled with its optimizer and that optimizer's state. */
  readonly model: LayersModel;
}

/**
 * Reads a checkpoint (a folder's latest, or a file) and rebuilds its model, compiled
 * and with the optimizer state restored. Continue with
 * `model.fit(x, y, { epochs, resumeFrom: checkpoint })`.
 */
export async function loadCheckpoint(source: CheckpointSource): Promise<LoadedCheckpoint> {
  const checkpoint = await readCheckpoint(source);
  const doc = checkpoint.state.model;
  const model = modelFrom(doc, checkpoint.file, checkpoint.where, true, 'optimizer/');
  if (!model.optimizer) {
    model.dispose();
    throw new Error(`loadCheckpoint: ${checkpoint.where} has no training configuration with a named loss and optimizer to compile with`);
  }
  restoreCheckpoint(model, checkpoint);
  return { ...checkpoint, model };
}
