// Softmax cross-entropy against integer labels, fused: the loss per row is
// logsumexp(logits) - logits[label] and its gradient softmax - onehot, each one
// kernel over [rows, V] — no one-hot of the vocabulary, no range(0, V) upload.

import { record } from '../autograd.js';
import { sizeOf } from '../backends/strided.js';
import type { Tensor } from '../tensor.js';
import { backend, contiguousHandle, output } from './util.js';

/**
 * Per-row losses (shape `labels.shape`) of logits [...rows, V] against int32 labels
 * [...rows]; `caller` names the loss in errors. Shapes and dtypes are the caller's to check.
 * @internal
 */
export function sparseSoftmaxCrossEntropy(logits: Tensor, labels: Tensor, caller: string): Tensor {
  const v = logits.shape[logits.rank - 1]!;
  const rows = sizeOf(labels.shape);
  const x = contiguousHandle(logits);
  const y = contiguousHandle(labels);
  const loss = output(labels.shape, 'float32', caller);
  const lse = output([rows], 'float32', caller);
  const be = backend();
  const flat = (t: Tensor) => ({ ...t.view(), shape: [rows, v], strides: [v, 1] });
  const column = (t: Tensor) => ({ ...t.view(), shape: [rows], strides: [1] });
  if (rows > 0 && v > 0) be.sparseCrossEntropy(flat(x), column(y), column(loss), lse.view(), caller);
  record([logits], loss, [x, y, lse], (dy, [sx, sy, sl]) => [
    () => {
      const g = output(logits.shape, 'float32', `${caller} gradient`);
      if (g.size === 0) return g;
      // dy has labels' shape; its view may broadcast one scalar over every row.
      const dv = dy.view();
      const contiguousRows = dy.contiguous || dy.strides.every((s) => s === 0);
      const d = contiguousRows ? dy.share() : contiguousHandle(dy);
      const dView = { ...d.view(), shape: [rows], strides: [dv.strides.every((s) => s === 0) ? 0 : 1] };
      be.sparseCrossEntropyGrad(flat(sx!), column(sy!), sl!.view(), dView, flat(g));
      d.dispose();
      return g;
    },
  ]);
  x.dispose();
  y.dispose();
  lse.dispose();
  return loss;
}
