// Dense: act(x · kernel + bias), kernel [inputs, units] and bias [units] as in Keras,
// computed by one fused backend matmul where the activation allows it.

import { checkBoolean, checkNumber, checkOptions } from '../options.js';
import { dense as denseOp } from '../ops/matmul.js';
import { shapeString } from '../ops/util.js';
import type { Tensor, Variable } from '../tensor.js';
import { activationConfig, type ActivationSpec, resolveActivation } from './activations.js';
import { type InitializerSpec, resolveInitializer } from './initializers.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';
import { withCompute } from './mixed.js';

export interface DenseArgs extends LayerArgs {
  units: number;
  /** A name ('relu', Keras' 'leaky_relu', ...) or a function of a tensor (wg.relu, or your own; see registerActivation for saving). */
  activation?: ActivationSpec;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
}

export class Dense extends Layer {
  readonly units: number;
  readonly useBias: boolean;
  private readonly activation: ReturnType<typeof resolveActivation>;
  private readonly kernelInit: ReturnType<typeof resolveInitializer>;
  private readonly biasInit: ReturnType<typeof resolveInitializer>;
  private kernel: Variable | undefined;
  private bias: Variable | undefined;

  constructor(args: DenseArgs) {
    checkOptions('dense', args, [...LAYER_ARG_KEYS, 'units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer']);
    if (args === undefined) throw new Error('dense: expected options with units, got undefined');
    super('Dense', args, 'dense');
    this.units = checkNumber('dense', 'units', args.units, NaN, { integer: true, min: 1 });
    if (Number.isNaN(this.units)) throw new Error('dense: units should be a positive integer, got undefined');
    this.useBias = checkBoolean('dense', 'useBias', args.useBias, true);
    this.activation = resolveActivation('dense', args.activation);
    this.kernelInit = resolveInitializer('dense', args.kernelInitializer, 'glorotUniform');
    this.biasInit = resolveInitializer('dense', args.biasInitializer, 'zeros');
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  override weightShapes(inputShape: Shape): [string, number[]][] {
    const inputs = inputShape[inputShape.length - 1];
    if (inputs === undefined || inputs === null) {
      throw new Error(`${this.name}: needs a known last input dimension, got input shape ${shapeString(inputShape.map((d) => d ?? -1))}`);
    }
    const shapes: [string, number[]][] = [['kernel', [inputs, this.units]]];
    if (this.useBias) shapes.push(['bias', [this.units]]);
    return shapes;
  }

  protected override createWeights(inputShape: Shape): void {
    const [[, kernelShape], bias] = this.weightShapes(inputShape) as [[string, number[]], [string, number[]]?];
    this.kernel = this.addWeight('kernel', kernelShape, this.kernelInit);
    if (bias) this.bias = this.addWeight('bias', bias[1], this.biasInit);
  }

  protected call(input: Tensor): Tensor {
    // Under mixed precision x and the kernel are float16 (the bias is read as float32).
    return withCompute(this.precision, [input, this.kernel!], (x, kernel) => this.product(x, kernel!));
  }

  private product(x: Tensor, kernel: Tensor): Tensor {
    const { fused, apply } = this.activation;
    const options = this.bias ? { bias: this.bias } : {};
    if (fused) return denseOp(x, kernel, { ...options, activation: fused });
    const z = denseOp(x, kernel, options);
    const y = apply(z);
    // a custom activation may hand back its input
    if (y !== z) z.dispose();
    return y;
  }

  getConfig(): Record<string, unknown> {
    return {
      units: this.units,
      activation: activationConfig(this.name, this.activation),
      useBias: this.useBias,
      kernelInitializer: { className: this.kernelInit.className, config: this.kernelInit.config },
      biasInitializer: { className: this.biasInit.className, config: this.biasInit.config },
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}
