// Fused scaled dot-product attention (layout in abi.ts), four query rows at a time:
// a block's scores against every key it may see are one f32x4 per key (lane r is row
// r), so the softmax runs on four rows at once with vector exp, and the products with
// V (forward), or the updates of dq, dk and dv (backward), load each key's row once
// for four queries. The [4, Lk] block lives in per-thread scratch, beside the batch
// entry's K (and, in the backward, V) transposed, against which scores4 computes eight
// keys' scores a pass: no [Lq, Lk] matrix exists. The forward splits blocks across parts. The backward recomputes each
// probability from the row's saved logsumexp; parts split batch entries (dk and dv
// rows sum over queries).
//
// Multiply-adds are `fma` (relaxed SIMD's fused one where the module has it, as the
// matmul's): attention and its gradient 10-15% faster in the GPT step.
//
// Dropout keeps (b, i, j) when the counter hash of (seed, (b*Lq + i)*Lk + j) has
// top 24 bits >= keep_from = ceil(p * 2^24): src/backends/counter-hash.ts's rule.

import {
  AT_BATCH, AT_CAUSAL, AT_D, AT_DK, AT_DOUT, AT_DQ, AT_DV, AT_DVOUT, AT_K, AT_KEEP_FROM, AT_KEEP_SCALE, AT_LK,
  AT_LQ, AT_LSE, AT_M_SB, AT_M_SK, AT_M_SQ, AT_MASK, AT_OUT, AT_Q, AT_SCALE, AT_SCRATCH, AT_SEED, AT_V,
} from './abi';
import { vexp } from './math';
import { transposeStore } from './matmul';
import { fma } from './simd';
import { threadIndex } from './thread';

/** Query rows per block: one f32x4 lane each. */
const ROWS = 4;

/** Keys rounded up to whole groups of eight (at least one group): the length of every per-key area. */
@inline function keyStride(lk: i32): i32 {
  return max((lk + 7) & ~7, 8);
}

/**
 * Bytes of scratch each thread needs (abi: AT_SCRATCH; the backend's attentionScratch):
 * two f32x4 per key (scores / probabilities and score gradients), then K transposed
 * [dk][keyStride] and V transposed [dv][keyStride]; keyStride keys each, since scores4
 * writes whole groups.
 */
@inline function scratchBytes(lk: i32, dk: i32, dv: i32): usize {
  return <usize>keyStride(lk) * (32 + <usize>(dk + dv) * 4);
}

/** dst[c][j] = src[j][c] for j < lk, c < n; keys lk..stride-1 zero. 4×4 blocks in registers where whole. */
function transposeKeys(dst: usize, src: usize, lk: i32, n: i32, stride: i32): void {
  const rs = <usize>n << 2;
  const ds = <usize>stride << 2;
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    let j = 0;
    for (; j + 4 <= lk; j += 4) {
      const q = src + <usize>j * rs + (<usize>c << 2);
      transposeStore(dst + <usize>c * ds + (<usize>j << 2), v128.load(q), v128.load(q + rs), v128.load(q + 2 * rs), v128.load(q + 3 * rs), ds);
    }
    for (; j < stride; j++) {
      for (let r = 0; r < 4; r++) {
        store<f32>(dst + <usize>(c + r) * ds + (<usize>j << 2), j < lk ? load<f32>(src + <usize>j * rs + (<usize>(c + r) << 2)) : 0);
      }
    }
  }
  for (; c < n; c++) {
    const row = dst + <usize>c * ds;
    for (let j = 0; j < stride; j++) store<f32>(row + (<usize>j << 2), j < lk ? load<f32>(src + <usize>j * rs + (<usize>c << 2)) : 0);
  }
}

/**
 * dst[j] (one f32x4 per key, lane r = row r) = a_r · x_j for keys j < count, from xt =
 * the keys' rows transposed ([n][stride], zero past the last key). Eight keys a pass:
 * two loads of xt and four broadcasts feed eight multiply-adds, with no reduction
 * across lanes (a dot product per key and row needed one); each sum runs over c in order.
 * Writes whole groups of four: dst has room for keyStride keys.
 */
