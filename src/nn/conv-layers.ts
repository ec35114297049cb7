// Conv2D and DepthwiseConv2D (Keras names, defaults and weight order), NHWC images.
// Both run the one conv2d op, with the bias and the activation fused where the op
// fuses them; a depthwise convolution is the grouped one with a group per input
// channel, its [kh, kw, in, multiplier] kernel read as [kh, kw, 1, in · multiplier].

import { checkBoolean, checkNumber, checkOptions } from '../options.js';
import * as ops from '../ops/index.js';
import type { Tensor, Variable } from '../tensor.js';
import { type ActivationName, resolveActivation } from './activations.js';
import { imageShape, type LayerPadding, type Pair, type PairArg, paddingOf, pairOf, windowOutput } from './conv-shape.js';
import { type InitializerSpec, resolveInitializer } from './initializers.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';

interface ConvCommonArgs extends LayerArgs {
  /** Window [height, width], or one number for both. */
  kernelSize: PairArg;
  /** Step of the window (default 1). */
  strides?: PairArg;
  /** 'valid' (default: no padding) or 'same' (output = ceil(input / stride), TensorFlow's rule). */
  padding?: LayerPadding;
  /** Spacing of the window's taps (default 1). */
  dilationRate?: PairArg;
  activation?: ActivationName;
  useBias?: boolean;
  biasInitializer?: InitializerSpec;
}

export interface Conv2DArgs extends ConvCommonArgs {
  /** Output channels. */
  filters: number;
  /** Channel groups (default 1); the input channels and filters must both divide by it. */
  groups?: number;
  kernelInitializer?: InitializerSpec;
}

export interface DepthwiseConv2DArgs extends ConvCommonArgs {
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerSpec;
}

const COMMON_KEYS = [...LAYER_ARG_KEYS, 'kernelSize', 'strides', 'padding', 'dilationRate', 'activation', 'useBias', 'biasInitializer'];

const configOf = (i: ReturnType<typeof resolveInitializer>) => ({ className: i.className, config: i.config });

abstract class ConvBase extends Layer {
  readonly kernelSize: Pair;
  readonly strides: Pair;
  readonly padding: LayerPadding;
  readonly dilationRate: Pair;
  readonly useBias: boolean;
  protected readonly activation: ReturnType<typeof resolveActivation>;
  protected readonly biasInit: ReturnType<typeof resolveInitializer>;
  protected kernel: Variable | undefined;
  protected bias: Variable | undefined;

  protected constructor(className: string, args: ConvCommonArgs, fn: string, defaultName: string) {
    super(className, args, defaultName);
    if (args.kernelSize === undefined) throw new Error(`${fn}: kernelSize is required (a positive integer or [height, width]), got undefined`);
    this.kernelSize = pairOf(fn, 'kernelSize', args.kernelSize, 1);
    this.strides = pairOf(fn, 'strides', args.strides, 1);
    this.padding = paddingOf(fn, args.padding);
    this.dilationRate = pairOf(fn, 'dilationRate', args.dilationRate, 1);
    this.useBias = checkBoolean(fn, 'useBias', args.useBias, true);
    this.activation = resolveActivation(fn, args.activation);
    this.biasInit = resolveInitializer(fn, args.biasInitializer, 'zeros');
  }

  /** Output channels for `inputChannels`. */
  protected abstract outputChannels(inputChannels: number): number;

  computeOutputShape(inputShape: Shape): Shape {
    const [h, w, c] = imageShape(this.name, inputShape);
    const [kh, kw] = this.kernelSize;
    return [
      windowOutput(this.name, 'height', h, kh, this.strides[0], this.dilationRate[0], this.padding),
      windowOutput(this.name, 'width', w, kw, this.strides[1], this.dilationRate[1], this.padding),
      c === null ? null : this.outputChannels(c),
    ];
  }

  /** The input channels, which must be known to size the kernel. */
  protected channelsOf(inputShape: Shape): number {
    const c = imageShape(this.name, inputShape)[2];
    if (c === null) throw new Error(`${this.name}: needs a known number of input channels, got samples of shape [${inputShape.map((d) => d ?? '*').join(',')}]`);
    return c;
  }

  protected override createWeights(inputShape: Shape): void {
    const [[kernelName, kernelShape], bias] = this.weightShapes(inputShape) as [[string, number[]], [string, number[]]?];
    this.kernel = this.addWeight(kernelName, kernelShape, this.kernelInitializer());
    if (bias) this.bias = this.addWeight('bias', bias[1], this.biasInit);
  }

  protected abstract kernelInitializer(): ReturnType<typeof resolveInitializer>;

