// Fused scaled dot-product attention (flash-attention style). Each workgroup takes
// WGQ query rows of one batch entry, one row per thread; tiles of BK keys / values
// pass through workgroup memory and every row keeps a running max, sum and output
// (online softmax), so no [Lq, Lk] matrix is ever stored. The backward recomputes
// the probabilities from each row's saved logsumexp: one kernel for dq (per query
// row, streaming keys) and one for dk and dv (per key row, streaming queries).
// D, DV, BK, WGQ are constants generated per shape (src/backends/webgpu/lm.ts).
//
// Dropout draws u(seed, (b*Lq + i)*Lk + j) from the counter hash described in
// src/backends/counter-hash.ts and keeps the weight when its top 24 bits reach
// keep_from = ceil(p * 2^24) (the same test as u >= p).

struct Attn {
  batch: u32,
  lq: u32,
  lk: u32,
  causal: u32,
  q_off: u32,
  k_off: u32,
  v_off: u32,
  o_off: u32,
  lse_off: u32,
  do_off: u32,
  has_mask: u32,
  use_dropout: u32,
  m_off: u32,
  m_sb: u32,
  m_sq: u32,
  m_sk: u32,
  seed: u32,
  keep_from: u32,
  scale: f32,
  keep_scale: f32,
}

@group(0) @binding(0) var<uniform> P: Attn;

fn mix32(x0: u32) -> u32 {
  var x = x0;
  x = x ^ (x >> 16u);
  x = x * 0x85ebca6bu;
  x = x ^ (x >> 13u);
  x = x * 0xc2b2ae35u;
  return x ^ (x >> 16u);
}

fn drop_factor(b: u32, i: u32, j: u32) -> f32 {
  if (P.use_dropout == 0u) {
    return 1.0;
  }
  let idx = (b * P.lq + i) * P.lk + j;
  let h = mix32(mix32(idx ^ mix32(P.seed)) + P.seed);
  return select(0.0, P.keep_scale, (h >> 8u) >= P.keep_from);
}

fn allowed(b: u32, i: u32, j: u32) -> bool {
  if (P.causal != 0u && j > i) {
    return false;
  }
  if (P.has_mask != 0u) {
    return mask[P.m_off + b * P.m_sb + i * P.m_sq + j * P.m_sk] != 0;
  }
  return true;
}

// The flat workgroup index over a 2-D grid, and how many workgroups each batch entry takes.
fn group_of(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.y * nwg.x + wid.x;
}

// @section forward
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<i32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

var<workgroup> tk: array<f32, BK * D>;
var<workgroup> tv: array<f32, BK * DV>;

