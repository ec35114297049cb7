// Softmax cross-entropy against integer labels over rows of V logits. The forward
// takes one workgroup per row (max, then sum of exp, by tree reductions); the
// gradient one thread per logit. A label outside [0, V) cannot be checked on the
// host without waiting, so the forward writes NaN and records the first such label
// in `flags` ([set, label, row, call]); the backend's next read throws with it.

struct Xent {
  rows: u32,
  v: u32,
  x_off: u32,
  y_off: u32,
  l_off: u32,
  d_off: u32,
  d_stride: u32,
  call: u32,
}

@group(0) @binding(0) var<uniform> P: Xent;

// WG (threads per workgroup) is a generated constant: a workgroup array sized by an
// override constant misbehaves on some drivers.

// @section forward
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
@group(0) @binding(5) var<storage, read_write> flags: array<atomic<u32>, 4>;

// Separate arrays for the two reductions: a `let` read of red[0] may be evaluated
// where it is used, after the next reduction has started overwriting red.
var<workgroup> red: array<f32, WG>;
var<workgroup> red2: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * nwg.x + wid.x;
  if (r >= P.rows) {
    return;
  }
  let base = P.x_off + r * P.v;
  var m = -f32_inf();
  for (var j = lid; j < P.v; j += WG) {
    m = max(m, x[base + j]);
  }
  red[lid] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      red[lid] = max(red[lid], red[lid + s]);
    }
    workgroupBarrier();
  }
  let mx = red[0];
  workgroupBarrier();
  var z = 0.0;
  for (var j = lid; j < P.v; j += WG) {
    z += exp(x[base + j] - mx);
  }
  red2[lid] = z;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      red2[lid] += red2[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let l = mx + log(red2[0]);
    lse[r] = l;
    let label = labels[P.y_off + r];
    if (label >= 0 && u32(label) < P.v) {
      loss[P.l_off + r] = l - x[base + u32(label)];
    } else {
      loss[P.l_off + r] = f32_nan();
      let first = atomicCompareExchangeWeak(&flags[0], 0u, 1u);
      if (first.exchanged) {
        atomicStore(&flags[1], bitcast<u32>(label));
        atomicStore(&flags[2], r);
        atomicStore(&flags[3], P.call);
      }
    }
  }
}

// @section grad
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read> dloss: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = grid_index(wid, nwg, lid, WG);
  if (e >= P.rows * P.v) {
    return;
  }
  let r = e / P.v;
  let j = e % P.v;
  let label = labels[P.y_off + r];
  let hot = select(0.0, 1.0, label >= 0 && u32(label) == j);
  dx[e] = dloss[P.d_off + r * P.d_stride] * (exp(x[P.x_off + e] - lse[r]) - hot);
}
