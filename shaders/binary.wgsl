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

// @section vec4
// The same for a contiguous out whose offset and element count are multiples of 4,
// with each operand either contiguous at such an offset (stride 1) or one word
// broadcast to every element (stride 0); the host checks. One vec4 of words per
// invocation: a quarter of the invocations and 16-byte loads and stores.

@group(0) @binding(1) var<storage, read> a: array<vec4u>;
@group(0) @binding(2) var<storage, read> b: array<vec4u>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4u>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = grid_index(wid, nwg, lid, WG);
  if (i >= params.count / 4u) {
    return;
  }
  let ao = u32(params.offsets.x);
  let bo = u32(params.offsets.y);
  var va: vec4u;
  if (params.strides[0].x == 0) {
    va = vec4u(a[ao / 4u][ao % 4u]);
  } else {
    va = a[ao / 4u + i];
  }
  var vb: vec4u;
  if (params.strides[0].y == 0) {
    vb = vec4u(b[bo / 4u][bo % 4u]);
  } else {
    vb = b[bo / 4u + i];
  }
  out[u32(params.offsets.z) / 4u + i] = vec4u(apply(va.x, vb.x), apply(va.y, vb.y), apply(va.z, vb.z), apply(va.w, vb.w));
}
