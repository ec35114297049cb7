// `wg.data.csvStream`: a numeric CSV file read in chunks and dealt as { x, y } batches
// for model.fit, so a table larger than memory trains without being loaded whole.
// Rows are read in file order (shuffle within a buffer, seeded); each line is one row
// (a quoted field may hold the delimiter, not a line break). Categorical columns and
// scaling need the whole table: for those use wg.data.loadCsv.

import { checkBoolean, checkChoice, checkNumber, checkOptions, given } from '../options.js';
import * as ops from '../ops/index.js';
import { type Random, randomFor } from '../random.js';
import type { Batch } from './dataset.js';
import { byteChunks, checkStreamSource, type StreamSource } from './stream.js';

export interface CsvStreamOptions {
  /** The column to predict. Required. */
  target: string;
  /** The input columns (default: every column but the target). */
  features?: readonly string[];
  /** 'float32' (default): y is [batch, 1] numbers; 'int32': y is [batch] class indices (sparse labels). */
  targetDtype?: 'float32' | 'int32';
  /** Rows per batch (default 32). */
  batchSize?: number;
  /** Bytes read at a time (default 1 MiB). */
  chunkBytes?: number;
  /** Field separator (default ','). */
  delimiter?: string;
  /** Shuffle rows within a buffer of shuffleBuffer rows (default false: file order). */
  shuffle?: boolean;
  shuffleBuffer?: number;
  seed?: number;
}

interface Plan {
  readonly features: number[];
  readonly target: number;
  readonly names: readonly string[];
}

/** Numeric batches from a CSV file read in chunks; iterate it (for await) once per epoch. */
export class CsvStreamDataset implements AsyncIterable<Batch> {
  private readonly stream = { used: false };
  private readonly random: Random;
  /** @internal use wg.data.csvStream */
  constructor(
    private readonly source: StreamSource,
    private readonly options: Required<Omit<CsvStreamOptions, 'features' | 'seed'>> & { features?: readonly string[] },
    seed: number | undefined,
  ) {
    this.random = randomFor(seed);
  }

