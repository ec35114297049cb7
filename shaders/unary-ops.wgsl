// The scalar definition of every unary op on the GPU, matching
// src/backends/scalar-ops.ts (the reference) up to float32 rounding.
// Every function takes the op's arguments as `a` (see UnaryOp in backend.ts).
// The `unary_i32_*` variants are exact integer versions of the ops that accept
// int32 tensors; the others run in f32.

const SQRT1_2: f32 = 0.70710678118654752;
const INV_SQRT_2PI: f32 = 0.39894228040143268;

// erfc with < 1.2e-7 relative error everywhere (Chebyshev fit, as in Numerical Recipes' erfcc).
fn erfc_f32(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(-z * z + p);
  return select(r, 2.0 - r, x < 0.0);
}

// log1p and expm1 by Kahan's corrections: accurate near 0 without a series.
fn log1p_f32(x: f32) -> f32 {
  if (x == -1.0) {
    return -f32_inf();
  }
  if (x < -1.0) {
    return f32_nan();
  }
  let u = 1.0 + x;
  if (u == 1.0 || is_inf(u)) {
    return select(x, log(u), is_inf(u));
  }
  return log(u) * (x / (u - 1.0));
}

fn expm1_f32(x: f32) -> f32 {
  if (x > 88.0) {
    return f32_inf();
  }
  let u = exp(x);
  if (u == 1.0) {
    return x;
  }
  let um1 = u - 1.0;
  if (um1 == -1.0) {
    return -1.0;
  }
  return um1 * (x / log(u));
}

// sin and cos to float32 accuracy on every implementation. WGSL promises only an
// absolute error of 2^-11 for its built-ins (SwiftShader, Chromium's software adapter,
// is off by ~2e-4), so: Cody-Waite reduction by multiples of pi/2 (pi/2 split in
// three parts whose products with the quotient are exact), then Cephes' minimax
// polynomials on [-pi/4, pi/4].
fn sin_poly(r: f32) -> f32 {
  let z = r * r;
  return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
}

fn cos_poly(r: f32) -> f32 {
  let z = r * r;
  return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
}

// sin(x + quarter * pi/2) for quarter 0 (sin) or 1 (cos).
fn sin_quadrant(x: f32, quarter: i32) -> f32 {
  if (is_nan(x) || is_inf(x)) {
    return f32_nan();
  }
  let q = round(x * 0.63661977236758134);
  let r = ((x - q * 1.5703125) - q * 4.837512969970703125e-4) - q * 7.54978995489188216e-8;
  let n = (((i32(q) + quarter) % 4) + 4) % 4;
  let value = select(sin_poly(r), cos_poly(r), n == 1 || n == 3);
  return select(value, -value, n >= 2);
}

// Math.pow's rules: x^0 = 1, negative bases only with integer exponents.
fn pow_f32(x: f32, y: f32) -> f32 {
  if (y == 0.0) {
    return 1.0;
  }
  if (is_nan(x) || is_nan(y)) {
    return f32_nan();
  }
  if (y == 1.0) {
    return x;
  }
  if (y == 2.0) {
    return x * x;
  }
  if (y == 3.0) {
    return x * x * x;
  }
  if (y == -1.0) {
    return 1.0 / x;
  }
  if (y == 0.5 && x >= 0.0) {
    return sqrt(x);
  }
  let ax = abs(x);
  var r: f32;
  if (ax == 0.0) {
    r = select(0.0, f32_inf(), y < 0.0);
  } else {
    r = exp2(y * log2(ax));
  }
  if (x < 0.0) {
    if (floor(y) != y && !is_inf(y)) {
      return f32_nan();
    }
    // an odd integer exponent keeps the sign
    if (!is_inf(y) && abs(y) < 16777216.0 && fract(y * 0.5) != 0.0) {
      r = -r;
    }
  }
  return r;
}

