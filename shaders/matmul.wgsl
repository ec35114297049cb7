// out[batch, m, n] = act(sum_k a[batch, m, k] * b[batch, k, n] + bias[n]).
// a and b are strided views (transposes are swapped strides, broadcast batches
// stride 0); out is contiguous. Generated lines supply TM, TN, TK (the output
// tile and K step), HAS_BIAS, `fn activate(v: f32) -> f32`, A_ELEM / B_ELEM / BIAS_ELEM
// (f32, vec4<f32> when that operand is loaded four at a time, or u32 for packed
// float16 operands, which always load one element at a time) and `load_a`, `load_b`,
// `load_bias` (element index -> f32 value) for the one-at-a-time loads.
//
// Sections: `tiled` is the general kernel (workgroup tiles in shared memory,
// 4x4 outputs per thread); `dot_per_thread` and `dot_per_workgroup` serve
// matrix-vector shapes, where a tile would mostly hold padding. Each tiled kernel
// also includes how it loads each operand: `load_a_scalar` or a `fetch_a_*` with its
// `stash_a_*` (fetch_a_rows with the a_quad of fetch_a_vec_k or of fetch_a_conv,
// which gathers a convolution's patch matrix from the image: implicit GEMM), and the
// same for b.

struct Matmul {
  m: u32,
  n: u32,
  k: u32,
  batch_rank: u32,
  a_offset: i32,
  b_offset: i32,
  bias_offset: i32,
  bias_stride: i32,
  a_row: i32,
  a_col: i32,
  b_row: i32,
  b_col: i32,
  // the first batch of this dispatch (batches beyond 65535 take several)
  batch_first: u32,
  batch_count: u32,
  _pad0: u32,
  _pad1: u32,
  batch_shape: array<vec4u, 2>,
  a_batch: array<vec4i, 2>,
  b_batch: array<vec4i, 2>,
  // A convolution's geometry, read by fetch_a_conv only (zero for other products):
  // in_h, in_w, channels, kernel_w; out_h, out_w, stride_h, stride_w; dilation_h,
  // dilation_w, pad_top, pad_left; the image's strides along batch, rows, columns.
  conv_in: vec4u,
  conv_out: vec4u,
  conv_tap: vec4u,
  conv_x: vec4i,
}

@group(0) @binding(0) var<uniform> params: Matmul;
@group(0) @binding(1) var<storage, read> a: array<A_ELEM>;
@group(0) @binding(2) var<storage, read> b: array<B_ELEM>;
@group(0) @binding(3) var<storage, read> bias: array<BIAS_ELEM>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// Element offsets of batch `batch`'s matrices in a (x) and b (y).
fn batch_offsets(batch: u32) -> vec2i {
  var rem = batch;
  var off = vec2i(params.a_offset, params.b_offset);
  for (var d = i32(params.batch_rank) - 1; d >= 0; d--) {
    let q = u32(d) / 4u;
    let r = u32(d) % 4u;
    let size = params.batch_shape[q][r];
    off += i32(rem % size) * vec2i(params.a_batch[q][r], params.b_batch[q][r]);
    rem = rem / size;
  }
  return off;
}

fn epilogue(v: f32, col: u32) -> f32 {
  var s = v;
  if (HAS_BIAS) {
    s += load_bias(params.bias_offset + i32(col) * params.bias_stride);
  }
  return activate(s);
}

// @section tiled
// Threads form a (TN/4) x (TM/4) grid; thread (tx, ty) owns rows ty*4..ty*4+3 and
// columns tx*4..tx*4+3 of the tile. Tiles are stored k-major as vec4 so that the
// inner loop reads one vec4 of A and one of B for 16 multiply-adds.
const WX: u32 = TN / 4u;
const WY: u32 = TM / 4u;
const THREADS: u32 = WX * WY;
// vec4s per k-row of each tile (what the loaders index by), and per thread per tile
const AV: u32 = TM / 4u;
const BV: u32 = TN / 4u;
const PA: u32 = (TM * TK / 4u + THREADS - 1u) / THREADS;
const PB: u32 = (TN * TK / 4u + THREADS - 1u) / THREADS;
var<workgroup> tile_a: array<vec4f, TK * TM / 4u>;
var<workgroup> tile_b: array<vec4f, TK * TN / 4u>;

