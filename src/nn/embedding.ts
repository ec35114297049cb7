// Embedding: int32 ids [batch, ...] → rows of a [inputDim, outputDim] table, as
// Keras' Embedding. The table's gradient is a scatter-add of the output's gradient
// into the rows that were picked (gather's gradient), so only used rows change.

import { checkNumber, checkOptions } from '../options.js';
import { idOutOfRange } from '../backends/lookup-check.js';
import { lookupRows } from '../ops/gather.js';
import { shapeString } from '../ops/util.js';
import type { DataType, Tensor, Variable } from '../tensor.js';
import { type InitializerSpec, resolveInitializer } from './initializers.js';
import { Layer, LAYER_ARG_KEYS, type LayerArgs, type Shape } from './layer.js';
import { toCompute } from './mixed.js';

export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: ids are in [0, inputDim). */
  inputDim: number;
  /** Width of each embedding vector. */
  outputDim: number;
  /** Default 'randomUniform' (U(-0.05, 0.05), Keras' 'uniform'). */
  embeddingsInitializer?: InitializerSpec;
}

export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  private readonly init: ReturnType<typeof resolveInitializer>;
  private table: Variable | undefined;

  constructor(args: EmbeddingArgs) {
    checkOptions('embedding', args, [...LAYER_ARG_KEYS, 'inputDim', 'outputDim', 'embeddingsInitializer']);
    if (args === undefined) throw new Error('embedding: expected options with inputDim and outputDim, got undefined');
    // Keras' inputDim is the vocabulary, not the sample shape: keep it off the base class.
    const { inputDim: _vocab, ...base } = args;
    super('Embedding', base, 'embedding');
    this.inputDim = checkNumber('embedding', 'inputDim', args.inputDim, NaN, { integer: true, min: 1 });
    this.outputDim = checkNumber('embedding', 'outputDim', args.outputDim, NaN, { integer: true, min: 1 });
    if (Number.isNaN(this.inputDim)) throw new Error('embedding: inputDim (the vocabulary size) should be a positive integer, got undefined');
    if (Number.isNaN(this.outputDim)) throw new Error('embedding: outputDim should be a positive integer, got undefined');
    this.init = resolveInitializer('embedding', args.embeddingsInitializer, 'randomUniform');
  }

  /** The [inputDim, outputDim] table (once built). */
  get embeddings(): Variable {
    if (!this.table) throw new Error(`${this.name}: the layer is not built yet`);
    return this.table;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape, this.outputDim];
  }

  override weightShapes(): [string, number[]][] {
    return [['embeddings', [this.inputDim, this.outputDim]]];
  }

  protected override createWeights(): void {
    this.table = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.init);
  }

  /** @internal */
  override outputDtype(): DataType {
    return 'float32';
  }

  protected override checkTensors([ids]: readonly Tensor[]): void {
    checkIds(this.name, ids!, this.inputDim);
  }

  protected call(ids: Tensor): Tensor {
    // checked on the host where the backend reads synchronously, else flagged on the device
    const rows = lookupRows(this.table!, ids, this.name);
    // Mixed precision: only the gathered rows become float16 (casting the whole table
    // every step would cost vocabulary × width); their gradient returns float32.
    const out = toCompute(this.precision, rows);
    if (out !== rows) rows.dispose();
    return out;
  }

  getConfig(): Record<string, unknown> {
    return {
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: { className: this.init.className, config: this.init.config },
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}

/**
 * Ids must be int32 and in [0, vocab). The range is checked here where the backend
 * reads synchronously (cpu, wasm); on WebGPU the lookup kernel flags an id out of range
 * and the next read throws (see lookupRows).
 */
export function checkIds(fn: string, ids: Tensor, vocab: number): void {
  if (ids.dtype !== 'int32') throw new TypeError(`${fn}: ids should be an int32 tensor of token ids, got ${ids.dtype} of shape ${shapeString(ids.shape)}`);
  if (ids.backend.readSync) assertIdsInRange(fn, ids.dataSync(), vocab);
}

export function assertIdsInRange(fn: string, values: ArrayLike<number>, vocab: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v < vocab)) throw new Error(idOutOfRange(fn, v, i, vocab));
  }
}
