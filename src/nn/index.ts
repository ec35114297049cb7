// The `wg.layers` namespace and the model constructor.

import { ActivationLayer, type ActivationArgs, Dropout, type DropoutArgs, Flatten } from './basic-layers.js';
import { Dense, type DenseArgs } from './dense.js';
import type { LayerArgs } from './layer.js';
import { checkpointed } from './checkpointed.js';

export const layers = {
  dense: (args: DenseArgs): Dense => new Dense(args),
  activation: (args: ActivationArgs): ActivationLayer => new ActivationLayer(args),
  dropout: (args: DropoutArgs): Dropout => new Dropout(args),
  flatten: (args?: LayerArgs): Flatten => new Flatten(args),
  checkpointed,
};

export { Layer, type LayerArgs, type Shape, type LayerConfig } from './layer.js';
export { Dense, type DenseArgs } from './dense.js';
export { Checkpointed, type CheckpointedArgs } from './checkpointed.js';
export { ActivationLayer, Dropout, Flatten, type ActivationArgs, type DropoutArgs } from './basic-layers.js';
export { Sequential, sequential, type CompileArgs, type PredictOptions, type SequentialArgs, type SummaryOptions } from './sequential.js';
export { initializers, Initializer, type InitializerSpec } from './initializers.js';
export type { ActivationName } from './activations.js';