  /** The conv2d op on `filter` [kh, kw, in / groups, out], with bias and activation. */
  protected convolve(x: Tensor, filter: Tensor, groups: number): Tensor {
    const { fused, apply } = this.activation;
    const options = { strides: this.strides, padding: this.padding, dilation: this.dilationRate, groups, ...(this.bias ? { bias: this.bias } : {}) };
    // conv fuses the activations whose gradient reads its output; GELU's tanh form runs after it
    if (fused && fused !== 'geluTanh') return ops.conv2d(x, filter, { ...options, activation: fused });
    const z = ops.conv2d(x, filter, options);
    const y = apply(z);
    z.dispose();
    return y;
  }

  protected commonConfig(): Record<string, unknown> {
    return {
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: this.activation.name,
      useBias: this.useBias,
      biasInitializer: configOf(this.biasInit),
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}

/** 2-D convolution over NHWC images: kernel [kh, kw, in / groups, filters], bias [filters]. */
export class Conv2D extends ConvBase {
  readonly filters: number;
  readonly groups: number;
  private readonly kernelInit: ReturnType<typeof resolveInitializer>;

  constructor(args: Conv2DArgs) {
    checkOptions('conv2d', args, [...COMMON_KEYS, 'filters', 'groups', 'kernelInitializer']);
    if (args === undefined) throw new Error('conv2d: expected options with filters and kernelSize, e.g. { filters: 8, kernelSize: 3 }, got undefined');
    super('Conv2D', args, 'conv2d', 'conv2d');
    this.filters = checkNumber('conv2d', 'filters', args.filters, NaN, { integer: true, min: 1 });
    if (Number.isNaN(this.filters)) throw new Error('conv2d: filters should be a positive integer, got undefined');
    this.groups = checkNumber('conv2d', 'groups', args.groups, 1, { integer: true, min: 1 });
    if (this.filters % this.groups !== 0) throw new Error(`conv2d: filters (${this.filters}) should divide by groups (${this.groups})`);
    this.kernelInit = resolveInitializer('conv2d', args.kernelInitializer, 'glorotUniform');
  }

  protected outputChannels(): number {
    return this.filters;
  }

  protected kernelInitializer(): ReturnType<typeof resolveInitializer> {
    return this.kernelInit;
  }

  override weightShapes(inputShape: Shape): [string, number[]][] {
    const c = this.channelsOf(inputShape);
    if (c % this.groups !== 0) throw new Error(`${this.name}: the input channels (${c}) should divide by groups (${this.groups})`);
    const shapes: [string, number[]][] = [['kernel', [...this.kernelSize, c / this.groups, this.filters]]];
    if (this.useBias) shapes.push(['bias', [this.filters]]);
    return shapes;
  }

  protected call(x: Tensor): Tensor {
    return this.convolve(x, this.kernel!, this.groups);
  }

  getConfig(): Record<string, unknown> {
    return { filters: this.filters, groups: this.groups, kernelInitializer: configOf(this.kernelInit), ...this.commonConfig() };
  }
}

/** Depthwise 2-D convolution: each input channel gets `depthMultiplier` filters of its own. */
export class DepthwiseConv2D extends ConvBase {
  readonly depthMultiplier: number;
  private readonly depthwiseInit: ReturnType<typeof resolveInitializer>;

  constructor(args: DepthwiseConv2DArgs) {
    checkOptions('depthwiseConv2d', args, [...COMMON_KEYS, 'depthMultiplier', 'depthwiseInitializer']);
    if (args === undefined) throw new Error('depthwiseConv2d: expected options with kernelSize, e.g. { kernelSize: 3 }, got undefined');
    super('DepthwiseConv2D', args, 'depthwiseConv2d', 'depthwise_conv2d');
    this.depthMultiplier = checkNumber('depthwiseConv2d', 'depthMultiplier', args.depthMultiplier, 1, { integer: true, min: 1 });
    this.depthwiseInit = resolveInitializer('depthwiseConv2d', args.depthwiseInitializer, 'glorotUniform');
  }

  protected outputChannels(inputChannels: number): number {
    return inputChannels * this.depthMultiplier;
  }

  protected kernelInitializer(): ReturnType<typeof resolveInitializer> {
    return this.depthwiseInit;
  }

  override weightShapes(inputShape: Shape): [string, number[]][] {
    const c = this.channelsOf(inputShape);
    const shapes: [string, number[]][] = [['depthwise_kernel', [...this.kernelSize, c, this.depthMultiplier]]];
    if (this.useBias) shapes.push(['bias', [c * this.depthMultiplier]]);
    return shapes;
  }

  protected call(x: Tensor): Tensor {
    const [kh, kw, c, m] = this.kernel!.shape as [number, number, number, number];
    // Output channel g · m + j is input channel g's j-th filter: the grouped conv's order.
    const filter = ops.reshape(this.kernel!, [kh, kw, 1, c * m]);
    const y = this.convolve(x, filter, c);
    filter.dispose();
    return y;
  }

  getConfig(): Record<string, unknown> {
    return { depthMultiplier: this.depthMultiplier, depthwiseInitializer: configOf(this.depthwiseInit), ...this.commonConfig() };
  }
}
