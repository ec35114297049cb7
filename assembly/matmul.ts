// Matrix products: out[b, i, j] = act(sum_k a[b, i, k] * b[b, k, j] + bias[j]).
//
// Large products follow the GotoBLAS / BLIS scheme: for each block of NC columns
// and KC depth, B is packed into panels of NR columns ([k][NR], contiguous), then
// each block of MC rows of A into panels of six rows ([k][6]); a 6×8 register-
// blocked f32x4 micro-kernel multiplies an A panel by a B panel with 12 vector
// accumulators (with 8, a 4×8 tile, the 5-cycle FMA latency of a Zen 2 core left a
// fifth of its two FMA pipes idle: 43 against 49 GFLOP/s in a micro-benchmark).
// The packing routines read through strides, so a·bᵀ and aᵀ·b pack with 4×4
// transposes in registers and then run the very same micro-kernel: transposes cost
// nothing extra and are never materialised. The convolution's indirect GEMM
// (conv-gemm.ts) packs tiles of four pixels and uses the 4×8 tile.
//
// Bias and activation are applied in the epilogue of the last depth block, on the
// tile just out of registers (the 4×8 tile: still in them). Small products skip packing.
//
// Parts split batches, rows or columns, never depth, so every output element is
// accumulated in the same order whatever the thread count.
//
// On several threads a product whose B is one block (k <= KC, n <= NC) runs in two
// jobs (MM_PHASE): the parts first pack B's panels between them, once, into a buffer
// they share, then take rows, each packing only its own rows of A. Otherwise each
// thread packed all of B for its rows, and a thread that fell behind (a busy host)
// held the whole product up: the second job has several parts a thread, claimed in
// turn.

import {
  ACT_GELU_TANH, ACT_RELU, ACT_SIGMOID, ACT_TANH,
  MM_A, MM_A_BATCH_STRIDES, MM_A_CS, MM_A_RS, MM_ACTIVATION, MM_B, MM_B_BATCH_STRIDES, MM_B_CS, MM_B_RS,
  MM_BATCH, MM_BATCH_RANK, MM_BATCH_SHAPE, MM_BIAS, MM_BIAS_STRIDE, MM_GEMM_MR, MM_K, MM_KC, MM_M, MM_MC, MM_N,
  MM_NC, MM_NR, MM_OUT, MM_PHASE, MM_PHASE_PACK_B, MM_PHASE_ROWS, MM_SCRATCH, MM_SCRATCH_PART, MM_SHARED_B, MM_SPLIT,
} from './abi';
import { vgeluTanh, vsigmoid, vtanh } from './math';
import { fma, gather4, loadPartial, storePartial } from './simd';
import { threadIndex } from './thread';

// --- epilogue ---------------------------------------------------------------------

@inline function activate(v: v128, act: i32): v128 {
  switch (act) {
    case ACT_RELU: return v128.and(v, v128.or(f32x4.gt(v, f32x4.splat(0)), f32x4.ne(v, v)));
    case ACT_SIGMOID: return vsigmoid(v);
    case ACT_TANH: return vtanh(v);
    case ACT_GELU_TANH: return vgeluTanh(v);
    default: return v;
  }
}

/** n (0..4) consecutive floats, zero-filled. */
@inline function loadN(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  if (n <= 0) return f32x4.splat(0);
  return loadPartial(p, 4, n);
}

@inline function storeN(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v);
  else if (n > 0) storePartial(p, 4, v, n);
}

/** Bias for 4 columns starting at `p` (stride `s` bytes); zero when there is no bias. */
@inline function biasVec(p: usize, s: isize, n: i32): v128 {
  if (p == 0 || n <= 0) return f32x4.splat(0);
  if (n >= 4) return s == 4 ? v128.load(p) : gather4(p, s);
  return loadPartial(p, s, n);
}

/** Finishes one row of up to 8 results: accumulate into C, add bias, activate, store. */
@inline export function finishRow(c: usize, v0: v128, v1: v128, n: i32, first: bool, last: bool, bias: usize, bs: isize, act: i32): void {
  if (!first) {
    v0 = f32x4.add(v0, loadN(c, n));
    v1 = f32x4.add(v1, loadN(c + 16, n - 4));
  }
  if (last) {
    v0 = activate(f32x4.add(v0, biasVec(bias, bs, n)), act);
    v1 = activate(f32x4.add(v1, biasVec(bias == 0 ? <usize>0 : bias + 4 * bs, bs, n - 4)), act);
  }
  storeN(c, v0, n);
  storeN(c + 16, v1, n - 4);
}

