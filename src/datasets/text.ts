// Next-token batches from token ids: `wg.data.textDataset`. From ids in memory it cuts
// the text into windows of contextLength + 1 tokens (x = the first contextLength, y =
// the same shifted by one) and deals them in a seeded random order each pass. From a
// stream of text (wg.data.textFile) it tokenizes chunk by chunk and shuffles within a
// buffer, so a corpus larger than memory trains without being loaded whole.

import { checkBoolean, checkNumber, checkOptions, given } from '../options.js';
import * as ops from '../ops/index.js';
import { type Random, randomFor } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Tokenizer } from '../text/tokenizer.js';
import type { Batch } from './dataset.js';

export interface TextDatasetOptions {
  /** Tokens per sample (x and y are [batch, contextLength]). Required. */
  contextLength: number;
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Deal the windows in a new random order each pass (default true). */
  shuffle?: boolean;
  /** Seed of that order (default: drawn from wg.setSeed's stream). */
  seed?: number;
  /** Tokens between the starts of consecutive windows (default contextLength: windows do not overlap). */
  stride?: number;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropRemainder?: boolean;
}

export interface StreamingTextDatasetOptions extends TextDatasetOptions {
  /** Turns the streamed text into ids. Required for a text stream. */
  tokenizer: Tokenizer;
  /** Windows held for shuffling a stream (default 1024; ignored with shuffle: false). */
  shuffleBuffer?: number;
}

const KEYS = ['contextLength', 'batchSize', 'shuffle', 'seed', 'stride', 'dropRemainder'];

interface Common {
  contextLength: number;
  batchSize: number;
  shuffle: boolean;
  stride: number;
  dropRemainder: boolean;
  random: Random;
}

