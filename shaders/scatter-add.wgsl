// out[o, indices[i], r] += updates[o, i, r], deterministically: each thread owns
// one output element and adds, in increasing i, every update whose index names
// it, so results never depend on scheduling (no atomics). The indices are
// streamed through workgroup memory in chunks that all threads share. Cost is
// out elements x index count comparisons, which suits embedding-sized problems.
// updates and indices arrive contiguous; out is contiguous and updated in place.

struct Scatter {
  count: u32,
  axis_len: u32,
  index_count: u32,
  inner: u32,
  update_offset: u32,
  index_offset: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Scatter;
@group(0) @binding(1) var<storage, read> updates: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

override WG: u32 = 64u;
var<workgroup> chunk: array<i32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = grid_index(wid, nwg, lid, WG);
  // every thread takes part in the chunk loads and barriers, even past the end
  let in_range = e < params.count;
  let r = e % params.inner;
  let t = e / params.inner;
  let j = i32(t % params.axis_len);
  let o = t / params.axis_len;
  var acc = T(0);
  if (in_range) {
    acc = t_from_bits(out[e]);
  }
  for (var c0 = 0u; c0 < params.index_count; c0 += WG) {
    var idx = -1;
    if (c0 + lid < params.index_count) {
      idx = indices[params.index_offset + c0 + lid];
    }
    chunk[lid] = idx;
    workgroupBarrier();
    let n = min(WG, params.index_count - c0);
    if (in_range) {
      for (var q = 0u; q < n; q++) {
        if (chunk[q] == j) {
          acc += t_from_bits(updates[params.update_offset + (o * params.index_count + c0 + q) * params.inner + r]);
        }
      }
    }
    workgroupBarrier();
  }
  if (in_range) {
    out[e] = t_to_bits(acc);
  }
}
