// Strided to strided copy (operand 0 -> operand 1) with dtype conversion:
// the host generates `fn convert(bits: u32) -> u32` (identity for one dtype,
// f32 -> i32 truncates toward zero, i32 -> f32 rounds to nearest).

@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = grid_index(wid, nwg, lid, WG);
  if (i >= params.count) {
    return;
  }
  let off = element_offsets(i);
  out[off.y] = convert(x[off.x]);
}
