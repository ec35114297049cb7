// Every unary and binary elementwise op, as a class the elementwise engine is
// instantiated with (AssemblyScript inlines `changetype<Op>(0).f32(...)` statically).
//
// Each op has
//   f32(...)  four float32 lanes (the fast path),
//   i32(...)  four int32 lanes,
//   f64(...)  the scalar float64 definition from src/backends/scalar-ops.ts, used lane
//             by lane where the vector form could not match it exactly,
//   mask      true when the result is a lane mask (comparisons, logic) that the engine
//             turns into 1 / 0 of the output dtype,
//   unroll    (only on the cheap, memory-bound ops) present when contiguous rows should
//             take four vectors per loop trip; the costly ops keep one (their
//             arithmetic hides the loop), which keeps the module ~13 KB smaller.
// Unary ops take (x, s0, s1, a0, a1): a0, a1 are the op's args and s0, s1 the same
// rounded to f32 and splatted. Binary ops take (a, b, s0, s1, a0, a1).

import {
  fk, gelu, geluDerivative, K_MINUS_ONE, K_ONE, modFloat, powJS, roundHalfEven, sigmoid64, softplus64,
  vexp, vexpm1, vgeluTanh, vlog, vlog1p, vsigmoid, vsoftplus, vtanh,
} from './math';
import { toInt32 } from './simd';

// --- lane-by-lane helpers -------------------------------------------------------

@inline function un<F>(x: f64, a0: f64, a1: f64): f64 {
  return changetype<F>(0).f64(x, a0, a1);
}

/** f32 lanes through the op's f64 definition. */
@inline function lanesF<F>(v: v128, a0: f64, a1: f64): v128 {
  let r = f32x4.splat(<f32>un<F>(<f64>f32x4.extract_lane(v, 0), a0, a1));
  r = f32x4.replace_lane(r, 1, <f32>un<F>(<f64>f32x4.extract_lane(v, 1), a0, a1));
  r = f32x4.replace_lane(r, 2, <f32>un<F>(<f64>f32x4.extract_lane(v, 2), a0, a1));
  return f32x4.replace_lane(r, 3, <f32>un<F>(<f64>f32x4.extract_lane(v, 3), a0, a1));
}

/** i32 lanes through the op's f64 definition, stored with ToInt32 as an Int32Array would. */
@inline function lanesI<F>(v: v128, a0: f64, a1: f64): v128 {
  let r = i32x4.splat(toInt32(un<F>(<f64>i32x4.extract_lane(v, 0), a0, a1)));
  r = i32x4.replace_lane(r, 1, toInt32(un<F>(<f64>i32x4.extract_lane(v, 1), a0, a1)));
  r = i32x4.replace_lane(r, 2, toInt32(un<F>(<f64>i32x4.extract_lane(v, 2), a0, a1)));
  return i32x4.replace_lane(r, 3, toInt32(un<F>(<f64>i32x4.extract_lane(v, 3), a0, a1)));
}

@inline function bin<F>(a: f64, b: f64, a0: f64, a1: f64): f64 {
  return changetype<F>(0).f64(a, b, a0, a1);
}

@inline function lanesF2<F>(a: v128, b: v128, a0: f64, a1: f64): v128 {
  let r = f32x4.splat(<f32>bin<F>(<f64>f32x4.extract_lane(a, 0), <f64>f32x4.extract_lane(b, 0), a0, a1));
  r = f32x4.replace_lane(r, 1, <f32>bin<F>(<f64>f32x4.extract_lane(a, 1), <f64>f32x4.extract_lane(b, 1), a0, a1));
  r = f32x4.replace_lane(r, 2, <f32>bin<F>(<f64>f32x4.extract_lane(a, 2), <f64>f32x4.extract_lane(b, 2), a0, a1));
  return f32x4.replace_lane(r, 3, <f32>bin<F>(<f64>f32x4.extract_lane(a, 3), <f64>f32x4.extract_lane(b, 3), a0, a1));
}

