// out = cond ? a : b, elementwise over strided views. a, b and out share a dtype,
// so values are copied as raw words; only the condition is interpreted
// (`fn is_true(bits: u32) -> bool`, generated for cond's dtype).

@group(0) @binding(1) var<storage, read> cond: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<u32>;
@group(0) @binding(3) var<storage, read> b: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<u32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = grid_index(wid, nwg, lid, WG);
  if (i >= params.count) {
    return;
  }
  let off = element_offsets(i);
  out[off.w] = select(b[off.z], a[off.y], is_true(cond[off.x]));
}
