// Random shapes (fast-check, fixed seeds so runs reproduce): broadcasting,
// reductions, reshape, transpose, slice and matmul agree with the reference on
// random valid shapes, and reject random invalid ones with an error naming the op.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { MATMUL } from '../helpers/compare.js';
import { checkRow, type OpCase } from '../helpers/conformance.js';
import * as ref from '../helpers/reference.js';
import { f32, gen } from '../helpers/values.js';

const backends = await backendCases();

const RUNS = { numRuns: 40, seed: 20240611 } as const;

type Shape = number[];
/** A dimension: mostly 1..4, sometimes 0. */
const dim = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) });
const shape = (maxRank = 4, d = dim): fc.Arbitrary<Shape> => fc.array(d, { maxLength: maxRank });

/** A shape that broadcasts to `out`: a suffix of it with some dims replaced by 1. */
function operandOf(out: Shape): fc.Arbitrary<Shape> {
  return fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}
const broadcastPair = shape().chain((out) => fc.tuple(operandOf(out), operandOf(out)));

/** Two shapes with one aligned dimension that differs, neither being 1. */
const clashingPair = fc.tuple(shape(3), shape(3), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 3 }))
  .filter(([, , p, q]) => p !== q)
  .map(([a, b, p, q, at]): [Shape, Shape] => {
    const tail = Math.min(at, a.length, b.length);
    return [[...a.slice(0, a.length - tail), p, ...a.slice(a.length - tail)], [...b.slice(0, b.length - tail), q, ...b.slice(b.length - tail)]];
  });

const label = (...parts: unknown[]) => JSON.stringify(parts);
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return '';
};

