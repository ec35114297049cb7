// Convolution as implicit GEMM: im2col writes each window's taps as a row of the
// [groups, batch·out_h·out_w, kh·kw·cg] patch matrix (the matmul kernel then does
// the arithmetic); col2im is its adjoint, the input gradient. Each follows
// shaders/window.wgsl's struct and bindings.

// @section im2col_tap
// Where element e of the patch matrix comes from: its index in x, or -1 for padding.
fn im2col_source(e: u32) -> i32 {
  let cg = params.channels / params.groups;
  let width = params.kh * params.kw * cg;
  let m = params.batch * params.out_h * params.out_w;
  let col = e % width;
  let r = e / width;
  let grp = r / m;
  let row = r % m;
  let ox = row % params.out_w;
  let oy = (row / params.out_w) % params.out_h;
  let b = row / (params.out_w * params.out_h);
  let c = col % cg;
  let t = col / cg;
  let iy = tap_at(oy, t / params.kw, params.sh, params.dh, params.pad_t);
  let ix = tap_at(ox, t % params.kw, params.sw, params.dw, params.pad_l);
  if (iy >= 0 && iy < i32(params.in_h) && ix >= 0 && ix < i32(params.in_w)) {
    return x_index(b, iy, ix, grp * cg + c);
  }
  return -1;
}

// @section im2col
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = grid_index(wid, nwg, lid, WG);
  if (e >= params.count) {
    return;
  }
  let source = im2col_source(e);
  var v = 0.0;
  if (source >= 0) {
    v = x[source];
  }
  out[params.out_offset + e] = v;
}

// @section im2col_vec4
// im2col for channels that come in aligned fours (the host checks: channels per
// group a multiple of 4, x's channel stride 1, its other strides and offset and out's
// offset multiples of 4): one invocation per four neighbouring columns, which are one
// tap's four channels, so the window arithmetic runs once per vec4.
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = grid_index(wid, nwg, lid, WG) * 4u;
  if (e >= params.count) {
    return;
  }
  let source = im2col_source(e);
  var v = vec4f(0.0);
  if (source >= 0) {
    v = x[u32(source) / 4u];
  }
  out[(params.out_offset + e) / 4u] = v;
}

// @section col2im
// Each input element sums the patch entries read from it, windows in increasing
// (oy, ox) order (taps in decreasing (ky, kx)): deterministic, no atomics.
@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// The window along one side whose tap k lands on input position i, or -1.
fn window_of(i: u32, k: u32, stride: u32, dilation: u32, pad: u32, size: u32) -> i32 {
  let t = i32(i + pad) - i32(k * dilation);
  if (t < 0 || u32(t) % stride != 0u || u32(t) / stride >= size) {
    return -1;
  }
  return i32(u32(t) / stride);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = grid_index(wid, nwg, lid, WG);
  if (e >= params.count) {
    return;
  }
  let cg = params.channels / params.groups;
  let width = params.kh * params.kw * cg;
  let m = params.batch * params.out_h * params.out_w;
  let ch = e % params.channels;
  let p = e / params.channels;
  let ix = p % params.in_w;
  let iy = (p / params.in_w) % params.in_h;
  let b = p / (params.in_w * params.in_h);
  let grp = ch / cg;
  let c = ch % cg;
  var sum = 0.0;
  for (var ky = i32(params.kh) - 1; ky >= 0; ky--) {
    let oy = window_of(iy, u32(ky), params.sh, params.dh, params.pad_t, params.out_h);
    if (oy < 0) {
      continue;
    }
    for (var kx = i32(params.kw) - 1; kx >= 0; kx--) {
      let ox = window_of(ix, u32(kx), params.sw, params.dw, params.pad_l, params.out_w);
      if (ox < 0) {
        continue;
      }
      let row = (b * params.out_h + u32(oy)) * params.out_w + u32(ox);
      sum += cols[params.aux_offset + (grp * m + row) * width + (u32(ky) * params.kw + u32(kx)) * cg + c];
    }
  }
  out[params.out_offset + e] = sum;
}