@compute @workgroup_size(WGQ)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tiles = (P.lq + WGQ - 1u) / WGQ;
  let g = group_of(wid, nwg);
  if (g >= tiles * P.batch) {
    return;
  }
  let b = g / tiles;
  let i0 = (g % tiles) * WGQ;
  let i = i0 + lid;
  let live = i < P.lq;
  var qr: array<f32, D>;
  var acc: array<f32, DV>;
  if (live) {
    for (var c = 0u; c < D; c++) {
      qr[c] = q[P.q_off + (b * P.lq + i) * D + c] * P.scale;
    }
  }
  var m = 0.0;
  var l = 0.0;
  var kend = P.lk;
  if (P.causal != 0u) {
    kend = min(P.lk, i0 + WGQ);
  }
  for (var j0 = 0u; j0 < kend; j0 += BK) {
    let n = min(BK, P.lk - j0);
    workgroupBarrier();
    for (var t = lid; t < n * D; t += WGQ) {
      tk[t] = k[P.k_off + (b * P.lk + j0) * D + t];
    }
    for (var t = lid; t < n * DV; t += WGQ) {
      tv[t] = v[P.v_off + (b * P.lk + j0) * DV + t];
    }
    workgroupBarrier();
    if (live) {
      for (var jj = 0u; jj < n; jj++) {
        let j = j0 + jj;
        if (!allowed(b, i, j)) {
          continue;
        }
        var s = 0.0;
        for (var c = 0u; c < D; c++) {
          s += qr[c] * tk[jj * D + c];
        }
        // The first key seen sets the running max; later ones rescale what came before.
        let m_new = select(max(m, s), s, l == 0.0);
        let corr = select(exp(m - m_new), 0.0, l == 0.0);
        let e = exp(s - m_new);
        l = l * corr + e;
        let w = e * drop_factor(b, i, j);
        for (var c = 0u; c < DV; c++) {
          acc[c] = acc[c] * corr + w * tv[jj * DV + c];
        }
        m = m_new;
      }
    }
  }
  if (live) {
    let row = b * P.lq + i;
    if (l > 0.0) {
      let inv = 1.0 / l;
      for (var c = 0u; c < DV; c++) {
        out[P.o_off + row * DV + c] = acc[c] * inv;
      }
      lse[P.lse_off + row] = m + log(l);
    } else {
      // No key to attend to: 0 out, and +inf so that the backward's exp(s - lse) is 0.
      for (var c = 0u; c < DV; c++) {
        out[P.o_off + row * DV + c] = 0.0;
      }
      lse[P.lse_off + row] = f32_inf();
    }
  }
}

// @section stats
// stats[row] = (lse, D = dout · out) for the two gradient kernels.
@group(0) @binding(1) var<storage, read> out: array<f32>;
@group(0) @binding(2) var<storage, read> lse: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<i32>;

@compute @workgroup_size(WGQ)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = group_of(wid, nwg) * WGQ + lid;
  if (row >= P.batch * P.lq) {
    return;
  }
  var dsum = 0.0;
  for (var c = 0u; c < DV; c++) {
    dsum += dout[P.do_off + row * DV + c] * out[P.o_off + row * DV + c];
  }
  stats[2u * row] = lse[P.lse_off + row];
  stats[2u * row + 1u] = dsum;
}

// @section grad_q
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<i32>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;
@group(0) @binding(6) var<storage, read> dout: array<f32>;
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;

var<workgroup> tk: array<f32, BK * D>;
var<workgroup> tv: array<f32, BK * DV>;

@compute @workgroup_size(WGQ)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tiles = (P.lq + WGQ - 1u) / WGQ;
  let g = group_of(wid, nwg);
  if (g >= tiles * P.batch) {
    return;
  }
  let b = g / tiles;
  let i0 = (g % tiles) * WGQ;
  let i = i0 + lid;
  let row = b * P.lq + i;
  var live = i < P.lq;
  var lse_i = 0.0;
  var d_i = 0.0;
  var qr: array<f32, D>;
  var dor: array<f32, DV>;
  var acc: array<f32, D>;
  if (live) {
    lse_i = stats[2u * row];
    d_i = stats[2u * row + 1u];
    live = !is_inf(lse_i);
    for (var c = 0u; c < D; c++) {
      qr[c] = q[P.q_off + row * D + c] * P.scale;
    }
    for (var c = 0u; c < DV; c++) {
      dor[c] = dout[P.do_off + row * DV + c];
    }
  }
  var kend = P.lk;
  if (P.causal != 0u) {
    kend = min(P.lk, i0 + WGQ);
  }
  for (var j0 = 0u; j0 < kend; j0 += BK) {
    let n = min(BK, P.lk - j0);
    workgroupBarrier();
    for (var t = lid; t < n * D; t += WGQ) {
      tk[t] = k[P.k_off + (b * P.lk + j0) * D + t];
    }
    for (var t = lid; t < n * DV; t += WGQ) {
      tv[t] = v[P.v_off + (b * P.lk + j0) * DV + t];
    }
    workgroupBarrier();
    if (live) {
      for (var jj = 0u; jj < n; jj++) {
        let j = j0 + jj;
        if (!allowed(b, i, j)) {
          continue;
        }
        var s = 0.0;
        for (var c = 0u; c < D; c++) {
          s += qr[c] * tk[jj * D + c];
        }
        let p = exp(s - lse_i);
        var dp = 0.0;
        for (var c = 0u; c < DV; c++) {
          dp += dor[c] * tv[jj * DV + c];
        }
        let ds = p * (dp * drop_factor(b, i, j) - d_i);
        for (var c = 0u; c < D; c++) {
          acc[c] += ds * tk[jj * D + c];
        }
      }
    }
  }
  if (i < P.lq) {
    for (var c = 0u; c < D; c++) {
      dq[row * D + c] = acc[c] * P.scale;
    }
  }
}

