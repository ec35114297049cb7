// Activations by name, as layers and `compile` accept them (Keras' names).

import type { Activation as FusedActivation } from '../backends/backend.js';
import { lookup } from '../options.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';

export type ActivationName =
  | 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'logSoftmax' | 'elu' | 'gelu' | 'geluTanh' | 'softplus' | 'leakyRelu' | 'swish';

const ACTIVATIONS: Readonly<Record<ActivationName, (x: Tensor) => Tensor>> = {
  linear: (x) => x,
  relu: ops.relu,
  sigmoid: ops.sigmoid,
  tanh: ops.tanh,
  softmax: (x) => ops.softmax(x),
  logSoftmax: (x) => ops.logSoftmax(x),
  elu: (x) => ops.elu(x),
  gelu: (x) => ops.gelu(x),
  // GELU's tanh form, GPT-2's (Keras: gelu with approximate=True)
  geluTanh: (x) => ops.gelu(x, { approximate: 'tanh' }),
  softplus: ops.softplus,
  leakyRelu: (x) => ops.leakyRelu(x),
  // x * sigmoid(x), also known as SiLU
  swish: (x) => {
    const s = ops.sigmoid(x);
    const y = ops.mul(x, s);
    s.dispose();
    return y;
  },
};

/** Activations that the backend fuses into the matmul of a dense layer. */
const FUSED: readonly string[] = ['linear', 'relu', 'sigmoid', 'tanh', 'geluTanh'];

export function resolveActivation(fn: string, name: unknown): { name: ActivationName; apply: (x: Tensor) => Tensor; fused?: FusedActivation } {
  const apply = lookup(fn, 'activation', name ?? 'linear', ACTIVATIONS);
  const n = (name ?? 'linear') as ActivationName;
  return FUSED.includes(n) ? { name: n, apply, fused: n as FusedActivation } : { name: n, apply };
}
