// Helpers every kernel shares. Kernels keep their data as raw 32-bit words
// (array<u32>) and reinterpret them by dtype, so one buffer can hold f32 or i32
// and NaN payloads survive copies untouched.
//
// Files are split into sections by `// @section NAME` lines; the text before the
// first marker is the section `main`. src/backends/webgpu/kernels.ts assembles a
// kernel from sections (plus a few generated lines) in one place.

// NaN and infinity are tested and made through their bits: compilers may fold
// `x != x` away, and infinity cannot be written as a WGSL constant.
fn is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn is_inf(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

fn f32_inf() -> f32 {
  var bits = 0x7f800000u;
  return bitcast<f32>(bits);
}

fn f32_nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}

// Float to int truncates toward zero like a C cast; NaN becomes 0 (as JS's
// Int32Array stores it). Values outside the i32 range saturate.
fn f32_to_i32(x: f32) -> i32 {
  if (is_nan(x)) {
    return 0;
  }
  return i32(clamp(x, -2147483648.0, 2147483520.0));
}

// A word is "true" when it is a nonzero number: for f32 both zeros are false.
fn f32_bits_nonzero(bits: u32) -> bool {
  return (bits & 0x7fffffffu) != 0u;
}

// The invocation's linear index over a 2-D grid of workgroups, so that more than
// 65535 workgroups fit (x * y of them).
fn grid_index(wid: vec3u, nwg: vec3u, lid: u32, size: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * size + lid;
}
