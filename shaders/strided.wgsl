// The parameters of every elementwise kernel (unary, binary, where, copy, fill):
// up to four strided operands walked in the row-major order of one shape.
// The host collapses dimensions that are contiguous in every operand first, so
// most calls arrive with rank 1 or 2.

struct Elementwise {
  count: u32,
  rank: u32,
  // raw 32-bit words for kernels that need them (fill's value; random's seed and counter offset)
  word: u32,
  word2: u32,
  shape: array<vec4u, 2>,
  // strides[d] holds dimension d's stride for operands 0..3 (x, y, z, w)
  strides: array<vec4i, 8>,
  offsets: vec4i,
  args: vec4f,
}

@group(0) @binding(0) var<uniform> params: Elementwise;

// Set by the host when the operands' dimensions collapse to one (every contiguous
// or evenly strided call): the offsets are then one multiply-add, without the
// integer division per dimension that software adapters run lane by lane.
override LINEAR: bool = false;

// Element offsets of linear index i in all four operands at once.
fn element_offsets(i: u32) -> vec4i {
  if (LINEAR) {
    return params.offsets + i32(i) * params.strides[0];
  }
  var rem = i;
  var off = params.offsets;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let size = params.shape[u32(d) / 4u][u32(d) % 4u];
    off += i32(rem % size) * params.strides[d];
    rem = rem / size;
  }
  return off;
}