// --- micro-kernel ------------------------------------------------------------------

/**
 * C[6×8] (+)= A panel [kc][6] · B panel [kc][8]: the packed matmul's micro-kernel.
 * `ldc` in bytes. With `rows` < 6 or `cols` < 8 only that corner of C is touched
 * (the panels are zero-padded).
 */
function kernel6x8(
  pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, rows: i32, cols: i32,
  first: bool, last: bool, bias: usize, bs: isize, act: i32, tile: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = fma(a, b0, c00);
    c01 = fma(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = fma(a, b0, c10);
    c11 = fma(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = fma(a, b0, c20);
    c21 = fma(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = fma(a, b0, c30);
    c31 = fma(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = fma(a, b0, c40);
    c41 = fma(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = fma(a, b0, c50);
    c51 = fma(a, b1, c51);
    pa += 24;
    pb += 32;
  }
  // A full tile with nothing to add (the first of several K blocks, or a plain product
  // in one block: the backward pass's) is stored as it is.
  if (rows == 6 && cols == 8 && first && (!last || (bias == 0 && act == 0))) {
    v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
    v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
    v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
    v128.store(c, c30); v128.store(c, c31, 16); c += ldc;
    v128.store(c, c40); v128.store(c, c41, 16); c += ldc;
    v128.store(c, c50); v128.store(c, c51, 16);
    return;
  }
  // Anything else goes through `tile` (the thread's 192 bytes) to an epilogue of its
  // own: with the epilogue's code inlined here, as the 4×8 tile has it, products ran at
  // half the speed (21 against 43 GFLOP/s at n = 512 on one thread, best of 15).
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  v128.store(tile, c50, 160); v128.store(tile, c51, 176);
  finishTile6x8(tile, c, ldc, rows, cols, first, last, bias, bs, act);
}

/** kernel6x8's epilogue: accumulate, bias and activation for the tile's rows and columns. */
function finishTile6x8(
  tile: usize, c: usize, ldc: usize, rows: i32, cols: i32, first: bool, last: bool, bias: usize, bs: isize, act: i32,
): void {
  if (cols == 8) {
    // Full rows: the bias is the same for every row, so it is read once, and no lane masks.
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
    if (last && bias != 0) {
      b0 = biasVec(bias, bs, 4);
      b1 = biasVec(bias + 4 * bs, bs, 4);
    }
    for (let r = 0; r < rows; r++) {
      const t = tile + (<usize>r << 5);
      let v0 = v128.load(t), v1 = v128.load(t, 16);
      if (!first) {
        v0 = f32x4.add(v0, v128.load(c));
        v1 = f32x4.add(v1, v128.load(c, 16));
      }
      if (last) {
        v0 = activate(f32x4.add(v0, b0), act);
        v1 = activate(f32x4.add(v1, b1), act);
      }
      v128.store(c, v0);
      v128.store(c, v1, 16);
      c += ldc;
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const t = tile + (<usize>r << 5);
    finishRow(c + <usize>r * ldc, v128.load(t), v128.load(t, 16), cols, first, last, bias, bs, act);
  }
}

/**
 * C[4×8] (+)= A panel [kc][4] · B panel [kc][8], inlined into the convolution's
 * indirect GEMM (its tiles are four pixels), where constant arguments let branches fold.
 */
@inline export function tile4x8(
  pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, rows: i32, cols: i32,
  first: bool, last: bool, bias: usize, bs: isize, act: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = fma(a, b0, c00);
    c01 = fma(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = fma(a, b0, c10);
    c11 = fma(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = fma(a, b0, c20);
    c21 = fma(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = fma(a, b0, c30);
    c31 = fma(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (rows == 4 && cols == 8 && first && !last) {
    v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
    v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
    v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
    v128.store(c, c30); v128.store(c, c31, 16);
    return;
  }
  finishRow(c, c00, c01, cols, first, last, bias, bs, act);
  if (rows > 1) finishRow(c + ldc, c10, c11, cols, first, last, bias, bs, act);
  if (rows > 2) finishRow(c + 2 * ldc, c20, c21, cols, first, last, bias, bs, act);
  if (rows > 3) finishRow(c + 3 * ldc, c30, c31, cols, first, last, bias, bs, act);
}

// --- packing ------------------------------------------------------------------------

@inline export function transposeStore(dst: usize, r0: v128, r1: v128, r2: v128, r3: v128, step: usize): void {
  // Column q of the 4×4 block [r0; r1; r2; r3] is stored at dst + q * step.
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<i32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<i32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<i32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<i32>(t2, t3, 2, 3, 6, 7));
}

/** Packs B[k0.., j0..] (kc × nc, strides in bytes) into panels [nc/8][kc][8], zero-padded. */
function packB(dst: usize, src: usize, kc: i32, nc: i32, rs: isize, cs: isize): void {
  for (let j0 = 0; j0 < nc; j0 += MM_NR) {
    const w = min(MM_NR, nc - j0);
    let s = src + <isize>j0 * cs;
    let p = dst;
    if (w == MM_NR && cs == 4) {
      for (let k = 0; k < kc; k++) {
        v128.store(p, v128.load(s));
        v128.store(p, v128.load(s, 16), 16);
        s += rs;
        p += 32;
      }
    } else if (w == MM_NR && rs == 4) {
      // Columns are contiguous in k: transpose 4×4 blocks.
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const q = s + (<usize>k << 2);
        transposeStore(p, v128.load(q), v128.load(q + cs), v128.load(q + 2 * cs), v128.load(q + 3 * cs), 32);
        const q4 = q + 4 * cs;
        transposeStore(p + 16, v128.load(q4), v128.load(q4 + cs), v128.load(q4 + 2 * cs), v128.load(q4 + 3 * cs), 32);
        p += 128;
      }
      for (; k < kc; k++) {
        const q = s + (<usize>k << 2);
        for (let j = 0; j < MM_NR; j++) store<f32>(p + (<usize>j << 2), load<f32>(q + <isize>j * cs));
        p += 32;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let j = 0; j < MM_NR; j++) store<f32>(p + (<usize>j << 2), j < w ? load<f32>(s + <isize>j * cs) : 0);
        s += rs;
        p += 32;
      }
    }
    dst += <usize>kc * (MM_NR * 4);
  }
}

/** Stores rows 4 and 5 of four depths (r4, r5 hold k..k+3) at dst + 16 + q * 24, q = 0..3. */
@inline function storeRows45(dst: usize, r4: v128, r5: v128): void {
  const lo = v128.shuffle<i32>(r4, r5, 0, 4, 1, 5);
  const hi = v128.shuffle<i32>(r4, r5, 2, 6, 3, 7);
  v128.store64_lane(dst + 16, lo, 0);
  v128.store64_lane(dst + 40, lo, 1);
  v128.store64_lane(dst + 64, hi, 0);
  v128.store64_lane(dst + 88, hi, 1);
}

/** Packs A[i0.., k0..] (mc × kc, strides in bytes) into panels [mc/6][kc][6], zero-padded. */
function packA(dst: usize, src: usize, mc: i32, kc: i32, rs: isize, cs: isize): void {
  const MR = MM_GEMM_MR;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const h = min(MR, mc - i0);
    let s = src + <isize>i0 * rs;
    let p = dst;
    if (h == MR && rs == 4) {
      // Rows are contiguous (A read transposed): six floats a depth.
      for (let k = 0; k < kc; k++) {
        v128.store(p, v128.load(s));
        v128.store64_lane(p + 16, v128.load64_zero(s + 16), 0);
        s += cs;
        p += MR * 4;
      }
    } else if (h == MR && cs == 4) {
      // Depth is contiguous: rows 0-3 as a 4×4 transpose, rows 4-5 interleaved.
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const q = s + (<usize>k << 2);
        transposeStore(p, v128.load(q), v128.load(q + rs), v128.load(q + 2 * rs), v128.load(q + 3 * rs), MR * 4);
        storeRows45(p, v128.load(q + 4 * rs), v128.load(q + 5 * rs));
        p += 4 * MR * 4;
      }
      for (; k < kc; k++) {
        const q = s + (<usize>k << 2);
        for (let i = 0; i < MR; i++) store<f32>(p + (<usize>i << 2), load<f32>(q + <isize>i * rs));
        p += MR * 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let i = 0; i < MR; i++) store<f32>(p + (<usize>i << 2), i < h ? load<f32>(s + <isize>i * rs) : 0);
        s += cs;
        p += MR * 4;
      }
    }
    dst += <usize>kc * (MR * 4);
  }
}

// --- drivers -------------------------------------------------------------------------

/** The packed product over rows [m0, m1) and columns [n0, n1) of one batch. */
function gemmPacked(
  a: usize, ars: isize, acs: isize, b: usize, brs: isize, bcs: isize, c: usize, n: i32,
  m0: i32, m1: i32, n0: i32, n1: i32, k: i32, bias: usize, bs: isize, act: i32,
  aPack: usize, bPack: usize, tile: usize, bPacked: bool,
): void {
  const ldc = <usize>n << 2;
  for (let jc = n0; jc < n1; jc += MM_NC) {
    const nc = min(MM_NC, n1 - jc);
    for (let pc = 0; pc < k; pc += MM_KC) {
      const kc = min(MM_KC, k - pc);
      const first = pc == 0;
      const last = pc + kc >= k;
      if (!bPacked) packB(bPack, b + <isize>pc * brs + <isize>jc * bcs, kc, nc, brs, bcs);
      for (let ic = m0; ic < m1; ic += MM_MC) {
        const mc = min(MM_MC, m1 - ic);
        packA(aPack, a + <isize>ic * ars + <isize>pc * acs, mc, kc, ars, acs);
        for (let jr = 0; jr < nc; jr += MM_NR) {
          const cols = min(MM_NR, nc - jr);
          const pb = bPack + <usize>jr * kc * 4;
          const bj: usize = bias == 0 ? 0 : bias + <isize>(jc + jr) * bs;
          let cp = c + <usize>ic * ldc + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MM_GEMM_MR) {
            kernel6x8(aPack + <usize>ir * kc * 4, pb, kc, cp, ldc, min(MM_GEMM_MR, mc - ir), cols, first, last, bj, bs, act, tile);
            cp += ldc * MM_GEMM_MR;
          }
        }
      }
    }
  }
}

/**
 * Unpacked product for small problems: one row of A against 4 columns of B at a
 * time; B rows are vector loads when contiguous.
 */
function gemmSmall(
  a: usize, ars: isize, acs: isize, b: usize, brs: isize, bcs: isize, c: usize, n: i32,
  m0: i32, m1: i32, n0: i32, n1: i32, k: i32, bias: usize, bs: isize, act: i32,
): void {
  for (let i = m0; i < m1; i++) {
    const ai = a + <isize>i * ars;
    const ci = c + ((<usize>i * n) << 2);
    for (let j = n0; j < n1; j += 4) {
      const w = min(4, n1 - j);
      let acc = f32x4.splat(0);
      let pa = ai;
      let pb = b + <isize>j * bcs;
      if (w == 4 && bcs == 4) {
        for (let p = 0; p < k; p++) {
          acc = fma(v128.load32_splat(pa), v128.load(pb), acc);
          pa += acs;
          pb += brs;
        }
      } else {
        for (let p = 0; p < k; p++) {
          const bv = w == 4 ? gather4(pb, bcs) : loadPartial(pb, bcs, w);
          acc = fma(v128.load32_splat(pa), bv, acc);
          pa += acs;
          pb += brs;
        }
      }
      const bj: usize = bias == 0 ? 0 : bias + <isize>j * bs;
      storeN(ci + (<usize>j << 2), activate(f32x4.add(acc, biasVec(bj, bs, w)), act), w);
    }
  }
}

/** Whether a product is small enough that packing costs more than it saves. */
@inline function isSmall(m: i32, n: i32, k: i32): bool {
  return <i64>m * n * k <= 32768 || m < 4 || n < 8;
}

@inline function share(count: i32, part: i32, parts: i32, align: i32): i32 {
  if (part >= parts) return count;
  return <i32>(<i64>count * part / parts / align) * align;
}

/** Phase PACK_B: this part's share of B's panels, into the shared buffer. */
function packSharedB(d: usize, part: i32, parts: i32): void {
  const n = load<i32>(d + MM_N);
  const k = load<i32>(d + MM_K);
  const panels = (n + MM_NR - 1) / MM_NR;
  const j0 = share(panels, part, parts, 1) * MM_NR;
  const j1 = min(n, share(panels, part + 1, parts, 1) * MM_NR);
  if (j0 >= j1) return;
  const brs = <isize>load<i32>(d + MM_B_RS) << 2;
  const bcs = <isize>load<i32>(d + MM_B_CS) << 2;
  const b = <usize>load<i32>(d + MM_B) + <isize>j0 * bcs;
  packB(<usize>load<i32>(d + MM_SHARED_B) + <usize>j0 * k * 4, b, k, j1 - j0, brs, bcs);
}

export function matmul(d: usize, part: i32, parts: i32): void {
  const phase = load<i32>(d + MM_PHASE);
  if (phase == MM_PHASE_PACK_B) {
    packSharedB(d, part, parts);
    return;
  }
  const batches = load<i32>(d + MM_BATCH);
  const rank = load<i32>(d + MM_BATCH_RANK);
  const m = load<i32>(d + MM_M);
  const n = load<i32>(d + MM_N);
  const k = load<i32>(d + MM_K);
  const ars = <isize>load<i32>(d + MM_A_RS) << 2;
  const acs = <isize>load<i32>(d + MM_A_CS) << 2;
  const brs = <isize>load<i32>(d + MM_B_RS) << 2;
  const bcs = <isize>load<i32>(d + MM_B_CS) << 2;
  const bias = <usize>load<i32>(d + MM_BIAS);
  const bs = <isize>load<i32>(d + MM_BIAS_STRIDE) << 2;
  const act = load<i32>(d + MM_ACTIVATION);
  const split = load<i32>(d + MM_SPLIT);
  const partBytes = <usize>load<i32>(d + MM_SCRATCH_PART);
  const aPack = <usize>load<i32>(d + MM_SCRATCH) + <usize>threadIndex() * partBytes;
  const bPacked = phase == MM_PHASE_ROWS;
  const bPack = bPacked ? <usize>load<i32>(d + MM_SHARED_B) : aPack + MM_MC * MM_KC * 4;
  const tile = aPack + (MM_MC * MM_KC + MM_KC * MM_NC) * 4; // the thread's last 64 floats
  let b0 = 0, b1 = batches, m0 = 0, m1 = m, n0 = 0, n1 = n;
  if (split == 0) { b0 = share(batches, part, parts, 1); b1 = share(batches, part + 1, parts, 1); }
  else if (split == 1) { m0 = share(m, part, parts, MM_GEMM_MR); m1 = share(m, part + 1, parts, MM_GEMM_MR); }
  else { n0 = share(n, part, parts, MM_NR); n1 = share(n, part + 1, parts, MM_NR); }
  if (m0 >= m1 || n0 >= n1) return;
  const small = isSmall(m, n, k);
  for (let bi = b0; bi < b1; bi++) {
    // Batch offsets of a and b from the batch index.
    let ao = <usize>load<i32>(d + MM_A);
    let bo = <usize>load<i32>(d + MM_B);
    let rest = bi;
    for (let r = rank - 1; r >= 0; r--) {
      const at = <usize>r << 2;
      const dim = load<i32>(d + MM_BATCH_SHAPE + at);
      const q = rest % dim;
      rest /= dim;
      ao += <isize>q * load<i32>(d + MM_A_BATCH_STRIDES + at) << 2;
      bo += <isize>q * load<i32>(d + MM_B_BATCH_STRIDES + at) << 2;
    }
    const co = <usize>load<i32>(d + MM_OUT) + ((<usize>bi * m * n) << 2);
    if (k == 0) {
      // An empty sum: act(bias).
      for (let i = m0; i < m1; i++) {
        for (let j = n0; j < n1; j += 4) {
          const w = min(4, n1 - j);
          const bj: usize = bias == 0 ? 0 : bias + <isize>j * bs;
          storeN(co + ((<usize>i * n + j) << 2), activate(biasVec(bj, bs, w), act), w);
        }
      }
    } else if (small) {
      gemmSmall(ao, ars, acs, bo, brs, bcs, co, n, m0, m1, n0, n1, k, bias, bs, act);
    } else {
      gemmPacked(ao, ars, acs, bo, brs, bcs, co, n, m0, m1, n0, n1, k, bias, bs, act, aPack, bPack, tile, bPacked);
    }
  }
}

