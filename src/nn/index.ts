// The `wg.layers` namespace and the model constructor.

import { ActivationLayer, type ActivationArgs, Dropout, type DropoutArgs, Flatten } from './basic-layers.js';
import { Conv2D, type Conv2DArgs, DepthwiseConv2D, type DepthwiseConv2DArgs } from './conv-layers.js';
import { Dense, type DenseArgs } from './dense.js';
import { BatchNormalization, type BatchNormalizationArgs } from './batch-norm.js';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from './global-pooling.js';
import type { LayerArgs } from './layer.js';
import { AveragePooling2D, MaxPooling2D, type Pooling2DArgs } from './pooling-layers.js';
import { Reshape, type ReshapeArgs } from './reshape.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import { Add, Concatenate, type ConcatenateArgs } from './merge.js';
import { MultiHeadAttention, type MultiHeadAttentionArgs } from './attention.js';
import { LayerNormalization, type LayerNormalizationArgs } from './layer-norm.js';
import { checkpointed } from './checkpointed.js';

export const layers = {
  dense: (args: DenseArgs): Dense => new Dense(args),
  activation: (args: ActivationArgs): ActivationLayer => new ActivationLayer(args),
  dropout: (args: DropoutArgs): Dropout => new Dropout(args),
  flatten: (args?: LayerArgs): Flatten => new Flatten(args),
  /** 2-D convolution over NHWC images; kernel [kh, kw, in / groups, filters], bias [filters]. */
  conv2d: (args: Conv2DArgs): Conv2D => new Conv2D(args),
  /** Depthwise 2-D convolution; depthwise kernel [kh, kw, in, depthMultiplier], bias [in · depthMultiplier]. */
  depthwiseConv2d: (args: DepthwiseConv2DArgs): DepthwiseConv2D => new DepthwiseConv2D(args),
  /** The largest value in each poolSize window (default 2, strides = poolSize, padding 'valid'). */
  maxPooling2d: (args?: Pooling2DArgs): MaxPooling2D => new MaxPooling2D(args),
  /** The mean of each poolSize window (default 2, strides = poolSize, padding 'valid'). */
  averagePooling2d: (args?: Pooling2DArgs): AveragePooling2D => new AveragePooling2D(args),
  /** Each sample to `targetShape` (no batch dimension; one entry may be -1). */
  reshape: (args: ReshapeArgs): Reshape => new Reshape(args),
  /** NHWC [batch, h, w, c] → [batch, c]: the mean of each channel. */
  globalAveragePooling2d: (args?: LayerArgs): GlobalAveragePooling2D => new GlobalAveragePooling2D(args),
  /** NHWC [batch, h, w, c] → [batch, c]: the largest value of each channel. */
  globalMaxPooling2d: (args?: LayerArgs): GlobalMaxPooling2D => new GlobalMaxPooling2D(args),
  /** Normalises each feature with batch statistics while training and moving statistics at inference (Keras). */
  batchNormalization: (args?: BatchNormalizationArgs): BatchNormalization => new BatchNormalization(args),
  /** Int32 ids → rows of a learned [inputDim, outputDim] table. */
  embedding: (args: EmbeddingArgs): Embedding => new Embedding(args),
  /** Elementwise sum of a list of inputs of one shape. */
  add: (args?: LayerArgs): Add => new Add(args),
  /** Joins a list of inputs along `axis` (default -1). */
  concatenate: (args?: ConcatenateArgs): Concatenate => new Concatenate(args),
  /** Normalises the last axis to zero mean and unit variance, then scales by gamma and shifts by beta (epsilon 1e-3). */
  layerNormalization: (args?: LayerNormalizationArgs): LayerNormalization => new LayerNormalization(args),
  /** Keras' multi-head attention: `mha.apply([query, value, key?], { useCausalMask })`. */
  multiHeadAttention: (args: MultiHeadAttentionArgs): MultiHeadAttention => new MultiHeadAttention(args),
  checkpointed,
};

export { Layer, type LayerArgs, type Shape, type LayerConfig, type ApplyOptions } from './layer.js';
export { MultiInputLayer } from './multi-input.js';
export { Embedding, type EmbeddingArgs } from './embedding.js';
export { Add, Concatenate, type ConcatenateArgs } from './merge.js';
export { LayerNormalization, type LayerNormalizationArgs } from './layer-norm.js';
export { MultiHeadAttention, type MultiHeadAttentionArgs } from './attention.js';
export { SymbolicTensor, input, type InputArgs } from './symbolic.js';
export { Model, model, type ModelArgs } from './functional.js';
export { LayersModel } from './model-base.js';
export { Dense, type DenseArgs } from './dense.js';
export { Checkpointed, type CheckpointedArgs } from './checkpointed.js';
export { ActivationLayer, Dropout, Flatten, type ActivationArgs, type DropoutArgs } from './basic-layers.js';
export { BatchNormalization, type BatchNormalizationArgs } from './batch-norm.js';
export { GlobalAveragePooling2D, GlobalMaxPooling2D } from './global-pooling.js';
export { Conv2D, DepthwiseConv2D, type Conv2DArgs, type DepthwiseConv2DArgs } from './conv-layers.js';
export { MaxPooling2D, AveragePooling2D, type Pooling2DArgs } from './pooling-layers.js';
export { Reshape, type ReshapeArgs } from './reshape.js';
export { Sequential, sequential, type CompileArgs, type PredictOptions, type SequentialArgs, type SummaryOptions } from './sequential.js';
export { initializers, Initializer, type InitializerSpec } from './initializers.js';
export { registerActivation, type ActivationName, type ActivationFunction, type ActivationSpec } from './activations.js';
