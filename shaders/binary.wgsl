// out = f(a, b) for strided a and b of out's shape (broadcast = stride 0);
// out is operand 2. The host generates `fn apply(a: u32, b: u32) -> u32`
// around binary_OP (binary-ops.wgsl) with the dtype conversions.

@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = grid_index(wid, nwg, lid, WG);
  if (i >= params.count) {
    return;
  }
  let off = element_offsets(i);
  out[off.z] = apply(a[off.x], b[off.y]);
}