function scores4(dst: usize, a0: usize, a1: usize, a2: usize, a3: usize, xt: usize, stride: i32, count: i32, n: i32): void {
  for (let j0 = 0; j0 < count; j0 += 8) {
    let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
    let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
    let p = xt + (<usize>j0 << 2);
    for (let c = 0; c < n; c++) {
      const o = <usize>c << 2;
      const x0 = v128.load(p);
      const x1 = v128.load(p, 16);
      let a = v128.load32_splat(a0 + o);
      s00 = fma(a, x0, s00);
      s01 = fma(a, x1, s01);
      a = v128.load32_splat(a1 + o);
      s10 = fma(a, x0, s10);
      s11 = fma(a, x1, s11);
      a = v128.load32_splat(a2 + o);
      s20 = fma(a, x0, s20);
      s21 = fma(a, x1, s21);
      a = v128.load32_splat(a3 + o);
      s30 = fma(a, x0, s30);
      s31 = fma(a, x1, s31);
      p += <usize>stride << 2;
    }
    const d = dst + (<usize>j0 << 4);
    // Rows' vectors of four keys become one vector per key (lane r = row r).
    transposeStore(d, s00, s10, s20, s30, 16);
    if (j0 + 4 < count) transposeStore(d + 64, s01, s11, s21, s31, 16);
  }
}

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

/** Dropout factors of rows i0..i0+3 at key j, one lane each. */
function dropLanes(seed: u32, keepFrom: u32, keepScale: f32, b: i32, lq: i32, lk: i32, i0: i32, j: i32): v128 {
  const base = <u32>((b * lq + i0) * lk + j);
  let z = f32x4.splat(dropFactor(seed, keepFrom, keepScale, base));
  z = f32x4.replace_lane(z, 1, dropFactor(seed, keepFrom, keepScale, base + <u32>lk));
  z = f32x4.replace_lane(z, 2, dropFactor(seed, keepFrom, keepScale, base + <u32>(2 * lk)));
  return f32x4.replace_lane(z, 3, dropFactor(seed, keepFrom, keepScale, base + <u32>(3 * lk)));
}

/**
 * Rows y_r = lane r of `scale` * sum over j < count of (lane r of w[j]) * x_j, for the
 * first `nr` rows (w: one f32x4 per key, x_j at x + j * xs bytes, rows of n floats).
 */
