// Small vector helpers shared by the kernels. `fma` is the one place the two module
// flavours differ: relaxed SIMD fuses the multiply-add (f32x4.relaxed_madd), plain
// SIMD rounds twice.

@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline export function fsplat(x: f32): v128 {
  return f32x4.splat(x);
}

/** 4 floats at `p` with a stride of `s` bytes (s may be 0 or negative). */
@inline export function gather4(p: usize, s: isize): v128 {
  let v = v128.load32_zero(p);
  v = v128.load32_lane(p + s, v, 1);
  v = v128.load32_lane(p + 2 * s, v, 2);
  return v128.load32_lane(p + 3 * s, v, 3);
}

@inline export function scatter4(p: usize, s: isize, v: v128): void {
  v128.store32_lane(p, v, 0);
  v128.store32_lane(p + s, v, 1);
  v128.store32_lane(p + 2 * s, v, 2);
  v128.store32_lane(p + 3 * s, v, 3);
}

/** The first `n` (< 4) lanes at `p` with stride `s` bytes; other lanes are 0. */
@inline export function loadPartial(p: usize, s: isize, n: i32): v128 {
  let v = v128.load32_zero(p);
  if (n > 1) v = v128.load32_lane(p + s, v, 1);
  if (n > 2) v = v128.load32_lane(p + 2 * s, v, 2);
  return v;
}

@inline export function storePartial(p: usize, s: isize, v: v128, n: i32): void {
  v128.store32_lane(p, v, 0);
  if (n > 1) v128.store32_lane(p + s, v, 1);
  if (n > 2) v128.store32_lane(p + 2 * s, v, 2);
}

/** JavaScript's ToInt32: truncate toward zero, wrap modulo 2^32; NaN and ±Infinity give 0. */
export function toInt32(x: f64): i32 {
  if (!isFinite(x)) return 0;
  if (Math.abs(x) < 9.2e18) return <i32><i64>x;
  // Beyond i64: reduce modulo 2^32 first (exact in f64 for integers).
  const m = NativeMath.mod(Math.trunc(x), 4294967296.0);
  return <i32><i64>m;
}

/** ToInt32 of four f32 lanes (fast when all lanes are in i32 range). */
export function toInt32x4(v: v128): v128 {
  const lim = f32x4.splat(2147483648.0);
  // In range (and not NaN) on every lane: saturating truncation is exact.
  if (i32x4.all_true(f32x4.lt(f32x4.abs(v), lim))) return i32x4.trunc_sat_f32x4_s(v);
  let r = i32x4.splat(toInt32(<f64>f32x4.extract_lane(v, 0)));
  r = i32x4.replace_lane(r, 1, toInt32(<f64>f32x4.extract_lane(v, 1)));
  r = i32x4.replace_lane(r, 2, toInt32(<f64>f32x4.extract_lane(v, 2)));
  return i32x4.replace_lane(r, 3, toInt32(<f64>f32x4.extract_lane(v, 3)));
}
