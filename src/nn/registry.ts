// Rebuilding layers from their saved configs: a registry from class name to a
// function that makes the layer from `toConfig().config`. Built-in layers are
// registered here; a custom layer registers itself with `registerLayer`.

import { getPrecision, type Precision, setPrecision } from '../precision.js';
import { describe } from '../autograd.js';
import { canonical, INITIALIZER_NAMES } from '../names.js';
import { ActivationLayer, type ActivationArgs, Dropout, type DropoutArgs, Flatten } from './basic-layers.js';
import { BatchNormalization, type BatchNormalizationArgs } from './batch-norm.js';
import { Conv2D, type Conv2DArgs, DepthwiseConv2D, type DepthwiseConv2DArgs } from './conv-layers.js';
import { Checkpointed } from './checkpointed.js';
import { Dense, type DenseArgs } from './dense.js';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from './global-pooling.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import { type Initializer, initializers } from './initializers.js';
import { Add, Concatenate, type ConcatenateArgs } from './merge.js';
import { MultiHeadAttention, type MultiHeadAttentionArgs } from './attention.js';
import { LayerNormalization, type LayerNormalizationArgs } from './layer-norm.js';
import type { Layer, LayerArgs, LayerConfig } from './layer.js';
import { AveragePooling2D, MaxPooling2D, type Pooling2DArgs } from './pooling-layers.js';
import { Reshape, type ReshapeArgs } from './reshape.js';

export type LayerFactory = (config: Record<string, unknown>) => Layer;

const factories = new Map<string, LayerFactory>();

/** Makes `className` loadable: `factory(config)` must return a layer equal to the saved one. */
export function registerLayer(className: string, factory: LayerFactory): void {
  if (typeof className !== 'string' || className === '') throw new TypeError(`registerLayer: className should be a non-empty string, got ${describe(className)}`);
  if (typeof factory !== 'function') throw new TypeError(`registerLayer: factory should be a function (config) => Layer, got ${describe(factory)}`);
  factories.set(className, factory);
}

/** An initializer from its saved { className, config } (names as in wg.initializers). */
export function initializerFromConfig(spec: unknown): Initializer {
  if (spec === null || typeof spec !== 'object') throw new Error(`layer config: an initializer should be { className, config }, got ${describe(spec)}`);
  const { className, config } = spec as { className?: unknown; config?: unknown };
  // Keras' class names ('GlorotUniform') and snake_case names load too; Keras writes `seed: null` for an unseeded one.
  const make = initializers[canonical('layer config', 'initializer', className, INITIALIZER_NAMES)] as (options?: unknown) => Initializer;
  const options = config && typeof config === 'object' ? Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null)) : {};
  return Object.keys(options).length > 0 ? make(options) : make();
}

function withInitializers(config: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out = { ...config };
  for (const key of keys) if (out[key] !== undefined) out[key] = initializerFromConfig(out[key]);
  return out;
}

registerLayer('Dense', (c) => new Dense(withInitializers(c, ['kernelInitializer', 'biasInitializer']) as unknown as DenseArgs));
registerLayer('Activation', (c) => new ActivationLayer(c as unknown as ActivationArgs));
registerLayer('Dropout', (c) => new Dropout(c as unknown as DropoutArgs));
registerLayer('Flatten', (c) => new Flatten(c as LayerArgs));
registerLayer('Conv2D', (c) => new Conv2D(withInitializers(c, ['kernelInitializer', 'biasInitializer']) as unknown as Conv2DArgs));
registerLayer('DepthwiseConv2D', (c) => new DepthwiseConv2D(withInitializers(c, ['depthwiseInitializer', 'biasInitializer']) as unknown as DepthwiseConv2DArgs));
registerLayer('MaxPooling2D', (c) => new MaxPooling2D(c as Pooling2DArgs));
registerLayer('AveragePooling2D', (c) => new AveragePooling2D(c as Pooling2DArgs));
registerLayer('Reshape', (c) => new Reshape(c as unknown as ReshapeArgs));
registerLayer('GlobalAveragePooling2D', (c) => new GlobalAveragePooling2D(c as LayerArgs));
registerLayer('GlobalMaxPooling2D', (c) => new GlobalMaxPooling2D(c as LayerArgs));
registerLayer('BatchNormalization', (c) => new BatchNormalization(
  withInitializers(c, ['betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer']) as BatchNormalizationArgs,
));
registerLayer('Embedding', (c) => new Embedding(withInitializers(c, ['embeddingsInitializer']) as unknown as EmbeddingArgs));
registerLayer('Add', (c) => new Add(c as LayerArgs));
registerLayer('Concatenate', (c) => new Concatenate(c as ConcatenateArgs));
registerLayer('LayerNormalization', (c) => new LayerNormalization(withInitializers(c, ['gammaInitializer', 'betaInitializer']) as unknown as LayerNormalizationArgs));
registerLayer('MultiHeadAttention', (c) => new MultiHeadAttention(withInitializers(c, ['kernelInitializer', 'biasInitializer']) as unknown as MultiHeadAttentionArgs));
registerLayer('Checkpointed', (c) => {
  const inner = c.layers;
  if (!Array.isArray(inner)) throw new Error(`Checkpointed: config.layers should be a list of { className, config }, got ${describe(inner)}`);
  return new Checkpointed({ ...(typeof c.name === 'string' ? { name: c.name } : {}), layers: inner.map((l, i) => layerFromConfig(l, `layer ${i} of the block`)) });
});

/** A new layer from a saved { className, config }; errors name the layer's position. */
export function layerFromConfig(saved: unknown, where = 'layer'): Layer {
  if (saved === null || typeof saved !== 'object') throw new Error(`${where}: expected { className, config }, got ${describe(saved)}`);
  const { className, config } = saved as Partial<LayerConfig>;
  const factory = typeof className === 'string' ? factories.get(className) : undefined;
  if (!factory) {
    throw new Error(`${where}: unknown layer class ${JSON.stringify(className)}; known: ${[...factories.keys()].join(', ')} (register others with wg.registerLayer)`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error(`${where}: config of ${className} should be an object, got ${describe(config)}`);
  // A layer saved under 'mixed_float16' says so (Layer.toConfig); it is made under that
  // precision again, and a config without one under float32, whatever the global one is.
  const { precision, ...rest } = config as Record<string, unknown>;
  const previous = getPrecision();
  try {
    setPrecision(precision === undefined ? 'float32' : (precision as Precision));
    return factory(rest);
  } catch (error) {
    throw new Error(`${where} (${className}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    setPrecision(previous);
  }
}
