// The counter-based generator behind Backend.random, written once in plain
// arithmetic mod 2³² so that the WGSL (shaders/random.wgsl) and AssemblyScript
// (assembly/random.ts) kernels can match it bit for bit. A counter-based generator
// needs no state on the device: element i of a draw is a hash of (seed, offset + i),
// so any element can be computed alone, in any order, on any backend.
//
// The mixer is Chris Wellons' "lowbias32" integer hash (xor-shift / multiply rounds,
// a bijection on 32-bit words with low avalanche bias); the seed is mixed into a key
// and the counter is hashed twice around it.

/** One round of lowbias32. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The random word for (seed, counter), both unsigned 32-bit integers. */
export function randomBits(seed: number, counter: number): number {
  const key = mix32((seed ^ 0x9e3779b9) >>> 0);
  return mix32((mix32((counter ^ key) >>> 0) + key) >>> 0);
}

/** A word as a float in [0, 1): its top 24 bits × 2⁻²⁴ (exact in float32). */
export function uniformFromBits(bits: number): number {
  return (bits >>> 8) * 5.960464477539063e-8;
}
