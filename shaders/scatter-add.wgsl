// out[o, indices[i], r] += updates[o, i, r]: one invocation per update element, each
// adding into its output with an atomic (integer add for i32; a compare-exchange
// loop on the f32 bits for f32). Cost is one add per update, whatever the output
// size: an embedding gradient of V = 50k rows from 8k tokens touches only 8k rows.
// Repeated indices add up in an unspecified order, so f32 sums may differ from the
// reference's index order by rounding. updates and indices arrive contiguous; out is
// contiguous (offset 0) and updated in place.

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
@group(0) @binding(3) var<storage, read_write> out: array<atomic<u32>>;

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
  if (j < 0 || u32(j) >= params.axis_len) {
    return;
  }
  let at = (o * params.axis_len + u32(j)) * params.inner + r;
  add_bits(at, updates[params.update_offset + e]);
}

// @section f32
fn add_bits(at: u32, bits: u32) {
  let v = bitcast<f32>(bits);
  var old = atomicLoad(&out[at]);
  loop {
    let next = bitcast<u32>(bitcast<f32>(old) + v);
    let r = atomicCompareExchangeWeak(&out[at], old, next);
    if (r.exchanged) {
      break;
    }
    old = r.old_value;
  }
}

// @section i32
fn add_bits(at: u32, bits: u32) {
  atomicAdd(&out[at], bits);
}