@inline function lanesI2<F>(a: v128, b: v128, a0: f64, a1: f64): v128 {
  let r = i32x4.splat(toInt32(bin<F>(<f64>i32x4.extract_lane(a, 0), <f64>i32x4.extract_lane(b, 0), a0, a1)));
  r = i32x4.replace_lane(r, 1, toInt32(bin<F>(<f64>i32x4.extract_lane(a, 1), <f64>i32x4.extract_lane(b, 1), a0, a1)));
  r = i32x4.replace_lane(r, 2, toInt32(bin<F>(<f64>i32x4.extract_lane(a, 2), <f64>i32x4.extract_lane(b, 2), a0, a1)));
  return i32x4.replace_lane(r, 3, toInt32(bin<F>(<f64>i32x4.extract_lane(a, 3), <f64>i32x4.extract_lane(b, 3), a0, a1)));
}

@inline function one(): v128 {
  return fk(K_ONE);
}
@inline function zero(): v128 {
  return f32x4.splat(0.0);
}

// --- unary ------------------------------------------------------------------

@final export class Neg {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.neg(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return i32x4.neg(x); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return -x; }
}

@final export class Abs {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.abs(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return i32x4.abs(x); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return Math.abs(x); }
}

@final export class Sign {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    // 1, -1, or x itself (keeps ±0 and NaN)
    const r = v128.bitselect(one(), x, f32x4.gt(x, zero()));
    return v128.bitselect(fk(K_MINUS_ONE), r, f32x4.lt(x, zero()));
  }
  @inline i32(x: v128, a0: f64, a1: f64): v128 {
    return i32x4.sub(v128.and(i32x4.gt_s(x, i32x4.splat(0)), i32x4.splat(1)), v128.and(i32x4.lt_s(x, i32x4.splat(0)), i32x4.splat(1)));
  }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return x > 0 ? 1 : x < 0 ? -1 : x; }
}

@final export class Step {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    const r = v128.and(f32x4.gt(x, zero()), one());
    return v128.bitselect(x, r, f32x4.ne(x, x));
  }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return v128.and(i32x4.gt_s(x, i32x4.splat(0)), i32x4.splat(1)); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return x > 0 ? 1 : isNaN(x) ? NaN : 0; }
}

@final export class Exp {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return vexp(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Exp>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return NativeMath.exp(x); }
}

@final export class Log {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return vlog(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Log>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return NativeMath.log(x); }
}

@final export class Log1p {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return vlog1p(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Log1p>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return NativeMath.log1p(x); }
}

@final export class Expm1 {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return vexpm1(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Expm1>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return NativeMath.expm1(x); }
}

@final export class Sqrt {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.sqrt(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Sqrt>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return Math.sqrt(x); }
}

@final export class Rsqrt {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.div(one(), f32x4.sqrt(x)); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Rsqrt>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return 1.0 / Math.sqrt(x); }
}

@final export class Square {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.mul(x, x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Square>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return x * x; }
}

@final export class Reciprocal {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.div(one(), x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Reciprocal>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return 1.0 / x; }
}

@final export class Floor {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.floor(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return x; }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return Math.floor(x); }
}

@final export class Ceil {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.ceil(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return x; }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return Math.ceil(x); }
}

@final export class Round {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  // wasm's nearest rounds half to even, as numpy does.
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.nearest(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return x; }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return roundHalfEven(x); }
}

@final export class Sin {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return lanesF<Sin>(x, a0, a1); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Sin>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return NativeMath.sin(x); }
}

@final export class Cos {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return lanesF<Cos>(x, a0, a1); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Cos>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return NativeMath.cos(x); }
}

@final export class Relu {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    // x where x > 0 or NaN, else +0: clear the lanes where x <= 0 (false for NaN, true for -0)
    return v128.andnot(x, f32x4.le(x, zero()));
  }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return i32x4.max_s(x, i32x4.splat(0)); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return x > 0 ? x : isNaN(x) ? NaN : 0; }
}

@final export class LeakyRelu {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    return v128.bitselect(x, f32x4.mul(x, s0), f32x4.gt(x, zero()));
  }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<LeakyRelu>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return x > 0 ? x : a0 * x; }
}

@final export class Elu {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    return v128.bitselect(x, f32x4.mul(s0, vexpm1(x)), f32x4.gt(x, zero()));
  }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Elu>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return x > 0 ? x : a0 * NativeMath.expm1(x); }
}

@final export class Gelu {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return lanesF<Gelu>(x, a0, a1); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Gelu>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return gelu(x); }
}

