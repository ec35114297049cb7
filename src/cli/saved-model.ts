// Loading a model saved by `webgrad train` and turning a CSV file into its inputs.

import * as wg from '../index.js';

export async function loadTrained(source: string, command: string): Promise<{ model: wg.Sequential; preprocessing: wg.Preprocessing }> {
  const model = await wg.loadModel(source, { compile: false });
  if (!(model instanceof wg.Sequential)) {
    model.dispose();
    throw new Error(`${source} holds a ${model.architecture().className} model; ${command} reads models trained from tables (a sequential stack)`);
  }
  const preprocessing = model.preprocessing;
  if (!preprocessing) {
    model.dispose();
    throw new Error(`${source} has no preprocessing (column names, scaling) in model.json, so ${command} cannot read a CSV file for it; save models trained from tables with model.preprocessing set, as webgrad train does`);
  }
  return { model, preprocessing };
}
