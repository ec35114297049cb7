// The base of layers that take a list of inputs (add, concatenate, attention):
// they build, check and compute from every input's shape instead of one.

import { shapeString } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { type ApplyOptions, Layer, type Shape } from './layer.js';

export abstract class MultiInputLayer extends Layer {
  /** The fewest and most inputs the layer takes. */
  protected abstract readonly arity: readonly [number, number];
  /** Output sample shape for the inputs' sample shapes (throws when they do not fit together). */
  abstract computeOutputShapes(shapes: readonly Shape[], options: ApplyOptions): Shape;
  /** Computes the output from the inputs (already checked against the built shapes). */
  protected abstract callMany(inputs: readonly Tensor[], options: ApplyOptions): Tensor;
  /** Creates the weights for inputs of these sample shapes (none by default). */
  protected createWeightsFor(_shapes: readonly Shape[]): void {}

  computeOutputShape(inputShape: Shape): Shape {
    return this.computeOutputShapes([inputShape], {});
  }

  protected call(): Tensor {
    throw new Error(`${this.name}: a ${this.className} layer takes a list of inputs: layer.apply([a, b])`);
  }

  protected override checkArity(count: number, asList: boolean): void {
    const [min, max] = this.arity;
    if (!asList || count < min || count > max) {
      const want = min === max ? `${min}` : max === Infinity ? `${min} or more` : `${min} to ${max}`;
      throw new Error(`${this.name}.apply: a ${this.className} layer takes a list of ${want} inputs, got ${asList ? `a list of ${count}` : 'one tensor'}`);
    }
  }

  /** @internal */
  override buildShapes(shapes: readonly Shape[]): void {
    if (this.built) return;
    this.computeOutputShapes(shapes, {});
    this.createWeightsFor(shapes);
    this.markBuilt(shapes);
  }

  /** @internal */
  override outputShapeFor(shapes: readonly Shape[], options: ApplyOptions): Shape {
    return this.computeOutputShapes(shapes, options);
  }

  /** @internal */
  override invoke(inputs: readonly Tensor[], options: ApplyOptions): Tensor {
    const built = this.inputShapes!;
    if (inputs.length !== built.length) throw new Error(`${this.name}: was built for ${built.length} inputs, got ${inputs.length}`);
    const batch = inputs[0]!.shape[0];
    inputs.forEach((t, i) => {
      const want = built[i]!;
      const sample = t.shape.slice(1);
      if (t.shape[0] !== batch || sample.length !== want.length || sample.some((d, j) => want[j] !== null && d !== want[j])) {
        throw new Error(`${this.name}: expected input ${i} of shape [${batch},${want.map((d) => d ?? '*').join(',')}], got ${shapeString(t.shape)}`);
      }
    });
    // Sizes left open at build time must still agree now.
    this.computeOutputShapes(inputs.map((t) => t.shape.slice(1)), options);
    return this.callMany(inputs, options);
  }
}

/** Sample shapes as text for messages ('*' where unknown). */
export function shapesText(shapes: readonly Shape[]): string {
  return shapes.map((s) => `[batch,${s.map((d) => d ?? '*').join(',')}]`).join(', ');
}