  private plan(header: string[]): Plan {
    const fn = 'csvStream';
    const { target, features } = this.options;
    const index = (name: string, what: string) => {
      const j = header.indexOf(name);
      if (j < 0) throw new Error(`${fn}: the ${what} column '${name}' is not in the header (${header.join(', ')})`);
      return j;
    };
    const t = index(target, 'target');
    const f = features ? features.map((name) => index(name, 'feature')) : header.map((_, j) => j).filter((j) => j !== t);
    if (f.length === 0) throw new Error(`${fn}: no feature columns: the header has only the target '${target}'`);
    return { features: f, target: t, names: header };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    const fn = 'csvStream';
    const { batchSize, chunkBytes, delimiter, targetDtype, shuffle, shuffleBuffer } = this.options;
    const { split } = await import('./csv-line.js');
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let plan: Plan | undefined;
    let carry = '';
    let lineNumber = 0;
    const pool: { x: Float32Array; y: number }[] = [];
    const ready: { x: Float32Array; y: number }[] = [];
    const limit = shuffle ? shuffleBuffer : 1;
    const batch = (): Batch => {
      const rows = ready.splice(0);
      const width = plan!.features.length;
      const x = new Float32Array(rows.length * width);
      rows.forEach((r, i) => x.set(r.x, i * width));
      const y = rows.map((r) => r.y);
      return {
        x: ops.tensor(x, [rows.length, width]),
        y: targetDtype === 'int32' ? ops.tensor(Int32Array.from(y), [rows.length], 'int32') : ops.tensor(Float32Array.from(y), [rows.length, 1]),
      };
    };
    const deal = function* (this: CsvStreamDataset, all: boolean): Generator<Batch> {
      while (pool.length > (all ? 0 : limit - 1)) {
        const pick = shuffle ? this.random.int(pool.length) : 0;
        ready.push(pool[pick]!);
        pool[pick] = pool[pool.length - 1]!;
        pool.pop();
        if (ready.length === batchSize) yield batch();
      }
    }.bind(this);
    const row = (line: string): void => {
      lineNumber++;
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (text.trim() === '') return;
      const cells = split(text, delimiter, `${fn}: line ${lineNumber}`);
      if (!plan) {
        plan = this.plan(cells);
        return;
      }
      if (cells.length !== plan.names.length) throw new Error(`${fn}: line ${lineNumber} has ${cells.length} cells but the header has ${plan.names.length} columns (${plan.names.join(', ')})`);
      const number = (j: number): number => {
        const v = cells[j]! === '' ? Number.NaN : Number(cells[j]);
        if (!Number.isFinite(v)) throw new Error(`${fn}: line ${lineNumber}, column '${plan!.names[j]}': expected a number, got ${JSON.stringify(cells[j])}`);
        return v;
      };
      const y = number(plan.target);
      if (targetDtype === 'int32' && (!Number.isInteger(y) || y < 0)) throw new Error(`${fn}: line ${lineNumber}, column '${plan.names[plan.target]}': a class index should be a non-negative integer, got ${cells[plan.target]}`);
      pool.push({ x: Float32Array.from(plan.features, number), y });
    };
    let offset = 0;
    for await (const bytes of byteChunks(fn, this.source, chunkBytes, this.stream)) {
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        throw new Error(`${fn}: the file is not UTF-8 text (bad bytes near byte ${offset})`);
      }
      offset += bytes.length;
      const lines = (carry + text).split('\n');
      carry = lines.pop()!;
      for (const line of lines) {
        row(line);
        yield* deal(false);
      }
    }
    row(carry + decoder.decode());
    if (!plan) throw new Error(`${fn}: the file is empty; expected a header row of column names, then data rows`);
    yield* deal(true);
    if (ready.length > 0) yield batch();
  }
}

/**
 * A numeric CSV file (path, URL, File / Blob, ReadableStream or bytes) read in chunks of
 * `chunkBytes` and dealt as { x: float32 [batch, features], y } batches for model.fit,
 * without loading it whole. See CsvStreamOptions.
 */
export function csvStream(source: StreamSource, options: CsvStreamOptions): CsvStreamDataset {
  const fn = 'csvStream';
  checkStreamSource(fn, source);
  checkOptions(fn, options, ['target', 'features', 'targetDtype', 'batchSize', 'chunkBytes', 'delimiter', 'shuffle', 'shuffleBuffer', 'seed']);
  if (options === undefined || typeof options.target !== 'string' || options.target === '') throw new Error(`${fn}: target (the column to predict) is required, got ${given(options?.target)}`);
  if (options.features !== undefined && (!Array.isArray(options.features) || options.features.some((f) => typeof f !== 'string'))) {
    throw new TypeError(`${fn}: features should be an array of column names, got ${given(options.features)}`);
  }
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || /["\r\n]/.test(delimiter)) throw new Error(`${fn}: delimiter should be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  return new CsvStreamDataset(source, {
    target: options.target,
    ...(options.features ? { features: options.features } : {}),
    targetDtype: checkChoice(fn, 'targetDtype', options.targetDtype, 'float32', ['float32', 'int32']),
    batchSize: checkNumber(fn, 'batchSize', options.batchSize, 32, { integer: true, min: 1 }),
    chunkBytes: checkNumber(fn, 'chunkBytes', options.chunkBytes, 1 << 20, { integer: true, min: 1 }),
    delimiter,
    shuffle: checkBoolean(fn, 'shuffle', options.shuffle, false),
    shuffleBuffer: checkNumber(fn, 'shuffleBuffer', options.shuffleBuffer, 1024, { integer: true, min: 1 }),
  }, options.seed === undefined ? undefined : checkNumber(fn, 'seed', options.seed, 0, { integer: true }));
}
