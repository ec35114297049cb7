// Backend.random: element i of the output (row-major) gets the counter-based word
// random_bits(seed, offset + i), bit for bit src/backends/random-bits.ts (lowbias32
// rounds; u32 arithmetic wraps mod 2³² as the reference's Math.imul does). The seed
// is params.word, the counter offset params.word2; `finish` (generated per
// distribution) turns the word into what is stored.

@group(0) @binding(1) var<storage, read_write> out: array<u32>;

override WG: u32 = 64u;

fn mix32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

fn random_bits(seed: u32, counter: u32) -> u32 {
  let key = mix32(seed ^ 0x9e3779b9u);
  return mix32(mix32(counter ^ key) + key);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = grid_index(wid, nwg, lid, WG);
  if (i >= params.count) {
    return;
  }
  out[element_offsets(i).x] = finish(random_bits(params.word, params.word2 + i));
}
