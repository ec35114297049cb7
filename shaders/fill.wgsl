// Sets every element of a strided view (operand 0) to one raw word (params.word),
// already encoded in the view's dtype by the host.

@group(0) @binding(1) var<storage, read_write> out: array<u32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = grid_index(wid, nwg, lid, WG);
  if (i >= params.count) {
    return;
  }
  out[element_offsets(i).x] = params.word;
}
