// Host-side float16 (IEEE 754 binary16) conversion, bit for bit the same rule as the
// WGSL in shaders/float16.wgsl: round to nearest, ties to even; values of 65520 and
// beyond become infinity; results below 2⁻¹⁴ become subnormals (down to 2⁻²⁴) or a
// signed zero; NaN stays NaN (quiet, top payload bits kept). float16 tensors are
// stored two elements per 32-bit word, element 2i in the low half of word i.
//
// Values arrive as float32 (a Float32Array, or a number rounded to float32 first).
// Rounding float64 → float32 → float16 equals rounding float64 → float16 directly,
// since float32 keeps more than 2·11 + 2 significand bits, so nothing is lost.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The binary16 bit pattern (0..0xffff) nearest to the float32 with bits `x`. */
export function float32BitsToFloat16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const a = x & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7e00 | ((a >>> 13) & 0x3ff); // NaN: quiet, keep payload's top bits
  if (a >= 0x477ff000) return sign | 0x7c00; // 65520 and up (the tie above 65504 goes to even: infinity)
  if (a < 0x38800000) {
    // Below 2⁻¹⁴: a multiple of 2⁻²⁴ (a subnormal), or zero at or below 2⁻²⁵ (that tie goes to even, 0).
    if (a <= 0x33000000) return sign;
    const e = a >>> 23;
    const m = (a & 0x7fffff) | 0x800000;
    const shift = 126 - e; // the value is m·2^(e−150) = (m >> shift)·2⁻²⁴ + a remainder
    const q = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    return sign | (rem > half || (rem === half && (q & 1) === 1) ? q + 1 : q);
  }
  // Normal: rebias the exponent (127 → 15) and round the 13 dropped mantissa bits; a
  // carry out of the mantissa correctly bumps the exponent.
  const base = a - 0x38000000;
  const q = base >>> 13;
  const rem = base & 0x1fff;
  return sign | (rem > 0x1000 || (rem === 0x1000 && (q & 1) === 1) ? q + 1 : q);
}

/** The float16 bit pattern nearest to `value` (rounded to float32 first, which changes nothing). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  return float32BitsToFloat16Bits(u32[0]!);
}

/** The value of the binary16 bit pattern `h` (exact: every float16 is a float32). */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** `value` rounded to the nearest float16 (as a number): the oracle tests compare against. */
export function roundToFloat16(value: number): number {
  return fromFloat16Bits(toFloat16Bits(value));
}

/** Every element of `values` rounded to float16 (still float32 storage). */
export function roundArrayToFloat16(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = roundToFloat16(values[i]!);
  return out;
}

/** Packs values as float16 pairs in 32-bit words (an odd count leaves the last high half 0). */
export function packFloat16(values: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) words[i >>> 1]! |= toFloat16Bits(values[i]!) << ((i & 1) * 16);
  return words;
}

// Every float16's value, made on the first read (256 KB): reads of large tensors then
// cost one lookup per element.
let values: Float32Array | undefined;
function valueTable(): Float32Array {
  if (!values) {
    values = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) values[h] = fromFloat16Bits(h);
  }
  return values;
}

/** `count` float16 values from packed words, starting at half `first` (0 or 1) of word 0. */
export function unpackFloat16(words: Uint32Array, count: number, first = 0): Float32Array {
  const table = valueTable();
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = i + first;
    out[i] = table[(words[at >>> 1]! >>> ((at & 1) * 16)) & 0xffff]!;
  }
  return out;
}

/** Bytes of storage `count` float16 elements take: whole 32-bit words, two elements each. */
export function float16Bytes(count: number): number {
  return Math.ceil(count / 2) * 4;
}
