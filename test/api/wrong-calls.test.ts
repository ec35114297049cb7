// Wrong calls across the public API beyond the ops (test/ops/wrong-calls.test.ts has
// those): layers, the model, optimizers, losses, metrics, data, save / load, callbacks,
// backends, scopes, variables, dead and foreign tensors. Each call throws (or rejects)
// before any work is queued, with a message that names the function, what it expected
// and what it was given; a misspelt option name gets the right one suggested. A failed
// call leaves no tensor behind and changes nothing.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { CpuBackend } from '../../src/backends/cpu.js';
import { allocate, Tensor } from '../../src/tensor.js';
import { backendCases } from '../helpers/backends.js';

const backends = await backendCases();

/** What the calls below work on, made fresh on the backend under test. */
interface Fixture {
  /** dense(3 → 2), compiled with sgd and mse. */
  model: wg.Sequential;
  /** 3 classes from 2 features, compiled with sparse cross-entropy. */
  classifier: wg.Sequential;
  x43: wg.Tensor; // [4,3]
  y42: wg.Tensor; // [4,2]
  y32: wg.Tensor; // [3,2]
  x45: wg.Tensor; // [4,5]
  labels: wg.Tensor; // [4] int32, one of them 3 (out of range for 3 classes)
  v3: wg.Tensor; // [3]
  i3: wg.Tensor; // [3] int32
  dead: wg.Tensor; // [2], disposed
  foreign: wg.Tensor; // [4,3] on another backend instance
  foreign2: wg.Tensor; // [2] on another backend instance
  variable: wg.Variable; // [3]
  variable43: wg.Variable; // [4,3]
  deadVariable: wg.Variable; // [2], disposed
  grad3: wg.Tensor; // [3]
  s: wg.Tensor; // scalar
  v2: wg.Tensor; // [2]
  i2: wg.Tensor; // [2] int32
  k32: wg.Tensor; // [3,2]
  /** fitted on x43 */
  scaler: wg.MinMaxScaler;
  /** dense(3 → 1), not compiled. */
  uncompiled: wg.Sequential;
  /** [4,5] int32 */
  x45i: wg.Tensor;
  /** [[1, 6]] int32: 6 is past the GPT's vocabulary */
  i2x6: wg.Tensor;
  /** vocabulary 5, context 4, one layer of width 4, two heads, compiled. */
  gpt: wg.GPT;
}

interface WrongCall {
  readonly name: string;
  readonly call: (f: Fixture) => unknown;
  /** Each must match the message: the function, what was expected, what was given. */
  readonly says: readonly RegExp[];
  /** Only where the backend reads synchronously (label checks inside a loss). */
  readonly syncOnly?: boolean;
}

const dense = (args: object) => () => wg.layers.dense(args as wg.DenseArgs);
const suggests = (given: string, right: string) => new RegExp(`unknown option '${given}'; did you mean '${right}'\\?`);

/** Builds a model under 'mixed_float16' on `backend` and compiles it (then puts everything back). */
async function compileMixedOn(backend: wg.BackendName): Promise<void> {
  const previous = wg.getBackend();
  await wg.setBackend(backend);
  wg.setPrecision('mixed_float16');
  const m = wg.sequential({ layers: [wg.layers.dense({ units: 1, inputShape: [2] })] });
  try {
    m.compile({ optimizer: 'sgd', loss: 'mse' });
  } finally {
    m.dispose();
    wg.setPrecision('float32');
    await wg.setBackend(previous);
  }
}

