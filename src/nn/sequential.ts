// A stack of layers: each layer's output is the next one's input. The model API
// (compile, fit, evaluate, predict, weights, summary, save) is LayersModel's.

import { describe } from '../autograd.js';
import type { Callback } from '../callbacks.js';
import { checkOptions } from '../options.js';
import { shapeString } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import type { SequentialArchitecture } from '../io/model-json.js';
import { Layer, type Shape } from './layer.js';
import { defaultModelName, LayersModel, type SummaryRow } from './model-base.js';

export type { CompileArgs, Compiled, OptimizerName, PredictOptions, SummaryOptions } from './model-base.js';

export interface SequentialArgs {
  layers?: readonly Layer[];
  name?: string;
}

export class Sequential extends LayersModel {
  private readonly layerList: Layer[] = [];

  constructor(args: SequentialArgs | readonly Layer[] = {}) {
    const options = Array.isArray(args) ? { layers: args as readonly Layer[] } : (args as SequentialArgs);
    checkOptions('sequential', options, ['layers', 'name']);
    super(options.name ?? defaultModelName('sequential'));
    for (const layer of options.layers ?? []) this.add(layer);
  }

  get layers(): readonly Layer[] {
    return this.layerList;
  }

  /** Appends a layer; the model builds as soon as the first layer knows its input shape. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) {
      throw new TypeError(`sequential.add: expected a layer such as wg.layers.dense({ units: 8 }), got ${describe(layer)}`);
    }
    if (this.layerList.includes(layer)) throw new Error(`sequential.add: layer '${layer.name}' is already in this model`);
    if (this.layerList.length > 0 && layer.declaredInputShape) {
      // Keras ignores inputShape on later layers only when it matches; say so when it does not.
      const expected = this.outputShapeOf(this.layerList.length);
      if (expected && (expected.length !== layer.declaredInputShape.length || expected.some((d, i) => d !== null && d !== layer.declaredInputShape![i]))) {
        throw new Error(`sequential.add: layer '${layer.name}' declares inputShape ${shapeString(layer.declaredInputShape)}, but the previous layer outputs ${shapeString(expected.map((d) => d ?? -1))}`);
      }
    }
    this.layerList.push(layer);
    const first = this.layerList[0]!.declaredInputShape;
    if (first) this.build(first);
  }

  build(inputShape: Shape): void {
    let shape: Shape = inputShape;
    for (const layer of this.layerList) {
      layer.build(shape);
      shape = layer.computeOutputShape(shape);
    }
  }

  get inputShape(): Shape | undefined {
    return this.layerList[0]?.inputShape ?? this.layerList[0]?.declaredInputShape;
  }

  get outputShape(): Shape | undefined {
    return this.outputShapeOf(this.layerList.length);
  }

  private outputShapeOf(count: number): Shape | undefined {
    let shape = this.inputShape;
    if (!shape) return undefined;
    for (const layer of this.layerList.slice(0, count)) shape = layer.computeOutputShape(shape);
    return shape;
  }

  apply(x: Tensor, training = false): Tensor {
    if (this.layerList.length === 0) throw new Error(`${this.name}: the model has no layers`);
    let h = x;
    for (const layer of this.layerList) {
      const next = layer.apply(h, training);
      if (h !== x) h.dispose();
      h = next;
    }
    return h;
  }

  protected override emptyMessage(fn: string): string {
    return `${fn}: the model has no layers; add one with model.add(wg.layers.dense({ units, inputShape }))`;
  }

  /** @internal */
  architecture(): SequentialArchitecture {
    return { className: 'Sequential', name: this.name, inputShape: [...this.inputShape!], layers: this.layerList.map((l) => l.toConfig()) };
  }

  protected override get isChain(): boolean {
    return true;
  }

  protected summaryRows(): SummaryRow[] {
    let shape = this.inputShape;
    return this.layerList.map((layer) => {
      shape = shape ? layer.computeOutputShape(shape) : undefined;
      return { layer, outputShape: shape };
    });
  }
}

export function sequential(args?: SequentialArgs | readonly Layer[]): Sequential {
  return new Sequential(args);
}

export type { Callback };
