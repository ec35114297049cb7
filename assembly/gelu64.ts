// GELU-tanh's derivative. Its two terms cancel where it crosses zero (x ≈ -0.75), so
// computed term by term in float32 it would lose the relative accuracy the cpu
// reference (float64, src/backends/scalar-ops.ts) has there: near the zero a polynomial
// in x - x0 takes over, still in f32x4. Only extreme lanes (huge |x|, tiny or huge dy)
// go through f64, two at a time with a vectorized f64 exp.

import { vexp } from './math';
import { fma } from './simd';

/**
 * e^x on two f64 lanes, relative error below 1e-13; NaN stays NaN; above 709 it is
 * e^709, below -708 (results under 2^-1021) exactly 0, so that e^-inf = 0.
 */
@inline export function vexp64(x0: v128): v128 {
  const x = f64x2.pmax(f64x2.pmin(x0, f64x2.splat(709.0)), f64x2.splat(-708.0));
  // k = nearest(x log2 e), as a float and (from the bits of t) as an integer.
  const t = f64x2.add(f64x2.mul(x, f64x2.splat(1.4426950408889634)), f64x2.splat(6755399441055744.0));
  const k = f64x2.sub(t, f64x2.splat(6755399441055744.0));
  const ki = i64x2.sub(t, i64x2.splat(0x4338000000000000));
  // r = x - k ln 2 in two parts (fdlibm's split: k * LN2_HI is exact), |r| <= ln2/2.
  let r = f64x2.sub(x, f64x2.mul(k, f64x2.splat(6.93147180369123816490e-01)));
  r = f64x2.sub(r, f64x2.mul(k, f64x2.splat(1.90821492927058770002e-10)));
  // Taylor to r^11 / 11!: the remainder is below 0.347^12 / 12! ≈ 6e-15.
  let p = f64x2.splat(2.505210838544172e-8);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.755731922398589e-7));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.7557319223985893e-6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.48015873015873e-5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.984126984126984e-4));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.3888888888888889e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(8.333333333333333e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(4.1666666666666664e-2));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.6666666666666666e-1));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  // 2^k for k in [-1022, 1023]: a normal float built from its exponent bits.
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return v128.andnot(f64x2.mul(p, scale), f64x2.lt(x0, f64x2.splat(-708.0)));
}

/**
 * dy * d/dx [x sigmoid(2u)], u = sqrt(2/pi) (x + 0.044715 x^3), on two f64 lanes:
 * s + 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2) x s (1 - s), in the reference's order, with
 * s and 1 - s both taken from e = exp(-|2u|) so that neither overflows.
 */
@inline export function vgeluTanhGrad64(dy: v128, x: v128): v128 {
  const inner = f64x2.add(x, f64x2.mul(f64x2.mul(f64x2.mul(f64x2.splat(0.044715), x), x), x));
  const u2 = f64x2.mul(f64x2.splat(1.5957691216057308), inner);
  const e = vexp64(f64x2.neg(f64x2.abs(u2)));
  const den = f64x2.add(f64x2.splat(1.0), e);
  const big = f64x2.div(f64x2.splat(1.0), den);
  const small = f64x2.mul(e, big);
  const positive = f64x2.ge(u2, f64x2.splat(0.0));
  const s = v128.bitselect(big, small, positive);
  const oneMinusS = v128.bitselect(small, big, positive);
  const slope = f64x2.mul(f64x2.splat(1.5957691216057308), f64x2.add(f64x2.splat(1.0), f64x2.mul(f64x2.mul(f64x2.splat(0.134145), x), x)));
  const d = f64x2.add(s, f64x2.mul(f64x2.mul(f64x2.mul(slope, x), s), oneMinusS));
  return f64x2.mul(dy, d);
}

