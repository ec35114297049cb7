// `model.save(target)`: the weights as safetensors, and model.json with the
// architecture, the preprocessing and the training configuration.

import type { LayersModel } from '../nn/model-base.js';
import { architectureOf, FORMAT_VERSION, inputShapeOf, MODEL_FORMAT, type ModelJson, trainingConfig } from './model-json.js';
import { encodeSafetensors } from './safetensors.js';
import { type SaveResult, type SaveTarget, weightsFileFor, writeModelFiles } from './store.js';

/** The model's weights by name, read from the device. */
export async function weightsRecord(model: LayersModel): Promise<Record<string, { shape: readonly number[]; data: Float32Array }>> {
  const out: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
  for (const w of model.weights) out[w.name] = { shape: w.shape, data: await w.data<Float32Array>() };
  return out;
}

/** model.json's content for a model whose weights file is `weightsFile`. */
export function modelJson(model: LayersModel, weightsFile: string, fn: string): ModelJson {
  const architecture = architectureOf(model, fn);
  const preprocessing = model.preprocessing;
  if (preprocessing) {
    const shape = inputShapeOf(architecture);
    if (shape.length !== 1 || shape[0] !== preprocessing.inputWidth) {
      throw new Error(`${fn}: the preprocessing makes ${preprocessing.inputWidth} input columns but the model takes samples of shape [${shape.join(',')}]`);
    }
  }
  const training = trainingConfig(model);
  return {
    format: MODEL_FORMAT,
    formatVersion: FORMAT_VERSION,
    weightsFile,
    model: architecture,
    ...(preprocessing ? { preprocessing: preprocessing.toJSON() } : {}),
    ...(training ? { training } : {}),
  };
}

export async function saveModel(model: LayersModel, target: SaveTarget): Promise<SaveResult> {
  const fn = `${model.name}.save`;
  const weightsFile = weightsFileFor(target, fn);
  const doc = modelJson(model, weightsFile, fn);
  const weights = encodeSafetensors(await weightsRecord(model), { format: 'webgrad' });
  return writeModelFiles(target, { json: `${JSON.stringify(doc, null, 2)}\n`, weights }, weightsFile, fn);
}
