// The autodiff API (src/autograd.ts): valueAndGrad with an array, a record or no
// params (trainable variables by name), grad / grads, zeros for unused params,
// scalar-only results, tidy and dispose inside f, noGrad, and no leaks in backward.

import { beforeEach, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { expectClose, FORWARD } from '../helpers/compare.js';
import { settleGarbage } from '../helpers/gc.js';

const backends = await backendCases();

async function values(t: wg.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`valueAndGrad on ${backend.name}`, () => {
    beforeEach(async () => {
      await wg.setBackend(backend.name);
    });

    it('takes an array of params and returns grads in the same order', async () => {
      const a = wg.tensor([1, 2, 3]);
      const b = wg.tensor([4, 5, 6]);
      const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.mul(a, b)), [a, b]);
      expect(await values(value)).toEqual([32]);
      expect(grads).toHaveLength(2);
      expect(await values(grads[0]!)).toEqual([4, 5, 6]);
      expect(await values(grads[1]!)).toEqual([1, 2, 3]);
      wg.dispose([a, b, value, grads]);
    });

    it('takes a record of params and returns grads under the same keys', async () => {
      const w = wg.tensor([[1, 2], [3, 4]]);
      const bias = wg.tensor([0.5, -0.5]);
      const x = wg.tensor([[1, 1]]);
      const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.add(wg.matmul(x, w), bias)), { w, bias });
      expect(Object.keys(grads).sort()).toEqual(['bias', 'w']);
      expect(await values(value)).toEqual([10]);
      expect(await grads.w!.array()).toEqual([[1, 1], [1, 1]]);
      expect(await grads.bias!.array()).toEqual([1, 1]);
      wg.dispose([w, bias, x, value, grads]);
    });

    it('without params differentiates the trainable variables f uses, keyed by name', async () => {
      const w = wg.variable(wg.tensor([2, 3]), true, 'weights');
      const frozen = wg.variable(wg.tensor([10, 10]), false, 'frozen');
      const unused = wg.variable(wg.tensor([1]), { name: 'unused' });
      const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.mul(wg.square(w), frozen)));
      expect(Object.keys(grads)).toEqual(['weights']);
      expect(await values(value)).toEqual([130]);
      expect(await values(grads.weights!)).toEqual([40, 60]);
      wg.dispose([w, frozen, unused, value, grads]);
    });

    it('sees the current value of a variable after assign', async () => {
      const w = wg.variable(wg.tensor([1, 1]), { name: 'w_assign' });
      const next = wg.tensor([3, -2]);
      w.assign(next);
      next.dispose();
      const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.square(w)), [w]);
      expect(await values(value)).toEqual([13]);
      expect(await values(grads[0]!)).toEqual([6, -4]);
      wg.dispose([w, value, grads]);
    });

    it('gives zeros of the right shape for params f does not use', async () => {
      const a = wg.tensor([1, 2]);
      const unused = wg.tensor([[1, 2, 3]]);
      const { value, grads } = wg.valueAndGrad(() => wg.sum(a), { a, unused });
      expect(grads.unused!.shape).toEqual([1, 3]);
      expect(await values(grads.unused!)).toEqual([0, 0, 0]);
      expect(await values(grads.a!)).toEqual([1, 1]);
      wg.dispose([a, unused, value, grads]);
    });

    it('gives ones when f returns the param itself (one element)', async () => {
      const a = wg.tensor([[5]]);
      const { value, grads } = wg.valueAndGrad(() => a, [a]);
      expect(await values(grads[0]!)).toEqual([1]);
      expect(value.isDisposed).toBe(false);
      wg.dispose([value, grads]);
      expect(a.isDisposed).toBe(false);
      a.dispose();
    });

    it('rejects a non-scalar f, naming the shape, and leaks nothing', () => {
      const a = wg.tensor([1, 2]);
      const start = wg.memory().numTensors;
      expect(() => wg.valueAndGrad(() => wg.mul(a, 2), [a])).toThrow(/valueAndGrad: f should return a scalar \(one element\), got shape \[2\]/);
      expect(() => wg.valueAndGrad(() => 3 as unknown as wg.Tensor, [a])).toThrow(/valueAndGrad: f should return a Tensor, got number 3/);
      expect(wg.memory().numTensors).toBe(start);
      a.dispose();
    });

    it('rejects params that are not float32 tensors', () => {
      const i = wg.tensor([1, 2], undefined, 'int32');
      expect(() => wg.valueAndGrad(() => wg.sum(i), [i])).toThrow(/valueAndGrad: params\[0\] should be float32 to take a gradient, got int32/);
      expect(() => wg.valueAndGrad(() => wg.sum(i), { p: [1, 2] as unknown as wg.Tensor })).toThrow(/valueAndGrad: params\[p\] should be a Tensor, got an array of length 2/);
      i.dispose();
    });

    it('flows through a wg.tidy inside f, and through tensors f disposed itself', async () => {
      const x = wg.tensor([0.5, -1, 2]);
      const { value, grads } = wg.valueAndGrad(() => {
        const inner = wg.tidy(() => {
          const h = wg.mul(x, x);
          return wg.exp(h);
        });
        const s = wg.sum(inner);
        inner.dispose();
        return s;
      }, [x]);
      // d/dx sum(exp(x^2)) = 2x exp(x^2)
      const xs = [0.5, -1, 2];
      expectClose(await value.data(), [xs.reduce((p, v) => p + Math.exp(v * v), 0)], [], FORWARD, 'value');
      expectClose(await grads[0]!.data(), xs.map((v) => 2 * v * Math.exp(v * v)), [3], FORWARD, 'gradient');
      wg.dispose([x, value, grads]);
    });

    it('sums the gradients of a tensor used on several paths', async () => {
      const x = wg.tensor([1, 2]);
      const g = wg.grad((t) => {
        const y = wg.mul(t, 3);
        return wg.sum(wg.add(wg.mul(y, t), wg.exp(y)));
      })(x);
      // d/dx (3x^2 + e^{3x}) = 6x + 3e^{3x}
      expectClose(await g.data(), [1, 2].map((v) => 6 * v + 3 * Math.exp(3 * v)), [2], FORWARD, 'gradient');
      wg.dispose([x, g]);
    });

    it('grad(f) and grads(f) give the derivative without the value', async () => {
      const x = wg.tensor([1, 2, 3]);
      const y = wg.tensor([2, 2, 2]);
      const start = wg.memory().numTensors;
      const dx = wg.grad((t) => wg.sum(wg.square(t)))(x);
      const [gx, gy] = wg.grads((a, b) => wg.sum(wg.div(a, b)))([x, y]);
      expect(wg.memory().numTensors).toBe(start + 3);
      expect(await values(dx)).toEqual([2, 4, 6]);
      expect(await values(gx!)).toEqual([0.5, 0.5, 0.5]);
      expect(await values(gy!)).toEqual([-0.25, -0.5, -0.75]);
      wg.dispose([x, y, dx, gx, gy]);
    });

    it('treats what noGrad computes as a constant', async () => {
      const x = wg.tensor([1, 2]);
      const g = wg.grad((t) => wg.sum(wg.mul(t, wg.noGrad(() => wg.mul(t, t)))))(x);
      expect(await values(g)).toEqual([1, 4]);
      wg.dispose([x, g]);
    });

    it('leaves nothing alive after a model-like step once value and grads are disposed', async () => {
      await settleGarbage(); // earlier tests' garbage is finalized now, not during this test's awaits
      const start = wg.memory();
      const x = wg.randomNormal([8, 5], 0, 1, 1);
      const labels = wg.tensor([0, 2, 1, 1, 0, 2, 2, 1], undefined, 'int32');
      const params = { w1: wg.randomNormal([5, 7], 0, 0.5, 2), b1: wg.zeros([7]), w2: wg.randomNormal([7, 3], 0, 0.5, 3), table: wg.randomNormal([3, 4], 0, 1, 4) };
      const mid = wg.memory();
      for (let step = 0; step < 3; step++) {
        const { value, grads } = wg.valueAndGrad(() => {
          const h = wg.dense(x, params.w1, { bias: params.b1, activation: 'relu' });
          const both = wg.concat([h, wg.slice(h, [0, 0], [8, 2])], 1);
          const logits = wg.matmul(wg.slice(both, [0, 0], [8, 7]), params.w2);
          const picked = wg.gather(wg.logSoftmax(logits), labels, 1);
          const emb = wg.mean(wg.max(wg.gather(params.table, labels), -1, true));
          return wg.add(wg.neg(wg.mean(picked)), wg.mul(emb, wg.logSumExp(wg.pad(logits, [[0, 0], [1, 0]]))).sum().div(100));
        }, params);
        expect(Number.isFinite((await value.data())[0]!)).toBe(true);
        wg.dispose([value, grads]);
        expect(wg.memory()).toEqual({ ...mid, peakBytes: expect.any(Number) });
      }
      wg.dispose([x, labels, params]);
      expect(wg.memory()).toEqual({ ...start, peakBytes: expect.any(Number) });
    });
  });
}

describe('valueAndGrad edge cases', () => {
  it('two trainable variables with the same name are refused when params are implicit', () => {
    const a = wg.variable(wg.tensor([1]), true, 'same_name');
    const b = wg.variable(wg.tensor([2]), true, 'same_name');
    expect(() => wg.valueAndGrad(() => wg.add(a, b).sum())).toThrow(/two trainable variables used by f are named 'same_name'/);
    wg.dispose([a, b]);
  });
  it('a param listed twice gets two disposable gradient handles', async () => {
    const x = wg.tensor([3]);
    const { value, grads } = wg.valueAndGrad(() => wg.square(x).sum(), [x, x]);
    grads[0]!.dispose();
    expect(Array.from(await grads[1]!.data())).toEqual([6]);
    wg.dispose([value, grads[1]]);
  });
});
