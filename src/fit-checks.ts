// What `fit` checks in its data before the first step, so that nothing fails
// quietly: every value of x, y and the validation data is finite (a NaN in the
// inputs would otherwise train, stop on the first batch and return an empty
// history), and the labels suit the loss (class indices in range for sparse
// cross-entropy, values in [0, 1] for binary cross-entropy). Each tensor is read
// once, one at a time, and the copy dropped before the next: on webgpu that is one
// up-front read per tensor and no lasting host memory.

import { assertLabelsInRange, assertProbabilityLabels } from './losses.js';
import type { Tensor } from './tensor.js';
import type { LayersModel } from './nn/model-base.js';

/** `row 3, column 1` (rank 2), `row 3` (rank 1), `position [3,1,0]` (higher ranks). */
export function positionOf(shape: readonly number[], flat: number): string {
  if (shape.length === 0) return 'the scalar';
  const index: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  if (shape.length === 1) return `row ${index[0]}`;
  if (shape.length === 2) return `row ${index[0]}, column ${index[1]}`;
  return `row ${index[0]}, position [${index.join(',')}]`;
}

/** Throws at the first NaN or ±Infinity in `values`, naming `fn`, the tensor `name`, the position and the value. */
export function assertFinite(fn: string, name: string, values: ArrayLike<number>, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      throw new Error(`${fn}: ${name} holds ${v} at ${positionOf(shape, i)}; fit needs finite values (remove or impute the sample first)`);
    }
  }
}

/** The checks above for fit's tensors; `validation` is validationData when given. */
export async function checkFitData(model: LayersModel, x: Tensor, y: Tensor, validation: readonly [Tensor, Tensor] | undefined): Promise<void> {
  const loss = model.compiledFor('fit').loss.name;
  const out = model.outputShape;
  const classes = out?.[out.length - 1];
  const tensors: [string, Tensor, boolean][] = [['x', x, false], ['y', y, true]];
  if (validation) tensors.push(['validationData x', validation[0], false], ['validationData y', validation[1], true]);
  for (const [name, t, isTarget] of tensors) {
    // int32 and bool hold no NaN; only targets may need their labels checked
    const labels = isTarget && (loss === 'sparseCategoricalCrossentropy' || loss === 'binaryCrossentropy');
    if (t.dtype !== 'float32' && !labels) continue;
    const values = t.backend.readSync ? t.dataSync() : await t.data();
    if (t.dtype === 'float32') assertFinite('fit', name, values, t.shape);
    if (!labels) continue;
    if (loss === 'sparseCategoricalCrossentropy' && typeof classes === 'number') assertLabelsInRange('fit', values, classes);
    if (loss === 'binaryCrossentropy') assertProbabilityLabels('fit', values);
  }
}
