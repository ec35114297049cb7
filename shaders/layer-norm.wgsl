// Layer normalization over rows of n elements: one workgroup per row for the
// forward and for dx (tree reductions in workgroup memory: the mean first, then the
// centred sum of squares, as the reference does), and one thread per column for
// dgamma and dbeta (sums over rows).

struct Norm {
  rows: u32,
  n: u32,
  x_off: u32,
  dy_off: u32,
  g_off: u32,
  b_off: u32,
  has_gamma: u32,
  has_beta: u32,
  m_off: u32,
  r_off: u32,
  o_off: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> P: Norm;

// WG (threads per workgroup) is a generated constant: a workgroup array sized by an
// override constant misbehaves on some drivers.
var<workgroup> red: array<f32, WG>;

// The sum of every thread's `v` in the workgroup (all threads must call it). The
// first barrier keeps a caller's earlier read of red[0] (a `let`, which the compiler
// may evaluate late) ahead of this call's writes.
fn workgroup_sum(v: f32, lid: u32) -> f32 {
  workgroupBarrier();
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      red[lid] += red[lid + s];
    }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

fn gamma_at(j: u32) -> f32 {
  return select(1.0, gamma[P.g_off + j], P.has_gamma != 0u);
}

// @section forward
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * nwg.x + wid.x;
  if (r >= P.rows) {
    return;
  }
  let base = P.x_off + r * P.n;
  var s = 0.0;
  for (var j = lid; j < P.n; j += WG) {
    s += x[base + j];
  }
  let mu = workgroup_sum(s, lid) / f32(P.n);
  var sq = 0.0;
  for (var j = lid; j < P.n; j += WG) {
    let c = x[base + j] - mu;
    sq += c * c;
  }
  let rs = inverseSqrt(workgroup_sum(sq, lid) / f32(P.n) + P.eps);
  for (var j = lid; j < P.n; j += WG) {
    let b = select(0.0, beta[P.b_off + j], P.has_beta != 0u);
    out[P.o_off + r * P.n + j] = (x[base + j] - mu) * rs * gamma_at(j) + b;
  }
  if (lid == 0u) {
    mean[r] = mu;
    rstd[r] = rs;
  }
}

// @section grad_x
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * nwg.x + wid.x;
  if (r >= P.rows) {
    return;
  }
  let mu = mean[P.m_off + r];
  let rs = rstd[P.r_off + r];
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = lid; j < P.n; j += WG) {
    let g = dy[P.dy_off + r * P.n + j] * gamma_at(j);
    sg += g;
    sgx += g * (x[P.x_off + r * P.n + j] - mu) * rs;
  }
  let mg = workgroup_sum(sg, lid) / f32(P.n);
  let mgx = workgroup_sum(sgx, lid) / f32(P.n);
  for (var j = lid; j < P.n; j += WG) {
    let g = dy[P.dy_off + r * P.n + j] * gamma_at(j);
    let xhat = (x[P.x_off + r * P.n + j] - mu) * rs;
    dx[P.o_off + r * P.n + j] = rs * (g - mg - xhat * mgx);
  }
}

// @section grad_affine
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(6) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(7) var<storage, read> gamma: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j = (wid.y * nwg.x + wid.x) * WG + lid;
  if (j >= P.n) {
    return;
  }
  var dg = 0.0;
  var db = 0.0;
  for (var r = 0u; r < P.rows; r++) {
    let d = dy[P.dy_off + r * P.n + j];
    dg += d * (x[P.x_off + r * P.n + j] - mean[P.m_off + r]) * rstd[P.r_off + r];
    db += d;
  }
  if (P.has_gamma != 0u) {
    dgamma[P.g_off + j] = dg;
  }
  if (P.has_beta != 0u) {
    dbeta[P.b_off + j] = db;
  }
}

// The row-per-thread variants below compute the same sums in one thread per row, with
// no workgroup barriers: on a software adapter (llvmpipe, SwiftShader) a workgroup's
// threads run one after another between barriers, so a tree reduction costs far more
// than the loop. The mean, the centred sum of squares and dx follow the same formulas.

// @section forward_rows
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = grid_index(wid, nwg, lid, WG);
  if (r >= P.rows) {
    return;
  }
  let base = P.x_off + r * P.n;
  var s = 0.0;
  for (var j = 0u; j < P.n; j++) {
    s += x[base + j];
  }
  let mu = s / f32(P.n);
  var sq = 0.0;
  for (var j = 0u; j < P.n; j++) {
    let c = x[base + j] - mu;
    sq += c * c;
  }
  let rs = inverseSqrt(sq / f32(P.n) + P.eps);
  let o = P.o_off + r * P.n;
  for (var j = 0u; j < P.n; j++) {
    let b = select(0.0, beta[P.b_off + j], P.has_beta != 0u);
    out[o + j] = (x[base + j] - mu) * rs * gamma_at(j) + b;
  }
  mean[r] = mu;
  rstd[r] = rs;
}

// @section grad_x_rows
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = grid_index(wid, nwg, lid, WG);
  if (r >= P.rows) {
    return;
  }
  let mu = mean[P.m_off + r];
  let rs = rstd[P.r_off + r];
  let xb = P.x_off + r * P.n;
  let db = P.dy_off + r * P.n;
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = 0u; j < P.n; j++) {
    let g = dy[db + j] * gamma_at(j);
    sg += g;
    sgx += g * (x[xb + j] - mu) * rs;
  }
  let mg = sg / f32(P.n);
  let mgx = sgx / f32(P.n);
  let o = P.o_off + r * P.n;
  for (var j = 0u; j < P.n; j++) {
    let g = dy[db + j] * gamma_at(j);
    let xhat = (x[xb + j] - mu) * rs;
    dx[o + j] = rs * (g - mg - xhat * mgx);
  }
}
