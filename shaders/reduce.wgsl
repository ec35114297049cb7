// Reductions of a strided x over any set of axes. The host splits x's dims into
// `outer` (kept, in out's row-major order) and `inner` (reduced); out is
// contiguous. The op is a triple from reduce-ops.wgsl (acc_identity,
// acc_combine, acc_finish) over `Acc`, so sum, mean, prod, max, min, argmax and
// argmin share these two kernels:
// - `per_workgroup` (section main): one workgroup per output, its threads stride
//   over the reduced elements and meet in a tree reduction in workgroup memory.
// - `per_thread`: one thread per output, for many outputs of short reductions.

struct Reduce {
  outer_count: u32,
  inner_count: u32,
  outer_rank: u32,
  inner_rank: u32,
  offset: i32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  outer_shape: array<vec4u, 2>,
  inner_shape: array<vec4u, 2>,
  outer_strides: array<vec4i, 2>,
  inner_strides: array<vec4i, 2>,
}

@group(0) @binding(0) var<uniform> params: Reduce;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

override WG: u32 = 64u;

fn outer_offset(o: u32) -> i32 {
  var rem = o;
  var off = params.offset;
  for (var d = i32(params.outer_rank) - 1; d >= 0; d--) {
    let size = params.outer_shape[u32(d) / 4u][u32(d) % 4u];
    off += i32(rem % size) * params.outer_strides[u32(d) / 4u][u32(d) % 4u];
    rem = rem / size;
  }
  return off;
}

fn inner_offset(r: u32) -> i32 {
  // one collapsed reduced dimension (the common case) needs no division per element
  if (params.inner_rank == 1u) {
    return i32(r) * params.inner_strides[0][0];
  }
  var rem = r;
  var off = 0;
  for (var d = i32(params.inner_rank) - 1; d >= 0; d--) {
    let size = params.inner_shape[u32(d) / 4u][u32(d) % 4u];
    off += i32(rem % size) * params.inner_strides[u32(d) / 4u][u32(d) % 4u];
    rem = rem / size;
  }
  return off;
}

fn element(base: i32, r: u32) -> Acc {
  return Acc(t_from_bits(x[base + inner_offset(r)]), r);
}

// @section per_workgroup
var<workgroup> partial: array<Acc, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  // o is the same for the whole workgroup, so this return keeps barriers uniform
  let o = wid.y * nwg.x + wid.x;
  if (o >= params.outer_count) {
    return;
  }
  let base = outer_offset(o);
  var acc = acc_identity();
  for (var r = lid; r < params.inner_count; r += WG) {
    acc = acc_combine(acc, element(base, r));
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      partial[lid] = acc_combine(partial[lid], partial[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[o] = acc_finish(partial[0], params.inner_count);
  }
}

// @section per_thread
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = grid_index(wid, nwg, lid, WG);
  if (o >= params.outer_count) {
    return;
  }
  let base = outer_offset(o);
  var acc = acc_identity();
  for (var r = 0u; r < params.inner_count; r++) {
    acc = acc_combine(acc, element(base, r));
  }
  out[o] = acc_finish(acc, params.inner_count);
}

// @section per_thread_vec4
// per_thread over words that come in aligned vec4s: the host checks that every
// element offset (outer and inner strides, the view's offset) is a multiple of 4, and
// counts inner_count in vec4s. Each thread keeps one accumulator per lane: a quarter
// of the loop trips and 16-byte loads (the first pass of a two-pass reduction).
@group(0) @binding(1) var<storage, read> x4: array<vec4u>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = grid_index(wid, nwg, lid, WG);
  if (o >= params.outer_count) {
    return;
  }
  let base = outer_offset(o);
  var a0 = acc_identity();
  var a1 = acc_identity();
  var a2 = acc_identity();
  var a3 = acc_identity();
  for (var r = 0u; r < params.inner_count; r++) {
    let v = x4[u32(base + inner_offset(r)) / 4u];
    a0 = acc_combine(a0, Acc(t_from_bits(v.x), 0u));
    a1 = acc_combine(a1, Acc(t_from_bits(v.y), 0u));
    a2 = acc_combine(a2, Acc(t_from_bits(v.z), 0u));
    a3 = acc_combine(a3, Acc(t_from_bits(v.w), 0u));
  }
  out[o] = acc_finish(acc_combine(acc_combine(a0, a1), acc_combine(a2, a3)), params.inner_count * 4u);
}