const rows: WrongCall[] = [
  // --- layers
  { name: 'dense without options', call: dense(undefined as unknown as object), says: [/^dense: expected options with units, got undefined$/] },
  { name: 'dense with 0 units', call: dense({ units: 0 }), says: [/^dense: units should be an integer >= 1, got 0$/] },
  { name: 'dense with fractional units', call: dense({ units: 2.5 }), says: [/^dense: units should be an integer >= 1, got 2.5$/] },
  { name: 'dense with a misspelt option', call: dense({ unit: 3 }), says: [/^dense: /, suggests('unit', 'units')] },
  { name: 'dense with inputshape in lower case', call: dense({ units: 3, inputshape: [2] }), says: [/^dense: /, suggests('inputshape', 'inputShape')] },
  { name: 'dense with a misspelt activation', call: dense({ units: 3, activation: 'rellu' }), says: [/^dense: unknown activation "rellu"; did you mean 'relu'\?/, /expected one of: .*relu/] },
  { name: 'dense with a misspelt initializer', call: dense({ units: 3, kernelInitializer: 'glorotUniforn' }), says: [/^dense: unknown initializer "glorotUniforn"; did you mean 'glorotUniform'\?/] },
  { name: 'dense with a zero inputShape', call: dense({ units: 3, inputShape: [0] }), says: [/^dense: inputShape should be an array of positive integers \(without the batch dimension\), got \[0\]$/] },
  { name: 'dense with inputShape and inputDim', call: dense({ units: 3, inputShape: [2], inputDim: 2 }), says: [/^dense: give inputShape or inputDim, not both \(got inputShape \[2\] and inputDim 2\)$/] },
  { name: 'dense with a negative inputDim', call: dense({ units: 3, inputDim: -1 }), says: [/^dense: inputDim should be a positive integer, got -1$/] },
  { name: 'dense with a string useBias', call: dense({ units: 3, useBias: 'no' }), says: [/^dense: useBias should be true or false, got string no$/] },
  { name: 'dense with a string trainable', call: dense({ units: 3, trainable: 'yes' }), says: [/^dense: trainable should be true or false, got string yes$/] },
  { name: 'dense with a numeric name', call: dense({ units: 3, name: 5 }), says: [/^dense: name should be a non-empty string, got number 5$/] },
  { name: 'dropout with rate 1', call: () => wg.layers.dropout({ rate: 1 }), says: [/^dropout: rate should be a number in \[0, 1\), got 1$/] },
  { name: 'dropout without a rate', call: () => wg.layers.dropout({} as wg.DropoutArgs), says: [/^dropout: rate should be a number in \[0, 1\), got undefined$/] },
  { name: 'dropout with a misspelt rate', call: () => wg.layers.dropout({ rat: 0.5 } as unknown as wg.DropoutArgs), says: [/^dropout: /, suggests('rat', 'rate')] },
  { name: 'dropout with a fractional seed', call: () => wg.layers.dropout({ rate: 0.5, seed: 1.5 }), says: [/^dropout: seed should be an integer, got 1.5$/] },
  { name: 'activation layer without an activation', call: () => wg.layers.activation({} as wg.ActivationArgs), says: [/^activation: expected options with an activation name, e.g. \{ activation: 'relu' \}/, /got \{\}/] },
  { name: 'activation layer with a misspelt name', call: () => wg.layers.activation({ activation: 'sigmoidd' as 'sigmoid' }), says: [/^activation: unknown activation "sigmoidd"; did you mean 'sigmoid'\?/] },
  { name: 'dense with a number as activation', call: dense({ units: 3, activation: 5 }), says: [/^dense: unknown activation 5 \(expected one of: linear, relu, .*, or Keras' spellings such as 'linear'\)$/] },
  { name: "dense with a misspelt Keras activation", call: dense({ units: 3, activation: 'leaky_rellu' }), says: [/^dense: unknown activation "leaky_rellu"; did you mean 'leaky_relu'\?/] },
  { name: "dense with a misspelt Keras initializer", call: dense({ units: 3, kernelInitializer: 'glorot_unifrom' }), says: [/^dense: unknown initializer "glorot_unifrom"; did you mean 'glorot_uniform'\?/] },
  { name: 'registerActivation over a built-in name', call: () => wg.registerActivation('relu', (x) => x), says: [/^registerActivation: 'relu' is a built-in activation; choose another name$/] },
  { name: 'registerActivation of a string', call: () => wg.registerActivation('mine', 'relu' as unknown as wg.ActivationFunction), says: [/^registerActivation: fn should be a function \(x: Tensor\) => Tensor, got string relu$/] },
  { name: 'save of a layer with an unregistered activation function', call: async () => {
    const m = wg.sequential([wg.layers.dense({ units: 1, inputDim: 2, activation: function halve(x: wg.Tensor) { return wg.mul(x, 0.5); }, name: 'halver' })]);
    try {
      await m.save('never-written');
    } finally {
      m.dispose();
    }
  }, says: [/^\w+\.save: layer 'halver' has a custom activation function \(halve\) that model\.json cannot name; register it with wg\.registerActivation\('halve', fn\)/] },
  { name: 'flatten with a misspelt option', call: () => wg.layers.flatten({ inputShap: [2, 2] } as wg.LayerArgs), says: [/^flatten: /, suggests('inputShap', 'inputShape')] },
  { name: 'flatten with options that are not an object', call: () => wg.layers.flatten(3 as unknown as wg.LayerArgs), says: [/^flatten: options should be an object, got number$/] },

  // --- image layers: options, and inputs they cannot take (refused while building, before any weight exists)
  { name: 'conv2d without options', call: () => wg.layers.conv2d(undefined as unknown as wg.Conv2DArgs), says: [/^conv2d: expected options with filters and kernelSize, e.g. \{ filters: 8, kernelSize: 3 \}, got undefined$/] },
  { name: 'conv2d without kernelSize', call: () => wg.layers.conv2d({ filters: 8 } as wg.Conv2DArgs), says: [/^conv2d: kernelSize is required \(a positive integer or \[height, width\]\), got undefined$/] },
  { name: 'conv2d with 0 filters', call: () => wg.layers.conv2d({ filters: 0, kernelSize: 3 }), says: [/^conv2d: filters should be an integer >= 1, got 0$/] },
  { name: 'conv2d with a kernelSize of one entry', call: () => wg.layers.conv2d({ filters: 2, kernelSize: [3] as unknown as number }), says: [/^conv2d: kernelSize should be a positive integer or a pair \[height, width\] of them, got \[3\]$/] },
  { name: 'conv2d with strides 0', call: () => wg.layers.conv2d({ filters: 2, kernelSize: 3, strides: 0 }), says: [/^conv2d: strides should be a positive integer or a pair \[height, width\] of them, got 0$/] },
  { name: 'conv2d with a negative dilationRate', call: () => wg.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: [1, -2] }), says: [/^conv2d: dilationRate should be a positive integer or a pair \[height, width\] of them, got \[1,-2\]$/] },
  { name: 'conv2d with padding full', call: () => wg.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'full' as 'same' }), says: [/^conv2d: padding should be 'valid' or 'same', got "full"$/] },
  { name: 'conv2d with kernelsize in lower case', call: () => wg.layers.conv2d({ filters: 2, kernelsize: 3 } as unknown as wg.Conv2DArgs), says: [/^conv2d: /, suggests('kernelsize', 'kernelSize')] },
  { name: 'conv2d with filters that groups do not divide', call: () => wg.layers.conv2d({ filters: 6, kernelSize: 3, groups: 4 }), says: [/^conv2d: filters \(6\) should divide by groups \(4\)$/] },
  { name: 'conv2d with input channels that groups do not divide', call: () => wg.sequential([wg.layers.conv2d({ filters: 4, kernelSize: 1, groups: 2, inputShape: [4, 4, 3] })]), says: [/^conv2d(_\d+)?: the input channels \(3\) should divide by groups \(2\)$/] },
  { name: 'conv2d on flat samples', call: () => wg.sequential([wg.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [64] })]), says: [/^conv2d(_\d+)?: expects images \[batch, height, width, channels\], got samples of shape \[64\] \(add wg.layers.reshape\(\{ targetShape: \[h, w, c\] \}\) first\)$/] },
  { name: 'conv2d with a kernel larger than the image', call: () => wg.sequential([wg.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [2, 5, 1] })]), says: [/^conv2d(_\d+)?: the window \(3\) is larger than the input height 2 with padding 'valid'$/] },
  { name: 'depthwiseConv2d without kernelSize', call: () => wg.layers.depthwiseConv2d({} as wg.DepthwiseConv2DArgs), says: [/^depthwiseConv2d: kernelSize is required \(a positive integer or \[height, width\]\), got undefined$/] },
  { name: 'depthwiseConv2d with depthMultiplier 0', call: () => wg.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0 }), says: [/^depthwiseConv2d: depthMultiplier should be an integer >= 1, got 0$/] },
  { name: 'depthwiseConv2d with a dilated window larger than the image', call: () => wg.sequential([wg.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, inputShape: [4, 9, 2] })]), says: [/^depthwise_conv2d(_\d+)?: the dilated window \(5\) is larger than the input height 4 with padding 'valid'$/] },
  { name: 'maxPooling2d with poolSize 0', call: () => wg.layers.maxPooling2d({ poolSize: 0 }), says: [/^maxPooling2d: poolSize should be a positive integer or a pair \[height, width\] of them, got 0$/] },
  { name: 'averagePooling2d with padding causal', call: () => wg.layers.averagePooling2d({ padding: 'causal' as 'valid' }), says: [/^averagePooling2d: padding should be 'valid' or 'same', got "causal"$/] },
  { name: 'averagePooling2d with a misspelt option', call: () => wg.layers.averagePooling2d({ poolsize: 2 } as unknown as wg.Pooling2DArgs), says: [/^averagePooling2d: /, suggests('poolsize', 'poolSize')] },
  { name: 'maxPooling2d with a pool larger than the image', call: () => wg.sequential([wg.layers.maxPooling2d({ poolSize: 2, inputShape: [1, 4, 3] })]), says: [/^max_pooling2d(_\d+)?: the window \(2\) is larger than the input height 1 with padding 'valid'$/] },
  { name: 'globalAveragePooling2d on flat samples', call: () => wg.sequential([wg.layers.globalAveragePooling2d({ inputShape: [4, 4] })]), says: [/^global_average_pooling2d(_\d+)?: expects images \[batch, height, width, channels\], got samples of shape \[4,4\]/] },
  { name: 'globalMaxPooling2d with a misspelt option', call: () => wg.layers.globalMaxPooling2d({ inputshape: [2, 2, 1] } as unknown as wg.LayerArgs), says: [/^globalMaxPooling2d: /, suggests('inputshape', 'inputShape')] },
  { name: 'batchNormalization with momentum above 1', call: () => wg.layers.batchNormalization({ momentum: 1.5 }), says: [/^batchNormalization: momentum should be a finite number >= 0 <= 1, got 1.5$/] },
  { name: 'batchNormalization with epsilon 0', call: () => wg.layers.batchNormalization({ epsilon: 0 }), says: [/^batchNormalization: epsilon should be a finite number > 0, got 0$/] },
  { name: 'batchNormalization on the batch axis', call: () => wg.layers.batchNormalization({ axis: 0 }), says: [/^batchNormalization: axis should name a feature axis, not the batch axis 0/] },
  { name: 'batchNormalization with an axis outside the input', call: () => wg.sequential([wg.layers.batchNormalization({ axis: 3, inputShape: [4] })]), says: [/^batch_normalization(_\d+)?: axis 3 is outside an input of rank 2 \(shape \[batch,4\]\)$/] },
  { name: 'batchNormalization with a misspelt initializer', call: () => wg.layers.batchNormalization({ gammaInitializer: 'one' as 'ones' }), says: [/^batchNormalization: unknown initializer "one"; did you mean 'ones'\?/] },
  { name: 'reshape without options', call: () => wg.layers.reshape(undefined as unknown as wg.ReshapeArgs), says: [/^reshape: expected options with targetShape, e.g. \{ targetShape: \[8, 8, 1\] \}, got undefined$/] },
  { name: 'reshape with two unknown sizes', call: () => wg.layers.reshape({ targetShape: [-1, -1] }), says: [/^reshape: targetShape should be a non-empty array of positive integers \(one may be -1\), without the batch dimension, got \[-1,-1\]$/] },
  { name: 'reshape to a shape of another size', call: () => wg.sequential([wg.layers.reshape({ targetShape: [3, 3], inputShape: [8] })]), says: [/^reshape(_\d+)?: cannot reshape samples of shape \[8\] \(8 values\) to \[3,3\]$/] },
  { name: 'embedding without inputDim', call: () => wg.layers.embedding({ outputDim: 3 } as wg.EmbeddingArgs), says: [/^embedding: inputDim \(the vocabulary size\) should be a positive integer, got undefined$/] },
  { name: 'embedding on float ids', call: (f) => wg.layers.embedding({ inputDim: 4, outputDim: 2 }).apply(f.x43), says: [/^embedding(_\d+)?: ids should be an int32 tensor of token ids, got float32 of shape \[4,3\]$/] },
  { name: 'embedding on an id past the vocabulary', call: (f) => wg.layers.embedding({ inputDim: 3, outputDim: 2 }).apply(f.labels), says: [/^embedding(_\d+)?: ids should be in \[0, 2\] \(vocabulary of 3\), got 3 at position 2$/], syncOnly: true },
  { name: 'layerNormalization with a misspelt epsilon', call: () => wg.layers.layerNormalization({ epsilion: 1e-5 } as wg.LayerNormalizationArgs), says: [/^layerNormalization: /, suggests('epsilion', 'epsilon')] },
  { name: 'multiHeadAttention on one tensor', call: (f) => wg.layers.multiHeadAttention({ numHeads: 2, keyDim: 2 }).apply(f.x43), says: [/^multi_head_attention(_\d+)?\.apply: a MultiHeadAttention layer takes a list of 2 to 3 inputs, got one tensor$/] },
  { name: 'multiHeadAttention with a misspelt call option', call: (f) => wg.layers.multiHeadAttention({ numHeads: 2, keyDim: 2 }).apply([f.x43, f.x43], { useCausalMasks: true } as wg.ApplyOptions), says: [/apply: /, suggests('useCausalMasks', 'useCausalMask')] },
  { name: 'add of tensors of two shapes', call: (f) => wg.layers.add().apply([f.x43, f.x45]), says: [/^add(_\d+)?: inputs should all have one shape, got \[batch,3\], \[batch,5\]$/] },
  { name: 'input without a shape', call: () => wg.input({} as wg.InputArgs), says: [/^input: shape should be an array of positive integers or null \(one sample, no batch dimension\), got undefined$/] },
  { name: 'model with a tensor as output', call: (f) => wg.model({ inputs: wg.input({ shape: [3] }), outputs: f.x43 as unknown as wg.SymbolicTensor }), says: [/^model: outputs should be a symbolic tensor \(from wg.input or layer.apply\(symbolic\)\), got /] },
  { name: 'model whose output needs another input', call: () => wg.model({ inputs: wg.input({ shape: [3] }), outputs: wg.layers.activation({ activation: 'relu' }).apply(wg.input({ shape: [3], name: 'other' })) }), says: [/^model: the outputs depend on the input 'other' \(\[null,3\]\), which is not among the model's inputs/] },

  // --- the model: building and compiling
  { name: 'sequential with a misspelt option', call: () => wg.sequential({ layer: [] } as unknown as wg.SequentialArgs), says: [/^sequential: /, suggests('layer', 'layers')] },
  { name: 'sequential with a string among the layers', call: () => wg.sequential(['relu'] as unknown as wg.Layer[]), says: [/^sequential.add: expected a layer such as wg.layers.dense\(\{ units: 8 \}\), got string relu$/] },
  { name: 'add of a layer already in the model', call: (f) => f.model.add(f.model.layers[0]!), says: [/^sequential.add: layer '.+' is already in this model$/] },
  { name: 'add of a layer whose inputShape disagrees', call: (f) => f.model.add(wg.layers.dense({ units: 1, inputShape: [5] })), says: [/^sequential.add: layer '.+' declares inputShape \[5\], but the previous layer outputs \[2\]$/] },
  { name: 'compile without a loss', call: (f) => f.model.compile({ optimizer: 'sgd' } as wg.CompileArgs), says: [/^compile: loss is required, e.g. 'meanSquaredError'/] },
  { name: 'compile without options', call: (f) => f.model.compile(undefined as unknown as wg.CompileArgs), says: [/^compile: expected \{ optimizer, loss \}, got undefined$/] },
  { name: 'compile with a misspelt optimizer', call: (f) => f.model.compile({ optimizer: 'adamm' as 'adam', loss: 'mse' }), says: [/^compile: unknown optimizer "adamm"; did you mean 'adam'\?/] },
  { name: 'compile with a misspelt loss', call: (f) => f.model.compile({ optimizer: 'sgd', loss: 'meanSquareError' as 'mse' }), says: [/^compile: unknown loss "meanSquareError"; did you mean 'meanSquaredError'\?/] },
  { name: 'compile with a misspelt metric', call: (f) => f.model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['acuracy' as 'acc'] }), says: [/^compile: unknown metric "acuracy"; did you mean 'accuracy'\?/] },
  { name: 'compile with optimiser spelt the British way', call: (f) => f.model.compile({ optimiser: 'sgd', loss: 'mse' } as unknown as wg.CompileArgs), says: [/^compile: /, suggests('optimiser', 'optimizer')] },
  { name: 'compile with an object that is not an optimizer', call: (f) => f.model.compile({ optimizer: {} as wg.Optimizer, loss: 'mse' }), says: [/^compile: optimizer should be a name or an optimizer from wg.optimizers, got an object \(Object\)$/] },
  { name: 'compile with a number as loss', call: (f) => f.model.compile({ optimizer: 'sgd', loss: 3 as unknown as 'mse' }), says: [/^compile: unknown loss 3 \(expected one of: meanSquaredError/] },
  { name: 'compile with a number as metric', call: (f) => f.model.compile({ optimizer: 'sgd', loss: 'mse', metrics: [7 as unknown as 'mse'] }), says: [/^compile: unknown metric 7 \(expected one of: .*accuracy/] },

  // --- fit / evaluate / predict
  { name: 'fit before compile', call: (f) => f.uncompiled.fit(f.x43, f.y42), says: [/^fit: call model.compile\(\{ optimizer, loss \}\) before fit$/] },
  { name: 'fit with samples of the wrong shape', call: (f) => f.model.fit(f.x45, f.y42), says: [/^fit: x should have shape \[batch,3\] for this model, got \[4,5\]$/] },
  { name: 'fit with x and y of different lengths', call: (f) => f.model.fit(f.x43, f.y32), says: [/^fit: x and y should have the same number of samples, got x \[4,3\] and y \[3,2\]$/] },
  { name: 'fit with targets of the wrong width', call: (f) => f.model.fit(f.x43, f.x45), says: [/^fit: y should have shape \[batch,2\] to match the model's output, got \[4,5\]$/] },
  { name: 'fit with a misspelt option', call: (f) => f.model.fit(f.x43, f.y42, { epoch: 3 } as wg.FitOptions), says: [/^fit: /, suggests('epoch', 'epochs')] },
  { name: 'fit with batchsize in lower case', call: (f) => f.model.fit(f.x43, f.y42, { batchsize: 3 } as wg.FitOptions), says: [/^fit: /, suggests('batchsize', 'batchSize')] },
  { name: 'fit with batchSize 0', call: (f) => f.model.fit(f.x43, f.y42, { batchSize: 0 }), says: [/^fit: batchSize should be an integer >= 1, got 0$/] },
  { name: 'fit with a negative number of epochs', call: (f) => f.model.fit(f.x43, f.y42, { epochs: -1 }), says: [/^fit: epochs should be an integer >= 0, got -1$/] },
  { name: 'fit with validationSplit above 1', call: (f) => f.model.fit(f.x43, f.y42, { validationSplit: 1.5 }), says: [/^fit: validationSplit should be a finite number >= 0 <= 1, got 1.5$/] },
  { name: 'fit with verbose 3', call: (f) => f.model.fit(f.x43, f.y42, { verbose: 3 as 1 }), says: [/^fit: verbose should be 0, 1 or 2, got 3$/] },
  { name: 'fit with an unknown yieldEvery', call: (f) => f.model.fit(f.x43, f.y42, { yieldEvery: 'step' as 'batch' }), says: [/^fit: yieldEvery should be 'auto', 'batch', 'epoch' or 'never', got "step"$/] },
  { name: 'fit with an unknown onNaN', call: (f) => f.model.fit(f.x43, f.y42, { onNaN: 'ignore' as 'stop' }), says: [/^fit: onNaN should be 'stop' or 'throw', got "ignore"$/] },
  { name: 'fit with an unknown onDeviceLoss', call: (f) => f.model.fit(f.x43, f.y42, { onDeviceLoss: 'retry' as 'throw' }), says: [/^fit: onDeviceLoss should be 'fallback' or 'throw', got "retry"$/] },
  { name: 'fit with validationData of one tensor', call: (f) => f.model.fit(f.x43, f.y42, { validationData: [f.x43] as unknown as [wg.Tensor, wg.Tensor] }), says: [/^fit: validationData should be \[x, y\], got an array of length 1$/] },
  { name: 'fit with validationData of the wrong shape', call: (f) => f.model.fit(f.x43, f.y42, { validationData: [f.x45, f.y42] }), says: [/^fit \(validationData\): x should have shape \[batch,3\] for this model, got \[4,5\]$/] },
  { name: 'fit with nested arrays instead of a tensor', call: (f) => f.model.fit([[1, 2, 3]] as unknown as wg.Tensor, f.y42), says: [/^fit: x should be a Tensor, got an array of length 1$/] },
  { name: 'fit with a disposed x', call: (f) => f.model.fit(f.dead, f.y42), says: [/^fit: x \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },
  { name: 'fit with x from another backend', call: (f) => f.model.fit(f.foreign, f.y42), says: [/^fit: x lives on the wasm backend but the model's weights are on \w+/, /wg.toBackend/] },
  { name: 'fit with a signal that is not an AbortSignal', call: (f) => f.model.fit(f.x43, f.y42, { signal: {} as AbortSignal }), says: [/^fit: signal should be an AbortSignal, got an object \(Object\)$/] },
  { name: 'fit with a string as callback', call: (f) => f.model.fit(f.x43, f.y42, { callbacks: ['earlyStopping'] as unknown as wg.Callback[] }), says: [/^fit: callbacks\[0\] should be an object with hooks such as onEpochEnd, got string earlyStopping$/] },
  { name: 'fit with a misspelt callback hook', call: (f) => f.model.fit(f.x43, f.y42, { callbacks: { onEpochEnds: () => {} } as wg.Callback }), says: [/^fit: callbacks\[0\] has an unknown hook 'onEpochEnds'; did you mean 'onEpochEnd'\?/] },
  { name: 'fit with a string shuffle', call: (f) => f.model.fit(f.x43, f.y42, { shuffle: 'yes' as unknown as boolean }), says: [/^fit: shuffle should be true or false, got string yes$/] },
  { name: 'fit with resumeFrom and initialEpoch', call: (f) => f.model.fit(f.x43, f.y42, { initialEpoch: 1, resumeFrom: 'somewhere' }), says: [/^fit: give resumeFrom or initialEpoch, not both/] },
  { name: 'fit with an out-of-range class label', call: (f) => f.classifier.fit(f.y42, f.labels), says: [/^fit: labels should be integers in \[0, 2\] \(3 classes\), got 3 at position 2$/] },
  { name: 'fit with a NaN in x', call: async (f) => {
    const x = wg.tensor([[1, 2, 3], [4, NaN, 6], [7, 8, 9], [1, 1, 1]]);
    try {
      await f.model.fit(x, f.y42);
    } finally {
      x.dispose();
    }
  }, says: [/^fit: x holds NaN at row 1, column 1; fit needs finite values \(remove or impute the sample first\)$/] },
  { name: 'fit with an infinity in the validation targets', call: async (f) => {
    const y = wg.tensor([[1, 2], [3, Infinity], [5, 6], [7, 8]]);
    try {
      await f.model.fit(f.x43, f.y42, { validationData: [f.x43, y] });
    } finally {
      y.dispose();
    }
  }, says: [/^fit: validationData y holds Infinity at row 1, column 1;/] },
  { name: 'fit with binary labels outside [0, 1]', call: async (f) => {
    const m = wg.sequential([wg.layers.dense({ units: 2, inputDim: 3, activation: 'sigmoid' })]);
    m.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
    const y = wg.tensor([[0, 1], [1, 2], [0, 0], [1, 1]]);
    try {
      await m.fit(f.x43, y);
    } finally {
      y.dispose();
      m.dispose();
    }
  }, says: [/^fit: labels should be in \[0, 1\] \(binary targets or probabilities\), got 2 at position 3$/] },
  { name: 'compile with a misspelt Keras loss', call: (f) => f.model.compile({ optimizer: 'sgd', loss: 'binary_crossentropyy' as 'mse' }), says: [/^compile: unknown loss "binary_crossentropyy"; did you mean 'binary_crossentropy'\?/] },
  { name: 'print of a disposed tensor', call: (f) => f.dead.print(), says: [/^print: tensor \d+ \(shape \[2\], float32\) was used after dispose\(\)$/] },
  { name: 'evaluate with a misspelt option', call: (f) => f.model.evaluate(f.x43, f.y42, { batchsize: 2 } as wg.PredictOptions), says: [/^evaluate: /, suggests('batchsize', 'batchSize')] },
  { name: 'evaluate with y of another length', call: (f) => f.model.evaluate(f.x43, f.y32), says: [/^evaluate: x and y should have the same number of samples, got x \[4,3\] and y \[3,2\]$/] },
  { name: 'evaluate with x from another backend', call: (f) => f.model.evaluate(f.foreign, f.y42), says: [/^evaluate: x lives on the wasm backend/] },
  { name: 'evaluate before compile', call: (f) => f.uncompiled.evaluate(f.x43, f.y42), says: [/^evaluate: call model.compile\(\{ optimizer, loss \}\) before evaluate$/] },
  { name: 'predict with a negative batchSize', call: (f) => f.model.predict(f.x43, { batchSize: -1 }), says: [/^predict: batchSize should be an integer >= 1, got -1$/] },
  { name: 'predict with samples of the wrong shape', call: (f) => f.model.predict(f.x45), says: [/^predict: x should have shape \[batch,3\] for this model, got \[4,5\]$/] },
  { name: 'predict with a scalar', call: (f) => f.model.predict(f.s), says: [/^predict: x should have a batch dimension, got a scalar$/] },
  { name: 'predict on a model with no layers', call: (f) => wg.sequential().predict(f.x43), says: [/^predict: the model has no layers; add one with model.add\(wg.layers.dense\(\{ units, inputShape \}\)\)$/] },
  { name: 'predict with x from another backend', call: (f) => f.model.predict(f.foreign), says: [/^predict: x lives on the wasm backend/] },
  { name: 'setWeights with too few tensors', call: (f) => f.model.setWeights([f.v3]), says: [/^setWeights: expected 2 tensors \(.+\/kernel \[3,2\], .+\/bias \[2\]\), got 1$/] },
  { name: 'setWeights with a tensor of the wrong shape', call: (f) => f.model.setWeights([f.v3, f.v2]), says: [/^setWeights: weight 0 \(.+\/kernel\) should have shape \[3,2\], got \[3\]$/] },
  { name: 'setWeights with a number', call: (f) => f.model.setWeights([f.k32, 0 as unknown as wg.Tensor]), says: [/^setWeights: weight 1 \(.+\/bias\) should be a Tensor, got number 0$/] },
  { name: 'setWeights with int32 weights', call: (f) => f.model.setWeights([f.k32, f.i2]), says: [/^setWeights: weight 1 \(.+\/bias\) should be float32, got int32$/] },
  { name: 'setWeights with a weight from another backend (changes nothing)', call: (f) => f.model.setWeights([f.k32, f.foreign2]), says: [/^setWeights: weight 1 \(.+\/bias\) lives on the wasm backend but the model's weights are on \w+/] },

  // --- GPT
  { name: 'gpt with embedDim not divisible by numHeads', call: () => wg.models.gpt({ vocabSize: 5, contextLength: 4, numLayers: 1, numHeads: 3, embedDim: 4 }), says: [/^gpt: embedDim \(4\) should be divisible by numHeads \(3\)$/] },
  { name: 'gpt without vocabSize', call: () => wg.models.gpt({ contextLength: 4, numLayers: 1, numHeads: 1, embedDim: 4 } as wg.GPTConfig), says: [/^gpt: vocabSize should be a positive integer, got undefined$/] },
  { name: 'gpt predict on float ids', call: (f) => f.gpt.predict(f.x43), says: [/^predict: ids should be int32 token ids, got float32 of shape \[4,3\]$/] },
  { name: 'gpt predict on sequences past the context', call: (f) => f.gpt.predict(f.x45i), says: [/^predict: sequences should have 1 to 4 tokens \(contextLength\), got 5 \(ids \[4,5\]\)$/] },
  { name: 'gpt predict on an id past the vocabulary', call: (f) => f.gpt.predict(f.i2x6), says: [/^predict: ids should be in \[0, 4\] \(vocabulary of 5\), got 6 at position 1$/], syncOnly: true },
  { name: 'gpt fit on an id past the vocabulary', call: (f) => f.gpt.fit(f.i2x6, f.i2x6), says: [/^fit: ids should be in \[0, 4\] \(vocabulary of 5\), got 6 at position 1$/] },
  { name: 'gpt with checkpointBlocks not a boolean', call: () => wg.models.gpt({ vocabSize: 5, contextLength: 4, numLayers: 1, numHeads: 1, embedDim: 4, checkpointBlocks: 'yes' as unknown as boolean }), says: [/^gpt: checkpointBlocks should be true or false, got string yes$/] },
  { name: 'gpt fit over its memoryBudget (the estimate in the message)', call: (f) => {
    const ids = wg.tensor([[1, 2]], undefined, 'int32');
    return f.gpt.fit(ids, ids, { memoryBudget: 64 }).finally(() => ids.dispose());
  }, says: [/^fit: training would take about [\d.]+ KiB \(weights [\d.]+ KiB, gradients [\d.]+ KiB, optimizer state [\d.]+ KiB, activations [\d.]+ KiB for batchSize \d+\), over the memoryBudget of 64 B/] },
  { name: 'estimateTrainingMemory with an unknown precision', call: (f) => wg.estimateTrainingMemory(f.gpt, { precision: 'float16' as wg.Precision }), says: [/^estimateTrainingMemory: precision /, /float16/] },
  { name: 'gpt evaluate on an id past the vocabulary', call: (f) => f.gpt.evaluate(f.i2x6, f.i2x6), says: [/^evaluate: ids should be in \[0, 4\] \(vocabulary of 5\), got 6 at position 1$/] },
  // training mode skips apply's whole-tensor check; the token lookup refuses the id itself (WebGPU flags it for the next read instead)
  { name: 'gpt apply in training mode on an id past the vocabulary', call: (f) => wg.tidy(() => f.gpt.apply(f.i2x6, true)), says: [/^wte \(the token embedding\): ids should be in \[0, 4\] \(vocabulary of 5\), got 6 at position 1$/], syncOnly: true },
  { name: 'embedding in a model: predict on a negative id', call: () => {
    const m = wg.sequential([wg.layers.embedding({ inputDim: 3, outputDim: 2, inputShape: [2], name: 'ids_table' })]);
    try {
      return wg.tidy(() => m.predict(wg.tensor([[0, -1]], undefined, 'int32')));
    } finally {
      m.dispose();
    }
  }, says: [/^ids_table: ids should be in \[0, 2\] \(vocabulary of 3\), got -1 at position 1$/], syncOnly: true },
  { name: 'gpt generate without maxNewTokens', call: (f) => f.gpt.generate([[1, 2]], {} as wg.GenerateOptions), says: [/generate: maxNewTokens should be a non-negative integer, got undefined$/] },
  { name: 'gpt generate with a negative temperature', call: (f) => f.gpt.generate([[1, 2]], { maxNewTokens: 1, temperature: -1 }), says: [/generate: temperature should be/, /got -1/] },
  { name: 'gpt generate from an id past the vocabulary', call: (f) => f.gpt.generate(f.i2x6, { maxNewTokens: 1 }), says: [/generate: ids should be in \[0, 4\] \(vocabulary of 5\), got 6 at position 1$/] },
  { name: 'gpt loadWeights from a number', call: (f) => f.gpt.loadWeights(3 as unknown as Uint8Array), says: [/loadWeights: expected a safetensors file: a path, a URL, a File \/ Blob or its bytes \(ArrayBuffer, Uint8Array\), got /] },
  { name: 'gpt loadWeights of a file missing a tensor', call: async (f) => f.gpt.loadWeights(wg.io.encodeSafetensors({ 'wte.weight': { shape: [5, 4], data: new Float32Array(20) } })), says: [/loadWeights: the given bytes: the file has no tensor 'wpe.weight' \[4,4\], which this GPT needs/] },

  // --- optimizers
  { name: 'sgd with learningrate in lower case', call: () => wg.optimizers.sgd({ learningrate: 0.1 } as wg.SgdOptions), says: [/^sgd: /, suggests('learningrate', 'learningRate')] },
  { name: 'sgd with a negative learning rate', call: () => wg.optimizers.sgd({ learningRate: -1 }), says: [/^sgd: learningRate should be a finite number >= 0, got -1$/] },
  { name: 'sgd with nesterov but no momentum', call: () => wg.optimizers.sgd({ nesterov: true }), says: [/^sgd: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0$/] },
  { name: 'sgd with a string nesterov', call: () => wg.optimizers.sgd({ momentum: 0.9, nesterov: 'yes' as unknown as boolean }), says: [/^sgd: nesterov should be true or false, got string yes$/] },
  { name: 'adam with beta1 above 1', call: () => wg.optimizers.adam({ beta1: 1.5 }), says: [/^adam: beta1 should be a finite number >= 0 <= 1, got 1.5$/] },
  { name: 'adam with a string learning rate', call: () => wg.optimizers.adam('0.01' as unknown as number), says: [/^adam: expected a learning rate \(a number\) or an options object such as \{ learningRate: 0.01 \}, got string 0.01$/] },
  { name: 'adam with a negative positional learning rate', call: () => wg.optimizers.adam(-0.01), says: [/^adam: learningRate should be a finite number >= 0, got -0.01$/] },
  { name: 'adam with a positional beta1 above 1', call: () => wg.optimizers.adam(0.01, 1.5), says: [/^adam: beta1 should be a finite number >= 0 <= 1, got 1.5$/] },
  { name: 'adam with five positional arguments', call: () => (wg.optimizers.adam as (...a: unknown[]) => unknown)(0.01, 0.9, 0.999, 1e-7, 0.1), says: [/^adam: takes at most 4 positional arguments \(learningRate, beta1, beta2, eps\), got 5; pass an options object for the others$/] },
  { name: 'adamw with a positional weight decay', call: () => (wg.optimizers.adamw as (...a: unknown[]) => unknown)(0.01, 0.1), says: [/^adamw: takes at most 1 positional argument \(learningRate\), got 2/] },
  { name: 'sgd with options and a positional momentum', call: () => (wg.optimizers.sgd as (...a: unknown[]) => unknown)({ learningRate: 0.1 }, 0.9), says: [/^sgd: with an options object, give every option inside it \(got 1 more argument after it\)$/] },
  { name: 'sgd with a string positional nesterov', call: () => wg.optimizers.sgd(0.1, 0.9, 'yes' as unknown as boolean), says: [/^sgd: nesterov should be true or false, got string yes$/] },
  { name: 'rmsprop with a positional alpha above 1', call: () => wg.optimizers.rmsprop(0.01, 2), says: [/^rmsprop: alpha should be a finite number >= 0 <= 1, got 2$/] },
  { name: 'adagrad with a negative positional initial accumulator', call: () => wg.optimizers.adagrad(0.01, -1), says: [/^adagrad: initialAccumulatorValue should be a finite number >= 0, got -1$/] },
  { name: 'adamw with a misspelt option', call: () => wg.optimizers.adamw({ weightdecay: 0.1 } as wg.AdamOptions), says: [/^adamw: /, suggests('weightdecay', 'weightDecay')] },
  { name: 'rmsprop with alpha 2', call: () => wg.optimizers.rmsprop({ alpha: 2 }), says: [/^rmsprop: alpha should be a finite number >= 0 <= 1, got 2$/] },
  { name: 'rmsprop with a string centered', call: () => wg.optimizers.rmsprop({ centered: 1 as unknown as boolean }), says: [/^rmsprop: centered should be true or false, got number 1$/] },
  { name: 'adagrad with a negative eps', call: () => wg.optimizers.adagrad({ eps: -1 }), says: [/^adagrad: eps should be a finite number >= 0, got -1$/] },
  { name: 'lossScale with initialScale 0', call: () => wg.optimizers.lossScale(wg.optimizers.sgd(), { initialScale: 0 }), says: [/^lossScale: initialScale should be a finite number > 0, got 0$/] },
  { name: 'lossScale with an infinite initialScale', call: () => wg.optimizers.lossScale(wg.optimizers.sgd(), { initialScale: Infinity }), says: [/^lossScale: initialScale should be a finite number > 0, got Infinity$/] },
  { name: 'lossScale with a NaN initialScale', call: () => wg.optimizers.lossScale(wg.optimizers.sgd(), { initialScale: NaN }), says: [/^lossScale: initialScale should be a finite number > 0, got NaN$/] },
  { name: 'lossScale with fractional dynamicGrowthSteps', call: () => wg.optimizers.lossScale(wg.optimizers.sgd(), { dynamicGrowthSteps: 2.5 }), says: [/^lossScale: dynamicGrowthSteps should be an integer >= 1, got 2.5$/] },
  { name: 'lossScale with dynamicGrowthSteps 0', call: () => wg.optimizers.lossScale(wg.optimizers.sgd(), { dynamicGrowthSteps: 0 }), says: [/^lossScale: dynamicGrowthSteps should be an integer >= 1, got 0$/] },
  { name: 'lossScale with a misspelt option', call: () => wg.optimizers.lossScale(wg.optimizers.sgd(), { initialscale: 8 } as wg.LossScaleOptions), says: [/^lossScale: /, suggests('initialscale', 'initialScale')] },
  { name: 'lossScale around a lossScale', call: () => wg.optimizers.lossScale(wg.optimizers.lossScale(wg.optimizers.sgd())), says: [/^lossScale: inner is already a loss-scale optimizer; wrap the optimizer inside it once$/] },
  { name: 'lossScale around a name', call: () => wg.optimizers.lossScale('adam' as unknown as wg.Optimizer), says: [/^lossScale: inner should be an optimizer from wg.optimizers, got string adam$/] },
  { name: 'compile with lossScaling a string', call: (f) => f.model.compile({ optimizer: 'sgd', loss: 'mse', lossScaling: 'yes' as unknown as boolean }), says: [/^compile: lossScaling should be true, false or \{ initialScale, dynamicGrowthSteps \}, got string yes$/] },
  { name: 'compile with lossScaling of initialScale -1', call: (f) => f.model.compile({ optimizer: 'sgd', loss: 'mse', lossScaling: { initialScale: -1 } }), says: [/^compile: lossScaling.initialScale should be a finite number > 0, got -1$/] },
  { name: 'compile with lossScaling false and a lossScale optimizer', call: (f) => f.model.compile({ optimizer: wg.optimizers.lossScale(wg.optimizers.sgd()), loss: 'mse', lossScaling: false }), says: [/^compile: lossScaling is false, but the optimizer is a wg.optimizers.lossScale; pass its inner optimizer instead$/] },
  { name: 'compile a mixed_float16 model on cpu', call: () => compileMixedOn('cpu'), says: [/^compile: the model's layers compute in 'mixed_float16', which needs the webgpu backend \(float16 storage\); the active backend is cpu\. Call await wg\.setBackend\('webgpu'\)/] },
  { name: 'compile a mixed_float16 model on wasm', call: () => compileMixedOn('wasm'), says: [/^compile: the model's layers compute in 'mixed_float16', which needs the webgpu backend \(float16 storage\); the active backend is wasm\. /] },
  { name: 'applyGradients with an array of gradients and no params', call: (f) => wg.optimizers.sgd().applyGradients([f.grad3]), says: [/^sgd.applyGradients: with an array of gradients, params should be an array of variables, got undefined$/] },
  { name: 'applyGradients with more gradients than params', call: (f) => wg.optimizers.sgd().applyGradients([f.grad3, f.grad3], [f.variable]), says: [/^sgd.applyGradients: got 2 gradients for 1 params$/] },
  { name: 'applyGradients with a gradient of the wrong shape', call: (f) => wg.optimizers.adam().applyGradients([f.y42], [f.variable]), says: [/^adam.applyGradients: gradient for '0' has shape \[4,2\], expected \[3\] like the parameter$/] },
  { name: 'applyGradients to a plain tensor', call: (f) => wg.optimizers.sgd().applyGradients([f.grad3], [f.v3 as wg.Variable]), says: [/^sgd.applyGradients: param '0' should be a Variable \(wg.variable\), got a Tensor of shape \[3\] \(float32\)$/] },
  { name: 'applyGradients with a disposed gradient', call: (f) => wg.optimizers.sgd().applyGradients([f.dead], [f.variable]), says: [/^sgd.applyGradients: gradient '0' \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },
  { name: 'applyGradients by name with an unknown name', call: (f) => wg.optimizers.sgd().applyGradients({ nothing: f.grad3 }), says: [/^sgd.applyGradients: no trainable variable named 'nothing'/] },
  { name: 'applyGradients with a gradient from another backend (changes nothing)', call: (f) => wg.optimizers.sgd().applyGradients([f.grad3, f.foreign], [f.variable, f.variable]), says: [/^sgd.applyGradients: gradient '1' lives on the wasm backend, the parameter on \w+/] },

  // --- learning-rate schedules, clipping, accumulation
  { name: 'sgd with a NaN learning rate', call: () => wg.optimizers.sgd({ learningRate: NaN }), says: [/^sgd: learningRate should be a finite number >= 0, got NaN$/] },
  { name: 'adam with a negative globalClipNorm', call: () => wg.optimizers.adam({ globalClipNorm: -1 }), says: [/^adam: globalClipNorm should be a finite number > 0, got -1$/] },
  { name: 'sgd with an infinite clipNorm', call: () => wg.optimizers.sgd({ clipNorm: Infinity }), says: [/^sgd: clipNorm should be a finite number > 0, got Infinity$/] },
  { name: 'rmsprop with clipValue 0', call: () => wg.optimizers.rmsprop({ clipValue: 0 }), says: [/^rmsprop: clipValue should be a finite number > 0, got 0$/] },
  { name: 'adamw with two clipping options', call: () => wg.optimizers.adamw({ clipNorm: 1, globalClipNorm: 1 }), says: [/^adamw: give at most one of clipNorm, globalClipNorm and clipValue, got clipNorm and globalClipNorm$/] },
  { name: 'adagrad with gradientAccumulationSteps 0', call: () => wg.optimizers.adagrad({ gradientAccumulationSteps: 0 }), says: [/^adagrad: gradientAccumulationSteps should be an integer >= 1, got 0$/] },
  { name: 'sgd with gradientAccumulationSteps 1.5', call: () => wg.optimizers.sgd({ gradientAccumulationSteps: 1.5 }), says: [/^sgd: gradientAccumulationSteps should be an integer >= 1, got 1.5$/] },
  { name: 'sgd with a misspelt globalClipnorm', call: () => wg.optimizers.sgd({ globalClipnorm: 1 } as wg.SgdOptions), says: [/^sgd: /, suggests('globalClipnorm', 'globalClipNorm')] },
  { name: 'setting a negative learningRate', call: () => { wg.optimizers.adam().learningRate = -0.1; }, says: [/^adam.learningRate: learningRate should be a finite number >= 0, got -0.1$/] },
  { name: 'applyGradients where the schedule returns NaN (step named, nothing changes)', call: (f) => wg.optimizers.sgd({ learningRate: () => NaN }).applyGradients([f.grad3], [f.variable]), says: [/^sgd.applyGradients: the learning-rate schedule returned NaN at step 0; expected a finite number >= 0$/] },
  { name: 'cosineDecay with negative decaySteps', call: () => wg.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: -5 }), says: [/^schedules.cosineDecay: decaySteps should be a finite number > 0, got -5$/] },
  { name: 'cosineDecay without options', call: () => wg.schedules.cosineDecay(undefined as unknown as wg.CosineDecayOptions), says: [/^schedules.cosineDecay: expected options \{ initialLearningRate, decaySteps, … \}, got undefined$/] },
  { name: 'exponentialDecay with an infinite initial rate', call: () => wg.schedules.exponentialDecay({ initialLearningRate: Infinity, decaySteps: 1, decayRate: 0.5 }), says: [/^schedules.exponentialDecay: initialLearningRate should be a finite number >= 0, got Infinity$/] },
  { name: 'piecewiseConstantDecay with a negative value', call: () => wg.schedules.piecewiseConstantDecay({ boundaries: [1], values: [0.1, -0.1] }), says: [/^schedules.piecewiseConstantDecay: every value should be a finite number >= 0, got -0.1$/] },
  { name: 'linearWarmup with warmupSteps 0', call: () => wg.schedules.linearWarmup({ learningRate: 0.1, warmupSteps: 0 }), says: [/^schedules.linearWarmup: warmupSteps should be an integer >= 1, got 0$/] },

  { name: 'fit with a negative memoryBudget', call: (f) => f.model.fit(f.x43, f.y42, { memoryBudget: -1 }), says: [/^fit: memoryBudget should be a finite number > 0, got -1$/] },
  { name: 'fit over its memoryBudget (the estimate in the message)', call: (f) => f.model.fit(f.x43, f.y42, { memoryBudget: 16 }), says: [/^fit: training would take about [\d.]+ KiB \(weights \d+ B, gradients \d+ B, optimizer state \d+ B, activations [\d.]+ KiB for batchSize 32\), over the memoryBudget of 16 B/] },
  { name: 'estimateTrainingMemory with batchSize 0', call: (f) => wg.estimateTrainingMemory(f.model, { batchSize: 0 }), says: [/^estimateTrainingMemory: batchSize should be an integer >= 1, got 0$/] },
  { name: 'summary with a misspelt batchsize', call: (f) => f.model.summary({ batchsize: 8 } as wg.SummaryOptions), says: [/^summary: /, suggests('batchsize', 'batchSize')] },
  { name: 'checkpoint of a number', call: () => wg.checkpoint(3 as never), says: [/^checkpoint: expected a function of tensors returning a tensor, got number 3$/] },
  { name: 'checkpointed without layers', call: () => wg.layers.checkpointed([]), says: [/^checkpointed: expected a layer or a non-empty array of layers, got an array of length 0$/] },

  // --- losses and metrics
  { name: 'meanSquaredError of different shapes', call: (f) => wg.losses.meanSquaredError(f.y42, f.y32), says: [/^meanSquaredError: yTrue and yPred should have the same shape, got yTrue \[4,2\] and yPred \[3,2\]$/] },
  { name: 'meanAbsoluteError of an array', call: (f) => wg.losses.meanAbsoluteError([1, 2] as unknown as wg.Tensor, f.v3), says: [/^meanAbsoluteError: yTrue should be a Tensor, got an array of length 2$/] },
  { name: 'binaryCrossentropy with fromlogits in lower case', call: (f) => wg.losses.binaryCrossentropy(f.v3, f.v3, { fromlogits: true } as wg.CrossentropyOptions), says: [/^binaryCrossentropy: /, suggests('fromlogits', 'fromLogits')] },
  { name: 'sparseCategoricalCrossentropy with labels of the wrong shape', call: (f) => wg.losses.sparseCategoricalCrossentropy(f.i3, f.y42), says: [/^sparseCategoricalCrossentropy: yTrue should have shape \[4\] or \[4,1\] \(one label per row of yPred \[4,2\]\), got \[3\]$/] },
  { name: 'sparseCategoricalCrossentropy of [batch, time, vocab] with labels of the wrong shape', call: () => wg.tidy(() => wg.losses.sparseCategoricalCrossentropy(wg.zeros([2, 4], 'int32'), wg.zeros([2, 3, 5]), { fromLogits: true })), says: [/^sparseCategoricalCrossentropy: yTrue should have shape \[2,3\] or \[2,3,1\] \(one label per row of yPred \[2,3,5\]\), got \[2,4\]$/] },
  { name: 'sparseCategoricalCrossentropy with bool labels', call: () => wg.tidy(() => wg.losses.sparseCategoricalCrossentropy(wg.zeros([2], 'bool'), wg.zeros([2, 3]), { fromLogits: true })), says: [/^sparseCategoricalCrossentropy: yTrue should be int32 \(or float32 holding integers\), got bool$/] },
  { name: 'sparseCategoricalCrossentropy with a label out of range', call: (f) => wg.losses.sparseCategoricalCrossentropy(f.labels, f.x43), says: [/^sparseCategoricalCrossentropy: labels should be integers in \[0, 2\] \(3 classes\), got 3 at position 2$/], syncOnly: true },
  { name: 'huber with delta 0', call: (f) => wg.losses.huber(f.v3, f.v3, { delta: 0 }), says: [/^huber: delta should be a finite number > 0, got 0$/] },
  { name: 'categoricalCrossentropy of scalars', call: (f) => wg.losses.categoricalCrossentropy(f.s, f.s), says: [/^categoricalCrossentropy: yPred should have a class dimension, got a scalar$/] },
  { name: 'meanSquaredError of a disposed tensor', call: (f) => wg.losses.meanSquaredError(f.dead, f.v3), says: [/^meanSquaredError: yTrue \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },
  { name: 'meanSquaredError with a tensor from another backend', call: (f) => wg.losses.meanSquaredError(f.foreign, f.x43), says: [/^meanSquaredError: yTrue lives on the wasm backend but the active backend is \w+/] },
  { name: 'binaryCrossentropy with a label of 2', call: (f) => wg.tidy(() => wg.losses.binaryCrossentropy(wg.fill([4, 2], 2), f.y42)), says: [/^binaryCrossentropy: labels should be in \[0, 1\] \(binary targets or probabilities\), got 2 at position 0$/], syncOnly: true },
  { name: 'binaryAccuracy with a negative label', call: (f) => wg.tidy(() => wg.metrics.binaryAccuracy(wg.fill([3], -1), f.v3)), says: [/^binaryAccuracy: labels should be in \[0, 1\] \(binary targets or probabilities\), got -1 at position 0$/], syncOnly: true },
  { name: 'binaryAccuracy of different shapes', call: (f) => wg.metrics.binaryAccuracy(f.y42, f.y32), says: [/^binaryAccuracy: yTrue and yPred should have the same shape, got yTrue \[4,2\] and yPred \[3,2\]$/] },
  { name: 'categoricalAccuracy of a number', call: (f) => wg.metrics.categoricalAccuracy(1 as unknown as wg.Tensor, f.y42), says: [/^categoricalAccuracy: yTrue should be a Tensor, got number 1$/] },
  { name: 'accuracyScore of different lengths', call: () => wg.metrics.accuracyScore([0, 1], [0]), says: [/^accuracyScore: yTrue and yPred should have the same length, got 2 and 1$/] },
  { name: 'confusionMatrix with 0 classes', call: () => wg.metrics.confusionMatrix([0], [0], { numClasses: 0 }), says: [/^confusionMatrix: numClasses should be a positive integer, got 0$/] },
  { name: 'confusionMatrix with a misspelt option', call: () => wg.metrics.confusionMatrix([0], [0], { numclasses: 2 } as wg.ConfusionOptions), says: [/^confusionMatrix: /, suggests('numclasses', 'numClasses')] },
  { name: 'precisionScore with average micro', call: () => wg.metrics.precisionScore([0, 1], [0, 1], 'micro' as 'macro'), says: [/^precisionScore: average should be 'macro', 'weighted' or 'none', got "micro"$/] },
  { name: 'logLoss with a label past the classes', call: () => wg.metrics.logLoss([2], [[0.5, 0.5]]), says: [/^logLoss: label 2 at position 0 is not a class index in \[0, 1\]$/] },
  { name: 'r2Score of nothing', call: () => wg.metrics.r2Score([], []), says: [/^r2Score: no samples$/] },

  // --- data
  { name: 'scaler transform before fit', call: (f) => wg.data.standardScaler().transform(f.x43), says: [/^standardScaler.transform: call fit\(trainingData\) first$/] },
  { name: 'scaler fit of int32 values', call: (f) => wg.data.standardScaler().fit(f.i3), says: [/^standardScaler.fit: x should be float32, got int32$/] },
  { name: 'scaler transform of other features', call: (f) => f.scaler.transform(f.x45), says: [/^minMaxScaler.transform: expected samples of shape \[3\] \(as fitted\), got x \[4,5\]$/] },
  { name: 'scaler fit of a tensor from another backend', call: (f) => wg.data.standardScaler().fit(f.foreign), says: [/^standardScaler.fit: x lives on the wasm backend but the active backend is \w+/] },
  { name: 'minMaxScaler with a reversed range', call: () => wg.data.minMaxScaler({ featureRange: [1, 0] }), says: [/^minMaxScaler: featureRange should be \[min, max\] with min < max, got \[1,0\]$/] },
  { name: 'minMaxScaler with a misspelt option', call: () => wg.data.minMaxScaler({ featureRang: [0, 1] } as unknown as { featureRange: [number, number] }), says: [/^minMaxScaler: /, suggests('featureRang', 'featureRange')] },
  { name: 'trainTestSplit with testSize 1', call: (f) => wg.data.trainTestSplit(f.x43, f.y42, { testSize: 1 }), says: [/^trainTestSplit: testSize 1 of 4 samples leaves none for training$/] },
  { name: 'trainTestSplit of different lengths', call: (f) => wg.data.trainTestSplit(f.x43, f.y32), says: [/^trainTestSplit: x and y should have the same number of samples, got x \[4,3\] and y \[3,2\]$/] },
  { name: 'trainTestSplit with testsize in lower case', call: (f) => wg.data.trainTestSplit(f.x43, f.y42, { testsize: 0.5 } as wg.SplitOptions), says: [/^trainTestSplit: /, suggests('testsize', 'testSize')] },
  { name: 'batches with batchSize 0 (checked at the call, not the first next())', call: (f) => wg.data.batches(f.x43, f.y42, { batchSize: 0 }), says: [/^batches: batchSize should be an integer >= 1, got 0$/] },
  { name: 'shuffle of an array', call: () => wg.data.shuffle([1, 2] as unknown as wg.Tensor), says: [/^shuffle: x should be a Tensor with a sample dimension, got an array of length 2$/] },
  { name: 'permutation of a negative count', call: () => wg.data.permutation(-1), says: [/^permutation: n should be an integer >= 0, got -1$/] },
  { name: 'readCsv with a two-character delimiter', call: () => wg.data.readCsv({ text: 'a,b\n1,2' }, { delimiter: ';;' }), says: [/^readCsv: delimiter should be one character other than a quote or a line break, got ";;"$/] },
  { name: 'readCsv with a misspelt option', call: () => wg.data.readCsv({ text: 'a,b\n1,2' }, { delimeter: ';' } as wg.ReadCsvOptions), says: [/^readCsv: /, suggests('delimeter', 'delimiter')] },
  { name: 'readCsv of a number', call: () => wg.data.readCsv(42 as unknown as wg.CsvSource), says: [/^readCsv: expected a path, URL, File, Blob, bytes or \{ text \}, got number 42$/] },
  { name: 'loadCsv without a target', call: () => wg.data.loadCsv({ text: 'a,b\n1,2' }, {} as wg.LoadCsvOptions), says: [/^loadCsv: options.target should name the column to predict, e.g. \{ target: 'label' \}/] },
  { name: 'loadCsv with a misspelt option', call: () => wg.data.loadCsv({ text: 'a,b\n1,2' }, { target: 'b', validaton: 0.2 } as wg.LoadCsvOptions), says: [/^loadCsv: /, suggests('validaton', 'validation')] },
  { name: 'loadCsv with validation above 1', call: () => wg.data.loadCsv({ text: 'a,b\n1,2' }, { target: 'b', validation: 1.2 }), says: [/^loadCsv: validation should be a finite number >= 0 <= 1, got 1.2$/] },
  { name: 'textDataset without contextLength', call: () => wg.data.textDataset([1, 2, 3], {} as wg.TextDatasetOptions), says: [/^textDataset: contextLength is required \(tokens per sample\)$/] },
  { name: 'textDataset with fewer ids than one sample', call: () => wg.data.textDataset([1, 2], { contextLength: 2 }), says: [/^textDataset: 2 tokens are too few for one sample of contextLength 2 \(it needs contextLength \+ 1 = 3\)$/] },
  { name: 'textDataset of a tensor', call: (f) => wg.data.textDataset(f.i3 as unknown as number[], { contextLength: 1 }), says: [/^textDataset: expected token ids as an Int32Array or array \(read a tensor first/] },
  { name: 'textDataset with a misspelt option', call: () => wg.data.textDataset([1, 2, 3], { contextLength: 1, batchsize: 2 } as wg.TextDatasetOptions), says: [/^textDataset: /, suggests('batchsize', 'batchSize')] },
  { name: 'textDataset of a text stream without a tokenizer', call: () => wg.data.textDataset(wg.data.textFile(new Uint8Array(3)), { contextLength: 1 } as wg.StreamingTextDatasetOptions), says: [/^textDataset: a text stream needs options.tokenizer \(e.g. wg.text.charTokenizer\(sample\)\), got undefined$/] },
  { name: 'textFile of a number', call: () => wg.data.textFile(42 as unknown as string), says: [/^textFile: expected a path, a URL, a File \/ Blob, a ReadableStream of bytes or bytes, got number 42$/] },
  { name: 'csvStream without a target', call: () => wg.data.csvStream(new Uint8Array(3), {} as wg.CsvStreamOptions), says: [/^csvStream: target \(the column to predict\) is required, got undefined$/] },
  { name: 'fit of a dataset with batchSize', call: (f) => f.model.fit([{ x: f.x43, y: f.y42 }], { batchSize: 2 } as wg.FitDatasetOptions), says: [/^fit: batchSize does not apply when fitting a dataset \(the dataset makes the batches\)$/] },
  { name: 'fit of a dataset whose batch is not { x, y }', call: (f) => f.model.fit([f.x43] as unknown as wg.Dataset, { verbose: 0 }), says: [/^fit: batch 1 of the dataset should be \{ x: Tensor, y: Tensor \}, got an object \(Tensor\)/] },
  { name: 'charTokenizer of a number', call: () => wg.text.charTokenizer(3 as unknown as string), says: [/^charTokenizer: expected the training text \(a string\), got number 3$/] },
  { name: 'charTokenizer encode of an unknown character', call: () => wg.text.charTokenizer('ab').encode('abc'), says: [/^charTokenizer.encode: character "c" at position 2 is not in the vocabulary of 2 characters: "a" "b"$/] },
  { name: 'charTokenizer decode of an id out of range', call: () => wg.text.charTokenizer('ab').decode([0, 2]), says: [/^charTokenizer.decode: token ids should be integers in \[0, 2\), got 2 at position 1$/] },
  { name: 'loadTokenizer of a number', call: () => wg.text.loadTokenizer(42 as unknown as string), says: [/^loadTokenizer: expected a folder, a tokenizer.json path, URL, File or bytes, or a parsed tokenizer.json, got number 42$/] },

  // --- save and load
  { name: 'save to a number', call: (f) => f.model.save(42 as unknown as string), says: [/^\w+.save: the target should be a folder path, 'downloads:\/\/name' or 'indexeddb:\/\/name', got number 42$/] },
  { name: 'save to a URL', call: (f) => f.model.save('https://example.com/model'), says: [/^\w+.save: cannot save to a URL \(https:\/\/example.com\/model\); save to a folder, 'downloads:\/\/name' or 'indexeddb:\/\/name'$/] },
  { name: 'save to indexeddb:// without a name', call: (f) => f.model.save('indexeddb://'), says: [/^\w+.save: 'indexeddb:\/\/' needs a model name after it, e.g. 'indexeddb:\/\/my-model'$/] },
  { name: 'save of a model that is not built', call: () => wg.sequential([wg.layers.dense({ units: 1 })]).save('indexeddb://x'), says: [/^\w+.save: the model is not built yet; give its first layer an inputShape, or train or call it once$/] },
  { name: 'loadModel of a number', call: () => wg.loadModel(42 as unknown as string), says: [/^loadModel: expected a folder or model.json path, a URL, 'indexeddb:\/\/name', Files or \{ json, weights \}, got number 42$/] },
  { name: 'loadModel of broken JSON', call: () => wg.loadModel({ json: '{', weights: new Uint8Array() }), says: [/^loadModel: the given model files: not valid JSON \(/] },
  { name: 'loadModel with a misspelt option', call: () => wg.loadModel({ json: '{}', weights: new Uint8Array() }, { compiled: false } as wg.LoadModelOptions), says: [/^loadModel: /, suggests('compiled', 'compile')] },

  // --- callbacks
  { name: 'earlyStopping with negative patience', call: () => wg.callbacks.earlyStopping({ patience: -1 }), says: [/^earlyStopping: patience should be an integer >= 0, got -1$/] },
  { name: 'earlyStopping with an unknown mode', call: () => wg.callbacks.earlyStopping({ mode: 'up' as 'max' }), says: [/^earlyStopping: mode should be 'min', 'max' or 'auto', got "up"$/] },
  { name: 'earlyStopping with a misspelt option', call: () => wg.callbacks.earlyStopping({ monitr: 'loss' } as wg.EarlyStoppingOptions), says: [/^earlyStopping: /, suggests('monitr', 'monitor')] },
  { name: 'earlyStopping with a string restoreBestWeights', call: () => wg.callbacks.earlyStopping({ restoreBestWeights: 'true' as unknown as boolean }), says: [/^earlyStopping: restoreBestWeights should be true or false, got string true$/] },
  { name: 'earlyStopping watching a log fit does not write', call: (f) => f.model.fit(f.x43, f.y42, { verbose: 0, callbacks: wg.callbacks.earlyStopping({ monitor: 'val_acc' }) }), says: [/^earlyStopping: the log 'val_acc' does not exist; available: loss$/] },

  // --- backends
  { name: 'setBackend with a misspelt name', call: () => wg.setBackend('wbgpu' as 'webgpu'), says: [/^setBackend: expected 'cpu', 'wasm', 'webgpu' or 'auto', got "wbgpu"; did you mean 'webgpu'\?$/] },
  { name: 'setBackend without a name', call: () => wg.setBackend(undefined as unknown as 'cpu'), says: [/^setBackend: expected 'cpu', 'wasm', 'webgpu' or 'auto', got undefined$/] },
  { name: 'setBackend wasm with far too many threads', call: () => wg.setBackend('wasm', { threads: 1000 }), says: [/^setBackend\('wasm'\): backend is not available; tried wasm: createWasmBackend: threads should be at most 64 \(the default is one per core: \d+ here\), got 1000$/] },
  { name: "setBackend 'auto' with a probe of one width", call: () => wg.setBackend('auto', { probe: { layers: [784] } }), says: [/^setBackend\('auto', \{ probe \}\): layers should be two or more positive integers, input width first \(e\.g\. \[784, 128, 10\]\), got \[784\]$/] },
  { name: 'registerBackend with an unknown name', call: () => wg.registerBackend('tpu' as 'cpu', async () => new CpuBackend(), 1), says: [/^registerBackend: name should be 'cpu', 'wasm' or 'webgpu', got "tpu"$/] },
  { name: 'registerBackend with a factory that is not a function', call: () => wg.registerBackend('wasm', new CpuBackend() as unknown as wg.BackendFactory, 1), says: [/^registerBackend: factory should be a function returning a Promise of a backend, got an object \(CpuBackend\)$/] },
  { name: 'registerBackend with a priority that is not a number', call: () => wg.registerBackend('wasm', async () => new CpuBackend(), 'high' as unknown as number), says: [/^registerBackend: priority should be a finite number, got "high"$/] },
  { name: 'toBackend of a number', call: () => wg.toBackend(3 as unknown as wg.Tensor), says: [/^toBackend: expected a Tensor, got number 3$/] },
  { name: 'toBackend of a disposed tensor', call: (f) => wg.toBackend(f.dead), says: [/^toBackend: x \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },

  // --- scopes, variables, dead tensors
  { name: 'tidy of a number', call: () => wg.tidy(5 as unknown as () => void), says: [/^tidy: expected a function, got number$/] },
  { name: 'tidy with a name and no function', call: () => wg.tidy('step', undefined as unknown as () => void), says: [/^tidy: expected a function, got undefined$/] },
  { name: 'keep of a disposed tensor', call: (f) => wg.keep(f.dead), says: [/^keep: x \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },
  { name: 'variable of a number', call: () => wg.variable(5 as unknown as wg.Tensor), says: [/^variable: initial should be a Tensor, got number 5$/] },
  { name: 'variable with a misspelt option', call: (f) => wg.variable(f.v3, { trainabel: false } as unknown as { trainable: boolean }), says: [/^variable: /, suggests('trainabel', 'trainable')] },
  { name: 'variable with a string trainable', call: (f) => wg.variable(f.v3, 'yes' as unknown as boolean), says: [/^variable: trainable should be true or false, got string yes$/] },
  { name: 'assign of another shape', call: (f) => f.variable.assign(f.y42), says: [/^assign: variable '.+' expects shape \[3\] float32, got shape \[4,2\] float32$/] },
  { name: 'assign of a number', call: (f) => f.variable.assign(3 as unknown as wg.Tensor), says: [/^assign: value should be a Tensor, got number 3$/] },
  { name: 'assign of a disposed tensor', call: (f) => f.variable.assign(f.dead), says: [/^assign: value \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },
  { name: 'assign to a disposed variable', call: (f) => f.deadVariable.assign(f.v2), says: [/^assign: variable '.+' \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },
  { name: 'assign of a tensor from another backend', call: (f) => f.variable43.assign(f.foreign), says: [/^assign: variable '.+' lives on \w+, the value on wasm/] },
  { name: 'data of a disposed tensor', call: (f) => f.dead.data(), says: [/^data: tensor \d+ \(shape \[2\], float32\) was used after dispose\(\)$/] },
  { name: 'array of a disposed tensor', call: (f) => f.dead.array(), says: [/^array: tensor \d+ \(shape \[2\], float32\) was used after dispose\(\)$/] },
  { name: 'arraySync of a disposed tensor', call: (f) => f.dead.arraySync(), says: [/^arraySync: tensor \d+ \(shape \[2\], float32\) was used after dispose\(\)$/] },
  { name: 'clone of a disposed tensor (method)', call: (f) => f.dead.clone(), says: [/^clone: x \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },
  { name: 'grads of a disposed variable', call: (f) => wg.valueAndGrad(() => wg.sum(f.v3), [f.deadVariable]), says: [/^valueAndGrad: params\[0\] \(tensor \d+, shape \[2\]\) was used after dispose\(\)$/] },
];

/** A second cpu backend instance posing as 'wasm': its tensors are foreign to the active backend. */
function foreignTensor(shape: number[]): wg.Tensor {
  const other = Object.defineProperty(new CpuBackend(), 'name', { value: 'wasm' });
  return new Tensor(allocate(shape.reduce((a, b) => a * b, 1), 'float32', other), shape, 'float32');
}

function fixture(): Fixture {
  const dead = wg.zeros([2]);
  dead.dispose();
  const model = wg.sequential([wg.layers.dense({ units: 2, inputDim: 3 })]);
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  const classifier = wg.sequential([wg.layers.dense({ units: 3, inputDim: 2 })]);
  classifier.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const deadVariable = wg.variable(wg.zeros([2]));
  deadVariable.dispose();
  return {
    scaler: wg.data.minMaxScaler().fit(wg.zeros([4, 3])),
    uncompiled: wg.sequential([wg.layers.dense({ units: 2, inputDim: 3 })]), deadVariable,
    gpt: gptFixture(),
    x45i: wg.zeros([4, 5], 'int32'),
    i2x6: wg.tensor([[1, 6]], undefined, 'int32'),
    foreign2: foreignTensor([2]), variable43: wg.variable(wg.zeros([4, 3])), s: wg.scalar(1), v2: wg.zeros([2]),
    i2: wg.zeros([2], 'int32'), k32: wg.zeros([3, 2]),
    model, classifier, dead,
    x43: wg.zeros([4, 3]), y42: wg.zeros([4, 2]), y32: wg.zeros([3, 2]), x45: wg.zeros([4, 5]),
    labels: wg.tensor([0, 1, 3, 2], [4], 'int32'), v3: wg.zeros([3]), i3: wg.zeros([3], 'int32'),
    foreign: foreignTensor([4, 3]), variable: wg.variable(wg.zeros([3])), grad3: wg.ones([3]),
  };
}

/** What a failed call must leave unchanged: every weight and the optimizer's step count. */
function gptFixture(): wg.GPT {
  const gpt = wg.models.gpt({ vocabSize: 5, contextLength: 4, numLayers: 1, numHeads: 2, embedDim: 4 });
  gpt.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return gpt;
}

async function state(f: Fixture): Promise<number[][]> {
  const weights = await Promise.all([...f.model.weights, f.variable].map(async (w) => Array.from(await w.data())));
  return [...weights, [f.model.optimizer?.iterations ?? -1]];
}

describe('the wrong-call table', () => {
  it('has at least 60 rows with distinct names', () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });
});

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`wrong API calls on ${backend.name}`, () => {
    // rows that need a synchronous read are not wrong calls on webgpu: they are not made there
    const synchronous = backend.name !== 'webgpu';
    for (const row of rows.filter((r) => synchronous || !r.syncOnly)) {
      it(row.name, async () => {
        await wg.setBackend(backend.name);
        wg.setSeed(1);
        const f = wg.tidy(fixture);
        const before = await state(f);
        await new Promise((r) => setTimeout(r, 0));
        const start = wg.memory().numTensors;
        let message = '';
        try {
          await row.call(f);
        } catch (error) {
          message = error instanceof Error ? error.message : String(error);
        }
        expect(message, 'the call should throw').not.toBe('');
        for (const pattern of row.says) expect(message).toMatch(pattern);
        expect(wg.memory().numTensors, 'tensors left behind by the failed call').toBe(start);
        expect(await state(f)).toEqual(before);
        for (const m of [f.model, f.classifier, f.uncompiled, f.scaler, f.gpt]) m.dispose();
        wg.dispose(f);
      });
    }
  });
}
