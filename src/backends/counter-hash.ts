// The counter-based generator of attention dropout: a keep/drop decision is a pure
// function of (seed, element index), so every backend computes the same mask inside
// its kernel with no mask in memory and nothing uploaded, and the backward pass
// recomputes it instead of saving it.
//
// u(seed, i) = (mix32(mix32(i ^ mix32(seed)) + seed) >>> 8) / 2^24, a uniform draw in
// [0, 1) on a 2^-24 grid, where mix32 is MurmurHash3's 32-bit finalizer (a bijection
// with full avalanche). An element is kept when u >= p. The index is the element's
// flat position in the [...batch, Lq, Lk] probability matrix, taken modulo 2^32.
// The same arithmetic is written in assembly/attention.ts and shaders/attention.wgsl.

/** MurmurHash3's fmix32 on an unsigned 32-bit integer. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The uniform draw in [0, 1) for element `index` under `seed` (both unsigned 32-bit). */
export function counterUniform(seed: number, index: number): number {
  const s = seed >>> 0;
  const h = mix32((mix32((index >>> 0) ^ mix32(s)) + s) >>> 0);
  return (h >>> 8) / 16777216;
}

/** Whether dropout with probability `p` keeps element `index`. */
export function dropoutKeeps(seed: number, index: number, p: number): boolean {
  return counterUniform(seed, index) >= p;
}
