// The seeded generator's state can be saved and restored, so that checkpoints continue
// a stream exactly (shuffle order, dropout masks).
import { describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';

describe('Random state', () => {
  it('setState(getState()) continues the exact stream, including a cached normal draw', () => {
    const a = new wg.Random(123);
    for (let i = 0; i < 10; i++) a.next();
    a.normal(); // leaves the second Box–Muller value cached
    const saved = JSON.parse(JSON.stringify(a.getState())) as wg.RandomState;
    expect(saved.spareNormal).not.toBeNull();
    const ahead = [a.normal(), a.next(), a.nextUint32(), a.int(1000), a.normal()];
    const b = new wg.Random(999);
    b.setState(saved);
    expect([b.normal(), b.next(), b.nextUint32(), b.int(1000), b.normal()]).toEqual(ahead);
    // a shuffle from a restored state is the shuffle the original would have made
    const c = new wg.Random(5);
    c.setState(a.getState());
    expect(c.shuffle([1, 2, 3, 4, 5, 6, 7, 8])).toEqual(a.shuffle([1, 2, 3, 4, 5, 6, 7, 8]));
  });

  it('refuses states that are not xoshiro128** states', () => {
    const r = new wg.Random(1);
    expect(() => r.setState({ words: [1, 2, 3], spareNormal: null } as never)).toThrow('expected { words: four unsigned 32-bit integers, spareNormal }');
    expect(() => r.setState({ words: [0, 0, 0, 0], spareNormal: null })).toThrow('an all-zero state is not a valid xoshiro128** state');
    expect(() => r.setState({ words: [1, 2, 3, 2 ** 32], spareNormal: null })).toThrow('four unsigned 32-bit integers');
    expect(() => r.setState({ words: [1, 2, 3, 4], spareNormal: Infinity })).toThrow('spareNormal should be a finite number or null');
  });
});
