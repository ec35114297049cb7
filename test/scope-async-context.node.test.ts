// Where the runtime has an async context (AsyncLocalStorage: Node, Deno), two
// concurrent async tidies never dispose each other's tensors. Browsers have none yet
// (src/scope.ts says so), so this runs in the node project only.

import { beforeEach, describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';

const live = () => wg.memory().numTensors;
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('tidy with an async context', () => {
  beforeEach(async () => {
    await wg.setBackend('cpu');
  });

  it('runs two concurrent async tidies without disposing each other\'s tensors', async () => {
    const start = live();
    let aInner: wg.Tensor | undefined;
    let bInner: wg.Tensor | undefined;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = wg.tidy(async () => {
      aInner = wg.ones([2]);
      await tick();
      return wg.mul(aInner, 2);
    });
    const b = wg.tidy(async () => {
      bInner = wg.fill([2], 3);
      await gate; // stays suspended until a has finished and closed its scope
      expect(bInner.isDisposed).toBe(false);
      const out = wg.add(bInner, 1);
      await tick();
      return out;
    });
    const aResult = await a;
    expect(aInner!.isDisposed).toBe(true);
    expect(bInner!.isDisposed).toBe(false);
    // A tensor made outside both scopes while they are open belongs to neither.
    const outside = wg.ones([1]);
    release();
    const bResult = await b;
    expect(bInner!.isDisposed).toBe(true);
    expect(outside.isDisposed).toBe(false);
    expect(await aResult.array()).toEqual([2, 2]);
    expect(await bResult.array()).toEqual([4, 4]);
    wg.dispose([aResult, bResult, outside]);
    expect(live()).toBe(start);
  });
});
