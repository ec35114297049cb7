// LayerNormalization over the last axis, as Keras': (x - mean) / sqrt(var + epsilon)
// * gamma + beta, with gamma [d] and beta [d] learned (Keras' default epsilon 1e-3;
// GPT-2 uses 1e-5). One fused op, wg.layerNorm, forward and backward.

import { checkBoolean, checkNumber, checkOptions } from '../options.js';
import { layerNorm } from '../ops/index.js';
import { shapeString } from '../ops/util.js';
import type { Tensor, Variable } from '../tensor.js';
import { type InitializerSpec, resolveInitializer } from './initializers.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';

export interface LayerNormalizationArgs extends LayerArgs {
  /** Added to the variance (default 1e-3, Keras' default; GPT-2 uses 1e-5). */
  epsilon?: number;
  /** Learn an offset beta (default true). */
  center?: boolean;
  /** Learn a scale gamma (default true). */
  scale?: boolean;
  /** Only the last axis (-1) is supported. */
  axis?: -1;
  gammaInitializer?: InitializerSpec;
  betaInitializer?: InitializerSpec;
}

export class LayerNormalization extends Layer {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly gammaInit: ReturnType<typeof resolveInitializer>;
  private readonly betaInit: ReturnType<typeof resolveInitializer>;
  private gamma: Variable | undefined;
  private beta: Variable | undefined;

  constructor(args: LayerNormalizationArgs = {}) {
    checkOptions('layerNormalization', args, [...LAYER_ARG_KEYS, 'epsilon', 'center', 'scale', 'axis', 'gammaInitializer', 'betaInitializer']);
    super('LayerNormalization', args, 'layer_normalization');
    this.epsilon = checkNumber('layerNormalization', 'epsilon', args.epsilon, 1e-3, { min: 0, minExclusive: true });
    this.center = checkBoolean('layerNormalization', 'center', args.center, true);
    this.scale = checkBoolean('layerNormalization', 'scale', args.scale, true);
    if (args.axis !== undefined && args.axis !== -1) throw new Error(`layerNormalization: only axis -1 (the last) is supported, got ${String(args.axis)}`);
    this.gammaInit = resolveInitializer('layerNormalization', args.gammaInitializer, 'ones');
    this.betaInit = resolveInitializer('layerNormalization', args.betaInitializer, 'zeros');
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override weightShapes(inputShape: Shape): [string, number[]][] {
    const d = inputShape[inputShape.length - 1];
    if (d === undefined || d === null) throw new Error(`${this.name}: needs a known last input dimension, got input shape ${shapeString(inputShape.map((v) => v ?? -1))}`);
    return [...(this.scale ? [['gamma', [d]] as [string, number[]]] : []), ...(this.center ? [['beta', [d]] as [string, number[]]] : [])];
  }

  protected override createWeights(inputShape: Shape): void {
    const d = this.weightShapes(inputShape);
    for (const [suffix, shape] of d) {
      if (suffix === 'gamma') this.gamma = this.addWeight('gamma', shape, this.gammaInit);
      else this.beta = this.addWeight('beta', shape, this.betaInit);
    }
  }

  protected call(x: Tensor): Tensor {
    return layerNorm(x, { epsilon: this.epsilon, ...(this.gamma ? { gamma: this.gamma } : {}), ...(this.beta ? { beta: this.beta } : {}) });
  }

  getConfig(): Record<string, unknown> {
    return {
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      gammaInitializer: { className: this.gammaInit.className, config: this.gammaInit.config },
      betaInitializer: { className: this.betaInit.className, config: this.betaInit.config },
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}
