// The scalar definition of every binary op on the GPU, matching
// src/backends/scalar-ops.ts up to float32 rounding. `a` carries the op's
// arguments (see BinaryOp in backend.ts). Comparisons and logic return bool;
// the kernel writes 1 / 0 in the output's dtype. `binary_i32_*` are the exact
// integer versions used when both operands are int32.

fn binary_add(x: f32, y: f32, a: vec4f) -> f32 { return x + y; }
fn binary_sub(x: f32, y: f32, a: vec4f) -> f32 { return x - y; }
fn binary_mul(x: f32, y: f32, a: vec4f) -> f32 { return x * y; }
fn binary_div(x: f32, y: f32, a: vec4f) -> f32 { return x / y; }
fn binary_pow(x: f32, y: f32, a: vec4f) -> f32 { return pow_f32(x, y); }
fn binary_max(x: f32, y: f32, a: vec4f) -> f32 {
  if (is_nan(x) || is_nan(y)) {
    return f32_nan();
  }
  return max(x, y);
}
fn binary_min(x: f32, y: f32, a: vec4f) -> f32 {
  if (is_nan(x) || is_nan(y)) {
    return f32_nan();
  }
  return min(x, y);
}
// Python / numpy modulo: the result takes the divisor's sign.
fn binary_mod(x: f32, y: f32, a: vec4f) -> f32 {
  if (y == 0.0 || is_nan(x) || is_nan(y) || is_inf(x)) {
    return f32_nan();
  }
  var r = x;
  if (!is_inf(y)) {
    r = x - y * trunc(x / y);
  }
  if (r != 0.0 && (r < 0.0) != (y < 0.0)) {
    r += y;
  }
  return r;
}
fn binary_eq(x: f32, y: f32, a: vec4f) -> bool { return x == y; }
fn binary_ne(x: f32, y: f32, a: vec4f) -> bool { return !(x == y); }
fn binary_lt(x: f32, y: f32, a: vec4f) -> bool { return x < y; }
fn binary_le(x: f32, y: f32, a: vec4f) -> bool { return x <= y; }
fn binary_gt(x: f32, y: f32, a: vec4f) -> bool { return x > y; }
fn binary_ge(x: f32, y: f32, a: vec4f) -> bool { return x >= y; }
fn binary_and(x: f32, y: f32, a: vec4f) -> bool { return f32_bits_nonzero(bitcast<u32>(x)) && f32_bits_nonzero(bitcast<u32>(y)); }
fn binary_or(x: f32, y: f32, a: vec4f) -> bool { return f32_bits_nonzero(bitcast<u32>(x)) || f32_bits_nonzero(bitcast<u32>(y)); }
// Activation gradients: x = dy, y = the activation's output or input (see backend.ts).
fn binary_reluGrad(dy: f32, y: f32, a: vec4f) -> f32 { return select(0.0, dy, y > 0.0); }
fn binary_sigmoidGrad(dy: f32, y: f32, a: vec4f) -> f32 { return dy * y * (1.0 - y); }
fn binary_tanhGrad(dy: f32, y: f32, a: vec4f) -> f32 { return dy * (1.0 - y * y); }
fn binary_eluGrad(dy: f32, y: f32, a: vec4f) -> f32 { return select(dy * (y + a.x), dy, y > 0.0); }
fn binary_leakyReluGrad(dy: f32, x: f32, a: vec4f) -> f32 { return select(dy * a.x, dy, x > 0.0); }
fn binary_geluGrad(dy: f32, x: f32, a: vec4f) -> f32 { return dy * gelu_derivative_f32(x); }
fn binary_geluTanhGrad(dy: f32, x: f32, a: vec4f) -> f32 { return dy * gelu_tanh_derivative_f32(x); }
fn binary_clipGrad(dy: f32, x: f32, a: vec4f) -> f32 { return select(0.0, dy, x >= a.x && x <= a.y); }

fn binary_i32_add(x: i32, y: i32, a: vec4f) -> i32 { return x + y; }
fn binary_i32_sub(x: i32, y: i32, a: vec4f) -> i32 { return x - y; }
fn binary_i32_mul(x: i32, y: i32, a: vec4f) -> i32 { return x * y; }
// Integer division floors (as TensorFlow.js and Python's //); dividing by 0 gives 0.
fn binary_i32_div(x: i32, y: i32, a: vec4f) -> i32 {
  if (y == 0) {
    return 0;
  }
  var q = x / y;
  if (q * y != x && ((x < 0) != (y < 0))) {
    q -= 1;
  }
  return q;
}
// Math.pow stored to an int32: negative exponents give 0 unless the base is ±1.
fn binary_i32_pow(x: i32, y: i32, a: vec4f) -> i32 {
  if (y < 0) {
    if (x == 1) {
      return 1;
    }
    if (x == -1) {
      return select(1, -1, (y & 1) != 0);
    }
    return 0;
  }
  var result = 1;
  var base = x;
  var e = y;
  loop {
    if (e == 0) {
      break;
    }
    if ((e & 1) != 0) {
      result *= base;
    }
    base *= base;
    e = e >> 1u;
  }
  return result;
}
fn binary_i32_max(x: i32, y: i32, a: vec4f) -> i32 { return max(x, y); }
fn binary_i32_min(x: i32, y: i32, a: vec4f) -> i32 { return min(x, y); }
fn binary_i32_mod(x: i32, y: i32, a: vec4f) -> i32 {
  if (y == 0) {
    return 0;
  }
  var r = x % y;
  if (r != 0 && ((r < 0) != (y < 0))) {
    r += y;
  }
  return r;
}
fn binary_i32_eq(x: i32, y: i32, a: vec4f) -> bool { return x == y; }
fn binary_i32_ne(x: i32, y: i32, a: vec4f) -> bool { return x != y; }
fn binary_i32_lt(x: i32, y: i32, a: vec4f) -> bool { return x < y; }
fn binary_i32_le(x: i32, y: i32, a: vec4f) -> bool { return x <= y; }
fn binary_i32_gt(x: i32, y: i32, a: vec4f) -> bool { return x > y; }
fn binary_i32_ge(x: i32, y: i32, a: vec4f) -> bool { return x >= y; }
fn binary_i32_and(x: i32, y: i32, a: vec4f) -> bool { return x != 0 && y != 0; }
fn binary_i32_or(x: i32, y: i32, a: vec4f) -> bool { return x != 0 || y != 0; }