// @section grad_kv
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<i32>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;
@group(0) @binding(6) var<storage, read> dout: array<f32>;
@group(0) @binding(7) var<storage, read_write> dk: array<f32>;
@group(0) @binding(8) var<storage, read_write> dv: array<f32>;

var<workgroup> tq: array<f32, BK * D>;
var<workgroup> tdo: array<f32, BK * DV>;
var<workgroup> tst: array<f32, BK * 2u>;

@compute @workgroup_size(WGQ)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tiles = (P.lk + WGQ - 1u) / WGQ;
  let g = group_of(wid, nwg);
  if (g >= tiles * P.batch) {
    return;
  }
  let b = g / tiles;
  let j0 = (g % tiles) * WGQ;
  let j = j0 + lid;
  let krow = b * P.lk + j;
  let live = j < P.lk;
  var kr: array<f32, D>;
  var vr: array<f32, DV>;
  var dka: array<f32, D>;
  var dva: array<f32, DV>;
  if (live) {
    for (var c = 0u; c < D; c++) {
      kr[c] = k[P.k_off + krow * D + c] * P.scale;
    }
    for (var c = 0u; c < DV; c++) {
      vr[c] = v[P.v_off + krow * DV + c];
    }
  }
  // Causal: queries before this group's first key see none of its keys.
  var istart = 0u;
  if (P.causal != 0u) {
    istart = (min(j0, P.lq) / BK) * BK;
  }
  for (var i0 = istart; i0 < P.lq; i0 += BK) {
    let n = min(BK, P.lq - i0);
    workgroupBarrier();
    for (var t = lid; t < n * D; t += WGQ) {
      tq[t] = q[P.q_off + (b * P.lq + i0) * D + t];
    }
    for (var t = lid; t < n * DV; t += WGQ) {
      tdo[t] = dout[P.do_off + (b * P.lq + i0) * DV + t];
    }
    for (var t = lid; t < n * 2u; t += WGQ) {
      tst[t] = stats[2u * (b * P.lq + i0) + t];
    }
    workgroupBarrier();
    if (live) {
      for (var ii = 0u; ii < n; ii++) {
        let i = i0 + ii;
        let lse_i = tst[2u * ii];
        if (is_inf(lse_i) || !allowed(b, i, j)) {
          continue;
        }
        var s = 0.0;
        for (var c = 0u; c < D; c++) {
          s += tq[ii * D + c] * kr[c];
        }
        let p = exp(s - lse_i);
        let z = drop_factor(b, i, j);
        var dp = 0.0;
        for (var c = 0u; c < DV; c++) {
          let o = tdo[ii * DV + c];
          dp += o * vr[c];
          dva[c] += p * z * o;
        }
        let ds = p * (dp * z - tst[2u * ii + 1u]);
        for (var c = 0u; c < D; c++) {
          dka[c] += ds * tq[ii * D + c];
        }
      }
    }
  }
  if (live) {
    for (var c = 0u; c < D; c++) {
      dk[krow * D + c] = dka[c] * P.scale;
    }
    for (var c = 0u; c < DV; c++) {
      dv[krow * DV + c] = dva[c];
    }
  }
}
