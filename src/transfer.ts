// Moving tensors between backends (reads the values, then uploads them).

import { describe } from './autograd.js';
import { activeBackend } from './backends/select.js';
import { fromValues } from './ops/util.js';
import { Tensor } from './tensor.js';

/** A copy of `t` on the active backend (or `t`'s values re-uploaded there). */
export async function toBackend(t: Tensor): Promise<Tensor> {
  if (!(t instanceof Tensor)) throw new TypeError(`toBackend: expected a Tensor, got ${describe(t)}`);
  t.assertAlive('toBackend', 'x');
  const values = await t.data();
  if (t.backend === activeBackend()) return t.clone();
  return fromValues(values, t.shape, t.dtype);
}