/** The f64 form on four f32 lanes (two halves), rounded once. */
@inline function vgeluTanhGradWide(dy: v128, x: v128): v128 {
  const lo = vgeluTanhGrad64(f64x2.promote_low_f32x4(dy), f64x2.promote_low_f32x4(x));
  const hi = vgeluTanhGrad64(
    f64x2.promote_low_f32x4(v128.shuffle<i32>(dy, dy, 2, 3, 2, 3)),
    f64x2.promote_low_f32x4(v128.shuffle<i32>(x, x, 2, 3, 2, 3)),
  );
  return v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// Near its zero x0 the derivative is z h(z), z = x - x0, with h a degree-6 polynomial
// (scripts/fit-polynomials.py: relative error 4e-11 on x in [-0.875, -0.625], ~4e-8 once
// the coefficients are rounded to f32). x - X0_HI is exact there (Sterbenz), so z and
// the result keep float32's relative accuracy right where the two terms cancel.
const X0_HI: f32 = -0.7524614334106445;
const X0_LO: f32 = 1.1339627903339533e-8;
const NEAR_LO: f32 = -0.875;
const NEAR_HI: f32 = -0.625;
const H = memory.data<f32>([
  0.43040009102574805, 0.3875184451239067, -0.01578285588806838, -0.11394396617895973,
  -0.016618630174626923, 0.019616197284145005, 0.005207465671181055,
]);
@inline function hk(i: i32): v128 {
  return v128.load32_splat(H + (<usize>i << 2));
}

/** GELU-tanh'(x) as z h(z), z = x - x0, for lanes in [NEAR_LO, NEAR_HI]. */
@inline function vgeluTanhGradNearZero(x: v128): v128 {
  const z = f32x4.sub(f32x4.sub(x, f32x4.splat(X0_HI)), f32x4.splat(X0_LO));
  let p = hk(6);
  p = fma(p, z, hk(5));
  p = fma(p, z, hk(4));
  p = fma(p, z, hk(3));
  p = fma(p, z, hk(2));
  p = fma(p, z, hk(1));
  p = fma(p, z, hk(0));
  return f32x4.mul(z, p);
}

/**
 * dy * GELU-tanh'(x) on four f32 lanes. The derivative is s (1 + t), t = slope x (1 - s),
 * with s and 1 - s each within a few ulp in f32: the result is then within ~1e-6 of
 * the f64 one wherever |1 + t| is not small, i.e. outside [NEAR_LO, NEAR_HI] (there
 * |1 + t| >= 0.23). Inside, where the derivative crosses zero, the polynomial about the
 * zero takes over. Vectors with a lane where s is near f32's smallest normals, where x^3
 * or the product could overflow, or where dy is tiny (a subnormal result, which the
 * reference rounds once) take the f64 form: rare in practice.
 */
@inline export function vgeluTanhGrad(dy: v128, x: v128): v128 {
  const inner = f32x4.add(x, f32x4.mul(f32x4.mul(f32x4.mul(f32x4.splat(<f32>0.044715), x), x), x));
  const u2 = f32x4.mul(f32x4.splat(<f32>1.5957691216057308), inner);
  const ady = f32x4.abs(dy);
  let risky = f32x4.lt(u2, f32x4.splat(-80));
  risky = v128.or(risky, f32x4.gt(f32x4.abs(x), f32x4.splat(100)));
  risky = v128.or(risky, v128.or(f32x4.lt(ady, f32x4.splat(1e-30)), f32x4.gt(ady, f32x4.splat(1e30))));
  if (v128.any_true(risky)) return vgeluTanhGradWide(dy, x);
  const e = vexp(f32x4.neg(f32x4.abs(u2)));
  const big = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  const small = f32x4.mul(e, big);
  const positive = f32x4.ge(u2, f32x4.splat(0));
  const s = v128.bitselect(big, small, positive);
  const oneMinusS = v128.bitselect(small, big, positive);
  const slope = f32x4.mul(f32x4.splat(<f32>1.5957691216057308), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.mul(f32x4.splat(<f32>0.134145), x), x)));
  const onePlusT = f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.mul(slope, x), oneMinusS));
  const d = f32x4.mul(s, onePlusT);
  const near = v128.and(f32x4.ge(x, f32x4.splat(NEAR_LO)), f32x4.le(x, f32x4.splat(NEAR_HI)));
  if (!v128.any_true(near)) return f32x4.mul(dy, d);
  return f32x4.mul(dy, v128.bitselect(vgeluTanhGradNearZero(x), d, near));
}