const BINARY = {
  add: [(a: wg.Tensor, b: wg.Tensor) => wg.add(a, b), (x: number, y: number) => x + y],
  mul: [(a: wg.Tensor, b: wg.Tensor) => wg.mul(a, b), (x: number, y: number) => x * y],
  maximum: [(a: wg.Tensor, b: wg.Tensor) => wg.maximum(a, b), Math.max],
} as const;

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`random shapes on ${backend.name}`, () => {
    it('broadcasting: binary ops on random compatible shapes agree with the reference', async () => {
      await fc.assert(fc.asyncProperty(broadcastPair, fc.constantFrom(...Object.keys(BINARY) as (keyof typeof BINARY)[]), async ([a, b], op) => {
        const [run, f] = BINARY[op];
        const row: OpCase = { inputs: [f32(a), f32(b)], run, oracle: (x, y) => ref.binary(x, y, f) };
        await checkRow(op, row, label(op, a, b), backend.name);
      }), RUNS);
    });

    it('broadcasting: random incompatible shapes are rejected, naming the op and both shapes', async () => {
      await wg.setBackend(backend.name);
      fc.assert(fc.property(clashingPair, ([a, b]) => {
        const x = wg.zeros(a);
        const y = wg.zeros(b);
        const start = wg.memory().numTensors;
        const message = messageOf(() => wg.sub(x, y));
        expect(message).toContain(`sub: shapes [${a.join(',')}] and [${b.join(',')}] cannot be broadcast together`);
        expect(wg.memory().numTensors).toBe(start);
        wg.dispose([x, y]);
      }), RUNS);
    });

    it('reductions over random axes (negative too) with and without keepDims agree with the reference', async () => {
      const axesOf = (s: Shape) => fc.tuple(fc.subarray([...s.keys()]), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
        .map(([axes, negate]) => axes.map((a) => (negate[a] ? a - s.length : a)));
      const cases = shape().chain((s) => fc.tuple(fc.constant(s), fc.option(axesOf(s), { nil: undefined }), fc.boolean(), fc.constantFrom('sum', 'mean', 'max', 'prod' as const)));
      await fc.assert(fc.asyncProperty(cases, async ([s, axes, keepDims, op]) => {
        const reduced = ref.normalizeAxes(axes, s.length);
        fc.pre(op !== 'max' || reduced.every((a) => s[a]! > 0));
        const f = { sum: ref.sumOf, mean: ref.meanOf, max: ref.maxOf, prod: ref.prodOf }[op];
        const row: OpCase = {
          inputs: [f32(s, op === 'prod' ? { gen: gen.uniform(0.8, 1.2) } : {})],
          run: (x) => wg[op](x, axes, keepDims),
          oracle: (x) => ref.reduce(x, axes, keepDims, f),
          tol: { rel: 1e-5, abs: 1e-5 },
        };
        await checkRow(op, row, label(op, s, axes, keepDims), backend.name);
      }), RUNS);
    });

    it('reshape to a random shape of the same size (with -1) keeps the values; another size is rejected', async () => {
      const cases = shape(4, fc.integer({ min: 1, max: 4 })).chain((s) => fc.tuple(
        fc.constant(s),
        fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length }),
        fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
        fc.integer({ min: -1, max: s.length }),
      ));
      await fc.assert(fc.asyncProperty(cases, async ([s, shuffled, merge, unknownAt]) => {
        // Merge some neighbours of the shuffled dims and add a 1: same element count.
        const target: number[] = [1];
        shuffled.forEach((d, i) => (merge[i] && target.length > 1 ? (target[target.length - 1]! *= d) : target.push(d)));
        const requested = target.map((d, i) => (i === unknownAt ? -1 : d));
        const row: OpCase = { inputs: [f32(s, s.length >= 2 ? { view: 'transpose' } : {})], run: (x) => wg.reshape(x, requested), oracle: (x) => ref.reshape(x, target) };
        await checkRow('reshape', row, label('reshape', s, requested), backend.name);
        await wg.setBackend(backend.name);
        const x = wg.zeros(s);
        const wrong = [...target, 2];
        expect(messageOf(() => wg.reshape(x, wrong))).toMatch(new RegExp(`^reshape: cannot reshape \\[${s.join(',')}\\] \\(${ref.sizeOf(s)} elements\\) into \\[${wrong.join(',')}\\]`));
        x.dispose();
      }), RUNS);
    });

    it('transpose by a random permutation agrees with the reference', async () => {
      const cases = shape().chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length })));
      await fc.assert(fc.asyncProperty(cases, async ([s, perm]) => {
        const row: OpCase = { inputs: [f32(s)], run: (x) => wg.transpose(x, perm), oracle: (x) => ref.transpose(x, perm) };
        await checkRow('transpose', row, label('transpose', s, perm), backend.name);
      }), RUNS);
    });

    it('slice with random in-range bounds agrees with the reference; out-of-range bounds are rejected', async () => {
      const bounds = (d: number) => fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: d - b }))));
      const cases = shape(4, fc.integer({ min: 1, max: 5 })).filter((s) => s.length > 0).chain((s) => fc.tuple(fc.constant(s), fc.tuple(...s.map(bounds))));
      await fc.assert(fc.asyncProperty(cases, async ([s, b]) => {
        const begin = b.map(([x]) => x);
        const size = b.map(([, n]) => n);
        const row: OpCase = { inputs: [f32(s, { view: 'slice' })], run: (x) => wg.slice(x, begin, size), oracle: (x) => ref.slice(x, begin, size) };
        await checkRow('slice', row, label('slice', s, begin, size), backend.name);
        await wg.setBackend(backend.name);
        const x = wg.zeros(s);
        const tooLong = size.map((n, i) => (i === 0 ? s[0]! - begin[0]! + 1 : n));
        expect(messageOf(() => wg.slice(x, begin, tooLong))).toMatch(/^slice: begin \d+ and size \d+ on dimension 0 do not fit shape/);
        x.dispose();
      }), RUNS);
    });

    it('matmul of random shapes (broadcast batches, transposes, 1-D) agrees with the reference; mismatched inner dims are rejected', async () => {
      const batch = shape(2, fc.integer({ min: 1, max: 3 })).chain((out) => fc.tuple(operandOf(out), operandOf(out)));
      const size = fc.integer({ min: 0, max: 5 });
      const cases = fc.tuple(batch, size, size, size, fc.boolean(), fc.boolean(), fc.constantFrom('matrix', 'vector a', 'vector b'));
      await fc.assert(fc.asyncProperty(cases, async ([[ba, bb], m, k, n, ta, tb, kind]) => {
        const a = kind === 'vector a' ? [k] : [...ba, ...(ta ? [k, m] : [m, k])];
        const b = kind === 'vector b' ? [k] : [...bb, ...(tb ? [n, k] : [k, n])];
        const row: OpCase = { inputs: [f32(a), f32(b)], run: (x, y) => wg.matmul(x, y, ta, tb), oracle: (x, y) => ref.matmul(x, y, ta && x.rank > 1, tb && y.rank > 1), tol: MATMUL };
        await checkRow('matmul', row, label('matmul', a, b, ta, tb), backend.name);
        await wg.setBackend(backend.name);
        const x = wg.zeros(a);
        const y = wg.zeros(kind === 'vector b' ? [k + 1] : [...bb, ...(tb ? [n, k + 1] : [k + 1, n])]);
        const start = wg.memory().numTensors;
        expect(messageOf(() => wg.matmul(x, y, ta, tb))).toMatch(new RegExp(`^matmul: inner dimensions differ: .*\\(${k} vs ${k + 1}\\)`));
        expect(wg.memory().numTensors).toBe(start);
        wg.dispose([x, y]);
      }), RUNS);
    });
  });
}
