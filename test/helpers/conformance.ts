// The op conformance runner. A table maps each op to rows; a row is the op called
// through the public API on seeded inputs, and an oracle over the float64 reference.
// Every row runs on every backend: the cpu backend is checked against the oracle,
// every other backend against the cpu backend on the same inputs (and the oracle's
// shapes and dtypes). Each run also checks that the op leaves exactly its outputs
// alive (no leaked intermediates) and that disposing them returns memory to start.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import type { BackendCase } from './backends.js';
import { expectClose, FORWARD, type Tolerance } from './compare.js';
import type { Nd } from './reference.js';
import { describeInput, type Input, referenceOf, seedOf, tensorOf } from './values.js';

export interface OpCase {
  /** Defaults to the input shapes. */
  readonly name?: string;
  readonly inputs: readonly Input[];
  /** Calls the op under test through the public API. */
  readonly run: (...xs: wg.Tensor[]) => wg.Tensor | readonly wg.Tensor[];
  /** The expected result(s) from the reference inputs. */
  readonly oracle: (...xs: Nd[]) => Nd | readonly Nd[];
  readonly tol?: Tolerance;
}

export type OpTable = Readonly<Record<string, readonly OpCase[]>>;

export interface Result {
  readonly shape: readonly number[];
  readonly dtype: wg.DataType;
  readonly data: Float32Array | Int32Array;
}

export function rowName(row: { name?: string; inputs: readonly Input[] }): string {
  return row.name ?? (row.inputs.map(describeInput).join(', ') || 'no inputs');
}

/** Reference values of a row's inputs; the seed depends only on the row's label. */
export function referencesOf(label: string, inputs: readonly Input[]): Nd[] {
  return inputs.map((input, i) => referenceOf(input, seedOf(`${label}#${i}`)));
}

/** Runs a row on `backend`, checking its memory behaviour, and reads the results. */
export async function evaluate(row: OpCase, label: string, backend: wg.BackendName): Promise<Result[]> {
  await wg.setBackend(backend);
  const start = wg.memory().numTensors;
  const refs = referencesOf(label, row.inputs);
  const xs = row.inputs.map((input, i) => tensorOf(input, refs[i]!));
  const before = wg.memory().numTensors;
  const result = row.run(...xs);
  const outs = Array.isArray(result) ? (result as wg.Tensor[]) : [result as wg.Tensor];
  expect(wg.memory().numTensors - before, 'tensors left alive by the op (its outputs only)').toBe(outs.length);
  const results: Result[] = [];
  for (const t of outs) results.push({ shape: [...t.shape], dtype: t.dtype, data: await t.data() });
  wg.dispose([outs, xs]);
  expect(wg.memory().numTensors, 'tensors alive after disposing inputs and outputs').toBe(start);
  return results;
}

function checkAgainst(actual: readonly Result[], expected: readonly { shape: readonly number[]; dtype: string; data: ArrayLike<number> }[], tol: Tolerance, what: string): void {
  expect(actual.length, `${what}: number of outputs`).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    const which = expected.length > 1 ? `${what}, output ${i}` : what;
    expect(a.shape, `${which}: shape`).toEqual([...e.shape]);
    expect(a.dtype, `${which}: dtype`).toBe(e.dtype);
    expectClose(a.data, e.data, a.shape, tol, which);
  });
}

/**
 * Checks one row on `backend`: the cpu backend against the oracle, any other backend
 * against the cpu backend on the same inputs (with the oracle's shapes and dtypes).
 */
export async function checkRow(op: string, row: OpCase, label: string, backend: wg.BackendName): Promise<void> {
  const expected = toArray(row.oracle(...referencesOf(label, row.inputs)));
  const tol = row.tol ?? FORWARD;
  if (backend === 'cpu') {
    checkAgainst(await evaluate(row, label, 'cpu'), expected, tol, `${op} on cpu vs reference`);
    return;
  }
  const cpu = await evaluate(row, label, 'cpu');
  const actual = await evaluate(row, label, backend);
  // Shapes and dtypes from the oracle, values from the cpu backend on the same inputs.
  const fromCpu = expected.map((e, i) => ({ shape: e.shape, dtype: e.dtype, data: cpu[i]?.data ?? e.data }));
  checkAgainst(actual, fromCpu, tol, `${op} on ${backend} vs cpu`);
}

/** Defines one describe per op, one per backend inside it, and one test per row. */
export function describeOps(table: OpTable, backends: readonly BackendCase[]): void {
  for (const [op, rows] of Object.entries(table)) {
    describe(op, () => {
      for (const backend of backends) {
        describe.skipIf(backend.skip !== undefined)(backend.name, () => {
          const seen = new Map<string, number>();
          for (const row of rows) {
            let name = rowName(row);
            const n = (seen.get(name) ?? 0) + 1;
            seen.set(name, n);
            if (n > 1) name += ` #${n}`;
            const label = `${op}/${name}`;
            it(name, () => checkRow(op, row, label, backend.name));
          }
        });
      }
    });
  }
}

function toArray(x: Nd | readonly Nd[]): readonly Nd[] {
  return Array.isArray(x) ? (x as Nd[]) : [x as Nd];
}
