// Tensor and Variable (src/tensor.ts): reading values back, memory accounting
// (views share storage), dispose semantics, variables.

import { beforeEach, describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';

const backends = await backendCases();

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`Tensor on ${backend.name}`, () => {
    beforeEach(async () => {
      await wg.setBackend(backend.name);
    });

    it('reads values back as typed arrays and nested arrays, by dtype', async () => {
      const f = wg.tensor([[1.5, 2], [3, 4]]);
      const i = wg.tensor([[1, 2]], undefined, 'int32');
      const b = wg.tensor([true, false]);
      const s = wg.scalar(7);
      const e = wg.zeros([2, 0]);
      expect(await f.data()).toEqual(new Float32Array([1.5, 2, 3, 4]));
      expect(await i.data()).toEqual(new Int32Array([1, 2]));
      expect(await f.array()).toEqual([[1.5, 2], [3, 4]]);
      expect(await b.array()).toEqual([true, false]);
      expect(await s.array()).toBe(7);
      expect(await e.array()).toEqual([[], []]);
      expect([f.rank, f.size, s.rank, s.size, e.size]).toEqual([2, 4, 0, 1, 0]);
      expect([f.dtype, i.dtype, b.dtype]).toEqual(['float32', 'int32', 'bool']);
      wg.dispose([f, i, b, s, e]);
    });

    it('reads strided views in logical order', async () => {
      const x = wg.tensor([[1, 2, 3], [4, 5, 6]]);
      const t = wg.transpose(x);
      const s = wg.slice(x, [0, 1], [2, 2]);
      expect(await t.array()).toEqual([[1, 4], [2, 5], [3, 6]]);
      expect(await s.array()).toEqual([[2, 3], [5, 6]]);
      wg.dispose([x, t, s]);
    });

    it('counts tensors, bytes and buffers; views share their storage', () => {
      const start = wg.memory();
      const x = wg.zeros([3, 4]);
      expect(wg.memory()).toMatchObject({ numTensors: start.numTensors + 1, numBytes: start.numBytes + 48, numDataBuffers: start.numDataBuffers + 1 });
      const views = [wg.reshape(x, [12]), wg.transpose(x), wg.slice(x, [1, 1], [2, 2]), wg.expandDims(x, 0), wg.broadcastTo(x, [2, 3, 4])];
      expect(wg.memory()).toMatchObject({ numTensors: start.numTensors + 6, numBytes: start.numBytes + 48, numDataBuffers: start.numDataBuffers + 1 });
      x.dispose();
      // The storage lives until its last view goes.
      expect(wg.memory().numDataBuffers).toBe(start.numDataBuffers + 1);
      wg.dispose(views);
      expect(wg.memory()).toEqual({ ...start, peakBytes: expect.any(Number) });
    });

    it('throws a clear error when a disposed tensor is read, and dispose() twice is safe', async () => {
      const x = wg.tensor([1, 2]);
      x.dispose();
      x.dispose();
      expect(x.isDisposed).toBe(true);
      await expect(x.data()).rejects.toThrow(/data: tensor \d+ \(shape \[2\], float32\) was used after dispose\(\)/);
      expect(String(x)).toBe('Tensor (disposed) float32 [2]');
    });

    it('prints itself', () => {
      const x = wg.tensor([[1, 2]], undefined, 'int32');
      // Backends that cannot read synchronously show a note instead of the values (test/api/print.test.ts has the rest).
      expect(String(x)).toMatch(/^Tensor int32 \[1,2\](\n\[\[1, 2\]\]| on webgpu \(values not read: await t\.print\(\) or t\.array\(\)\))$/);
      x.dispose();
    });
  });

  describe.skipIf(backend.skip !== undefined)(`Variable on ${backend.name}`, () => {
    beforeEach(async () => {
      await wg.setBackend(backend.name);
    });

    it('has a name and trainable flag, and assign replaces its value but not the initial tensor', async () => {
      const initial = wg.tensor([1, 2]);
      const v = wg.variable(initial, { name: 'v1', trainable: false });
      expect([v.name, v.trainable]).toEqual(['v1', false]);
      const next = wg.tensor([5, 6]);
      v.assign(next);
      next.dispose();
      expect(await v.array()).toEqual([5, 6]);
      expect(await initial.array()).toEqual([1, 2]);
      const auto = wg.variable(initial);
      expect(auto.name).toMatch(/^variable_\d+$/);
      expect(auto.trainable).toBe(true);
      wg.dispose([initial, v, auto]);
    });

    it('assign checks shape and dtype', () => {
      const v = wg.variable(wg.zeros([2, 3]), { name: 'shaped' });
      const wrong = wg.zeros([3, 2]);
      const wrongType = wg.zeros([2, 3], 'int32');
      expect(() => v.assign(wrong)).toThrow(/assign: variable 'shaped' expects shape \[2,3\] float32, got shape \[3,2\] float32/);
      expect(() => v.assign(wrongType)).toThrow(/assign: variable 'shaped' expects shape \[2,3\] float32, got shape \[2,3\] int32/);
      wg.dispose([v, wrong, wrongType]);
    });
  });
}
