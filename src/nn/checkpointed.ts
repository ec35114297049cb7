// A block of layers run under activation checkpointing (see ../recompute.ts): the
// model-level switch. `wg.layers.checkpointed([a, b, c])` is a layer that applies a,
// b and c in turn, keeping only its input for the backward pass and recomputing the
// rest then. Wrap each repeated block of a deep model (a transformer block, a
// residual stage) to train it in the memory of its block inputs plus one block.

import { given } from '../options.js';
import type { RandomState } from '../random.js';
import { checkpoint } from '../recompute.js';
import type { Tensor, Variable } from '../tensor.js';
import { Layer, type LayerArgs, type Shape } from './layer.js';

export interface CheckpointedArgs extends Pick<LayerArgs, 'name'> {
  /** The block's layers, applied in order. */
  layers: readonly Layer[];
}

export class Checkpointed extends Layer {
  readonly layers: readonly Layer[];

  constructor(args: CheckpointedArgs) {
    const list: unknown = args?.layers;
    if (!Array.isArray(list) || list.length === 0 || !list.every((l) => l instanceof Layer)) {
      throw new TypeError(`checkpointed: expected a layer or a non-empty array of layers, got ${given(list)}`);
    }
    const first = (list as Layer[])[0]!;
    super('Checkpointed', { ...(args.name === undefined ? {} : { name: args.name }), ...(first.declaredInputShape ? { inputShape: first.declaredInputShape } : {}) }, 'checkpointed');
    this.layers = [...(list as Layer[])];
    const random = this.layers.filter((l) => l.randomState() !== undefined);
    // A checkpoint file keeps one generator per model layer.
    if (random.length > 1) throw new Error(`checkpointed: at most one layer with a random generator (dropout) per block, got ${random.map((l) => `'${l.name}'`).join(' and ')}`);
  }

  override get weights(): readonly Variable[] {
    return this.layers.flatMap((l) => [...l.weights]);
  }
  override get trainableWeights(): readonly Variable[] {
    return this.trainable ? this.layers.flatMap((l) => [...l.trainableWeights]) : [];
  }
  override countParams(): number {
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }
  /** The inner layers name their own weights, so the model file checks them when they load. */
  override weightShapes(): undefined {
    return undefined;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return this.layers.reduce((shape, l) => l.computeOutputShape(shape), inputShape);
  }

  protected override createWeights(inputShape: Shape): void {
    let shape = inputShape;
    for (const l of this.layers) {
      l.build(shape);
      shape = l.computeOutputShape(shape);
    }
  }

  protected call(x: Tensor, training: boolean): Tensor {
    const generators = this.layers.filter((l) => l.randomState() !== undefined);
    const before = generators.map((l) => l.randomState()!);
    let ran = false;
    const block = checkpoint((input: Tensor) => {
      // The backward pass's second run draws the same dropout masks as the first.
      let now: RandomState[] = [];
      if (ran) {
        now = generators.map((l) => l.randomState()!);
        generators.forEach((l, i) => l.restoreRandomState(before[i]!));
      }
      try {
        let h = input;
        for (const layer of this.layers) {
          const next = layer.apply(h, training);
          if (h !== input) h.dispose();
          h = next;
        }
        return h;
      } finally {
        if (ran) generators.forEach((l, i) => l.restoreRandomState(now[i]!));
        ran = true;
      }
    });
    return block(x);
  }

  override randomState(): RandomState | undefined {
    return this.layers.find((l) => l.randomState() !== undefined)?.randomState();
  }
  override restoreRandomState(state: RandomState): void {
    const layer = this.layers.find((l) => l.randomState() !== undefined);
    if (!layer) super.restoreRandomState(state);
    else layer.restoreRandomState(state);
  }

  getConfig(): Record<string, unknown> {
    return { layers: this.layers.map((l) => l.toConfig()) };
  }

  override dispose(): void {
    for (const l of this.layers) l.dispose();
    super.dispose();
  }
}

/** `wg.layers.checkpointed(layer | layers, { name })`: the layers as one block under activation checkpointing. */
export function checkpointed(layers: Layer | readonly Layer[], args: Omit<CheckpointedArgs, 'layers'> = {}): Checkpointed {
  return new Checkpointed({ ...args, layers: layers instanceof Layer ? [layers] : layers });
}