function checkCommon(options: TextDatasetOptions): Common {
  const fn = 'textDataset';
  if (options === undefined || options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected options with contextLength, got ${given(options)}`);
  if (options.contextLength === undefined) throw new Error(`${fn}: contextLength is required (tokens per sample)`);
  const contextLength = checkNumber(fn, 'contextLength', options.contextLength, 0, { integer: true, min: 1 });
  return {
    contextLength,
    batchSize: checkNumber(fn, 'batchSize', options.batchSize, 32, { integer: true, min: 1 }),
    shuffle: checkBoolean(fn, 'shuffle', options.shuffle, true),
    stride: checkNumber(fn, 'stride', options.stride, contextLength, { integer: true, min: 1 }),
    dropRemainder: checkBoolean(fn, 'dropRemainder', options.dropRemainder, false),
    random: randomFor(options.seed === undefined ? undefined : checkNumber(fn, 'seed', options.seed, 0, { integer: true })),
  };
}

/** x and y tensors for windows starting at `starts` in `ids`. */
function batchOf(ids: ArrayLike<number>, starts: ArrayLike<number>, from: number, count: number, T: number): Batch {
  const x = new Int32Array(count * T);
  const y = new Int32Array(count * T);
  for (let r = 0; r < count; r++) {
    const s = starts[from + r]!;
    for (let t = 0; t < T; t++) {
      x[r * T + t] = ids[s + t]!;
      y[r * T + t] = ids[s + t + 1]!;
    }
  }
  return { x: ops.tensor(x, [count, T], 'int32'), y: ops.tensor(y, [count, T], 'int32') };
}

/** Token ids in memory, dealt as next-token batches; iterate it once per epoch. */
export class TextDataset implements Iterable<Batch> {
  readonly contextLength: number;
  readonly batchSize: number;
  /** Windows (samples) per pass. */
  readonly samples: number;
  /** The largest id (a model can check its vocabulary against it before training). */
  readonly maxId: number;
  private readonly ids: Int32Array;
  private readonly options: Common;

  /** @internal use wg.data.textDataset */
  constructor(ids: Int32Array, options: Common) {
    this.ids = ids;
    this.options = options;
    this.contextLength = options.contextLength;
    this.batchSize = options.batchSize;
    this.samples = Math.floor((ids.length - options.contextLength - 1) / options.stride) + 1;
    this.maxId = ids.reduce((m, id) => (id > m ? id : m), 0);
  }

  /** Batches per pass. */
  get size(): number {
    return this.options.dropRemainder ? Math.floor(this.samples / this.batchSize) : Math.ceil(this.samples / this.batchSize);
  }

  *[Symbol.iterator](): Generator<Batch> {
    const { stride, batchSize, contextLength, dropRemainder } = this.options;
    const starts = Int32Array.from({ length: this.samples }, (_, i) => i * stride);
    if (this.options.shuffle) this.options.random.shuffle(starts);
    for (let from = 0; from < starts.length; from += batchSize) {
      const count = Math.min(batchSize, starts.length - from);
      if (count < batchSize && dropRemainder) return;
      yield batchOf(this.ids, starts, from, count, contextLength);
    }
  }
}

/** Text streamed in chunks, tokenized as it comes and dealt as next-token batches. */
export class StreamingTextDataset implements AsyncIterable<Batch> {
  readonly contextLength: number;
  readonly batchSize: number;
  /** The largest id the tokenizer can give. */
  readonly maxId: number;
  private readonly bufferSize: number;

  /** @internal use wg.data.textDataset(wg.data.textFile(...), { tokenizer, ... }) */
  constructor(
    private readonly source: AsyncIterable<string> | Iterable<string>,
    private readonly tokenizer: Tokenizer,
    private readonly options: Common,
    shuffleBuffer: number,
  ) {
    this.contextLength = options.contextLength;
    this.batchSize = options.batchSize;
    this.bufferSize = options.shuffle ? shuffleBuffer : 1;
    this.maxId = tokenizer.vocabSize - 1;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const { contextLength: T, stride, batchSize, dropRemainder, random } = this.options;
    // windows of T + 1 tokens waiting to be dealt (at most one without shuffling, so the order is the text's)
    const pool: Int32Array[] = [];
    const ready: Int32Array[] = []; // windows dealt into the next batch
    let pending = new Int32Array(0); // ids not yet cut into windows
    let carry = ''; // text after the chunk's last line break: a word split by the chunk edge is tokenized whole
    const emit = function* (this: StreamingTextDataset, window: Int32Array | undefined): Generator<Batch> {
      if (window) pool.push(window);
      while (pool.length > (window ? this.bufferSize - 1 : 0)) {
        const pick = this.options.shuffle ? random.int(pool.length) : 0;
        ready.push(pool[pick]!);
        pool[pick] = pool[pool.length - 1]!;
        pool.pop();
        if (ready.length === batchSize) yield stackWindows(ready.splice(0), T);
      }
    }.bind(this);
    const take = function* (this: StreamingTextDataset, text: string): Generator<Batch> {
      const ids = this.tokenizer.encode(text);
      const joined = new Int32Array(pending.length + ids.length);
      joined.set(pending);
      joined.set(ids, pending.length);
      let s = 0;
      for (; s + T + 1 <= joined.length; s += stride) yield* emit(joined.slice(s, s + T + 1));
      pending = joined.slice(Math.min(s, joined.length));
    }.bind(this);
    for await (const chunk of this.source as AsyncIterable<string>) {
      if (typeof chunk !== 'string') throw new TypeError(`textDataset: the text stream should yield strings, got ${given(chunk)}`);
      const text = carry + chunk;
      const cut = text.lastIndexOf('\n') + 1;
      carry = cut > 0 ? text.slice(cut) : '';
      yield* take(cut > 0 ? text.slice(0, cut) : text);
    }
    if (carry) yield* take(carry);
    yield* emit(undefined);
    if (ready.length > 0 && !dropRemainder) yield stackWindows(ready.splice(0), T);
  }
}

function stackWindows(windows: Int32Array[], T: number): Batch {
  const starts = windows.map((_, i) => i * (T + 1));
  const flat = new Int32Array(windows.length * (T + 1));
  windows.forEach((w, i) => flat.set(w, i * (T + 1)));
  return batchOf(flat, starts, 0, windows.length, T);
}

function isTextStream(value: unknown): value is AsyncIterable<string> | Iterable<string> {
  return value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Array.isArray(value)
    && (typeof (value as AsyncIterable<string>)[Symbol.asyncIterator] === 'function' || typeof (value as Iterable<string>)[Symbol.iterator] === 'function');
}

/**
 * Next-token batches { x: int32 [batch, contextLength], y: x shifted by one token }.
 * `source` is token ids in memory (an Int32Array or number array, e.g. a tokenizer's
 * encode(text)) or a stream of text (wg.data.textFile, or any (async) iterable of
 * strings) with `options.tokenizer`. Pass it to model.fit.
 */
export function textDataset(source: ArrayLike<number>, options: TextDatasetOptions): TextDataset;
export function textDataset(source: AsyncIterable<string> | Iterable<string>, options: StreamingTextDatasetOptions): StreamingTextDataset;
export function textDataset(source: unknown, options: TextDatasetOptions | StreamingTextDatasetOptions): TextDataset | StreamingTextDataset {
  const fn = 'textDataset';
  if (source instanceof Tensor) throw new TypeError(`${fn}: expected token ids as an Int32Array or array (read a tensor first with await t.data()), or a text stream`);
  if (isTextStream(source)) {
    checkOptions(fn, options, [...KEYS, 'tokenizer', 'shuffleBuffer']);
    const o = options as StreamingTextDatasetOptions;
    const tok = o?.tokenizer as Partial<Tokenizer> | undefined;
    if (!tok || typeof tok.encode !== 'function') throw new TypeError(`${fn}: a text stream needs options.tokenizer (e.g. wg.text.charTokenizer(sample)), got ${given(tok)}`);
    const common = checkCommon(o);
    const shuffleBuffer = checkNumber(fn, 'shuffleBuffer', o.shuffleBuffer, 1024, { integer: true, min: 1 });
    return new StreamingTextDataset(source, o.tokenizer, common, shuffleBuffer);
  }
  checkOptions(fn, options, KEYS);
  const common = checkCommon(options);
  const list = source as ArrayLike<number> | null;
  if (list === null || typeof list !== 'object' || typeof list.length !== 'number') {
    throw new TypeError(`${fn}: expected token ids (an Int32Array or array) or a text stream, got ${given(source)}`);
  }
  const ids = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const id = list[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new Error(`${fn}: token ids should be non-negative integers, got ${given(id)} at position ${i}`);
    ids[i] = id;
  }
  if (ids.length < common.contextLength + 1) {
    throw new Error(`${fn}: ${ids.length} tokens are too few for one sample of contextLength ${common.contextLength} (it needs contextLength + 1 = ${common.contextLength + 1})`);
  }
  return new TextDataset(ids, common);
}
