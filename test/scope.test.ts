// Tensor lifetimes (src/scope.ts): tidy disposes what its function made except what
// it returns or keeps, also when the function throws and across awaits (two
// concurrent async tidies never dispose each other's tensors in Node: see
// scope-async-context.node.test.ts); dispose()
// of nested values; `using`.

import { beforeEach, describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { settleGarbage } from './helpers/gc.js';

const live = () => wg.memory().numTensors;
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('tidy', () => {
  beforeEach(async () => {
    await wg.setBackend('cpu');
    await settleGarbage(); // counts below must not move by finalizers of earlier garbage
  });

  it('disposes intermediates and keeps the returned tensor', async () => {
    const start = live();
    const x = wg.tensor([1, 2, 3]);
    let inner: wg.Tensor | undefined;
    const y = wg.tidy(() => {
      inner = wg.mul(x, 2);
      return wg.add(inner, 1);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(x.isDisposed).toBe(false);
    expect(await y.array()).toEqual([3, 5, 7]);
    expect(live()).toBe(start + 2);
    wg.dispose([x, y]);
    expect(live()).toBe(start);
  });

  it('keeps tensors returned in arrays, plain objects and maps', () => {
    const start = live();
    const result = wg.tidy('named scope', () => {
      wg.ones([2]);
      return { list: [wg.zeros([1]), wg.ones([1])], map: new Map([['k', wg.fill([1], 3)]]), nested: { deep: [[wg.scalar(1)]] }, label: 'x' };
    });
    expect(live()).toBe(start + 4);
    expect(result.list.every((t) => !t.isDisposed)).toBe(true);
    expect(result.map.get('k')!.isDisposed).toBe(false);
    expect(result.label).toBe('x');
    wg.dispose(result);
    wg.dispose(result.map.get('k'));
    expect(live()).toBe(start);
  });

  it('keep() lets a tensor outlive its tidy', () => {
    const start = live();
    let kept: wg.Tensor | undefined;
    wg.tidy(() => {
      kept = wg.keep(wg.ones([3]));
      wg.ones([3]);
    });
    expect(kept!.isDisposed).toBe(false);
    expect(live()).toBe(start + 1);
    kept!.dispose();
  });

  it('hands a nested tidy result to the enclosing tidy', () => {
    const start = live();
    let fromInner: wg.Tensor | undefined;
    const outer = wg.tidy(() => {
      fromInner = wg.tidy(() => wg.ones([2]));
      expect(fromInner.isDisposed).toBe(false);
      return wg.mul(fromInner, 2);
    });
    expect(fromInner!.isDisposed).toBe(true);
    expect(live()).toBe(start + 1);
    outer.dispose();
  });

  it('never disposes variables', () => {
    const start = live();
    const v = wg.tidy(() => wg.variable(wg.ones([2]), { name: 'kept_by_tidy' }));
    expect(v.isDisposed).toBe(false);
    expect(live()).toBe(start + 1);
    v.dispose();
    expect(live()).toBe(start);
  });

  it('disposes what the function made when it throws, and rethrows', () => {
    const start = live();
    expect(() => wg.tidy(() => {
      wg.ones([3]);
      wg.tidy(() => {
        wg.zeros([2]);
        throw new Error('boom');
      });
    })).toThrow('boom');
    expect(live()).toBe(start);
  });

  it('rejects a missing function', () => {
    expect(() => wg.tidy(undefined as unknown as () => void)).toThrow(/tidy: expected a function, got undefined/);
  });

  it('works across awaits: disposes intermediates made after an await, keeps the result', async () => {
    const start = live();
    const made: wg.Tensor[] = [];
    const result = await wg.tidy(async () => {
      made.push(wg.ones([2]));
      await tick();
      made.push(wg.zeros([2]));
      await tick();
      return wg.add(made[0]!, made[1]!);
    });
    expect(made.every((t) => t.isDisposed)).toBe(true);
    expect(await result.array()).toEqual([1, 1]);
    expect(live()).toBe(start + 1);
    result.dispose();
  });

  it('disposes what an async function made when it rejects', async () => {
    const start = live();
    await expect(wg.tidy(async () => {
      wg.ones([2]);
      await tick();
      wg.ones([2]);
      throw new Error('late boom');
    })).rejects.toThrow('late boom');
    expect(live()).toBe(start);
  });

});

describe('dispose and using', () => {
  it('dispose() frees every tensor found in arrays and objects, and is safe twice', () => {
    const start = live();
    const t = { a: wg.ones([1]), b: [wg.ones([2]), { c: wg.ones([3]) }] };
    wg.dispose(t);
    expect(live()).toBe(start);
    wg.dispose(t);
    t.a.dispose();
    expect(live()).toBe(start);
  });

  it('`using` disposes at the end of the block', () => {
    const start = live();
    {
      using t = wg.ones([4]);
      using u = wg.mul(t, 2);
      expect(live()).toBe(start + 2);
      expect(u.isDisposed).toBe(false);
    }
    expect(live()).toBe(start);
  });
});
