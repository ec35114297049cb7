// BatchNormalization as in Keras: while training, each feature (the `axis` channel)
// is normalised with the batch's mean and (biased) variance, and the moving statistics
// move towards them: moving = moving · momentum + batch · (1 − momentum). At inference
// (predict, evaluate, training = false) the moving statistics are used instead. Weights
// in Keras order: gamma, beta (trainable), movingMean, movingVariance (not trainable:
// the optimizer never sees them, but getWeights, save and checkpoints do).

import { noGrad } from '../autograd.js';
import { checkBoolean, checkNumber, checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import { shapeString } from '../ops/util.js';
import { tidy } from '../scope.js';
import type { Tensor, Variable } from '../tensor.js';
import { type InitializerSpec, resolveInitializer } from './initializers.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';
import { updateState } from './state-updates.js';

export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis, counted with the batch dimension (default -1, channels last). */
  axis?: number;
  /** How much of the moving statistics each training step keeps (default 0.99). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-3). */
  epsilon?: number;
  /** Learn an offset beta (default true). */
  center?: boolean;
  /** Learn a scale gamma (default true). */
  scale?: boolean;
  betaInitializer?: InitializerSpec;
  gammaInitializer?: InitializerSpec;
  movingMeanInitializer?: InitializerSpec;
  movingVarianceInitializer?: InitializerSpec;
}

const KEYS = [
  ...LAYER_ARG_KEYS, 'axis', 'momentum', 'epsilon', 'center', 'scale',
  'betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer',
];

export class BatchNormalization extends Layer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly inits: Record<'beta' | 'gamma' | 'movingMean' | 'movingVariance', ReturnType<typeof resolveInitializer>>;
  private gamma: Variable | undefined;
  private beta: Variable | undefined;
  private movingMean: Variable | undefined;
  private movingVariance: Variable | undefined;

  constructor(args: BatchNormalizationArgs = {}) {
    checkOptions('batchNormalization', args, KEYS);
    super('BatchNormalization', args, 'batch_normalization');
    this.axis = checkNumber('batchNormalization', 'axis', args.axis, -1, { integer: true });
    if (this.axis === 0) throw new Error('batchNormalization: axis should name a feature axis, not the batch axis 0 (use -1 for channels last), got 0');
    this.momentum = checkNumber('batchNormalization', 'momentum', args.momentum, 0.99, { min: 0, max: 1 });
    this.epsilon = checkNumber('batchNormalization', 'epsilon', args.epsilon, 1e-3, { min: 0, minExclusive: true });
    this.center = checkBoolean('batchNormalization', 'center', args.center, true);
    this.scale = checkBoolean('batchNormalization', 'scale', args.scale, true);
    this.inits = {
      beta: resolveInitializer('batchNormalization', args.betaInitializer, 'zeros'),
      gamma: resolveInitializer('batchNormalization', args.gammaInitializer, 'ones'),
      movingMean: resolveInitializer('batchNormalization', args.movingMeanInitializer, 'zeros'),
      movingVariance: resolveInitializer('batchNormalization', args.movingVarianceInitializer, 'ones'),
    };
  }

  /** The features axis within a sample shape (no batch dimension). */
  private sampleAxis(inputShape: Shape): number {
    const rank = inputShape.length + 1;
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a < 1 || a >= rank) {
      throw new Error(`${this.name}: axis ${this.axis} is outside an input of rank ${rank} (shape [batch,${inputShape.map((d) => d ?? '*').join(',')}])`);
    }
    return a - 1;
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.sampleAxis(inputShape);
    return inputShape;
  }

  /** The number of features (the size of the normalised axis), which must be known. */
  private featuresOf(inputShape: Shape): number {
    const features = inputShape[this.sampleAxis(inputShape)];
    if (features === undefined || features === null) {
      throw new Error(`${this.name}: needs a known size on axis ${this.axis}, got input shape ${shapeString(inputShape.map((d) => d ?? -1))}`);
    }
    return features;
  }

  override weightShapes(inputShape: Shape): [string, number[]][] {
    const features = this.featuresOf(inputShape);
    const shapes: [string, number[]][] = [];
    if (this.scale) shapes.push(['gamma', [features]]);
    if (this.center) shapes.push(['beta', [features]]);
    shapes.push(['moving_mean', [features]], ['moving_variance', [features]]);
    return shapes;
  }

  protected override createWeights(inputShape: Shape): void {
    const shape = [this.featuresOf(inputShape)];
    if (this.scale) this.gamma = this.addWeight('gamma', shape, this.inits.gamma);
    if (this.center) this.beta = this.addWeight('beta', shape, this.inits.beta);
    this.movingMean = this.addWeight('moving_mean', shape, this.inits.movingMean, false);
    this.movingVariance = this.addWeight('moving_variance', shape, this.inits.movingVariance, false);
  }

  protected call(x: Tensor, training: boolean): Tensor {
    const rank = x.rank;
    const axis = this.sampleAxis(x.shape.slice(1)) + 1;
    // [1, .., features, .., 1]: the statistics broadcast along every other axis.
    const broadcast = x.shape.map((d, i) => (i === axis ? d : 1));
    const reduced = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis);
    // A frozen layer (trainable: false) normalises with its moving statistics, as in Keras.
    const useBatch = training && this.trainable;
    return tidy(() => {
      let normalised: Tensor;
      if (useBatch) {
        const mean = ops.mean(x, reduced, true);
        const centered = ops.sub(x, mean);
        const variance = ops.mean(ops.square(centered), reduced, true);
        normalised = ops.mul(centered, ops.rsqrt(ops.add(variance, this.epsilon)));
        this.updateMoving(ops.reshape(mean, [x.shape[axis]!]), ops.reshape(variance, [x.shape[axis]!]));
      } else {
        const mean = ops.reshape(this.movingMean!, broadcast);
        const inv = ops.rsqrt(ops.add(ops.reshape(this.movingVariance!, broadcast), this.epsilon));
        normalised = ops.mul(ops.sub(x, mean), inv);
      }
      const scaled = this.gamma ? ops.mul(normalised, ops.reshape(this.gamma, broadcast)) : normalised;
      return this.beta ? ops.add(scaled, ops.reshape(this.beta, broadcast)) : scaled;
    });
  }

  /** moving ← moving · momentum + batch · (1 − momentum), for mean and variance alike. */
  private updateMoving(mean: Tensor, variance: Tensor): void {
    noGrad(() => {
      for (const [moving, batch] of [[this.movingMean!, mean], [this.movingVariance!, variance]] as const) {
        const next = ops.add(ops.mul(moving, this.momentum), ops.mul(batch, 1 - this.momentum));
        updateState(moving, next);
      }
    });
  }

  getConfig(): Record<string, unknown> {
    const init = (i: ReturnType<typeof resolveInitializer>) => ({ className: i.className, config: i.config });
    return {
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: init(this.inits.beta),
      gammaInitializer: init(this.inits.gamma),
      movingMeanInitializer: init(this.inits.movingMean),
      movingVarianceInitializer: init(this.inits.movingVariance),
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}
