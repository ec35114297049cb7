// Scores a model on rows whose targets are known: the classification report and log
// loss, or regression errors in the target's units.

import * as wg from '../index.js';
import type { EvaluationResult } from './report.js';

/** Model outputs for x, read to the host, as rows of `width` values. */
export async function outputs(model: wg.Sequential, x: wg.Tensor, batchSize: number): Promise<Float32Array> {
  const out = model.predict(x, { batchSize });
  try {
    return await out.data<Float32Array>();
  } finally {
    out.dispose();
  }
}

/** The index of the largest value in each row. */
export function argMaxRows(values: Float32Array, width: number): Int32Array {
  const n = values.length / width;
  return Int32Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let j = 1; j < width; j++) if (values[i * width + j]! > values[i * width + best]!) best = j;
    return best;
  });
}

/** `targets` are class indices, or target values in their own units (not standardised). */
export async function evaluateModel(
  model: wg.Sequential,
  preprocessing: wg.Preprocessing,
  x: wg.Tensor,
  targets: Int32Array | Float32Array,
  batchSize = 256,
): Promise<EvaluationResult> {
  const values = await outputs(model, x, batchSize);
  const classes = preprocessing.classes;
  if (!classes) {
    return { task: 'regression', report: wg.metrics.regressionReport(targets, preprocessing.unscaleTarget(values)) };
  }
  const k = classes.length;
  const rows = Array.from({ length: values.length / k }, (_, i) => Array.from(values.subarray(i * k, (i + 1) * k)));
  return {
    task: 'classification',
    report: wg.metrics.classificationReport(targets, argMaxRows(values, k), { classNames: classes }),
    logLoss: wg.metrics.logLoss(targets, rows),
  };
}