@compute @workgroup_size(WX, WY, 1)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let batch = wid.z + params.batch_first;
  let base = batch_offsets(batch);
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  var acc: array<vec4f, 4>;
  let steps = (params.k + TK - 1u) / TK;
  for (var t = 0u; t < steps; t++) {
    let k0 = t * TK;
    load_tile_a(base.x, row0, k0, li);
    load_tile_b(base.y, k0, col0, li);
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let av = tile_a[kk * WY + lid.y];
      let bv = tile_b[kk * WX + lid.x];
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
  let out_base = batch * params.m * params.n;
  for (var r = 0u; r < 4u; r++) {
    let row = row0 + lid.y * 4u + r;
    if (row >= params.m) {
      break;
    }
    for (var c = 0u; c < 4u; c++) {
      let col = col0 + lid.x * 4u + c;
      if (col < params.n) {
        out[out_base + row * params.n + col] = epilogue(acc[r][c], col);
      }
    }
  }
}

// @section tiled8_common
// 8x8 outputs per thread, for large products: threads form a (TN/8) x (TM/8) grid
// and thread (tx, ty) owns rows {ty*4..ty*4+3, ty*4+TM/2..+3} and the same split of
// columns, so that neighbouring threads read neighbouring vec4s of each tile (no
// bank conflicts) and every k step costs 4 vec4 reads for 64 multiply-adds.
const WX: u32 = TN / 8u;
const WY: u32 = TM / 8u;
const THREADS: u32 = WX * WY;
const AV: u32 = TM / 4u;
const BV: u32 = TN / 4u;
const PA: u32 = (TM * TK / 4u + THREADS - 1u) / THREADS;
const PB: u32 = (TN * TK / 4u + THREADS - 1u) / THREADS;
var<workgroup> tile_a: array<vec4f, TK * TM / 4u>;
var<workgroup> tile_b: array<vec4f, TK * TN / 4u>;

// acc[2 * r + h]: output row r of the thread's 8 (0..3 first block, 4..7 second),
// columns of block h (0: tx*4.., 1: tx*4 + TN/2..)
fn multiply_tiles(lid: vec3u, acc: ptr<function, array<vec4f, 16>>) {
  for (var kk = 0u; kk < TK; kk++) {
    let a0 = tile_a[kk * AV + lid.y];
    let a1 = tile_a[kk * AV + lid.y + WY];
    let b0 = tile_b[kk * BV + lid.x];
    let b1 = tile_b[kk * BV + lid.x + WX];
    (*acc)[0] += a0.x * b0;
    (*acc)[1] += a0.x * b1;
    (*acc)[2] += a0.y * b0;
    (*acc)[3] += a0.y * b1;
    (*acc)[4] += a0.z * b0;
    (*acc)[5] += a0.z * b1;
    (*acc)[6] += a0.w * b0;
    (*acc)[7] += a0.w * b1;
    (*acc)[8] += a1.x * b0;
    (*acc)[9] += a1.x * b1;
    (*acc)[10] += a1.y * b0;
    (*acc)[11] += a1.y * b1;
    (*acc)[12] += a1.z * b0;
    (*acc)[13] += a1.z * b1;
    (*acc)[14] += a1.w * b0;
    (*acc)[15] += a1.w * b1;
  }
}

// Writes one row's four columns from c0. Every index into the accumulators is a
// constant at the call sites: a loop over them made the compiler keep them in
// memory rather than registers once the epilogue had a bias (4x slower steps).
fn store4(out_base: u32, row: u32, c0: u32, v: vec4f) {
  if (row >= params.m) {
    return;
  }
  let at = out_base + row * params.n;
  if (c0 < params.n) {
    out[at + c0] = epilogue(v.x, c0);
  }
  if (c0 + 1u < params.n) {
    out[at + c0 + 1u] = epilogue(v.y, c0 + 1u);
  }
  if (c0 + 2u < params.n) {
    out[at + c0 + 2u] = epilogue(v.z, c0 + 2u);
  }
  if (c0 + 3u < params.n) {
    out[at + c0 + 3u] = epilogue(v.w, c0 + 3u);
  }
}

