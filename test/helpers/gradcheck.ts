// The gradient-check runner. A row is an op under test `f` (any output shape), its
// float64 reference `oracle`, and seeded inputs. The scalar checked is
//   L = sum(f(inputs) * W)
// with W a fixed seeded weight of f's output shape, so that every output element
// gets its own upstream gradient. The gradient from wg.valueAndGrad is compared with
// central finite differences of L computed on the host in float64 with the oracle
// (no float32 noise, so the tolerance only absorbs float32 rounding of the analytic
// gradient). Non-cpu backends are also compared with the cpu backend's gradient.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import type { BackendCase } from './backends.js';
import { expectClose, type Tolerance } from './compare.js';
import { rowName } from './conformance.js';
import { type Nd, nd } from './reference.js';
import { gen, type Input, referenceOf, Rng, seedOf, tensorOf } from './values.js';

export interface GradCase {
  readonly name?: string;
  readonly inputs: readonly Input[];
  /** Inputs to differentiate (default: every float32 input). */
  readonly wrt?: readonly number[];
  readonly f: (...xs: wg.Tensor[]) => wg.Tensor;
  readonly oracle: (...xs: Nd[]) => Nd;
  /** Finite-difference step (default 1e-3); keep inputs at least this far from kinks. */
  readonly h?: number;
  readonly tol?: Tolerance;
}

export type GradTable = Readonly<Record<string, readonly GradCase[]>>;

/** Analytic gradient (float32) against float64 central differences. */
export const GRAD: Tolerance = { rel: 1e-3, abs: 1e-4 };
/** Gradients of the same computation on two backends. */
export const GRAD_CROSS: Tolerance = { rel: 1e-4, abs: 1e-5 };

interface Prepared {
  readonly refs: Nd[];
  readonly weights: Nd;
  readonly wrt: number[];
}

function prepare(row: GradCase, label: string): Prepared {
  const refs = row.inputs.map((input, i) => referenceOf(input, seedOf(`${label}#${i}`)));
  const out = row.oracle(...refs);
  const rng = new Rng(seedOf(`${label}#weights`));
  const w = gen.uniform(-1, 1);
  const weights = nd(out.shape, () => Math.fround(w(rng)));
  const wrt = row.wrt ? [...row.wrt] : row.inputs.flatMap((input, i) => ((input.dtype ?? 'float32') === 'float32' ? [i] : []));
  return { refs, weights, wrt };
}

function loss(row: GradCase, refs: Nd[], weights: Nd): number {
  const out = row.oracle(...refs);
  let total = 0;
  for (let i = 0; i < out.size; i++) total += out.data[i]! * weights.data[i]!;
  return total;
}

/** dL/dx by central differences in float64, for every element of every `wrt` input. */
export function numericGradients(row: GradCase, { refs, weights, wrt }: Prepared): Float64Array[] {
  const h = row.h ?? 1e-3;
  return wrt.map((k) => {
    const x = refs[k]!;
    const g = new Float64Array(x.size);
    for (let j = 0; j < x.size; j++) {
      const shifted = (delta: number): Nd[] => {
        const data = Float64Array.from(x.data);
        data[j]! += delta;
        return refs.map((r, i) => (i === k ? nd(x.shape, data, x.dtype) : r));
      };
      g[j] = (loss(row, shifted(h), weights) - loss(row, shifted(-h), weights)) / (2 * h);
    }
    return g;
  });
}

interface Analytic {
  readonly value: number;
  readonly grads: { shape: readonly number[]; data: Float32Array | Int32Array }[];
}

/** valueAndGrad on `backend`, checking that nothing is left alive afterwards. */
export async function analyticGradients(row: GradCase, label: string, backend: wg.BackendName, prepared: Prepared): Promise<Analytic> {
  await wg.setBackend(backend);
  const start = wg.memory().numTensors;
  const xs = row.inputs.map((input, i) => tensorOf(input, prepared.refs[i]!));
  const w = wg.tensor(Float32Array.from(prepared.weights.data), prepared.weights.shape);
  const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.mul(row.f(...xs), w)), prepared.wrt.map((i) => xs[i]!));
  const result: Analytic = {
    value: (await value.data())[0]!,
    grads: await Promise.all(grads.map(async (g) => ({ shape: [...g.shape], data: await g.data() }))),
  };
  wg.dispose([value, grads, xs, w]);
  expect(wg.memory().numTensors, `tensors alive after valueAndGrad and disposing everything (${label})`).toBe(start);
  return result;
}

/**
 * Checks one row on `backend`: the value of L, the gradient of every `wrt` input against
 * float64 central differences, and on a non-cpu backend against the cpu backend too.
 */
export async function checkGradRow(op: string, row: GradCase, label: string, backend: wg.BackendName): Promise<void> {
  const prepared = prepare(row, label);
  const numeric = numericGradients(row, prepared);
  const analytic = await analyticGradients(row, label, backend, prepared);
  const tol = row.tol ?? GRAD;
  expectClose([analytic.value], [loss(row, prepared.refs, prepared.weights)], [], { rel: 1e-4, abs: 1e-4 }, `${op}: value of sum(f(x) * W)`);
  prepared.wrt.forEach((k, i) => {
    const g = analytic.grads[i]!;
    expect(g.shape, `${op}: gradient of input ${k} has the input's shape`).toEqual([...prepared.refs[k]!.shape]);
    expectClose(g.data, numeric[i]!, g.shape, tol, `${op} on ${backend}: d/d(input ${k}) vs float64 finite differences`);
  });
  if (backend !== 'cpu') {
    const cpu = await analyticGradients(row, label, 'cpu', prepared);
    prepared.wrt.forEach((k, i) => {
      expectClose(analytic.grads[i]!.data, cpu.grads[i]!.data, analytic.grads[i]!.shape, GRAD_CROSS, `${op} on ${backend}: d/d(input ${k}) vs cpu`);
    });
  }
}

/** One describe per op, one per backend inside it, one test per row. */
export function describeGrads(table: GradTable, backends: readonly BackendCase[]): void {
  for (const [op, rows] of Object.entries(table)) {
    describe(op, () => {
      for (const backend of backends) {
        describe.skipIf(backend.skip !== undefined)(backend.name, () => {
          for (const row of rows) {
            const name = rowName(row);
            const label = `grad ${op}/${name}`;
            it(name, () => checkGradRow(op, row, label, backend.name));
          }
        });
      }
    });
  }
}
