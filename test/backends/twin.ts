// Runs backend primitives on the cpu reference and on a backend under test with
// the same data, and compares what they write. A "twin" is one storage on each.

import { expect } from 'vitest';
import type { Backend, DType, Storage, View } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu.js';
import { contiguousStrides, sizeOf } from '../../src/backends/strided.js';
import { Random } from '../../src/random.js';

export interface TwinView {
  readonly cpu: View;
  readonly dut: View;
}

export interface Tolerance {
  readonly rtol?: number;
  readonly atol?: number;
}

export class Twins {
  readonly cpu = new CpuBackend();
  private readonly random: Random;

  constructor(readonly dut: Backend, seed = 1) {
    this.random = new Random(seed);
  }

  /** Uniform random values in [lo, hi). */
  values(n: number, lo = -1, hi = 1): Float32Array {
    return Float32Array.from({ length: n }, () => this.random.uniform(lo, hi));
  }

  ints(n: number, lo: number, hi: number): Int32Array {
    return Int32Array.from({ length: n }, () => lo + this.random.int(hi - lo));
  }

  /** A storage on both backends holding `data`, seen through a view (contiguous by default). */
  tensor(data: Float32Array | Int32Array, shape: readonly number[] = [data.length], strides?: readonly number[], offset = 0): TwinView {
    const dtype: DType = data instanceof Float32Array ? 'f32' : 'i32';
    const [c, d] = this.storages(data);
    const s = strides ?? contiguousStrides(shape);
    return { cpu: { storage: c, dtype, shape, strides: s, offset }, dut: { storage: d, dtype, shape, strides: s, offset } };
  }

  storages(data: Float32Array | Int32Array): [Storage, Storage] {
    const c = this.cpu.alloc(data.byteLength);
    const d = this.dut.alloc(data.byteLength);
    if (data.length > 0) {
      this.cpu.write(c, data);
      this.dut.write(d, data);
    }
    return [c, d];
  }

  /** A fresh contiguous output, filled with a marker so that unwritten elements show. */
  output(shape: readonly number[], dtype: DType = 'f32', fillWith = 12345): TwinView {
    const n = sizeOf(shape);
    const data = dtype === 'f32' ? new Float32Array(n).fill(fillWith) : new Int32Array(n).fill(fillWith);
    return this.tensor(data, shape);
  }

  /** Another view of the same storages. */
  view(t: TwinView, shape: readonly number[], strides: readonly number[], offset = 0, dtype = t.cpu.dtype): TwinView {
    return { cpu: { ...t.cpu, shape, strides, offset, dtype }, dut: { ...t.dut, shape, strides, offset, dtype } };
  }

  /** Runs the same call on both backends. */
  run(call: (backend: Backend, side: 'cpu' | 'dut') => void): void {
    call(this.cpu, 'cpu');
    call(this.dut, 'dut');
  }

  /** Reads a view from both backends and expects the same numbers (NaN equals NaN). */
  async expectSame(t: TwinView, tolerance: Tolerance = {}, label = ''): Promise<void> {
    const expected = this.cpu.readSync(t.cpu);
    const actual = await this.dut.read(t.dut);
    expectClose(actual, expected, tolerance, label);
  }
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol = 1e-6, atol = 1e-7 }: Tolerance = {}, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) {
        expect.fail(`${label} element ${i}: expected ${e}, got ${a}`);
      }
      continue;
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`${label} element ${i} of ${expected.length}: expected ${e}, got ${a} (|diff| ${Math.abs(a - e)}, tolerance ${atol} + ${rtol}·|expected|)`);
    }
  }
}