fn store_outputs(lid: vec3u, batch: u32, row0: u32, col0: u32, acc: ptr<function, array<vec4f, 16>>) {
  let base = batch * params.m * params.n;
  let ra = row0 + lid.y * 4u;
  let rb = row0 + (lid.y + WY) * 4u;
  let ca = col0 + lid.x * 4u;
  let cb = col0 + (lid.x + WX) * 4u;
  store4(base, ra, ca, (*acc)[0]);
  store4(base, ra, cb, (*acc)[1]);
  store4(base, ra + 1u, ca, (*acc)[2]);
  store4(base, ra + 1u, cb, (*acc)[3]);
  store4(base, ra + 2u, ca, (*acc)[4]);
  store4(base, ra + 2u, cb, (*acc)[5]);
  store4(base, ra + 3u, ca, (*acc)[6]);
  store4(base, ra + 3u, cb, (*acc)[7]);
  store4(base, rb, ca, (*acc)[8]);
  store4(base, rb, cb, (*acc)[9]);
  store4(base, rb + 1u, ca, (*acc)[10]);
  store4(base, rb + 1u, cb, (*acc)[11]);
  store4(base, rb + 2u, ca, (*acc)[12]);
  store4(base, rb + 2u, cb, (*acc)[13]);
  store4(base, rb + 3u, ca, (*acc)[14]);
  store4(base, rb + 3u, cb, (*acc)[15]);
}

// @section tiled8
// Loads each tile, waits, multiplies, waits: for operands loaded one element at a time.
@compute @workgroup_size(WX, WY, 1)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let batch = wid.z + params.batch_first;
  let base = batch_offsets(batch);
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  var acc: array<vec4f, 16>;
  let steps = (params.k + TK - 1u) / TK;
  for (var t = 0u; t < steps; t++) {
    let k0 = t * TK;
    load_tile_a(base.x, row0, k0, li);
    load_tile_b(base.y, k0, col0, li);
    workgroupBarrier();
    multiply_tiles(lid, &acc);
    workgroupBarrier();
  }
  store_outputs(lid, batch, row0, col0, &acc);
}

// @section tiled8p
// Software pipelined: the next tiles' global loads are issued into registers
// before the current tiles are multiplied, so memory latency overlaps the math.
// For operands loaded four at a time (fetch_* / stash_* sections).

@compute @workgroup_size(WX, WY, 1)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let batch = wid.z + params.batch_first;
  let base = batch_offsets(batch);
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  var acc: array<vec4f, 16>;
  let steps = (params.k + TK - 1u) / TK;
  var ra = fetch_a(base.x, row0, 0u, li);
  var rb = fetch_b(base.y, 0u, col0, li);
  stash_a(ra, li);
  stash_b(rb, li);
  workgroupBarrier();
  for (var t = 0u; t < steps; t++) {
    let more = t + 1u < steps;
    if (more) {
      ra = fetch_a(base.x, row0, (t + 1u) * TK, li);
      rb = fetch_b(base.y, (t + 1u) * TK, col0, li);
    }
    multiply_tiles(lid, &acc);
    workgroupBarrier();
    if (more) {
      stash_a(ra, li);
      stash_b(rb, li);
    }
    workgroupBarrier();
  }
  store_outputs(lid, batch, row0, col0, &acc);
}

// @section load_a_via_fetch
// An operand loaded four at a time, tile by tile: fetch into registers, then stash.
fn load_tile_a(base: i32, row0: u32, k0: u32, li: u32) {
  stash_a(fetch_a(base, row0, k0, li), li);
}

// @section load_b_via_fetch
fn load_tile_b(base: i32, k0: u32, col0: u32, li: u32) {
  stash_b(fetch_b(base, k0, col0, li), li);
}

// @section fetch_a_rows
// A read along k, four k at once (a_quad: fetch_a_vec_k for a row-major A,
// fetch_a_conv for a convolution's patch matrix); zero past the edges.
fn fetch_a(base: i32, row0: u32, k0: u32, li: u32) -> array<vec4f, PA> {
  var r: array<vec4f, PA>;
  for (var i = 0u; i < PA; i++) {
    let e = li + i * THREADS;
    let row = row0 + e / (TK / 4u);
    let kc = k0 + (e % (TK / 4u)) * 4u;
    var v = vec4f(0.0);
    if (e < TM * TK / 4u && row < params.m && kc < params.k) {
      v = a_quad(base, row, kc);
    }
    r[i] = v;
  }
  return r;
}

// @section fetch_a_vec_k
// A row-major (a_col == 1) with k, a_row and offsets multiples of 4.
fn a_quad(base: i32, row: u32, kc: u32) -> vec4f {
  return a[(base + i32(row) * params.a_row + i32(kc)) / 4];
}

