// runBench's options, checked before anything starts: unknown keys (with a suggestion),
// size lists, names of op groups, backends and peers, and the numbers. Errors name
// runBench, what was expected and what was given.

import { checkNumber, checkOptions, closest, given } from '../options.js';
import { isBackendName } from './contenders.js';
import { PEER_NAMES } from './peers.js';
import { DEFAULT_MODEL_SIZES, MODEL_GROUPS } from './model-workloads.js';
import { GROUP_NAMES } from './workloads.js';

const FN = 'runBench';

const KEYS = [
  'sizes', 'batchSizes', 'elements', 'mlp', 'models', 'backends', 'peers', 'ops', 'reps', 'budgetSeconds', 'maxRunMs',
  'tiles', 'mainTile', 'dawnFlags', 'machine', 'loadPeers', 'onProgress', 'signal',
] as const;

function positiveIntegers(name: string, value: unknown, atLeast: number, example: string): void {
  if (value === undefined) return;
  const ok = Array.isArray(value) && value.length >= atLeast && value.every((v) => Number.isSafeInteger(v) && (v as number) >= 1);
  if (!ok) {
    const shown = Array.isArray(value) ? JSON.stringify(value) : given(value);
    throw new Error(`${FN}: ${name} should be ${atLeast > 1 ? `${atLeast} or more` : 'a list of'} positive integers (e.g. ${example}), got ${shown}`);
  }
}

function names(name: string, value: unknown, valid: (n: string) => boolean, known: readonly string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new TypeError(`${FN}: ${name} should be an array of names (${known.join(', ')}), got ${given(value)}`);
  for (const n of value) {
    if (typeof n === 'string' && valid(n)) continue;
    const suggestion = typeof n === 'string' ? closest(n, known) : undefined;
    throw new Error(`${FN}: ${name} has ${JSON.stringify(n) ?? String(n)}, expected one of ${known.join(', ')}${suggestion ? `; did you mean '${suggestion}'?` : ''}`);
  }
}

/** Throws on the first option that is not what runBench expects. */
export function checkBenchOptions(options: unknown): void {
  checkOptions(FN, options, KEYS);
  const o = (options ?? {}) as Record<string, unknown>;
  positiveIntegers('sizes', o['sizes'], 1, '[64, 256, 1024]');
  positiveIntegers('batchSizes', o['batchSizes'], 1, '[32, 128]');
  positiveIntegers('elements', o['elements'], 1, '[4096, 65536]');
  positiveIntegers('mlp', o['mlp'], 2, '[784, 128, 10]');
  names('backends', o['backends'], isBackendName, ['webgpu', 'wasm', 'wasm-1t', 'wasm-<threads>t', 'cpu']);
  names('peers', o['peers'], (n) => (PEER_NAMES as readonly string[]).includes(n), PEER_NAMES);
  const groups: readonly string[] = [...GROUP_NAMES, ...MODEL_GROUPS];
  names('ops', o['ops'], (n) => groups.includes(n), groups);
  if (o['models'] !== undefined && (typeof o['models'] !== 'object' || o['models'] === null || Array.isArray(o['models']))) {
    throw new TypeError(`${FN}: models should be an object of model sizes (e.g. { gptBatch: 8, newTokens: 32 }), got ${given(o['models'])}`);
  }
  if (o['models'] !== undefined) checkOptions(`${FN} models`, o['models'], Object.keys(DEFAULT_MODEL_SIZES));
  checkNumber(FN, 'reps', o['reps'], 7, { integer: true, min: 1 });
  checkNumber(FN, 'budgetSeconds', o['budgetSeconds'], 240, { min: 0, minExclusive: true });
  checkNumber(FN, 'maxRunMs', o['maxRunMs'], 2000, { min: 0, minExclusive: true });
  for (const key of ['loadPeers', 'onProgress'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function') throw new TypeError(`${FN}: ${key} should be a function, got ${given(o[key])}`);
  }
  if (o['signal'] !== undefined && !(typeof AbortSignal !== 'undefined' && o['signal'] instanceof AbortSignal)) {
    throw new TypeError(`${FN}: signal should be an AbortSignal, got ${given(o['signal'])}`);
  }
  if (o['machine'] !== undefined && typeof o['machine'] !== 'string') throw new TypeError(`${FN}: machine should be a string, got ${given(o['machine'])}`);
}
