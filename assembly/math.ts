// Transcendental functions. The hot ones (exp, log, expm1, log1p, tanh, sigmoid,
// softplus) work on four f32 lanes at once and stay within a few ulp of the correctly
// rounded float32 result; the rare ones that need float64 to match the cpu reference
// (erfc for gelu, pow with JavaScript's special cases, fmod) are scalar f64.
//
// Polynomial coefficients are least-squares fits made with scripts/fit-polynomials.py
// (mpmath reference values); the comments give each fit's maximum error.

import { fma } from './simd';

// --- f32x4 ---------------------------------------------------------------------
//
// Constants come from a table in linear memory: splatting one is a single load
// (vbroadcastss), where V8 builds a v128 literal with three instructions inside
// every loop iteration. Clamps use pmin/pmax (one instruction each) rather than
// min/max, whose NaN and ±0 rules cost V8 seven.

const F = memory.data<f32>([
  89.0, -104.0, 1.44269504, 0.693359375, -2.12194440e-4, 12582912.0,
  // e^r on [-ln2/2, ln2/2], relative error 1.9e-9 (index 6..12)
  0.0013829415268935552, 0.008374780783116495, 0.04166835867032522, 0.16666420722521608,
  0.4999999148776099, 1.0000000361499595, 1.0000000005925271,
  // P(z) = (2 atanh(s) - 2s) / (s z) on z in [0, 0.0295], error 1.1e-9 (index 13..16)
  0.2333147522100837, 0.2855077766309674, 0.4000012229704604, 0.6666666655382577,
  // expm1: Q(x) on |x| < ln2/2, error 7.9e-9 (index 17..21)
  0.00019890994863564694, 0.0013926188032656818, 0.008333310921161985, 0.0416665545830256, 0.16666666681628928,
  // misc (index 22..)
  0.0, 0.5, 1.0, 2.0, -1.0, -2.0, 0.3466, 1.17549435e-38, 8388608.0, -Infinity, Infinity, NaN,
]);
const I = memory.data<i32>([127, 0x3f3504f3, 23, 0x80000000, 0x4b400000]);

@inline export function fk(i: i32): v128 {
  return v128.load32_splat(F + (<usize>i << 2));
}
@inline function ik(i: i32): v128 {
  return v128.load32_splat(I + (<usize>i << 2));
}

const EXP_HI = 0;
const EXP_LO = 1;
const LOG2E = 2;
const LN2_HI = 3; // ln 2 split so that k * LN2_HI is exact for |k| < 512
const LN2_LO = 4;
const MAGIC = 5; // 1.5 * 2^23: adding it rounds to an integer (ties to even)
export const K_ZERO = 22;
export const K_HALF = 23;
export const K_ONE = 24;
export const K_TWO = 25;
export const K_MINUS_ONE = 26;
const K_MINUS_TWO = 27;
const K_EXPM1_SMALL = 28;
const K_MIN_NORMAL = 29;
const K_TWO_23 = 30;
const K_NEG_INF = 31;
const K_INF = 32;
const K_NAN = 33;
const I_BIAS = 0;
const I_SQRT_HALF_BITS = 1;
const I_23 = 2;
const I_SIGN = 3;
const I_MAGIC_BITS = 4;