// @section stash_a_vec_k
// Four neighbouring k of one row (fetch_a_rows) into the k-major tile.
fn stash_a(r: array<vec4f, PA>, li: u32) {
  for (var i = 0u; i < PA; i++) {
    let e = li + i * THREADS;
    if (e < TM * TK / 4u) {
      let mm = e / (TK / 4u);
      let kq = (e % (TK / 4u)) * 4u;
      put_a(mm, kq, r[i].x);
      put_a(mm, kq + 1u, r[i].y);
      put_a(mm, kq + 2u, r[i].z);
      put_a(mm, kq + 3u, r[i].w);
    }
  }
}

// @section fetch_a_vec_m
// A column-major (a transposed view, a_row == 1) with m, a_col and offsets
// multiples of 4: four rows at once, stored straight into the tile.
fn fetch_a(base: i32, row0: u32, k0: u32, li: u32) -> array<vec4f, PA> {
  var r: array<vec4f, PA>;
  for (var i = 0u; i < PA; i++) {
    let e = li + i * THREADS;
    let row = row0 + (e % AV) * 4u;
    let kc = k0 + e / AV;
    var v = vec4f(0.0);
    if (e < TM * TK / 4u && row < params.m && kc < params.k) {
      v = a[(base + i32(kc) * params.a_col + i32(row)) / 4];
    }
    r[i] = v;
  }
  return r;
}

// @section stash_a_vec_m
fn stash_a(r: array<vec4f, PA>, li: u32) {
  for (var i = 0u; i < PA; i++) {
    let e = li + i * THREADS;
    if (e < TM * TK / 4u) {
      tile_a[(e / AV) * AV + e % AV] = r[i];
    }
  }
}

// @section fetch_a_conv
// A convolution's patch matrix, never written out (implicit GEMM): row r of A is
// output pixel (b, oy, ox), column kc is channel kc % channels of window tap
// kc / channels, read from the NHWC image a at a_offset. The host checks that
// channels are a multiple of 4 with channel stride 1 and the other strides and the
// offset multiples of 4, so four neighbouring columns are one aligned vec4 of one
// tap; taps in the padding read zero.
fn a_quad(base: i32, row: u32, kc: u32) -> vec4f {
  let channels = params.conv_in.z;
  let kw = params.conv_in.w;
  let out_w = params.conv_out.y;
  let tap = kc / channels;
  let ox = row % out_w;
  let oy = (row / out_w) % params.conv_out.x;
  let b = row / (out_w * params.conv_out.x);
  let iy = i32(oy * params.conv_out.z + (tap / kw) * params.conv_tap.x) - i32(params.conv_tap.z);
  let ix = i32(ox * params.conv_out.w + (tap % kw) * params.conv_tap.y) - i32(params.conv_tap.w);
  if (iy < 0 || iy >= i32(params.conv_in.x) || ix < 0 || ix >= i32(params.conv_in.y)) {
    return vec4f(0.0);
  }
  let s = params.conv_x;
  return a[(base + i32(b) * s.x + iy * s.y + ix * s.z + i32(kc % channels)) / 4];
}

// @section fetch_b_vec_n
// B row-major (b_col == 1) with n, b_row and offsets multiples of 4.
fn fetch_b(base: i32, k0: u32, col0: u32, li: u32) -> array<vec4f, PB> {
  var r: array<vec4f, PB>;
  for (var i = 0u; i < PB; i++) {
    let e = li + i * THREADS;
    let col = col0 + (e % BV) * 4u;
    let kc = k0 + e / BV;
    var v = vec4f(0.0);
    if (e < TN * TK / 4u && kc < params.k && col < params.n) {
      v = b[(base + i32(kc) * params.b_row + i32(col)) / 4];
    }
    r[i] = v;
  }
  return r;
}

fn stash_b(r: array<vec4f, PB>, li: u32) {
  for (var i = 0u; i < PB; i++) {
    let e = li + i * THREADS;
    if (e < TN * TK / 4u) {
      tile_b[(e / BV) * BV + e % BV] = r[i];
    }
  }
}

