// Text generation for a GPT: a prompt goes through the model once (filling the KV
// cache), then each new token is one incremental step over a single position. The
// logits of the last position come back to the host, where the next token is drawn
// (greedy, temperature, top-k, top-p) with a seeded generator, and streamed.

import { describe, noGrad } from '../autograd.js';
import { checkBoolean, checkNumber, checkOptions, given } from '../options.js';
import * as ops from '../ops/index.js';
import { shapeString } from '../ops/util.js';
import { randomFor, type Random } from '../random.js';
import { Tensor } from '../tensor.js';
import { assertIdsInRange } from '../nn/embedding.js';
import type { GPT, KVCache } from './gpt.js';

export interface GenerateOptions {
  /** How many tokens to add to each row. */
  maxNewTokens: number;
  /** Divides the logits before sampling (default 1); 0 picks the most likely token (greedy). */
  temperature?: number;
  /** Sample only among the k most likely tokens. */
  topK?: number;
  /** Sample only among the most likely tokens whose probabilities add up to topP (nucleus sampling), in (0, 1]. */
  topP?: number;
  /** Seed of the sampling (default: drawn from wg.setSeed's stream). */
  seed?: number;
  /** Called after each step with the new token of every row and the step's index (0-based); may be async. */
  onToken?: (tokens: number[], step: number) => void | Promise<void>;
  /**
   * Reuse the keys and values of earlier positions (default true). false reruns the
   * whole context for every token: the same tokens, slower; for tests and comparisons.
   */
  useCache?: boolean;
  /** Aborting stops generation at the next token; generate then rejects with the signal's reason. */
  signal?: AbortSignal;
}

const KEYS = ['maxNewTokens', 'temperature', 'topK', 'topP', 'seed', 'onToken', 'useCache', 'signal'];

/**
 * Generation past contextLength: the model sees the last contextLength tokens (the
 * prompt is cropped the same way). The cache then holds a full context and every
 * further token needs a fresh pass over the last contextLength tokens, as without a
 * cache — positions are absolute, so cached keys cannot shift.
 */
export async function generate(model: GPT, idsIn: Tensor | readonly (readonly number[])[], options: GenerateOptions): Promise<Tensor> {
  const fn = `${model.name}.generate`;
  checkOptions(fn, options, KEYS);
  if (options === undefined) throw new Error(`${fn}: expected options with maxNewTokens, got undefined`);
  const maxNewTokens = checkNumber(fn, 'maxNewTokens', options.maxNewTokens, NaN, { integer: true, min: 0 });
  if (Number.isNaN(maxNewTokens)) throw new Error(`${fn}: maxNewTokens should be a non-negative integer, got undefined`);
  const temperature = checkNumber(fn, 'temperature', options.temperature, 1, { min: 0 });
  const topK = options.topK === undefined ? undefined : checkNumber(fn, 'topK', options.topK, 1, { integer: true, min: 1 });
  const topP = options.topP === undefined ? undefined : checkNumber(fn, 'topP', options.topP, 1, { min: 0, minExclusive: true, max: 1 });
  const useCache = checkBoolean(fn, 'useCache', options.useCache, true);
  if (options.onToken !== undefined && typeof options.onToken !== 'function') throw new TypeError(`${fn}: onToken should be a function (tokens, step) => void, got ${given(options.onToken)}`);
  const seed = options.seed === undefined ? undefined : checkNumber(fn, 'seed', options.seed, 0, { integer: true });
  const signal = options.signal;

  const { vocabSize, contextLength } = model.config;
  const rows = await promptRows(fn, idsIn, vocabSize);
  const random = randomFor(seed);
  const batch = rows.length;
  let cache: KVCache | undefined;
  try {
    for (let step = 0; step < maxNewTokens; step++) {
      signal?.throwIfAborted();
      const length = rows[0]!.length;
      let logits: Tensor;
      if (useCache && cache && cache.length < contextLength) {
        // One new position: the last token, at position cache.length.
        const last = ops.tensor(rows.map((r) => [r[length - 1]!]), [batch, 1], 'int32');
        const out = noGrad(() => model.run(last, cache!.length, cache, false, true, true));
        last.dispose();
        logits = out.logits;
        cache = out.cache;
      } else {
        // The first step, a step without a cache, or one past a full context: the last contextLength tokens.
        const start = Math.max(0, length - contextLength);
        const window = ops.tensor(rows.map((r) => r.slice(start)), [batch, length - start], 'int32');
        if (cache) for (const c of cache.layers) { c.k.dispose(); c.v.dispose(); }
        const out = noGrad(() => model.run(window, 0, undefined, false, true, useCache));
        window.dispose();
        logits = out.logits;
        cache = out.cache;
      }
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      const next = rows.map((r, i) => {
        const token = pick(values.subarray(i * vocabSize, (i + 1) * vocabSize), temperature, topK, topP, random);
        r.push(token);
        return token;
      });
      await options.onToken?.(next, step);
    }
  } finally {
    if (cache) for (const c of cache.layers) { c.k.dispose(); c.v.dispose(); }
  }
  return ops.tensor(rows, [batch, rows[0]!.length], 'int32');
}

/** The prompt as rows of ids, checked: int32 [batch, length ≥ 1], every id in range. */
async function promptRows(fn: string, ids: Tensor | readonly (readonly number[])[], vocab: number): Promise<number[][]> {
  if (ids instanceof Tensor) {
    ids.assertAlive(fn, 'ids');
    if (ids.dtype !== 'int32') throw new TypeError(`${fn}: ids should be int32 token ids, got ${ids.dtype} of shape ${shapeString(ids.shape)}`);
    if (ids.rank !== 2 || ids.shape[0] === 0 || ids.shape[1] === 0) throw new Error(`${fn}: ids should have shape [batch, promptLength] with at least one token, got ${shapeString(ids.shape)}`);
    const values = await ids.data();
    assertIdsInRange(fn, values, vocab);
    const [b, t] = ids.shape as [number, number];
    return Array.from({ length: b }, (_, i) => Array.from(values.subarray(i * t, (i + 1) * t)));
  }
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((r) => Array.isArray(r) && r.length > 0 && r.length === ids[0]!.length)) {
    throw new TypeError(`${fn}: ids should be an int32 Tensor or rows of token ids of one length, got ${describe(ids)}`);
  }
  const flat = ids.flat();
  if (!flat.every(Number.isInteger)) throw new TypeError(`${fn}: token ids should be integers, got ${JSON.stringify(flat.find((v) => !Number.isInteger(v)))}`);
  assertIdsInRange(fn, flat, vocab);
  return ids.map((r) => [...r]);
}

/** The next token from one row of logits. */
export function pick(logits: ArrayLike<number>, temperature: number, topK: number | undefined, topP: number | undefined, random: Random): number {
  const n = logits.length;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  // Candidates from the most likely down; probabilities in float64.
  let order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
  if (topK !== undefined) order = order.slice(0, Math.min(topK, n));
  const top = logits[order[0]!]!;
  let weights = order.map((i) => Math.exp((logits[i]! - top) / temperature));
  if (topP !== undefined) {
    const total = weights.reduce((s, w) => s + w, 0);
    let cumulative = 0;
    let keep = 0;
    while (keep < weights.length && cumulative < topP * total) cumulative += weights[keep++]!;
    order = order.slice(0, Math.max(keep, 1));
    weights = weights.slice(0, order.length);
  }
  const total = weights.reduce((s, w) => s + w, 0);
  let u = random.next() * total;
  for (let i = 0; i < order.length; i++) {
    u -= weights[i]!;
    if (u < 0) return order[i]!;
  }
  return order[order.length - 1]!;
}
