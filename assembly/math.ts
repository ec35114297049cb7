// Transcendental functions. The hot ones (exp, log, expm1, log1p, tanh, sigmoid,
// softplus) work on four f32 lanes at once and stay within a few ulp of the correctly
// rounded float32 result; the rare ones that need float64 to match the cpu reference
// (erfc for gelu, pow with JavaScript's special cases, fmod) are scalar f64.
//
// Polynomial coefficients are least-squares fits made with scripts/fit-polynomials.py
// (mpmath reference values); the comments give each fit's maximum error.

import { fma } from './simd';

// --- f32x4 ------------------------------------------------------------------

const LOG2E: f32 = 1.44269504;
// ln 2 split so that k * LN2_HI is exact for |k| < 512.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/** e^x; subnormal results round once, overflow gives Infinity, NaN stays NaN. */
export function vexp(x: v128): v128 {
  // Beyond these bounds the result is 0 or Infinity anyway; min/max keep NaN.
  x = f32x4.max(f32x4.min(x, f32x4.splat(89.0)), f32x4.splat(-104.0));
  const k = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(k, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(LN2_LO)));
  // e^r on [-ln2/2, ln2/2], relative error 1.9e-9.
  let p = f32x4.splat(0.0013829415268935552);
  p = fma(p, r, f32x4.splat(0.008374780783116495));
  p = fma(p, r, f32x4.splat(0.04166835867032522));
  p = fma(p, r, f32x4.splat(0.16666420722521608));
  p = fma(p, r, f32x4.splat(0.4999999148776099));
  p = fma(p, r, f32x4.splat(1.0000000361499595));
  p = fma(p, r, f32x4.splat(1.0000000005925271));
  // Scale by 2^k as 2^k1 * 2^k2 so both factors are normal for k in [-150, 128].
  const ki = i32x4.trunc_sat_f32x4_s(k);
  const k1 = i32x4.shr_s(ki, 1);
  const k2 = i32x4.sub(ki, k1);
  const s1 = i32x4.shl(i32x4.add(k1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(k2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Natural logarithm with IEEE special cases (log 0 = -Inf, log of a negative = NaN). */
export function vlog(x: v128): v128 {
  // Subnormal inputs are scaled by 2^23 first.
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny);
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)).
  const off = i32x4.sub(xs, i32x4.splat(0x3f3504f3));
  let e = i32x4.shr_s(off, 23);
  const m = i32x4.sub(xs, i32x4.shl(e, 23));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  const f = f32x4.sub(m, f32x4.splat(1.0));
  // log(1+f) = 2 atanh(s), s = f / (2 + f); 2s = f - s f, so log(1+f) = f - s (f - z P(z)).
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
  const z = f32x4.mul(s, s);
  // P(z) = (2 atanh(s) - 2s) / (s z) on z in [0, 0.0295], error 1.1e-9.
  let pz = f32x4.splat(0.2333147522100837);
  pz = fma(pz, z, f32x4.splat(0.2855077766309674));
  pz = fma(pz, z, f32x4.splat(0.4000012229704604));
  pz = fma(pz, z, f32x4.splat(0.6666666655382577));
  const lf = f32x4.sub(f, f32x4.mul(s, f32x4.sub(f, f32x4.mul(z, pz))));
  const ef = f32x4.convert_i32x4_s(e);
  let r = f32x4.add(f32x4.mul(ef, f32x4.splat(LN2_HI)), f32x4.add(lf, f32x4.mul(ef, f32x4.splat(LN2_LO))));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0.0)));
  r = v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0.0)));
  r = v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(x, r, f32x4.ne(x, x));
}

/** log(1 + x), accurate near 0 (Goldberg's trick: log(u) * x / (u - 1) with u = 1 + x). */
export function vlog1p(x: v128): v128 {
  const u = f32x4.add(x, f32x4.splat(1.0));
  const d = f32x4.sub(u, f32x4.splat(1.0));
  let r = f32x4.mul(vlog(u), f32x4.div(x, d));
  r = v128.bitselect(x, r, f32x4.eq(d, f32x4.splat(0.0)));
  return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
}

/** e^x - 1, accurate near 0. */
export function vexpm1(x: v128): v128 {
  // |x| < ln2/2: x + x^2 (1/2 + x Q(x)), Q fitted with error 7.9e-9.
  let q = f32x4.splat(0.00019890994863564694);
  q = fma(q, x, f32x4.splat(0.0013926188032656818));
  q = fma(q, x, f32x4.splat(0.008333310921161985));
  q = fma(q, x, f32x4.splat(0.0416665545830256));
  q = fma(q, x, f32x4.splat(0.16666666681628928));
  const h = fma(q, x, f32x4.splat(0.5));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, x), h));
  const big = f32x4.sub(vexp(x), f32x4.splat(1.0));
  const r = v128.bitselect(small, big, f32x4.lt(f32x4.abs(x), f32x4.splat(0.3466)));
  // Keeps the sign of zero.
  return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(0.0)));
}

const SIGN: i32 = 0x80000000;

/** tanh(x) = sign(x) * -e / (2 + e) with e = expm1(-2|x|): accurate near 0, exact ±1 far out. */
export function vtanh(x: v128): v128 {
  const e = vexpm1(f32x4.mul(f32x4.abs(x), f32x4.splat(-2.0)));
  const t = f32x4.div(f32x4.neg(e), f32x4.add(f32x4.splat(2.0), e));
  return v128.or(t, v128.and(x, i32x4.splat(SIGN)));
}

/** 1 / (1 + e^-x), without overflow on either side. */
export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, f32x4.splat(0.0)));
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|). */
export function vsoftplus(x: v128): v128 {
  const l = vlog1p(vexp(f32x4.neg(f32x4.abs(x))));
  return f32x4.add(f32x4.max(x, f32x4.splat(0.0)), l);
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
