// Fused scaled dot-product attention (layout in abi.ts), row streaming: each query
// row walks its keys once with an online softmax (running max m, sum l, and the
// output row in per-thread scratch, rescaled only when m grows), so no [Lq, Lk]
// matrix exists. The forward splits query rows across parts. The backward
// recomputes each probability from the row's saved logsumexp and accumulates
// dq, dk and dv; parts split batch entries (dk and dv rows sum over queries).
//
// Dropout keeps (b, i, j) when the counter hash of (seed, (b*Lq + i)*Lk + j) has
// top 24 bits >= keep_from = ceil(p * 2^24): src/backends/counter-hash.ts's rule.

import {
  AT_BATCH, AT_CAUSAL, AT_D, AT_DK, AT_DOUT, AT_DQ, AT_DV, AT_DVOUT, AT_K, AT_KEEP_FROM, AT_KEEP_SCALE, AT_LK,
  AT_LQ, AT_LSE, AT_M_SB, AT_M_SK, AT_M_SQ, AT_MASK, AT_OUT, AT_Q, AT_SCALE, AT_SCRATCH, AT_SEED, AT_V,
} from './abi';
import { threadIndex } from './thread';

@inline function split(count: i32, part: i32, parts: i32): i32 {
  return <i32>(<i64>count * part / parts);
}

@inline function mix32(x0: u32): u32 {
  let x = x0;
  x ^= x >> 16;
  x *= 0x85ebca6b;
  x ^= x >> 13;
  x *= 0xc2b2ae35;
  return x ^ (x >> 16);
}

/** The dropout factor of (b, i, j): keepScale or 0 (1 when dropout is off). */
@inline function dropFactor(seed: u32, keepFrom: u32, keepScale: f32, index: u32): f32 {
  if (keepFrom == 0) return 1;
  const h = mix32(mix32(index ^ mix32(seed)) + seed);
  return (h >> 8) >= keepFrom ? keepScale : 0;
}

/** sum a[c] * b[c] over n floats, four lanes at a time. */
@inline function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= n; c += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + (<usize>c << 2)), v128.load(b + (<usize>c << 2))));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; c < n; c++) s += load<f32>(a + (<usize>c << 2)) * load<f32>(b + (<usize>c << 2));
  return s;
}

/** y[c] = y[c] * s + w * x[c] over n floats. */
@inline function scaleAdd(y: usize, s: f32, w: f32, x: usize, n: i32): void {
  const vs = f32x4.splat(s);
  const vw = f32x4.splat(w);
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const p = y + (<usize>c << 2);
    v128.store(p, f32x4.add(f32x4.mul(v128.load(p), vs), f32x4.mul(vw, v128.load(x + (<usize>c << 2)))));
  }
  for (; c < n; c++) {
    const p = y + (<usize>c << 2);
    store<f32>(p, load<f32>(p) * s + w * load<f32>(x + (<usize>c << 2)));
  }
}

@inline function allowed(d: usize, causal: bool, b: i32, i: i32, j: i32): bool {
  if (causal && j > i) return false;
  const mask = <usize>load<i32>(d + AT_MASK);
  if (mask == 0) return true;
  const e = b * load<i32>(d + AT_M_SB) + i * load<i32>(d + AT_M_SQ) + j * load<i32>(d + AT_M_SK);
  return load<i32>(mask + (<usize>e << 2)) != 0;
}