// @section fetch_b_vec_k
// B column-major (a transposed view, b_row == 1) with k, b_col and offsets multiples of 4.
fn fetch_b(base: i32, k0: u32, col0: u32, li: u32) -> array<vec4f, PB> {
  var r: array<vec4f, PB>;
  for (var i = 0u; i < PB; i++) {
    let e = li + i * THREADS;
    let col = col0 + e / (TK / 4u);
    let kc = k0 + (e % (TK / 4u)) * 4u;
    var v = vec4f(0.0);
    if (e < TN * TK / 4u && kc < params.k && col < params.n) {
      v = b[(base + i32(col) * params.b_col + i32(kc)) / 4];
    }
    r[i] = v;
  }
  return r;
}

fn stash_b(r: array<vec4f, PB>, li: u32) {
  for (var i = 0u; i < PB; i++) {
    let e = li + i * THREADS;
    if (e < TN * TK / 4u) {
      let nn = e / (TK / 4u);
      let kq = (e % (TK / 4u)) * 4u;
      put_b(kq, nn, r[i].x);
      put_b(kq + 1u, nn, r[i].y);
      put_b(kq + 2u, nn, r[i].z);
      put_b(kq + 3u, nn, r[i].w);
    }
  }
}

// @section tile_store
// Stores one A element at tile position (row mm, step kk).
fn put_a(mm: u32, kk: u32, v: f32) {
  tile_a[kk * AV + mm / 4u][mm % 4u] = v;
}

fn put_b(kk: u32, nn: u32, v: f32) {
  tile_b[kk * BV + nn / 4u][nn % 4u] = v;
}

// @section load_a_scalar
// Any strides: one element per load, consecutive threads along k.
fn load_tile_a(base: i32, row0: u32, k0: u32, li: u32) {
  for (var e = li; e < TM * TK; e += THREADS) {
    let mm = e / TK;
    let kk = e % TK;
    let row = row0 + mm;
    let kc = k0 + kk;
    var v = 0.0;
    if (row < params.m && kc < params.k) {
      v = load_a(base + i32(row) * params.a_row + i32(kc) * params.a_col);
    }
    put_a(mm, kk, v);
  }
}

// @section load_b_scalar
fn load_tile_b(base: i32, k0: u32, col0: u32, li: u32) {
  for (var e = li; e < TK * TN; e += THREADS) {
    let kk = e / TN;
    let nn = e % TN;
    let kc = k0 + kk;
    let col = col0 + nn;
    var v = 0.0;
    if (kc < params.k && col < params.n) {
      v = load_b(base + i32(kc) * params.b_row + i32(col) * params.b_col);
    }
    put_b(kk, nn, v);
  }
}

// @section dot_per_thread
// One thread per output, looping over k: for vector-matrix products where
// consecutive threads read consecutive elements of the big operand.
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = grid_index(wid, nwg, lid, WG);
  let per_batch = params.m * params.n;
  if (o >= params.batch_count * per_batch) {
    return;
  }
  let batch = o / per_batch + params.batch_first;
  let row = (o % per_batch) / params.n;
  let col = o % params.n;
  let base = batch_offsets(batch);
  let a_at = base.x + i32(row) * params.a_row;
  let b_at = base.y + i32(col) * params.b_col;
  var s = 0.0;
  for (var k = 0u; k < params.k; k++) {
    s += load_a(a_at + i32(k) * params.a_col) * load_b(b_at + i32(k) * params.b_row);
  }
  out[batch * per_batch + row * params.n + col] = epilogue(s, col);
}

// @section dot_per_workgroup
// One workgroup per output: threads split k and meet in a tree reduction. For
// few outputs of long dot products (matrix-vector with large k).
override WG: u32 = 64u;
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.y * nwg.x + wid.x;
  let per_batch = params.m * params.n;
  if (o >= params.batch_count * per_batch) {
    return;
  }
  let batch = o / per_batch + params.batch_first;
  let row = (o % per_batch) / params.n;
  let col = o % params.n;
  let base = batch_offsets(batch);
  let a_at = base.x + i32(row) * params.a_row;
  let b_at = base.y + i32(col) * params.b_col;
  var s = 0.0;
  for (var k = lid; k < params.k; k += WG) {
    s += load_a(a_at + i32(k) * params.a_col) * load_b(b_at + i32(k) * params.b_row);
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h = h / 2u) {
    if (lid < h) {
      partial[lid] += partial[lid + h];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[batch * per_batch + row * params.n + col] = epilogue(partial[0], col);
  }
}