// GELU's tanh form as x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): the same
// function as 0.5 x (1 + tanh u), without the cancellation of 1 + tanh u for x << 0.
@final export class GeluTanh {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return vgeluTanh(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<GeluTanh>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return x * sigmoid64(2 * GELU_C * (x + GELU_K * x * x * x)); }
}

const GELU_C: f64 = 0.7978845608028654;
const GELU_K: f64 = 0.044715;

@final export class Sigmoid {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return vsigmoid(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Sigmoid>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return sigmoid64(x); }
}

@final export class Tanh {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return vtanh(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Tanh>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return NativeMath.tanh(x); }
}

@final export class Softplus {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return vsoftplus(x); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Softplus>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return softplus64(x); }
}

@final export class Clip {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  // Rounding the bounds to f32 first gives the same result (rounding is monotone).
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.min(f32x4.max(x, s0), s1); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<Clip>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return Math.min(Math.max(x, a0), a1); }
}

@final export class PowScalar {
  @inline get mask(): bool { return false; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    // x^2 and x^1 are exact in f32; everything else goes through pow in f64.
    if (a0 == 2.0) return f32x4.mul(x, x);
    if (a0 == 1.0) return x;
    return lanesF<PowScalar>(x, a0, a1);
  }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return lanesI<PowScalar>(x, a0, a1); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return powJS(x, a0); }
}

@final export class LogicalNot {
  @inline get mask(): bool { return true; }
  @inline f32(x: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.eq(x, zero()); }
  @inline i32(x: v128, a0: f64, a1: f64): v128 { return i32x4.eq(x, i32x4.splat(0)); }
  @inline f64(x: f64, a0: f64, a1: f64): f64 { return x == 0 ? 1 : 0; }
}

// --- binary -----------------------------------------------------------------

@final export class Add {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.add(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.add(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a + b; }
}

@final export class Sub {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.sub(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.sub(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a - b; }
}

@final export class Mul {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.mul(a, b); }
  // Math.imul: wrapping 32-bit multiply.
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.mul(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a * b; }
}

function floorDiv(a: f64, b: f64): f64 {
  return b == 0 ? 0 : Math.floor(a / b);
}

@final export class Div {
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.div(a, b); }
  // Integer division floors (exact in f64 for 32-bit operands); x / 0 gives 0.
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<FloorDiv>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a / b; }
}

@final class FloorDiv {
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return floorDiv(a, b); }
}

@final export class Pow {
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return lanesF2<Pow>(a, b, a0, a1); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<Pow>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return powJS(a, b); }
}

