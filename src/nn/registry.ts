// Rebuilding layers from their saved configs: a registry from class name to a
// function that makes the layer from `toConfig().config`. Built-in layers are
// registered here; a custom layer registers itself with `registerLayer`.

import { describe } from '../autograd.js';
import { lookup } from '../options.js';
import { ActivationLayer, type ActivationArgs, Dropout, type DropoutArgs, Flatten } from './basic-layers.js';
import { Checkpointed } from './checkpointed.js';
import { Dense, type DenseArgs } from './dense.js';
import { type Initializer, initializers } from './initializers.js';
import type { Layer, LayerArgs, LayerConfig } from './layer.js';

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
  const make = lookup('layer config', 'initializer', className, initializers as unknown as Record<string, (options?: unknown) => Initializer>);
  return config && typeof config === 'object' && Object.keys(config).length > 0 ? make(config) : make();
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
  try {
    return factory({ ...config });
  } catch (error) {
    throw new Error(`${where} (${className}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
