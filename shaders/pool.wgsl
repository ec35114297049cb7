// Max and average pooling over NHWC windows (TensorFlow's rules: padding never
// wins a max and is not counted in an average), and their input gradient. Each
// follows shaders/window.wgsl's struct and bindings; POOL_MAX is generated.

// @section main
// Taps of window o along one side that fall inside the image: [lo, hi).
fn taps(o: u32, stride: u32, dilation: u32, pad: u32, k: u32, size: u32) -> vec2u {
  var lo = 0u;
  while (lo < k && tap_at(o, lo, stride, dilation, pad) < 0) {
    lo++;
  }
  var hi = k;
  while (hi > lo && tap_at(o, hi - 1u, stride, dilation, pad) >= i32(size)) {
    hi--;
  }
  return vec2u(lo, hi);
}

struct Best {
  value: f32,
  // the input pixel y·in_w + x of the first largest tap
  at: i32,
  count: u32,
  sum: f32,
}

// The window's first largest tap (a NaN counts as largest), tap count and sum, for channel c.
fn window_stats(b: u32, oy: u32, ox: u32, c: u32) -> Best {
  let ty = taps(oy, params.sh, params.dh, params.pad_t, params.kh, params.in_h);
  let tx = taps(ox, params.sw, params.dw, params.pad_l, params.kw, params.in_w);
  // a window with no tap inside the image gives -infinity (max) and 0 / 0 (avg), as backend.ts says
  var best = Best(-f32_inf(), -1, 0u, 0.0);
  for (var ky = ty.x; ky < ty.y; ky++) {
    let iy = tap_at(oy, ky, params.sh, params.dh, params.pad_t);
    for (var kx = tx.x; kx < tx.y; kx++) {
      let ix = tap_at(ox, kx, params.sw, params.dw, params.pad_l);
      let v = x[x_index(b, iy, ix, c)];
      best.count++;
      best.sum += v;
      if (best.at < 0 || (!is_nan(best.value) && (v > best.value || is_nan(v)))) {
        best.value = v;
        best.at = iy * i32(params.in_w) + ix;
      }
    }
  }
  return best;
}

// @section pool
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = grid_index(wid, nwg, lid, WG);
  if (e >= params.count) {
    return;
  }
  let c = e % params.channels;
  let p = e / params.channels;
  let ox = p % params.out_w;
  let oy = (p / params.out_w) % params.out_h;
  let b = p / (params.out_w * params.out_h);
  let s = window_stats(b, oy, ox, c);
  if (POOL_MAX) {
    out[params.out_offset + e] = s.value;
  } else {
    // 0 / 0 is not NaN on every GPU: say it
    out[params.out_offset + e] = select(s.sum / f32(s.count), f32_nan(), s.count == 0u);
  }
}

// @section pool_grad
// Each input element gathers, in (oy, ox) order, the windows that cover it.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Windows along one side whose taps can land on i: o·stride − pad ≤ i ≤ o·stride − pad + (k − 1)·dilation.
fn windows(i: u32, stride: u32, dilation: u32, pad: u32, k: u32, size: u32) -> vec2i {
  let lo_t = i32(i + pad) - i32((k - 1u) * dilation);
  var lo = 0;
  if (lo_t > 0) {
    lo = (lo_t + i32(stride) - 1) / i32(stride);
  }
  let hi = min(i32((i + pad) / stride), i32(size) - 1);
  return vec2i(lo, hi);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = grid_index(wid, nwg, lid, WG);
  if (e >= params.count) {
    return;
  }
  let c = e % params.channels;
  let p = e / params.channels;
  let ix = p % params.in_w;
  let iy = (p / params.in_w) % params.in_h;
  let b = p / (params.in_w * params.in_h);
  let here = i32(iy * params.in_w + ix);
  let wy = windows(iy, params.sh, params.dh, params.pad_t, params.kh, params.out_h);
  let wx = windows(ix, params.sw, params.dw, params.pad_l, params.kw, params.out_w);
  var sum = 0.0;
  for (var oy = wy.x; oy <= wy.y; oy++) {
    if ((i32(iy + params.pad_t) - oy * i32(params.sh)) % i32(params.dh) != 0) {
      continue;
    }
    for (var ox = wx.x; ox <= wx.y; ox++) {
      if ((i32(ix + params.pad_l) - ox * i32(params.sw)) % i32(params.dw) != 0) {
        continue;
      }
      let g = dy[params.aux_offset + ((b * params.out_h + u32(oy)) * params.out_w + u32(ox)) * params.channels + c];
      let s = window_stats(b, u32(oy), u32(ox), c);
      if (POOL_MAX) {
        if (s.at == here) {
          sum += g;
        }
      } else {
        sum += g / f32(s.count);
      }
    }
  }
  out[params.out_offset + e] = sum;
}