@final export class Max {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  // wasm's max propagates NaN and orders -0 < +0, as Math.max does.
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.max(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.max_s(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return Math.max(a, b); }
}

@final export class Min {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.min(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.min_s(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return Math.min(a, b); }
}

function intMod(a: f64, b: f64): f64 {
  if (b == 0) return 0;
  const r = <f64>(<i32>a % <i32>b);
  return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

@final class IntMod {
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return intMod(a, b); }
}

@final export class Mod {
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return lanesF2<Mod>(a, b, a0, a1); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<IntMod>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return modFloat(a, b); }
}

@final export class Eq {
  @inline get mask(): bool { return true; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.eq(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.eq(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a == b ? 1 : 0; }
}

@final export class Ne {
  @inline get mask(): bool { return true; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.ne(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.ne(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a != b ? 1 : 0; }
}

@final export class Lt {
  @inline get mask(): bool { return true; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.lt(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.lt_s(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a < b ? 1 : 0; }
}

@final export class Le {
  @inline get mask(): bool { return true; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.le(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.le_s(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a <= b ? 1 : 0; }
}

@final export class Gt {
  @inline get mask(): bool { return true; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.gt(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.gt_s(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a > b ? 1 : 0; }
}

@final export class Ge {
  @inline get mask(): bool { return true; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return f32x4.ge(a, b); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return i32x4.ge_s(a, b); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a >= b ? 1 : 0; }
}

@final export class And {
  @inline get mask(): bool { return true; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    return v128.and(f32x4.ne(a, zero()), f32x4.ne(b, zero()));
  }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 {
    return v128.and(i32x4.ne(a, i32x4.splat(0)), i32x4.ne(b, i32x4.splat(0)));
  }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a != 0 && b != 0 ? 1 : 0; }
}

@final export class Or {
  @inline get mask(): bool { return true; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    return v128.or(f32x4.ne(a, zero()), f32x4.ne(b, zero()));
  }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 {
    return v128.or(i32x4.ne(a, i32x4.splat(0)), i32x4.ne(b, i32x4.splat(0)));
  }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a != 0 || b != 0 ? 1 : 0; }
}

// The activation gradients: a = dy, b = the activation's output y or input x.

@final export class ReluGrad {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return v128.and(a, f32x4.gt(b, zero())); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return v128.and(a, i32x4.gt_s(b, i32x4.splat(0))); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return b > 0 ? a : 0; }
}

@final export class SigmoidGrad {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    return f32x4.mul(f32x4.mul(a, b), f32x4.sub(one(), b));
  }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<SigmoidGrad>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a * b * (1 - b); }
}

@final export class TanhGrad {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    // 1 - y² as (1 - y)(1 + y): 1 - y is exact near |y| = 1, where y² would cancel.
    return f32x4.mul(a, f32x4.mul(f32x4.sub(one(), b), f32x4.add(one(), b)));
  }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<TanhGrad>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a * (1 - b * b); }
}

@final export class EluGrad {
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    // y + alpha cancels as y -> -alpha, so it is formed in f64 with alpha unrounded.
    const al = f64x2.splat(a0);
    const lo = f64x2.mul(f64x2.promote_low_f32x4(a), f64x2.add(f64x2.promote_low_f32x4(b), al));
    const hi = f64x2.mul(
      f64x2.promote_low_f32x4(v128.shuffle<i32>(a, a, 2, 3, 2, 3)),
      f64x2.add(f64x2.promote_low_f32x4(v128.shuffle<i32>(b, b, 2, 3, 2, 3)), al),
    );
    const neg = v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
    return v128.bitselect(a, neg, f32x4.gt(b, zero()));
  }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<EluGrad>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return b > 0 ? a : a * (b + a0); }
}

@final export class LeakyReluGrad {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    return v128.bitselect(a, f32x4.mul(a, s0), f32x4.gt(b, zero()));
  }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<LeakyReluGrad>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return b > 0 ? a : a * a0; }
}

@final export class GeluGrad {
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return lanesF2<GeluGrad>(a, b, a0, a1); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<GeluGrad>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return a * geluDerivative(b); }
}

// d/dx x s(2u) = s + 2 x s (1 - s) u', u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2). The two
// terms cancel where the derivative crosses zero, so lanes go through f64 (as geluGrad).
@final export class GeluTanhGrad {
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 { return lanesF2<GeluTanhGrad>(a, b, a0, a1); }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<GeluTanhGrad>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 {
    const s = sigmoid64(2 * GELU_C * (b + GELU_K * b * b * b));
    return a * (s + 2 * GELU_C * (1 + 3 * GELU_K * b * b) * b * s * (1 - s));
  }
}

@final export class ClipGrad {
  /** Memory-bound: contiguous rows take four vectors per trip (elementwise.ts). */
  @inline get unroll(): bool { return true; }
  @inline get mask(): bool { return false; }
  @inline f32(a: v128, b: v128, s0: v128, s1: v128, a0: f64, a1: f64): v128 {
    // The bounds are compared in f64, as the reference does: rounding them to f32
    // could let an x just below a bound pass.
    const lo = f64x2.splat(a0);
    const hi = f64x2.splat(a1);
    const xl = f64x2.promote_low_f32x4(b);
    const xh = f64x2.promote_low_f32x4(v128.shuffle<i32>(b, b, 2, 3, 2, 3));
    const ml = v128.and(f64x2.ge(xl, lo), f64x2.le(xl, hi));
    const mh = v128.and(f64x2.ge(xh, lo), f64x2.le(xh, hi));
    return v128.and(a, v128.shuffle<i32>(ml, mh, 0, 2, 4, 6));
  }
  @inline i32(a: v128, b: v128, a0: f64, a1: f64): v128 { return lanesI2<ClipGrad>(a, b, a0, a1); }
  @inline f64(a: f64, b: f64, a0: f64, a1: f64): f64 { return b >= a0 && b <= a1 ? a : 0; }
}

