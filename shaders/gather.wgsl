// out[o, i, r] = x[o, indices[i], r], with x seen as [outer, axis_len, inner] and
// indices flattened; out-of-range indices give 0. x and indices arrive
// contiguous (the host copies strided ones first); values move as raw words,
// so one kernel serves every dtype. A checked gather (an embedding lookup; `call`
// nonzero) also records the first out-of-range index in `flags` ([set, index,
// position, call], shared with cross-entropy's labels); the backend's next read throws.

struct Gather {
  count: u32,
  axis_len: u32,
  index_count: u32,
  inner: u32,
  x_offset: u32,
  index_offset: u32,
  call: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Gather;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;
@group(0) @binding(4) var<storage, read_write> flags: array<atomic<u32>, 4>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = grid_index(wid, nwg, lid, WG);
  if (e >= params.count) {
    return;
  }
  let r = e % params.inner;
  let t = e / params.inner;
  let i = t % params.index_count;
  let o = t / params.index_count;
  let j = indices[params.index_offset + i];
  var v = 0u;
  if (j >= 0 && u32(j) < params.axis_len) {
    v = x[params.x_offset + (o * params.axis_len + u32(j)) * params.inner + r];
  } else if (params.call != 0u && o == 0u && r == 0u) {
    let first = atomicCompareExchangeWeak(&flags[0], 0u, 1u);
    if (first.exchanged) {
      atomicStore(&flags[1], bitcast<u32>(j));
      atomicStore(&flags[2], i);
      atomicStore(&flags[3], params.call);
    }
  }
  out[e] = v;
}
