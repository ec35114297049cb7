// Layers that merge a list of inputs: Add (elementwise sum) and Concatenate (along an axis).

import { checkNumber, checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';
import { MultiInputLayer, shapesText } from './multi-input.js';

/** The elementwise sum of two or more inputs of one shape: `wg.layers.add().apply([a, b])`. */
export class Add extends MultiInputLayer {
  protected readonly arity = [2, Infinity] as const;
  constructor(args: LayerArgs = {}) {
    checkOptions('add', args, LAYER_ARG_KEYS);
    super('Add', args, 'add');
  }
  computeOutputShapes(shapes: readonly Shape[]): Shape {
    const first = shapes[0]!;
    const same = shapes.every((s) => s.length === first.length && s.every((d, i) => d === null || first[i] === null || d === first[i]));
    if (!same) throw new Error(`${this.name}: inputs should all have one shape, got ${shapesText(shapes)}`);
    return first.map((_, i) => shapes.find((s) => s[i] !== null)?.[i] ?? null);
  }
  protected callMany(inputs: readonly Tensor[]): Tensor {
    let sum = ops.add(inputs[0]!, inputs[1]!);
    for (const t of inputs.slice(2)) {
      const next = ops.add(sum, t);
      sum.dispose();
      sum = next;
    }
    return sum;
  }
  getConfig(): Record<string, unknown> {
    return {};
  }
}

export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along, counting the batch axis as 0; negative counts from the end (default -1). */
  axis?: number;
}

/** Joins two or more inputs along `axis`; the other dimensions must agree. */
export class Concatenate extends MultiInputLayer {
  protected readonly arity = [2, Infinity] as const;
  readonly axis: number;
  constructor(args: ConcatenateArgs = {}) {
    checkOptions('concatenate', args, [...LAYER_ARG_KEYS, 'axis']);
    super('Concatenate', args, 'concatenate');
    this.axis = checkNumber('concatenate', 'axis', args.axis, -1, { integer: true });
    if (this.axis === 0) throw new Error('concatenate: axis 0 is the batch axis; give an axis of the samples (1 or more, or negative from the end)');
  }
  /** The axis within a sample (no batch dimension). */
  private sampleAxis(rank: number): number {
    const a = this.axis < 0 ? rank + 1 + this.axis : this.axis;
    if (a < 1 || a > rank) throw new Error(`${this.name}: axis ${this.axis} is out of range for inputs of rank ${rank + 1}`);
    return a - 1;
  }
  computeOutputShapes(shapes: readonly Shape[]): Shape {
    const first = shapes[0]!;
    if (!shapes.every((s) => s.length === first.length)) throw new Error(`${this.name}: inputs should have one rank, got ${shapesText(shapes)}`);
    const a = this.sampleAxis(first.length);
    const agree = first.every((_, i) => i === a || shapes.every((s) => s[i] === null || first[i] === null || s[i] === first[i]));
    if (!agree) throw new Error(`${this.name}: inputs should agree on every axis but ${this.axis}, got ${shapesText(shapes)}`);
    return first.map((d, i) => {
      if (i !== a) return shapes.find((s) => s[i] !== null)?.[i] ?? null;
      return shapes.some((s) => s[i] === null) ? null : shapes.reduce((n, s) => n + (s[i] as number), 0);
    });
  }
  protected callMany(inputs: readonly Tensor[]): Tensor {
    return ops.concat(inputs, this.sampleAxis(inputs[0]!.rank - 1) + 1);
  }
  getConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
}
