// float16 storage: IEEE binary16 values packed two per 32-bit word (element e in
// half e & 1 of word e >> 1, low half first), math in f32. Any adapter runs these:
// no `enable f16` is needed. The conversions are written with integer operations
// rather than pack2x16float / unpack2x16float, because WGSL leaves that builtin's
// rounding to the implementation and its result on overflow indeterminate; these
// round to nearest even, overflow to infinity, keep subnormals and NaN, exactly as
// src/float16.ts does on the host (so the two agree bit for bit).
//
// `main` holds the conversions; `elementwise` is the kernel behind unary, binary,
// where, copy and fill when any operand is f16; `gather` is the f16 gather.

// The binary16 bits (in the low 16 bits) nearest to v.
fn f16_bits(v: f32) -> u32 {
  let x = bitcast<u32>(v);
  let sign = (x >> 16u) & 0x8000u;
  let a = x & 0x7fffffffu;
  if (a > 0x7f800000u) {
    return sign | 0x7e00u | ((a >> 13u) & 0x3ffu);
  }
  if (a >= 0x477ff000u) {
    return sign | 0x7c00u;
  }
  if (a < 0x38800000u) {
    if (a <= 0x33000000u) {
      return sign;
    }
    let e = a >> 23u;
    let m = (a & 0x7fffffu) | 0x800000u;
    let shift = 126u - e;
    let q = m >> shift;
    let rem = m & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    return sign | select(q, q + 1u, rem > half || (rem == half && (q & 1u) == 1u));
  }
  let base = a - 0x38000000u;
  let q = base >> 13u;
  let rem = base & 0x1fffu;
  return sign | select(q, q + 1u, rem > 0x1000u || (rem == 0x1000u && (q & 1u) == 1u));
}

// The f32 value of binary16 bits h (exact).
fn f16_value(h: u32) -> f32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 0u) {
    return bitcast<f32>(sign | bitcast<u32>(f32(m) * 5.960464477539063e-8));
  }
  if (e == 31u) {
    return bitcast<f32>(sign | 0x7f800000u | (m << 13u));
  }
  return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}

// Half `e & 1` of a packed word.
fn half_of(word: u32, e: u32) -> u32 {
  return (word >> ((e & 1u) * 16u)) & 0xffffu;
}

// @section elementwise
// One kernel for every elementwise op with an f16 operand, walking out's shape with
// strided.wgsl's offsets. The host generates the bindings, `const OUT: u32` (out's
// operand index), `fn value(off: vec4i) -> f32` (loads the operands at their element
// offsets and applies the op) and `fn as_word(v: f32) -> u32` (out's encoding when
// out is not f16). params.word2 picks the mode, so that no two invocations ever write
// one word:
// 0: out is f16 and contiguous: invocation t owns out word (offset >> 1) + t and
//    fills both halves (keeping a half that lies outside the range);
// 1, 2: out is f16 and strided: one invocation per element, only those whose out
//    element offset is even (1) or odd (2) write, merging their half into the word;
//    the host dispatches both;
// 3: out is f32 or i32: one invocation per element, one word each.
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = grid_index(wid, nwg, lid, WG);
  let mode = params.word2;
  if (mode == 0u) {
    let lead = params.offsets[OUT] & 1;
    let first = i32(2u * t) - lead;
    if (first >= i32(params.count)) {
      return;
    }
    let word = u32(params.offsets[OUT] >> 1u) + t;
    let partial = first < 0 || first + 1 >= i32(params.count);
    var old = 0u;
    if (partial) {
      old = out[word];
    }
    var lo = old & 0xffffu;
    var hi = old >> 16u;
    if (first >= 0) {
      lo = f16_bits(value(element_offsets(u32(first))));
    }
    if (first + 1 < i32(params.count)) {
      hi = f16_bits(value(element_offsets(u32(first + 1))));
    }
    out[word] = lo | (hi << 16u);
    return;
  }
  if (t >= params.count) {
    return;
  }
  let off = element_offsets(t);
  let at = u32(off[OUT]);
  if (mode == 3u) {
    out[at] = as_word(value(off));
    return;
  }
  if ((at & 1u) != mode - 1u) {
    return;
  }
  let h = f16_bits(value(off));
  let old = out[at >> 1u];
  out[at >> 1u] = select((old & 0xffff0000u) | h, (old & 0xffffu) | (h << 16u), (at & 1u) == 1u);
}

// @section gather
// gather.wgsl's rule (out[o, i, r] = x[o, indices[i], r], 0 out of range) for an f16
// x into an f16 out (contiguous, offset 0): each invocation fills one out word.
struct Gather {
  count: u32,
  axis_len: u32,
  index_count: u32,
  inner: u32,
  x_offset: u32,
  index_offset: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Gather;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

override WG: u32 = 64u;

fn gathered(e: u32) -> u32 {
  let r = e % params.inner;
  let t = e / params.inner;
  let i = t % params.index_count;
  let o = t / params.index_count;
  let j = indices[params.index_offset + i];
  if (j < 0 || u32(j) >= params.axis_len) {
    return 0u;
  }
  let at = params.x_offset + (o * params.axis_len + u32(j)) * params.inner + r;
  return half_of(x[at >> 1u], at);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = grid_index(wid, nwg, lid, WG);
  let e = 2u * w;
  if (e >= params.count) {
    return;
  }
  var hi = 0u;
  if (e + 1u < params.count) {
    hi = gathered(e + 1u);
  }
  out[w] = gathered(e) | (hi << 16u);
}