fn sigmoid_f32(x: f32) -> f32 {
  // two branches so that exp never overflows
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

fn tanh_f32(x: f32) -> f32 {
  // Built-in tanh is not trusted: implementations overflow for large |x|, lose
  // all relative accuracy near 0, or return -1 for NaN. expm1 keeps it exact-ish.
  if (is_nan(x)) {
    return x;
  }
  if (abs(x) > 10.0) {
    return sign(x);
  }
  let e = expm1_f32(2.0 * x);
  return e / (e + 2.0);
}

fn gelu_f32(x: f32) -> f32 {
  return 0.5 * x * erfc_f32(-x * SQRT1_2);
}

fn gelu_derivative_f32(x: f32) -> f32 {
  return 0.5 * erfc_f32(-x * SQRT1_2) + x * exp(-0.5 * x * x) * INV_SQRT_2PI;
}

// GELU's tanh form as x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): equal to
// 0.5 x (1 + tanh u) without its cancellation for x << 0.
fn gelu_tanh_2u(x: f32) -> f32 {
  return 1.5957691216057308 * (x + 0.044715 * x * x * x);
}

fn gelu_tanh_f32(x: f32) -> f32 {
  return x * sigmoid_f32(gelu_tanh_2u(x));
}

fn gelu_tanh_derivative_f32(x: f32) -> f32 {
  let s = sigmoid_f32(gelu_tanh_2u(x));
  return s + 1.5957691216057308 * (1.0 + 0.134145 * x * x) * x * s * (1.0 - s);
}

fn unary_neg(x: f32, a: vec4f) -> f32 { return -x; }
fn unary_abs(x: f32, a: vec4f) -> f32 { return abs(x); }
fn unary_sign(x: f32, a: vec4f) -> f32 { return select(select(x, -1.0, x < 0.0), 1.0, x > 0.0); }
fn unary_step(x: f32, a: vec4f) -> f32 { return select(select(0.0, x, is_nan(x)), 1.0, x > 0.0); }
// exp and log pass NaN through (SwiftShader's built-ins turn it into +inf and 89).
fn unary_exp(x: f32, a: vec4f) -> f32 { return select(exp(x), x, is_nan(x)); }
fn unary_log(x: f32, a: vec4f) -> f32 {
  if (is_nan(x)) {
    return x;
  }
  if (x == 0.0) {
    return -f32_inf();
  }
  return select(log(x), f32_nan(), x < 0.0);
}
fn unary_log1p(x: f32, a: vec4f) -> f32 { return log1p_f32(x); }
fn unary_expm1(x: f32, a: vec4f) -> f32 { return expm1_f32(x); }
fn unary_sqrt(x: f32, a: vec4f) -> f32 { return select(sqrt(x), f32_nan(), x < 0.0); }
fn unary_rsqrt(x: f32, a: vec4f) -> f32 { return select(1.0 / sqrt(x), f32_nan(), x < 0.0); }
fn unary_square(x: f32, a: vec4f) -> f32 { return x * x; }
fn unary_reciprocal(x: f32, a: vec4f) -> f32 { return 1.0 / x; }
fn unary_floor(x: f32, a: vec4f) -> f32 { return floor(x); }
fn unary_ceil(x: f32, a: vec4f) -> f32 { return ceil(x); }
// WGSL's round() already rounds half to even, as numpy and the reference do.
fn unary_round(x: f32, a: vec4f) -> f32 { return round(x); }
fn unary_sin(x: f32, a: vec4f) -> f32 { return sin_quadrant(x, 0); }
fn unary_cos(x: f32, a: vec4f) -> f32 { return sin_quadrant(x, 1); }
fn unary_relu(x: f32, a: vec4f) -> f32 { return select(0.0, x, x > 0.0 || is_nan(x)); }
fn unary_leakyRelu(x: f32, a: vec4f) -> f32 { return select(a.x * x, x, x > 0.0); }
fn unary_elu(x: f32, a: vec4f) -> f32 { return select(a.x * expm1_f32(x), x, x > 0.0); }
fn unary_gelu(x: f32, a: vec4f) -> f32 { return gelu_f32(x); }
fn unary_geluTanh(x: f32, a: vec4f) -> f32 { return gelu_tanh_f32(x); }
fn unary_sigmoid(x: f32, a: vec4f) -> f32 { return sigmoid_f32(x); }
fn unary_tanh(x: f32, a: vec4f) -> f32 { return tanh_f32(x); }
fn unary_softplus(x: f32, a: vec4f) -> f32 {
  return select(log1p_f32(exp(x)), x + log1p_f32(exp(-x)), x > 0.0);
}
fn unary_clip(x: f32, a: vec4f) -> f32 { return select(min(max(x, a.x), a.y), x, is_nan(x)); }
fn unary_powScalar(x: f32, a: vec4f) -> f32 { return pow_f32(x, a.x); }

// Exact int32 versions. Overflow wraps, as the reference's Int32Array store does.
fn unary_i32_neg(x: i32, a: vec4f) -> i32 { return -x; }
fn unary_i32_abs(x: i32, a: vec4f) -> i32 { return abs(x); }
fn unary_i32_sign(x: i32, a: vec4f) -> i32 { return sign(x); }
fn unary_i32_step(x: i32, a: vec4f) -> i32 { return select(0, 1, x > 0); }
fn unary_i32_square(x: i32, a: vec4f) -> i32 { return x * x; }
fn unary_i32_floor(x: i32, a: vec4f) -> i32 { return x; }
fn unary_i32_ceil(x: i32, a: vec4f) -> i32 { return x; }
fn unary_i32_round(x: i32, a: vec4f) -> i32 { return x; }
fn unary_i32_relu(x: i32, a: vec4f) -> i32 { return max(x, 0); }
fn unary_i32_clip(x: i32, a: vec4f) -> i32 {
  let xf = f32(x);
  if (xf < a.x) {
    return f32_to_i32(a.x);
  }
  if (xf > a.y) {
    return f32_to_i32(a.y);
  }
  return x;
}