export function attention(d: usize, part: i32, parts: i32): void {
  const batch = load<i32>(d + AT_BATCH);
  const lq = load<i32>(d + AT_LQ);
  const lk = load<i32>(d + AT_LK);
  const dk = load<i32>(d + AT_D);
  const dv = load<i32>(d + AT_DV);
  const causal = load<i32>(d + AT_CAUSAL) != 0;
  const q = <usize>load<i32>(d + AT_Q);
  const k = <usize>load<i32>(d + AT_K);
  const v = <usize>load<i32>(d + AT_V);
  const out = <usize>load<i32>(d + AT_OUT);
  const lse = <usize>load<i32>(d + AT_LSE);
  const seed = load<u32>(d + AT_SEED);
  const keepFrom = load<u32>(d + AT_KEEP_FROM);
  const scale = <f32>load<f64>(d + AT_SCALE);
  const keepScale = <f32>load<f64>(d + AT_KEEP_SCALE);
  const acc = <usize>load<i32>(d + AT_SCRATCH) + <usize>threadIndex() * (<usize>dv << 2);
  const rows = batch * lq;
  const r1 = split(rows, part + 1, parts);
  for (let r = split(rows, part, parts); r < r1; r++) {
    const b = r / lq;
    const i = r % lq;
    const qr = q + (<usize>r * dk << 2);
    memory.fill(acc, 0, <usize>dv << 2);
    let m: f32 = 0;
    let l: f32 = 0;
    const kend = causal ? min(lk, i + 1) : lk;
    for (let j = 0; j < kend; j++) {
      if (!allowed(d, causal, b, i, j)) continue;
      const s = dot(qr, k + (<usize>(b * lk + j) * dk << 2), dk) * scale;
      let corr: f32 = 1;
      if (l == 0) {
        m = s;
      } else if (s > m) {
        corr = <f32>Math.exp(<f64>(m - s));
        l *= corr;
        m = s;
      }
      const e = <f32>Math.exp(<f64>(s - m));
      l += e;
      const w = e * dropFactor(seed, keepFrom, keepScale, <u32>((b * lq + i) * lk + j));
      scaleAdd(acc, corr, w, v + (<usize>(b * lk + j) * dv << 2), dv);
    }
    const o = out + (<usize>r * dv << 2);
    if (l > 0) {
      const inv: f32 = 1 / l;
      for (let c = 0; c < dv; c++) store<f32>(o + (<usize>c << 2), load<f32>(acc + (<usize>c << 2)) * inv);
      store<f32>(lse + (<usize>r << 2), m + <f32>Math.log(<f64>l));
    } else {
      // No key to attend to: 0 out, and +inf so that the backward's exp(s - lse) is 0.
      memory.fill(o, 0, <usize>dv << 2);
      store<f32>(lse + (<usize>r << 2), Infinity);
    }
  }
}

export function attentionGrad(d: usize, part: i32, parts: i32): void {
  const batch = load<i32>(d + AT_BATCH);
  const lq = load<i32>(d + AT_LQ);
  const lk = load<i32>(d + AT_LK);
  const dk = load<i32>(d + AT_D);
  const dv = load<i32>(d + AT_DV);
  const causal = load<i32>(d + AT_CAUSAL) != 0;
  const q = <usize>load<i32>(d + AT_Q);
  const k = <usize>load<i32>(d + AT_K);
  const v = <usize>load<i32>(d + AT_V);
  const out = <usize>load<i32>(d + AT_OUT);
  const lse = <usize>load<i32>(d + AT_LSE);
  const dout = <usize>load<i32>(d + AT_DOUT);
  const dq = <usize>load<i32>(d + AT_DQ);
  const dkOut = <usize>load<i32>(d + AT_DK);
  const dvOut = <usize>load<i32>(d + AT_DVOUT);
  const seed = load<u32>(d + AT_SEED);
  const keepFrom = load<u32>(d + AT_KEEP_FROM);
  const scale = <f32>load<f64>(d + AT_SCALE);
  const keepScale = <f32>load<f64>(d + AT_KEEP_SCALE);
  const b1 = split(batch, part + 1, parts);
  for (let b = split(batch, part, parts); b < b1; b++) {
    memory.fill(dq + (<usize>b * lq * dk << 2), 0, <usize>lq * dk << 2);
    memory.fill(dkOut + (<usize>b * lk * dk << 2), 0, <usize>lk * dk << 2);
    memory.fill(dvOut + (<usize>b * lk * dv << 2), 0, <usize>lk * dv << 2);
    for (let i = 0; i < lq; i++) {
      const r = b * lq + i;
      const l = load<f32>(lse + (<usize>r << 2));
      if (l == Infinity) continue;
      const qr = q + (<usize>r * dk << 2);
      const dor = dout + (<usize>r * dv << 2);
      const dqr = dq + (<usize>r * dk << 2);
      const D = dot(dor, out + (<usize>r * dv << 2), dv);
      const kend = causal ? min(lk, i + 1) : lk;
      for (let j = 0; j < kend; j++) {
        if (!allowed(d, causal, b, i, j)) continue;
        const kr = k + (<usize>(b * lk + j) * dk << 2);
        const vr = v + (<usize>(b * lk + j) * dv << 2);
        const p = <f32>Math.exp(<f64>(dot(qr, kr, dk) * scale - l));
        if (p == 0) continue;
        const z = dropFactor(seed, keepFrom, keepScale, <u32>((b * lq + i) * lk + j));
        const dp = dot(dor, vr, dv);
        scaleAdd(dvOut + (<usize>(b * lk + j) * dv << 2), 1, p * z, dor, dv);
        const ds = p * (dp * z - D) * scale;
        scaleAdd(dqr, 1, ds, kr, dk);
        scaleAdd(dkOut + (<usize>(b * lk + j) * dk << 2), 1, ds, qr, dk);
      }
    }
  }
}
