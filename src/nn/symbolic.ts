// Symbolic tensors: placeholders that stand for a batch while a functional model is
// wired up. `wg.input` makes one; `layer.apply(symbolic)` records which layer made
// which output from which inputs; `wg.model` walks those records back from its outputs.

import { checkChoice, checkOptions, given } from '../options.js';
import type { DataType } from '../tensor.js';
import type { ApplyOptions, Layer } from './layer.js';

/** The call that produced a symbolic tensor. */
export interface SymbolicNode {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  readonly options: ApplyOptions;
}

let nextId = 0;

/** A tensor of a functional model under construction: a shape (batch first, `null` where unknown) and a dtype, no values. */
export class SymbolicTensor {
  /** @internal */
  readonly id = nextId++;
  readonly shape: readonly (number | null)[];
  constructor(
    shape: readonly (number | null)[],
    readonly dtype: DataType,
    /** @internal the layer call that made it; undefined for a model input */
    readonly node: SymbolicNode | undefined,
    readonly name: string = node ? `${node.layer.name}/output` : 'input',
  ) {
    this.shape = [...shape];
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `SymbolicTensor(${this.name}, [${this.shape.map((d) => d ?? 'null').join(',')}], ${this.dtype})`;
  }
}

export interface InputArgs {
  /** One sample's shape, without the batch dimension; `null` for a size known only when run. */
  shape: readonly (number | null)[];
  /** 'float32' (default) or 'int32' (token ids for an embedding). */
  dtype?: 'float32' | 'int32';
  name?: string;
}

const inputCounts = { n: 0 };

/**
 * A model input for the functional API: `const x = wg.input({ shape: [8] })`, then
 * `const y = layer.apply(x)` and `wg.model({ inputs: x, outputs: y })`.
 */
export function input(args: InputArgs): SymbolicTensor {
  checkOptions('input', args, ['shape', 'dtype', 'name']);
  if (args === undefined) throw new Error('input: expected { shape, dtype? }, got undefined');
  const { shape } = args;
  if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
    throw new Error(`input: shape should be an array of positive integers or null (one sample, no batch dimension), got ${given(shape)}`);
  }
  const dtype = checkChoice('input', 'dtype', args.dtype, 'float32', ['float32', 'int32'] as const);
  if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) throw new Error(`input: name should be a non-empty string, got ${given(args.name)}`);
  const n = inputCounts.n++;
  return new SymbolicTensor([null, ...shape], dtype, undefined, args.name ?? (n === 0 ? 'input' : `input_${n}`));
}