/** e^x; subnormal results round once, overflow gives Infinity, NaN stays NaN. */
@inline export function vexp(x: v128): v128 {
  // Beyond these bounds the result is 0 or Infinity anyway; pmin/pmax keep a NaN x.
  x = f32x4.pmax(f32x4.pmin(x, fk(EXP_HI)), fk(EXP_LO));
  // k = nearest(x log2 e), both as a float and (from the bits) as an integer.
  const t = f32x4.add(f32x4.mul(x, fk(LOG2E)), fk(MAGIC));
  const k = f32x4.sub(t, fk(MAGIC));
  const ki = i32x4.sub(t, ik(I_MAGIC_BITS));
  let r = f32x4.sub(x, f32x4.mul(k, fk(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(k, fk(LN2_LO)));
  let p = fk(6);
  p = fma(p, r, fk(7));
  p = fma(p, r, fk(8));
  p = fma(p, r, fk(9));
  p = fma(p, r, fk(10));
  p = fma(p, r, fk(11));
  p = fma(p, r, fk(12));
  // Scale by 2^k as 2^k1 * 2^k2 so both factors are normal for k in [-150, 128].
  const k1 = i32x4.shr_s(ki, 1);
  const k2 = i32x4.sub(ki, k1);
  const s1 = i32x4.shl(i32x4.add(k1, ik(I_BIAS)), 23);
  const s2 = i32x4.shl(i32x4.add(k2, ik(I_BIAS)), 23);
  // A NaN x leaves ki garbage, but p is NaN and stays NaN.
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Natural logarithm with IEEE special cases (log 0 = -Inf, log of a negative = NaN). */
export function vlog(x: v128): v128 {
  // Subnormal inputs are scaled by 2^23 first.
  const tiny = f32x4.lt(x, fk(K_MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, fk(K_TWO_23)), x, tiny);
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)).
  const off = i32x4.sub(xs, ik(I_SQRT_HALF_BITS));
  let e = i32x4.shr_s(off, 23);
  const m = i32x4.sub(xs, i32x4.shl(e, 23));
  e = i32x4.sub(e, v128.and(tiny, ik(I_23)));
  const f = f32x4.sub(m, fk(K_ONE));
  // log(1+f) = 2 atanh(s), s = f / (2 + f); 2s = f - s f, so log(1+f) = f - s (f - z P(z)).
  const s = f32x4.div(f, f32x4.add(fk(K_TWO), f));
  const z = f32x4.mul(s, s);
  let pz = fk(13);
  pz = fma(pz, z, fk(14));
  pz = fma(pz, z, fk(15));
  pz = fma(pz, z, fk(16));
  const lf = f32x4.sub(f, f32x4.mul(s, f32x4.sub(f, f32x4.mul(z, pz))));
  const ef = f32x4.convert_i32x4_s(e);
  let r = f32x4.add(f32x4.mul(ef, fk(LN2_HI)), f32x4.add(lf, f32x4.mul(ef, fk(LN2_LO))));
  r = v128.bitselect(fk(K_NEG_INF), r, f32x4.eq(x, fk(K_ZERO)));
  r = v128.bitselect(fk(K_NAN), r, f32x4.lt(x, fk(K_ZERO)));
  r = v128.bitselect(x, r, f32x4.eq(x, fk(K_INF)));
  return v128.bitselect(x, r, f32x4.ne(x, x));
}

/** log(1 + x), accurate near 0 (Goldberg's trick: log(u) * x / (u - 1) with u = 1 + x). */
export function vlog1p(x: v128): v128 {
  const u = f32x4.add(x, fk(K_ONE));
  const d = f32x4.sub(u, fk(K_ONE));
  let r = f32x4.mul(vlog(u), f32x4.div(x, d));
  r = v128.bitselect(x, r, f32x4.eq(d, fk(K_ZERO)));
  return v128.bitselect(x, r, f32x4.eq(x, fk(K_INF)));
}

/** e^x - 1, accurate near 0. */
export function vexpm1(x: v128): v128 {
  // |x| < ln2/2: x + x^2 (1/2 + x Q(x)).
  let q = fk(17);
  q = fma(q, x, fk(18));
  q = fma(q, x, fk(19));
  q = fma(q, x, fk(20));
  q = fma(q, x, fk(21));
  const h = fma(q, x, fk(K_HALF));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, x), h));
  const big = f32x4.sub(vexp(x), fk(K_ONE));
  const r = v128.bitselect(small, big, f32x4.lt(f32x4.abs(x), fk(K_EXPM1_SMALL)));
  // Keeps the sign of zero.
  return v128.bitselect(x, r, f32x4.eq(x, fk(K_ZERO)));
}

/** tanh(x) = sign(x) * -e / (2 + e) with e = expm1(-2|x|): accurate near 0, exact ±1 far out. */
export function vtanh(x: v128): v128 {
  const e = vexpm1(f32x4.mul(f32x4.abs(x), fk(K_MINUS_TWO)));
  const t = f32x4.div(f32x4.neg(e), f32x4.add(fk(K_TWO), e));
  return v128.or(t, v128.and(x, ik(I_SIGN)));
}