function combine4(y: usize, ys: usize, nr: i32, scale: v128, w: usize, x: usize, xs: usize, count: i32, n: i32): void {
  const sc0 = f32x4.splat(f32x4.extract_lane(scale, 0));
  const sc1 = f32x4.splat(f32x4.extract_lane(scale, 1));
  const sc2 = f32x4.splat(f32x4.extract_lane(scale, 2));
  const sc3 = f32x4.splat(f32x4.extract_lane(scale, 3));
  let c = 0;
  // Eight columns a pass: two loads of x and four broadcasts feed eight multiply-adds
  // (four columns: five loads for four, and the loads were the bottleneck).
  for (; c + 8 <= n; c += 8) {
    const o = <usize>c << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0), e3 = f32x4.splat(0);
    for (let j = 0; j < count; j++) {
      const wj = w + (<usize>j << 4);
      const xj = x + <usize>j * xs + o;
      const xv = v128.load(xj);
      const xe = v128.load(xj, 16);
      let wr = v128.load32_splat(wj);
      a0 = fma(wr, xv, a0);
      e0 = fma(wr, xe, e0);
      wr = v128.load32_splat(wj, 4);
      a1 = fma(wr, xv, a1);
      e1 = fma(wr, xe, e1);
      wr = v128.load32_splat(wj, 8);
      a2 = fma(wr, xv, a2);
      e2 = fma(wr, xe, e2);
      wr = v128.load32_splat(wj, 12);
      a3 = fma(wr, xv, a3);
      e3 = fma(wr, xe, e3);
    }
    v128.store(y + o, f32x4.mul(a0, sc0));
    v128.store(y + o, f32x4.mul(e0, sc0), 16);
    if (nr > 1) { v128.store(y + ys + o, f32x4.mul(a1, sc1)); v128.store(y + ys + o, f32x4.mul(e1, sc1), 16); }
    if (nr > 2) { v128.store(y + 2 * ys + o, f32x4.mul(a2, sc2)); v128.store(y + 2 * ys + o, f32x4.mul(e2, sc2), 16); }
    if (nr > 3) { v128.store(y + 3 * ys + o, f32x4.mul(a3, sc3)); v128.store(y + 3 * ys + o, f32x4.mul(e3, sc3), 16); }
  }
  for (; c + 4 <= n; c += 4) {
    const o = <usize>c << 2;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    for (let j = 0; j < count; j++) {
      const wj = w + (<usize>j << 4);
      const xv = v128.load(x + <usize>j * xs + o);
      a0 = fma(v128.load32_splat(wj), xv, a0);
      a1 = fma(v128.load32_splat(wj, 4), xv, a1);
      a2 = fma(v128.load32_splat(wj, 8), xv, a2);
      a3 = fma(v128.load32_splat(wj, 12), xv, a3);
    }
    v128.store(y + o, f32x4.mul(a0, sc0));
    if (nr > 1) v128.store(y + ys + o, f32x4.mul(a1, sc1));
    if (nr > 2) v128.store(y + 2 * ys + o, f32x4.mul(a2, sc2));
    if (nr > 3) v128.store(y + 3 * ys + o, f32x4.mul(a3, sc3));
  }
  for (; c < n; c++) {
    const o = <usize>c << 2;
    let a = f32x4.splat(0);
    for (let j = 0; j < count; j++) a = f32x4.add(a, f32x4.mul(v128.load(w + (<usize>j << 4)), f32x4.splat(load<f32>(x + <usize>j * xs + o))));
    a = f32x4.mul(a, scale);
    store<f32>(y + o, f32x4.extract_lane(a, 0));
    if (nr > 1) store<f32>(y + ys + o, f32x4.extract_lane(a, 1));
    if (nr > 2) store<f32>(y + 2 * ys + o, f32x4.extract_lane(a, 2));
    if (nr > 3) store<f32>(y + 3 * ys + o, f32x4.extract_lane(a, 3));
  }
}

/**
 * z_j += sum over rows r of (lane r of w[j]) * x_r for j < count (z_j at z + j * zs bytes),
 * columns outside and keys inside: eight columns of the four x rows stay in registers
 * while every z_j passes by (two loads, two stores, eight multiply-adds a key). Each
 * element still adds r = 0..3 in order, as a key-outer loop would.
 */
function spread4(z: usize, zs: usize, w: usize, x0: usize, x1: usize, x2: usize, x3: usize, count: i32, n: i32): void {
  let c = 0;
  for (; c + 8 <= n; c += 8) {
    const o = <usize>c << 2;
    const x00 = v128.load(x0 + o), x01 = v128.load(x0 + o, 16);
    const x10 = v128.load(x1 + o), x11 = v128.load(x1 + o, 16);
    const x20 = v128.load(x2 + o), x21 = v128.load(x2 + o, 16);
    const x30 = v128.load(x3 + o), x31 = v128.load(x3 + o, 16);
    for (let j = 0; j < count; j++) {
      const wj = w + (<usize>j << 4);
      const zj = z + <usize>j * zs + o;
      let a = v128.load(zj);
      let b = v128.load(zj, 16);
      let wr = v128.load32_splat(wj);
      a = fma(wr, x00, a);
      b = fma(wr, x01, b);
      wr = v128.load32_splat(wj, 4);
      a = fma(wr, x10, a);
      b = fma(wr, x11, b);
      wr = v128.load32_splat(wj, 8);
      a = fma(wr, x20, a);
      b = fma(wr, x21, b);
      wr = v128.load32_splat(wj, 12);
      a = fma(wr, x30, a);
      b = fma(wr, x31, b);
      v128.store(zj, a);
      v128.store(zj, b, 16);
    }
  }
  for (; c + 4 <= n; c += 4) {
    const o = <usize>c << 2;
    const v0 = v128.load(x0 + o), v1 = v128.load(x1 + o), v2 = v128.load(x2 + o), v3 = v128.load(x3 + o);
    for (let j = 0; j < count; j++) {
      const wj = w + (<usize>j << 4);
      const zj = z + <usize>j * zs + o;
      let a = v128.load(zj);
      a = fma(v128.load32_splat(wj), v0, a);
      a = fma(v128.load32_splat(wj, 4), v1, a);
      a = fma(v128.load32_splat(wj, 8), v2, a);
      a = fma(v128.load32_splat(wj, 12), v3, a);
      v128.store(zj, a);
    }
  }
  for (; c < n; c++) {
    const o = <usize>c << 2;
    for (let j = 0; j < count; j++) {
      const wj = w + (<usize>j << 4);
      const zj = z + <usize>j * zs + o;
      store<f32>(zj, load<f32>(zj) + load<f32>(wj) * load<f32>(x0 + o) + load<f32>(wj, 4) * load<f32>(x1 + o)
        + load<f32>(wj, 8) * load<f32>(x2 + o) + load<f32>(wj, 12) * load<f32>(x3 + o));
    }
  }
}

