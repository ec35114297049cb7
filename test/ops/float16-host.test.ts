// The host float16 conversion (src/float16.ts) against known binary16 bit patterns:
// the rounding rule every float16 test's oracle relies on.
import { describe, expect, it } from 'vitest';
import { float16Bytes, fromFloat16Bits, packFloat16, roundToFloat16, toFloat16Bits, unpackFloat16 } from '../../src/float16.js';

describe('float16 host conversion', () => {
  const known: [number, number][] = [
    [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [-65504, 0xfbff],
    [6.103515625e-5, 0x0400], // 2⁻¹⁴, the smallest normal
    [5.960464477539063e-8, 0x0001], // 2⁻²⁴, the smallest subnormal
    [6.097555160522461e-5, 0x03ff], // the largest subnormal
    [Infinity, 0x7c00], [-Infinity, 0xfc00], [0.333251953125, 0x3555], [1 / 3, 0x3555],
  ];
  it.each(known)('%s ↔ 0x%s', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
    expect(Object.is(fromFloat16Bits(bits), value === 1 / 3 ? 0.333251953125 : value)).toBe(true);
  });

  it('rounds 6.1e-5 to the nearest subnormal/normal', () => {
    // 6.1e-5 lies between the largest subnormal 0x03ff and 2⁻¹⁴ (0x0400); nearer 0x03ff.
    expect(toFloat16Bits(6.1e-5)).toBe(0x03ff);
  });

  it('ties go to even', () => {
    // 1 + 2⁻¹¹ is halfway between 1 (0x3c00, even) and 1 + 2⁻¹⁰ (0x3c01): goes down.
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2⁻¹¹ is halfway between 0x3c01 (odd) and 0x3c02: goes up.
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // just above a tie rounds up
    expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    // subnormal ties: 1.5·2⁻²⁴ → 2·2⁻²⁴ (even), 2.5·2⁻²⁴ → 2·2⁻²⁴, 2⁻²⁵ → 0
    expect(toFloat16Bits(1.5 * 2 ** -24)).toBe(0x0002);
    expect(toFloat16Bits(2.5 * 2 ** -24)).toBe(0x0002);
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000);
    expect(toFloat16Bits(-(2 ** -25) * 1.0001)).toBe(0x8001);
  });

  it('overflows at 65520 (the tie above 65504 goes to the even infinity)', () => {
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(-1e6)).toBe(0xfc00);
  });

  it('keeps NaN a NaN', () => {
    const h = toFloat16Bits(NaN);
    expect(h & 0x7c00).toBe(0x7c00);
    expect(h & 0x3ff).not.toBe(0);
    expect(fromFloat16Bits(h)).toBeNaN();
    expect(roundToFloat16(NaN)).toBeNaN();
  });

  it('every float16 survives the round trip', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromFloat16Bits(h);
      if (Number.isNaN(v)) continue;
      expect(toFloat16Bits(v)).toBe(h);
    }
  });

  it('packs two elements per word, low half first, odd counts round up', () => {
    const words = packFloat16([1, -2, 0.5]);
    expect(words.length).toBe(2);
    expect(words[0]).toBe((0xc000 << 16 | 0x3c00) >>> 0);
    expect(words[1]).toBe(0x3800);
    expect([...unpackFloat16(words, 3)]).toEqual([1, -2, 0.5]);
    expect([...unpackFloat16(words, 2, 1)]).toEqual([-2, 0.5]);
    expect(float16Bytes(3)).toBe(8);
    expect(float16Bytes(4)).toBe(8);
  });
});
