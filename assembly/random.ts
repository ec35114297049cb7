// Backend.random: counter-based random words, bit for bit those of
// src/backends/random-bits.ts (lowbias32 rounds, arithmetic mod 2³²). Element i of
// the contiguous output gets randomBits(seed, offset + i), so parts are independent.

import { RN_COUNT, RN_DIST, RN_DIST_BITS, RN_OFFSET, RN_OUT, RN_SEED } from './abi';
import { partStart } from './elementwise';

@inline function mix32(v: u32): u32 {
  let x = v;
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  x ^= x >>> 16;
  return x;
}

export function random(d: usize, part: i32, parts: i32): void {
  const out = load<u32>(d + RN_OUT);
  const count = load<i32>(d + RN_COUNT);
  const seed = load<u32>(d + RN_SEED);
  const offset = load<u32>(d + RN_OFFSET);
  const bitsOnly = load<i32>(d + RN_DIST) == RN_DIST_BITS;
  const key = mix32(seed ^ 0x9e3779b9);
  const start = partStart(count, part, parts);
  const end = partStart(count, part + 1, parts);
  for (let i = start; i < end; i++) {
    const bits = mix32(mix32((offset + <u32>i) ^ key) + key);
    const at = <usize>out + (<usize>i << 2);
    if (bitsOnly) store<u32>(at, bits);
    else store<f32>(at, <f32>(bits >>> 8) * <f32>5.960464477539063e-8);
  }
}
