// Option parsers and shared options for the CLI commands. Each parser throws
// commander's InvalidArgumentError, so a bad value ends with a message naming the
// option, the value and what was expected, and exit code 1.

import { InvalidArgumentError, Option } from 'commander';
import * as wg from '../index.js';

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer >= 0.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0.');
  return n;
}

/** A probability in (0, 1]. */
export function probability(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError('expected a number in (0, 1].');
  return n;
}

/** A share of the rows, in [0, 1). */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('expected a fraction in [0, 1), e.g. 0.2.');
  return n;
}

export function integer(value: string): number {
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
}

/** A comma-separated list of names. */
export function nameList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected one or more comma-separated names.');
  return names;
}

/** Layer sizes such as 64,32 (or 'none' for no hidden layer). */
export function layerSizes(value: string): number[] {
  if (value.trim() === 'none') return [];
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new InvalidArgumentError("expected positive integers separated by commas, e.g. 64,32 (or 'none').");
  return parts.map(Number);
}

export function delimiter(value: string): string {
  const d = value === '\\t' || value === 'tab' ? '\t' : value;
  if (d.length !== 1) throw new InvalidArgumentError("expected one character (use 'tab' for a tab).");
  return d;
}

const BACKEND_NAMES: readonly wg.BackendName[] = ['webgpu', 'wasm', 'cpu'];

/** 'auto', 'all', or a comma list of backend names. */
export function backendSpec(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const allowed = ['auto', 'all', ...BACKEND_NAMES];
  const bad = names.find((n) => !allowed.includes(n));
  if (names.length === 0 || bad !== undefined) throw new InvalidArgumentError(`expected auto, all, or a comma list of ${BACKEND_NAMES.join(', ')}; got '${bad ?? value}'.`);
  if (names.length > 1 && names.some((n) => n === 'auto' || n === 'all')) throw new InvalidArgumentError("'auto' and 'all' stand alone.");
  return names;
}

/** One backend name or 'auto', for the commands that run on one backend (predict, evaluate). */
export function singleBackend(value: string): string[] {
  const name = value.trim();
  if (name !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`expected one of auto, ${BACKEND_NAMES.join(', ')}; got '${value}' (this command runs on one backend).`);
  }
  return [name];
}

/**
 * --backend for a command: `several` (train, bench) accepts a comma list and 'all';
 * otherwise one backend or 'auto', and the help says only that.
 */
export function backendOption(several = true): Option {
  if (!several) {
    return new Option('--backend <name>', 'where to compute: auto (the fastest present), webgpu, wasm or cpu')
      .default(['auto'], 'auto')
      .argParser(singleBackend);
  }
  return new Option('--backend <names>', "where to compute: auto (the fastest present), webgpu, wasm, cpu, a comma list, or all (train on each present backend and compare)")
    .default(['auto'], 'auto')
    .argParser(backendSpec);
}

/**
 * The backends to run on, in order: for 'auto' the fastest present one; for 'all'
 * the auto choice first, then every other registered backend.
 */
export async function expandBackends(spec: readonly string[]): Promise<wg.BackendName[]> {
  if (spec.length === 1 && spec[0] === 'auto') return [await wg.setBackend('auto')];
  if (spec.length === 1 && spec[0] === 'all') {
    const best = await wg.setBackend('auto');
    const registered = wg.registeredBackends();
    return [best, ...BACKEND_NAMES.filter((n) => n !== best && registered.includes(n))];
  }
  return [...spec] as wg.BackendName[];
}

/** Runs a command's action; an error prints "webgrad <command>: message" and sets exit code 1. */
export function action<A extends unknown[]>(command: string, run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`webgrad ${command}: ${message}\n`);
      if (process.env.WEBGRAD_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    }
  };
}