/** Lanes (rows i0..i0+3) that may not attend to key j: after it when causal, or masked out. */
/** Rows past the last (nr) read row i0's mask entries. */
@inline function hidden(d: usize, causal: bool, mask: usize, b: i32, rows: v128, i0: i32, nr: i32, j: i32): v128 {
  let out = causal ? i32x4.gt_s(i32x4.splat(j), rows) : i32x4.splat(0);
  if (mask != 0) {
    const sq = load<i32>(d + AT_M_SQ);
    const e = b * load<i32>(d + AT_M_SB) + i0 * sq + j * load<i32>(d + AT_M_SK);
    let m = i32x4.splat(load<i32>(mask + (<usize>e << 2)));
    m = i32x4.replace_lane(m, 1, load<i32>(mask + (<usize>(nr > 1 ? e + sq : e) << 2)));
    m = i32x4.replace_lane(m, 2, load<i32>(mask + (<usize>(nr > 2 ? e + 2 * sq : e) << 2)));
    m = i32x4.replace_lane(m, 3, load<i32>(mask + (<usize>(nr > 3 ? e + 3 * sq : e) << 2)));
    out = v128.or(out, i32x4.eq(m, i32x4.splat(0)));
  }
  return out;
}

/** Addresses of rows i0..i0+3 (rows past the last, nr, repeat row i0: read, never written). */
@inline function row(base: usize, i0: i32, r: i32, nr: i32, width: i32): usize {
  return base + (<usize>(r < nr ? i0 + r : i0) * width << 2);
}

