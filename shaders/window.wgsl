// The window geometry every convolution and pooling kernel reads (the ConvGeometry
// of src/backends/backend.ts), packed by src/backends/webgpu/window.ts. x is read
// through its NHWC strides from x_offset; aux (cols or dy) and out are contiguous
// from their offsets. One thread per output element; `count` of them.

struct Window {
  batch: u32,
  in_h: u32,
  in_w: u32,
  channels: u32,
  out_h: u32,
  out_w: u32,
  kh: u32,
  kw: u32,
  sh: u32,
  sw: u32,
  dh: u32,
  dw: u32,
  pad_t: u32,
  pad_l: u32,
  groups: u32,
  count: u32,
  x_offset: i32,
  aux_offset: u32,
  out_offset: u32,
  _pad0: u32,
  x_strides: vec4i,
}

@group(0) @binding(0) var<uniform> params: Window;

override WG: u32 = 64u;

// The element of x at (b, y, x, c).
fn x_index(b: u32, y: i32, x: i32, c: u32) -> i32 {
  let s = params.x_strides;
  return params.x_offset + i32(b) * s.x + y * s.y + x * s.z + i32(c) * s.w;
}

// Input position of tap k of window o along one side (may be outside the image).
fn tap_at(o: u32, k: u32, stride: u32, dilation: u32, pad: u32) -> i32 {
  return i32(o * stride + k * dilation) - i32(pad);
}
