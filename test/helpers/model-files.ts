// A model's two saved files in memory (model.json and its safetensors weights), as
// wg.loadModel's { json, weights } source: save / load round trips in every runtime,
// the browser included, without a file system.
import * as wg from '../../src/index.js';
import { modelJson, weightsRecord } from '../../src/io/save.js';

export async function saveInMemory(model: wg.LayersModel): Promise<{ json: object; weights: Uint8Array }> {
  return { json: modelJson(model, 'model.safetensors', 'test'), weights: wg.io.encodeSafetensors(await weightsRecord(model)) };
}
