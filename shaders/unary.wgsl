// out = f(x) for a strided x; out is contiguous (operand 1 in the params).
// The host generates `fn apply(bits: u32) -> u32`, which converts the word from
// x's dtype, calls unary_OP (unary-ops.wgsl) and converts to out's dtype.

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
  out[off.y] = apply(x[off.x]);
}

// @section vec4
// The same for a contiguous x and out whose offsets and element count are multiples
// of 4 (the host checks): one vec4 of words per invocation, so a quarter of the
// invocations and 16-byte loads and stores. Software adapters pay per invocation.

@group(0) @binding(1) var<storage, read> x: array<vec4u>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4u>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = grid_index(wid, nwg, lid, WG);
  if (i >= params.count / 4u) {
    return;
  }
  let v = x[u32(params.offsets.x) / 4u + i];
  out[u32(params.offsets.y) / 4u + i] = vec4u(apply(v.x), apply(v.y), apply(v.z), apply(v.w));
}
