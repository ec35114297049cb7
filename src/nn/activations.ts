// Activations as layers accept them: a name (webgrad's or Keras' spelling), a
// function of a tensor (`wg.relu`, or the user's own, as Keras accepts callables), or
// a name given to a function with `registerActivation`.
//
// Saving writes the activation's name into model.json. A built-in op passed as a
// function (`activation: wg.relu`) is recognised and saved as its name (and fused into
// the dense matmul like the name would be). Any other function can run but cannot be
// saved: the layer's config throws, naming the layer, unless the function was
// registered, in which case its registered name is saved and loading finds it again.

import type { Activation as FusedActivation } from '../backends/backend.js';
import { describe } from '../autograd.js';
import { ACTIVATION_NAMES, type ActivationName, canonical, type CanonicalActivation, isName } from '../names.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';

export type { ActivationName };

/** A function of one tensor that returns a new tensor of the same shape. */
export type ActivationFunction = (x: Tensor) => Tensor;

/** What a layer's `activation` option accepts. */
export type ActivationSpec = ActivationName | ActivationFunction;

const ACTIVATIONS: Readonly<Record<CanonicalActivation, ActivationFunction>> = {
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

/** The ops users pass as functions (`activation: wg.relu`), known by the name they save as. */
const OPS_BY_FUNCTION = new Map<unknown, CanonicalActivation>([
  [ops.relu, 'relu'],
  [ops.sigmoid, 'sigmoid'],
  [ops.tanh, 'tanh'],
  [ops.softmax, 'softmax'],
  [ops.logSoftmax, 'logSoftmax'],
  [ops.elu, 'elu'],
  [ops.gelu, 'gelu'],
  [ops.softplus, 'softplus'],
  [ops.leakyRelu, 'leakyRelu'],
]);

/** Functions registered under a name (registerActivation), both ways. */
const registeredByName = new Map<string, ActivationFunction>();
const registeredByFunction = new Map<ActivationFunction, string>();

/**
 * Gives a custom activation function a name, so that a layer using it can be saved
 * (model.json records the name) and loaded again (in a program that registered the
 * same name). Built-in names cannot be replaced.
 */
export function registerActivation(name: string, fn: ActivationFunction): void {
  if (typeof name !== 'string' || name === '') throw new TypeError(`registerActivation: name should be a non-empty string, got ${describe(name)}`);
  if (typeof fn !== 'function') throw new TypeError(`registerActivation: fn should be a function (x: Tensor) => Tensor, got ${describe(fn)}`);
  if (isName(ACTIVATION_NAMES, name)) throw new Error(`registerActivation: '${name}' is a built-in activation; choose another name`);
  const previous = registeredByName.get(name);
  if (previous) registeredByFunction.delete(previous);
  registeredByName.set(name, fn);
  registeredByFunction.set(fn, name);
}

/** Activations that the backend fuses into the matmul of a dense layer. */
const FUSED: readonly string[] = ['linear', 'relu', 'sigmoid', 'tanh', 'geluTanh'];

export interface ResolvedActivation {
  /** The name saved in model.json; undefined for a function that has none. */
  readonly name: string | undefined;
  /** How messages name it: the name, or the function's own name. */
  readonly label: string;
  readonly apply: ActivationFunction;
  readonly fused?: FusedActivation;
}

export function resolveActivation(fn: string, spec: unknown): ResolvedActivation {
  if (typeof spec === 'function') {
    const op = OPS_BY_FUNCTION.get(spec);
    if (op) return named(op);
    const f = spec as ActivationFunction;
    const name = registeredByFunction.get(f);
    return { name, label: name ?? (f.name || 'an anonymous function'), apply: f };
  }
  if (typeof spec === 'string' && registeredByName.has(spec)) return { name: spec, label: spec, apply: registeredByName.get(spec)! };
  return named(canonical(fn, 'activation', spec ?? 'linear', ACTIVATION_NAMES));
}

function named(name: CanonicalActivation): ResolvedActivation {
  const apply = ACTIVATIONS[name];
  return FUSED.includes(name) ? { name, label: name, apply, fused: name as FusedActivation } : { name, label: name, apply };
}

/** The activation's name for a layer's config; throws, naming the layer, for an unregistered function. */
export function activationConfig(layer: string, activation: ResolvedActivation): string {
  if (activation.name !== undefined) return activation.name;
  // registered after the layer was made
  const registered = registeredByFunction.get(activation.apply);
  if (registered !== undefined) return registered;
  throw new Error(
    `layer '${layer}' has a custom activation function (${activation.label}) that model.json cannot name; ` +
      `register it with wg.registerActivation('${activation.label === 'an anonymous function' ? 'myActivation' : activation.label}', fn) before saving (and before loading), or use a built-in name`,
  );
}
