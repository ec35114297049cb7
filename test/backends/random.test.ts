// Backend.random, the counter-based generator: every backend writes the words of the
// reference in src/backends/random-bits.ts bit for bit (so a seeded stream is the
// same on cpu, wasm and webgpu), including counters that wrap past 2³²; the floats
// are uniform; dropout masks drawn with it are identical on every backend.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { randomBits, uniformFromBits } from '../../src/backends/random-bits.js';
import { randomBitsOnDevice, uniformOnDevice } from '../../src/ops/random-device.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();

function reference(seed: number, offset: number, n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => randomBits(seed, (offset + i) >>> 0) | 0);
}

describe('the reference generator', () => {
  it('is a function of (seed, counter) alone, and its words look uniform', () => {
    expect(randomBits(7, 100)).toBe(randomBits(7, 100));
    expect(randomBits(7, 100)).not.toBe(randomBits(8, 100));
    expect(randomBits(7, 100)).not.toBe(randomBits(7, 101));
    // each of the 32 bits is set about half the time over 20000 counters, for neighbouring seeds
    for (const seed of [0, 1, 2]) {
      const ones = new Array<number>(32).fill(0);
      for (let c = 0; c < 20000; c++) {
        const w = randomBits(seed, c);
        for (let b = 0; b < 32; b++) ones[b]! += (w >>> b) & 1;
      }
      for (const k of ones) expect(Math.abs(k / 20000 - 0.5)).toBeLessThan(0.02);
    }
  });
});

describe.each(cases)('Backend.random ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('bits equal the reference, bit for bit, over odd lengths and a counter that wraps', async () => {
    await wg.setBackend(name);
    for (const [seed, offset, n] of [[12345, 0, 1000], [0, 7, 37], [0xffffffff, 0xfffffff0, 41]] as const) {
      const t = randomBitsOnDevice([n], seed, offset);
      expect(Array.from(await t.data())).toEqual(Array.from(reference(seed, offset, n)));
      t.dispose();
    }
  });

  run('uniform floats equal the reference exactly, lie in [0, 1) and average 1/2', async () => {
    await wg.setBackend(name);
    const n = 50000;
    const t = uniformOnDevice([100, n / 100], 99, 3);
    const got = (await t.data()) as Float32Array;
    const want = Float32Array.from({ length: n }, (_, i) => uniformFromBits(randomBits(99, 3 + i)));
    expect(got).toEqual(want);
    let sum = 0;
    for (const v of got) {
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    t.dispose();
  });

  run('dropout draws the same mask on this backend as on cpu', async () => {
    await wg.setBackend('cpu');
    const masks = async () => {
      const layer = wg.layers.dropout({ rate: 0.3, seed: 21 });
      const x = wg.ones([64, 33]);
      const a = await layer.apply(x, true).data();
      const b = await layer.apply(x, true).data(); // the next call draws a new mask
      return [Array.from(a), Array.from(b)];
    };
    const onCpu = await masks();
    await wg.setBackend(name);
    const here = await masks();
    expect(here).toEqual(onCpu);
    expect(here[0]).not.toEqual(here[1]);
    const zeros = here[0]!.filter((v) => v === 0).length / here[0]!.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.04);
  });
});