export function attention(d: usize, part: i32, parts: i32): void {
  const batch = load<i32>(d + AT_BATCH);
  const lq = load<i32>(d + AT_LQ);
  const lk = load<i32>(d + AT_LK);
  const dk = load<i32>(d + AT_D);
  const dv = load<i32>(d + AT_DV);
  const causal = load<i32>(d + AT_CAUSAL) != 0;
  const mask = <usize>load<i32>(d + AT_MASK);
  const seed = load<u32>(d + AT_SEED);
  const keepFrom = load<u32>(d + AT_KEEP_FROM);
  const scale = <f32>load<f64>(d + AT_SCALE);
  const keepScale = <f32>load<f64>(d + AT_KEEP_SCALE);
  const s = <usize>load<i32>(d + AT_SCRATCH) + <usize>threadIndex() * scratchBytes(lk, dk, dv);
  const stride = keyStride(lk);
  const kt = s + (<usize>stride << 5);
  let transposed = -1; // the batch entry whose keys kt holds
  const blocksPerBatch = (lq + ROWS - 1) / ROWS;
  const blocks = batch * blocksPerBatch;
  const NEG_INF = f32x4.splat(-Infinity);
  const b1 = split(blocks, part + 1, parts);
  for (let blk = split(blocks, part, parts); blk < b1; blk++) {
    const b = blk / blocksPerBatch;
    const i0 = (blk % blocksPerBatch) * ROWS;
    const nr = min(ROWS, lq - i0);
    const q = <usize>load<i32>(d + AT_Q) + (<usize>b * lq * dk << 2);
    const k = <usize>load<i32>(d + AT_K) + (<usize>b * lk * dk << 2);
    const v = <usize>load<i32>(d + AT_V) + (<usize>b * lk * dv << 2);
    const rows = i32x4.add(i32x4.splat(i0), i32x4(0, 1, 2, 3));
    const kend = causal ? min(lk, i0 + nr) : lk;
    if (b != transposed) {
      transposeKeys(kt, k, lk, dk, stride);
      transposed = b;
    }
    // scores, scaled, -inf where hidden; their max per row
    scores4(s, row(q, i0, 0, nr, dk), row(q, i0, 1, nr, dk), row(q, i0, 2, nr, dk), row(q, i0, 3, nr, dk), kt, stride, kend, dk);
    const vs = f32x4.splat(scale);
    let m = NEG_INF;
    for (let j = 0; j < kend; j++) {
      const at = s + (<usize>j << 4);
      let sj = f32x4.mul(v128.load(at), vs);
      sj = v128.bitselect(NEG_INF, sj, hidden(d, causal, mask, b, rows, i0, nr, j));
      v128.store(at, sj);
      m = f32x4.max(m, sj);
    }
    // A row that sees no key: max 0, so its weights are exp(-inf) = 0 and its sum 0.
    m = v128.bitselect(f32x4.splat(0), m, f32x4.eq(m, NEG_INF));
    let l = f32x4.splat(0);
    for (let j = 0; j < kend; j++) {
      const at = s + (<usize>j << 4);
      const e = vexp(f32x4.sub(v128.load(at), m));
      l = f32x4.add(l, e);
      v128.store(at, keepFrom == 0 ? e : f32x4.mul(e, dropLanes(seed, keepFrom, keepScale, b, lq, lk, i0, j)));
    }
    const inv = v128.bitselect(f32x4.splat(0), f32x4.div(f32x4.splat(1), l), f32x4.eq(l, f32x4.splat(0)));
    combine4(<usize>load<i32>(d + AT_OUT) + (<usize>(b * lq + i0) * dv << 2), <usize>dv << 2, nr, inv, s, v, <usize>dv << 2, kend, dv);
    // logsumexp per row; +inf for a row with no key, so that the backward's exp(s - lse) is 0
    const lse = <usize>load<i32>(d + AT_LSE) + (<usize>(b * lq + i0) << 2);
    for (let r = 0; r < nr; r++) {
      let lr: f32 = 0;
      let mr: f32 = 0;
      if (r == 0) { lr = f32x4.extract_lane(l, 0); mr = f32x4.extract_lane(m, 0); }
      else if (r == 1) { lr = f32x4.extract_lane(l, 1); mr = f32x4.extract_lane(m, 1); }
      else if (r == 2) { lr = f32x4.extract_lane(l, 2); mr = f32x4.extract_lane(m, 2); }
      else { lr = f32x4.extract_lane(l, 3); mr = f32x4.extract_lane(m, 3); }
      store<f32>(lse + (<usize>r << 2), lr > 0 ? mr + <f32>Math.log(<f64>lr) : Infinity);
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
  const mask = <usize>load<i32>(d + AT_MASK);
  const seed = load<u32>(d + AT_SEED);
  const keepFrom = load<u32>(d + AT_KEEP_FROM);
  const scale = <f32>load<f64>(d + AT_SCALE);
  const keepScale = <f32>load<f64>(d + AT_KEEP_SCALE);
  const pz = <usize>load<i32>(d + AT_SCRATCH) + <usize>threadIndex() * scratchBytes(lk, dk, dv);
  const stride = keyStride(lk);
  const ds = pz + (<usize>stride << 4);
  const kt = pz + (<usize>stride << 5);
  const vt = kt + (<usize>dk * stride << 2);
  const vs = f32x4.splat(scale);
  const b1 = split(batch, part + 1, parts);
  for (let b = split(batch, part, parts); b < b1; b++) {
    const q = <usize>load<i32>(d + AT_Q) + (<usize>b * lq * dk << 2);
    const k = <usize>load<i32>(d + AT_K) + (<usize>b * lk * dk << 2);
    const v = <usize>load<i32>(d + AT_V) + (<usize>b * lk * dv << 2);
    const out = <usize>load<i32>(d + AT_OUT) + (<usize>b * lq * dv << 2);
    const dout = <usize>load<i32>(d + AT_DOUT) + (<usize>b * lq * dv << 2);
    const lse = <usize>load<i32>(d + AT_LSE) + (<usize>b * lq << 2);
    const dq = <usize>load<i32>(d + AT_DQ) + (<usize>b * lq * dk << 2);
    const dkOut = <usize>load<i32>(d + AT_DK) + (<usize>b * lk * dk << 2);
    const dvOut = <usize>load<i32>(d + AT_DVOUT) + (<usize>b * lk * dv << 2);
    memory.fill(dkOut, 0, <usize>lk * dk << 2);
    memory.fill(dvOut, 0, <usize>lk * dv << 2);
    transposeKeys(kt, k, lk, dk, stride);
    transposeKeys(vt, v, lk, dv, stride);
    for (let i0 = 0; i0 < lq; i0 += ROWS) {
      const nr = min(ROWS, lq - i0);
      const rows = i32x4.add(i32x4.splat(i0), i32x4(0, 1, 2, 3));
      const kend = causal ? min(lk, i0 + nr) : lk;
      const q0 = row(q, i0, 0, nr, dk);
      const q1 = row(q, i0, 1, nr, dk);
      const q2 = row(q, i0, 2, nr, dk);
      const q3 = row(q, i0, 3, nr, dk);
      const o0 = row(dout, i0, 0, nr, dv);
      const o1 = row(dout, i0, 1, nr, dv);
      const o2 = row(dout, i0, 2, nr, dv);
      const o3 = row(dout, i0, 3, nr, dv);
      // Rows past the last get lse +inf: probability 0, no contribution.
      let L = f32x4.splat(Infinity);
      L = f32x4.replace_lane(L, 0, load<f32>(lse + (<usize>i0 << 2)));
      if (nr > 1) L = f32x4.replace_lane(L, 1, load<f32>(lse + (<usize>(i0 + 1) << 2)));
      if (nr > 2) L = f32x4.replace_lane(L, 2, load<f32>(lse + (<usize>(i0 + 2) << 2)));
      if (nr > 3) L = f32x4.replace_lane(L, 3, load<f32>(lse + (<usize>(i0 + 3) << 2)));
      const dead = f32x4.eq(L, f32x4.splat(Infinity));
      // D_r = dout_r · out_r
      let D = f32x4.splat(0);
      for (let r = 0; r < nr; r++) {
        const orow = out + (<usize>(i0 + r) * dv << 2);
        const drow = dout + (<usize>(i0 + r) * dv << 2);
        let acc: f32 = 0;
        for (let c = 0; c < dv; c++) acc += load<f32>(drow + (<usize>c << 2)) * load<f32>(orow + (<usize>c << 2));
        D = r == 0 ? f32x4.replace_lane(D, 0, acc) : r == 1 ? f32x4.replace_lane(D, 1, acc) : r == 2 ? f32x4.replace_lane(D, 2, acc) : f32x4.replace_lane(D, 3, acc);
      }
      // Raw scores into ds and dout · v into pz, then each key's p and ds in place.
      scores4(ds, q0, q1, q2, q3, kt, stride, kend, dk);
      scores4(pz, o0, o1, o2, o3, vt, stride, kend, dv);
      for (let j = 0; j < kend; j++) {
        const sj = f32x4.mul(v128.load(ds + (<usize>j << 4)), vs);
        const off = v128.or(dead, hidden(d, causal, mask, b, rows, i0, nr, j));
        const p = v128.andnot(vexp(f32x4.sub(sj, L)), off);
        const dp = v128.load(pz + (<usize>j << 4));
        const z = keepFrom == 0 ? f32x4.splat(1) : dropLanes(seed, keepFrom, keepScale, b, lq, lk, i0, j);
        const at = <usize>j << 4;
        v128.store(pz + at, f32x4.mul(p, z));
        v128.store(ds + at, f32x4.mul(f32x4.mul(p, f32x4.sub(f32x4.mul(dp, z), D)), vs));
      }
      spread4(dvOut, <usize>dv << 2, pz, o0, o1, o2, o3, kend, dv);
      spread4(dkOut, <usize>dk << 2, ds, q0, q1, q2, q3, kend, dk);
      combine4(dq + (<usize>i0 * dk << 2), <usize>dk << 2, nr, f32x4.splat(1), ds, k, <usize>dk << 2, kend, dk);
    }
  }
}