/**
 * GELU's tanh form as x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): the same
 * function as 0.5 x (1 + tanh u), without the cancellation of 1 + tanh u for x << 0.
 */
@inline export function vgeluTanh(x: v128): v128 {
  const inner = f32x4.add(x, f32x4.mul(f32x4.mul(f32x4.splat(<f32>0.044715), f32x4.mul(x, x)), x));
  return f32x4.mul(x, vsigmoid(f32x4.mul(f32x4.splat(<f32>1.5957691216057308), inner)));
}

/** 1 / (1 + e^-x), without overflow on either side. */
@inline export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(fk(K_ONE), f32x4.add(fk(K_ONE), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, fk(K_ZERO)));
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|). */
export function vsoftplus(x: v128): v128 {
  const l = vlog1p(vexp(f32x4.neg(f32x4.abs(x))));
  return f32x4.add(f32x4.max(x, fk(K_ZERO)), l);
}

// --- f64 scalar --------------------------------------------------------------

/**
 * erfc for z >= 0 as exp(-z^2) * erfcx(z); erfcx is a degree-12 polynomial in
 * u = (2t - 1.2142857) / 0.7857143, t = 1 / (1 + z/3), fitted on z in [0, 11]
 * (relative error 4.2e-11). Beyond 11, erfc is below 1.5e-54: 0 in float32 results.
 */
function erfcPositive(z: f64): f64 {
  if (z > 11.0) return 0.0;
  // Exact at 0, as the reference's series is (gelu'(0) = 1/2 exactly).
  if (z == 0) return 1.0;
  const t = 1.0 / (1.0 + z / 3.0);
  const u = (2.0 * t - 1.2142857142857142) / 0.7857142857142858;
  let p = -3.8020583518654463e-07;
  p = p * u - 5.422419774338488e-07;
  p = p * u + 5.960716997093762e-06;
  p = p * u + 1.1806921719535567e-05;
  p = p * u - 7.847252896182314e-05;
  p = p * u - 0.0003187126994602301;
  p = p * u + 0.0005723914089521869;
  p = p * u + 0.008643764569667221;
  p = p * u + 0.03826724099099462;
  p = p * u + 0.10841879690940479;
  p = p * u + 0.22494787631472243;
  p = p * u + 0.3577045891405248;
  p = p * u + 0.26182568066173184;
  return NativeMath.exp(-z * z) * p;
}

export function erfc(x: f64): f64 {
  if (isNaN(x)) return x;
  return x < 0 ? 2.0 - erfcPositive(-x) : erfcPositive(x);
}

const SQRT1_2: f64 = 0.7071067811865476;
const SQRT_2PI: f64 = 2.5066282746310002;

/** The exact (erf) GELU. */
export function gelu(x: f64): f64 {
  return 0.5 * x * erfc(-x * SQRT1_2);
}

export function geluDerivative(x: f64): f64 {
  return 0.5 * erfc(-x * SQRT1_2) + (x * NativeMath.exp(-0.5 * x * x)) / SQRT_2PI;
}

/** Math.pow: C's pow except that a NaN exponent, or ±1 to an infinite power, give NaN. */
export function powJS(x: f64, y: f64): f64 {
  if (isNaN(y)) return NaN;
  if (y == 0) return 1.0;
  if (!isFinite(y) && Math.abs(x) == 1.0) return NaN;
  return NativeMath.pow(x, y);
}

/** Python's modulo on floats: the result takes the sign of the divisor. */
export function modFloat(a: f64, b: f64): f64 {
  const r = NativeMath.mod(a, b);
  return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

// Round half to even, as numpy does.
export function roundHalfEven(x: f64): f64 {
  return Math.nearest(x);
}

export function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1.0 / (1.0 + NativeMath.exp(-x));
  const e = NativeMath.exp(x);
  return e / (1.0 + e);
}

export function softplus64(x: f64): f64 {
  return x > 0 ? x + NativeMath.log1p(NativeMath.exp(-x)) : NativeMath.log1p(NativeMath.exp(x));
}
