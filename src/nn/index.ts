// The `wg.layers` namespace and the model constructor.

import { ActivationLayer, type ActivationArgs, Dropout, type DropoutArgs, Flatten } from './basic-layers.js';
import { Dense, type DenseArgs } from './dense.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import type { LayerArgs } from './layer.js';
import { Add, Concatenate, type ConcatenateArgs } from './merge.js';
import { MultiHeadAttention, type MultiHeadAttentionArgs } from './attention.js';
import { LayerNormalization, type LayerNormalizationArgs } from './layer-norm.js';

export const layers = {
  dense: (args: DenseArgs): Dense => new Dense(args),
  activation: (args: ActivationArgs): ActivationLayer => new ActivationLayer(args),
  dropout: (args: DropoutArgs): Dropout => new Dropout(args),
  flatten: (args?: LayerArgs): Flatten => new Flatten(args),
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
export { ActivationLayer, Dropout, Flatten, type ActivationArgs, type DropoutArgs } from './basic-layers.js';
export { Sequential, sequential, type CompileArgs, type PredictOptions, type SequentialArgs } from './sequential.js';
export { initializers, Initializer, type InitializerSpec } from './initializers.js';
export type { ActivationName } from './activations.js';
