// How a tensor shows itself, as TF.js users expect: String(t), t.toString(), the
// inspect hook console.log uses in Node, and t.print(). Values appear where the
// backend reads synchronously (cpu, wasm); on webgpu String(t) shows the header and
// a note, and `await t.print()` reads and prints the values. Runs in Node and Chromium.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

afterEach(() => vi.restoreAllMocks());

/** What the values should look like, written out independently of the formatter. */
const MATRIX = 'Tensor float32 [2,3]\n[[   1, -2.5,    3],\n [   4,    5,   -6]]';

describe.each(cases)('printing tensors ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);
  const synchronous = name !== 'webgpu';

  run('String(t), toString() and the inspect hook show dtype, shape and (where readable now) the values', async () => {
    await wg.setBackend(name);
    const t = wg.tensor([[1, -2.5, 3], [4, 5, -6]]);
    const text = String(t);
    expect(t.toString()).toBe(text);
    expect((t as unknown as Record<symbol, () => string>)[INSPECT]!()).toBe(text);
    if (synchronous) {
      expect(text).toBe(MATRIX);
      expect(String(wg.tensor([1, 2, 3], [3], 'int32'))).toBe('Tensor int32 [3]\n[1, 2, 3]');
      expect(String(wg.scalar(0.5))).toBe('Tensor float32 []\n0.5');
      expect(String(wg.tensor([1, 0], [2], 'bool'))).toBe('Tensor bool [2]\n[ true, false]');
      // float32 rounding does not show: 0.1 is 0.1, tiny and huge values use exponents
      expect(String(wg.tensor([0.1, 1e-9, 3e9]))).toBe('Tensor float32 [3]\n[      0.1, 1.0000e-9, 3.0000e+9]');
    } else {
      expect(text).toBe('Tensor float32 [2,3] on webgpu (values not read: await t.print() or t.array())');
    }
    t.dispose();
    expect(String(t)).toBe('Tensor (disposed) float32 [2,3]');
  });

  run('t.print() logs the values on every backend (awaited on webgpu)', async () => {
    await wg.setBackend(name);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const t = wg.tensor([[1, -2.5, 3], [4, 5, -6]]);
    const done = t.print();
    // cpu and wasm print before print() returns, as TF.js' print does
    if (synchronous) expect(log).toHaveBeenCalledTimes(1);
    await done;
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toBe(MATRIX);
    t.dispose();
  });

  run('large tensors are elided to the first and last three entries of each long dimension', async () => {
    await wg.setBackend(name);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const t = wg.reshape(wg.range(0, 3000, 1, 'int32'), [100, 30]);
    await t.print();
    const text = String(log.mock.calls[0]![0]);
    const lines = text.split('\n');
    // header, 3 rows, '...', 3 rows
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe('Tensor int32 [100,30]');
    expect(lines[1]).toBe('[[   0,    1,    2, ..., 27, 28, 29],'.replace('27, 28, 29', '  27,   28,   29'));
    expect(lines[4]).toBe(' ...,');
    expect(lines[7]).toBe(' [2970, 2971, 2972, ..., 2997, 2998, 2999]]');
    expect(text.length).toBeLessThan(400);
    t.dispose();
  });
});
