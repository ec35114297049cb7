// Reductions over any set of axes. Accumulation is in f64 (as the cpu reference
// does), two elements at a time in f64x2 lanes, so sums of f32 do not drift and
// int32 sums wrap exactly like an Int32Array store.
//
// Two loop orders, picked by JS:
// - rows (mode 0): each output walks its own reduced elements; the innermost run
//   is vectorised when it is contiguous (softmax sums, means over the last axis).
// - columns (mode 1): the last kept dimension is contiguous, so a block of
//   outputs is accumulated side by side while walking the reduced elements
//   (bias gradients: [batch, n] summed over batch).
// Parts split outputs (rows) or columns, never a reduction, so the result does
// not depend on the thread count.

import {
  DT_F32, DT_I32, R_ARGMAX, R_ARGMIN, R_MAX, R_MEAN, R_MIN, R_PROD, R_SUM,
  RD_DTYPE, RD_INNER_COUNT, RD_INNER_RANK, RD_INNER_SHAPE, RD_INNER_STRIDES, RD_MODE, RD_OP, RD_OUT,
  RD_OUT_COUNT, RD_OUT_DTYPE, RD_OUTER_RANK, RD_OUTER_SHAPE, RD_OUTER_STRIDES, RD_SCRATCH, RD_X,
  SCRATCH_PART_BYTES,
} from './abi';
import { partStart } from './elementwise';
import { toInt32 } from './simd';
import { threadIndex } from './thread';

// --- accumulators: (f64 scalar, f64x2 pairs of elements) ----------------------------

@inline function pairF(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}
@inline function pairI(p: usize): v128 {
  return f64x2.convert_low_i32x4_s(v128.load64_zero(p));
}

@final class SumF {
  @inline get lanes32(): bool { return false; }
  @inline get init32(): v128 { return i32x4.splat(0); }
  @inline quad(acc: v128, v: v128): v128 { return acc; }
  @inline horizontal(v: v128): f64 { return 0; }
  @inline get vector(): bool { return true; }
  @inline get init(): f64 { return 0; }
  @inline pair(acc: v128, p: usize): v128 { return f64x2.add(acc, pairF(p)); }
  @inline one(acc: f64, p: usize): f64 { return acc + <f64>load<f32>(p); }
  @inline merge(a: f64, b: f64): f64 { return a + b; }
}
@final class ProdF {
  @inline get lanes32(): bool { return false; }
  @inline get init32(): v128 { return i32x4.splat(0); }
  @inline quad(acc: v128, v: v128): v128 { return acc; }
  @inline horizontal(v: v128): f64 { return 0; }
  @inline get vector(): bool { return true; }
  @inline get init(): f64 { return 1; }
  @inline pair(acc: v128, p: usize): v128 { return f64x2.mul(acc, pairF(p)); }
  @inline one(acc: f64, p: usize): f64 { return acc * <f64>load<f32>(p); }
  @inline merge(a: f64, b: f64): f64 { return a * b; }
}
@final class MaxF {
  @inline get lanes32(): bool { return true; }
  @inline get init32(): v128 { return f32x4.splat(-Infinity); }
  @inline quad(acc: v128, v: v128): v128 { return f32x4.max(acc, v); }
  @inline horizontal(v: v128): f64 {
    const h = f32x4.max(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    return <f64>f32x4.extract_lane(f32x4.max(h, v128.shuffle<f32>(h, h, 1, 0, 3, 2)), 0);
  }
  @inline get vector(): bool { return true; }
  @inline get init(): f64 { return -Infinity; }
  @inline pair(acc: v128, p: usize): v128 { return f64x2.max(acc, pairF(p)); }
  @inline one(acc: f64, p: usize): f64 { return Math.max(acc, <f64>load<f32>(p)); }
  @inline merge(a: f64, b: f64): f64 { return Math.max(a, b); }
}
@final class MinF {
  @inline get lanes32(): bool { return true; }
  @inline get init32(): v128 { return f32x4.splat(Infinity); }
  @inline quad(acc: v128, v: v128): v128 { return f32x4.min(acc, v); }
  @inline horizontal(v: v128): f64 {
    const h = f32x4.min(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    return <f64>f32x4.extract_lane(f32x4.min(h, v128.shuffle<f32>(h, h, 1, 0, 3, 2)), 0);
  }
  @inline get vector(): bool { return true; }
  @inline get init(): f64 { return Infinity; }
  @inline pair(acc: v128, p: usize): v128 { return f64x2.min(acc, pairF(p)); }
  @inline one(acc: f64, p: usize): f64 { return Math.min(acc, <f64>load<f32>(p)); }
  @inline merge(a: f64, b: f64): f64 { return Math.min(a, b); }
}
@final class SumI {
  @inline get lanes32(): bool { return false; }
  @inline get init32(): v128 { return i32x4.splat(0); }
  @inline quad(acc: v128, v: v128): v128 { return acc; }
  @inline horizontal(v: v128): f64 { return 0; }
  @inline get vector(): bool { return true; }
  @inline get init(): f64 { return 0; }
  @inline pair(acc: v128, p: usize): v128 { return f64x2.add(acc, pairI(p)); }
  @inline one(acc: f64, p: usize): f64 { return acc + <f64>load<i32>(p); }
  @inline merge(a: f64, b: f64): f64 { return a + b; }
}
/** Products of integers leave f64's exact range, so they keep the reference's order. */
@final class ProdI {
  @inline get lanes32(): bool { return false; }
  @inline get init32(): v128 { return i32x4.splat(0); }
  @inline quad(acc: v128, v: v128): v128 { return acc; }
  @inline horizontal(v: v128): f64 { return 0; }
  @inline get vector(): bool { return false; }
  @inline get init(): f64 { return 1; }
  @inline pair(acc: v128, p: usize): v128 { return f64x2.mul(acc, pairI(p)); }
  @inline one(acc: f64, p: usize): f64 { return acc * <f64>load<i32>(p); }
  @inline merge(a: f64, b: f64): f64 { return a * b; }
}
@final class MaxI {
  @inline get lanes32(): bool { return true; }
  @inline get init32(): v128 { return i32x4.splat(i32.MIN_VALUE); }
  @inline quad(acc: v128, v: v128): v128 { return i32x4.max_s(acc, v); }
  @inline horizontal(v: v128): f64 {
    const h = i32x4.max_s(v, v128.shuffle<i32>(v, v, 2, 3, 0, 1));
    return <f64>i32x4.extract_lane(i32x4.max_s(h, v128.shuffle<i32>(h, h, 1, 0, 3, 2)), 0);
  }
  @inline get vector(): bool { return true; }
  @inline get init(): f64 { return -Infinity; }
  @inline pair(acc: v128, p: usize): v128 { return f64x2.max(acc, pairI(p)); }
  @inline one(acc: f64, p: usize): f64 { return Math.max(acc, <f64>load<i32>(p)); }
  @inline merge(a: f64, b: f64): f64 { return Math.max(a, b); }
}
@final class MinI {
  @inline get lanes32(): bool { return true; }
  @inline get init32(): v128 { return i32x4.splat(i32.MAX_VALUE); }
  @inline quad(acc: v128, v: v128): v128 { return i32x4.min_s(acc, v); }
  @inline horizontal(v: v128): f64 {
    const h = i32x4.min_s(v, v128.shuffle<i32>(v, v, 2, 3, 0, 1));
    return <f64>i32x4.extract_lane(i32x4.min_s(h, v128.shuffle<i32>(h, h, 1, 0, 3, 2)), 0);
  }
  @inline get vector(): bool { return true; }
  @inline get init(): f64 { return Infinity; }
  @inline pair(acc: v128, p: usize): v128 { return f64x2.min(acc, pairI(p)); }
  @inline one(acc: f64, p: usize): f64 { return Math.min(acc, <f64>load<i32>(p)); }
  @inline merge(a: f64, b: f64): f64 { return Math.min(a, b); }
}

@inline function storeResult(p: usize, v: f64, outDtype: i32): void {
  if (outDtype == DT_F32) store<f32>(p, <f32>v);
  else store<i32>(p, toInt32(v));
}

// --- odometer over a strided index space ---------------------------------------------

/** Byte offset of flat index `i` of (shape, strides) at `dims` dims; also sets the counters. */
function seek(i: i32, shape: usize, strides: usize, dims: i32, counters: usize): isize {
  let off: isize = 0;
  for (let k = dims - 1; k >= 0; k--) {
    const at = <usize>k << 2;
    const dim = load<i32>(shape + at);
    const c = i % dim;
    i /= dim;
    store<i32>(counters + at, c);
    off += <isize>c * load<i32>(strides + at) << 2;
  }
  return off;
}

/** Advances the counters by one; returns the change of the byte offset. */
@inline function advance(shape: usize, strides: usize, dims: i32, counters: usize): isize {
  let delta: isize = 0;
  for (let k = dims - 1; k >= 0; k--) {
    const at = <usize>k << 2;
    const s = <isize>load<i32>(strides + at) << 2;
    const c = load<i32>(counters + at) + 1;
    const dim = load<i32>(shape + at);
    if (c < dim) {
      store<i32>(counters + at, c);
      return delta + s;
    }
    store<i32>(counters + at, 0);
    delta -= s * <isize>(dim - 1);
  }
  return delta;
}

// --- rows ----------------------------------------------------------------------

function reduceRows<K>(d: usize, part: i32, parts: i32): void {
  const k = changetype<K>(0);
  const mean = load<i32>(d + RD_OP) == R_MEAN;
  const outDtype = load<i32>(d + RD_OUT_DTYPE);
  const ro = load<i32>(d + RD_OUTER_RANK);
  const ri = load<i32>(d + RD_INNER_RANK);
  const nOut = load<i32>(d + RD_OUT_COUNT);
  const nInner = load<i32>(d + RD_INNER_COUNT);
  const start = partStart(nOut, part, parts);
  const end = partStart(nOut, part + 1, parts);
  if (start >= end) return;
  const scratch = <usize>load<i32>(d + RD_SCRATCH) + <usize>threadIndex() * SCRATCH_PART_BYTES;
  const oc = scratch;
  const ic = scratch + 64;
  const oShape = d + RD_OUTER_SHAPE;
  const oStrides = d + RD_OUTER_STRIDES;
  const iShape = d + RD_INNER_SHAPE;
  const iStrides = d + RD_INNER_STRIDES;
  const last = <usize>(ri - 1) << 2;
  const run = load<i32>(iShape + last);
  const runStride = <isize>load<i32>(iStrides + last) << 2;
  const runs = run == 0 ? 0 : nInner / run;
  const x = <usize>load<i32>(d + RD_X);
  let out = <usize>load<i32>(d + RD_OUT) + (<usize>start << 2);
  let base = x + seek(start, oShape, oStrides, ro, oc);
  for (let o = start; o < end; o++) {
    let acc0 = f64x2.splat(k.init);
    let acc1 = acc0;
    let s = k.init;
    let q = base;
    // Inner counters start at zero for every output.
    for (let j = 0; j < ri; j++) store<i32>(ic + (<usize>j << 2), 0);
    for (let r = 0; r < runs; r++) {
      let p = q;
      let i = 0;
      if (k.lanes32 && runStride == 4 && run >= 16) {
        // max / min: exact in the input's own type, so four lanes per vector instead of
        // two f64 lanes, and four independent accumulators per trip.
        let m0 = k.init32, m1 = m0, m2 = m0, m3 = m0;
        for (; i + 16 <= run; i += 16) {
          m0 = k.quad(m0, v128.load(p));
          m1 = k.quad(m1, v128.load(p, 16));
          m2 = k.quad(m2, v128.load(p, 32));
          m3 = k.quad(m3, v128.load(p, 48));
          p += 64;
        }
        for (; i + 4 <= run; i += 4) {
          m0 = k.quad(m0, v128.load(p));
          p += 16;
        }
        m0 = k.quad(k.quad(m0, m1), k.quad(m2, m3));
        s = k.merge(s, k.horizontal(m0));
      } else if (k.vector && runStride == 4) {
        for (; i + 4 <= run; i += 4) {
          acc0 = k.pair(acc0, p);
          acc1 = k.pair(acc1, p + 8);
          p += 16;
        }
      }
      for (; i < run; i++) {
        s = k.one(s, p);
        p += runStride;
      }
      q += advance(iShape, iStrides, ri - 1, ic);
    }
    const v0 = k.merge(f64x2.extract_lane(acc0, 0), f64x2.extract_lane(acc0, 1));
    const v1 = k.merge(f64x2.extract_lane(acc1, 0), f64x2.extract_lane(acc1, 1));
    let v = k.merge(k.merge(v0, v1), s);
    if (mean) v /= <f64>nInner;
    storeResult(out, v, outDtype);
    out += 4;
    base += advance(oShape, oStrides, ro, oc);
  }
}

// --- columns -----------------------------------------------------------------------

const CHUNK = 1024;

function reduceColumns<K>(d: usize, part: i32, parts: i32): void {
  const k = changetype<K>(0);
  const mean = load<i32>(d + RD_OP) == R_MEAN;
  const outDtype = load<i32>(d + RD_OUT_DTYPE);
  const ro = load<i32>(d + RD_OUTER_RANK);
  const ri = load<i32>(d + RD_INNER_RANK);
  const nOut = load<i32>(d + RD_OUT_COUNT);
  const nInner = load<i32>(d + RD_INNER_COUNT);
  const oShape = d + RD_OUTER_SHAPE;
  const oStrides = d + RD_OUTER_STRIDES;
  const iShape = d + RD_INNER_SHAPE;
  const iStrides = d + RD_INNER_STRIDES;
  const cols = load<i32>(oShape + (<usize>(ro - 1) << 2));
  const groups = nOut / cols;
  const c0 = partStart(cols, part, parts);
  const c1 = partStart(cols, part + 1, parts);
  if (c0 >= c1) return;
  const scratch = <usize>load<i32>(d + RD_SCRATCH) + <usize>threadIndex() * SCRATCH_PART_BYTES;
  const oc = scratch;
  const ic = scratch + 64;
  const acc = scratch + 128;
  const x = <usize>load<i32>(d + RD_X);
  const out = <usize>load<i32>(d + RD_OUT);
  const init = f64x2.splat(k.init);
  for (let g = 0; g < groups; g++) {
    const base = x + seek(g, oShape, oStrides, ro - 1, oc);
    for (let cs = c0; cs < c1; cs += CHUNK) {
      const len = min(CHUNK, c1 - cs);
      for (let j = 0; j < len; j += 2) v128.store(acc + (<usize>j << 3), init);
      const from = base + (<usize>cs << 2);
      for (let j = 0; j < ri; j++) store<i32>(ic + (<usize>j << 2), 0);
      // Four rows a pass: sixteen columns' accumulators are loaded into registers once
      // for four rows instead of once a row (a load and a store per pair per row was
      // most of the time). Each column still adds its rows in order: the same bits.
      const wide = len & ~15;
      let q = from;
      let r = 0;
      for (; r + 4 <= nInner; r += 4) {
        const q0 = q;
        const q1 = q0 + advance(iShape, iStrides, ri, ic);
        const q2 = q1 + advance(iShape, iStrides, ri, ic);
        const q3 = q2 + advance(iShape, iStrides, ri, ic);
        q = q3 + advance(iShape, iStrides, ri, ic);
        for (let j = 0; j < wide; j += 16) {
          const a = acc + (<usize>j << 3);
          const c = <usize>j << 2;
          let a0 = v128.load(a), a1 = v128.load(a, 16), a2 = v128.load(a, 32), a3 = v128.load(a, 48);
          let a4 = v128.load(a, 64), a5 = v128.load(a, 80), a6 = v128.load(a, 96), a7 = v128.load(a, 112);
          a0 = k.pair(k.pair(k.pair(k.pair(a0, q0 + c), q1 + c), q2 + c), q3 + c);
          a1 = k.pair(k.pair(k.pair(k.pair(a1, q0 + c + 8), q1 + c + 8), q2 + c + 8), q3 + c + 8);
          a2 = k.pair(k.pair(k.pair(k.pair(a2, q0 + c + 16), q1 + c + 16), q2 + c + 16), q3 + c + 16);
          a3 = k.pair(k.pair(k.pair(k.pair(a3, q0 + c + 24), q1 + c + 24), q2 + c + 24), q3 + c + 24);
          a4 = k.pair(k.pair(k.pair(k.pair(a4, q0 + c + 32), q1 + c + 32), q2 + c + 32), q3 + c + 32);
          a5 = k.pair(k.pair(k.pair(k.pair(a5, q0 + c + 40), q1 + c + 40), q2 + c + 40), q3 + c + 40);
          a6 = k.pair(k.pair(k.pair(k.pair(a6, q0 + c + 48), q1 + c + 48), q2 + c + 48), q3 + c + 48);
          a7 = k.pair(k.pair(k.pair(k.pair(a7, q0 + c + 56), q1 + c + 56), q2 + c + 56), q3 + c + 56);
          v128.store(a, a0); v128.store(a, a1, 16); v128.store(a, a2, 32); v128.store(a, a3, 48);
          v128.store(a, a4, 64); v128.store(a, a5, 80); v128.store(a, a6, 96); v128.store(a, a7, 112);
        }
        let j = wide;
        for (; j + 2 <= len; j += 2) {
          const a = acc + (<usize>j << 3);
          const c = <usize>j << 2;
          v128.store(a, k.pair(k.pair(k.pair(k.pair(v128.load(a), q0 + c), q1 + c), q2 + c), q3 + c));
        }
        if (j < len) {
          const a = acc + (<usize>j << 3);
          const c = <usize>j << 2;
          store<f64>(a, k.one(k.one(k.one(k.one(load<f64>(a), q0 + c), q1 + c), q2 + c), q3 + c));
        }
      }
      for (; r < nInner; r++) {
        let j = 0;
        for (; j + 2 <= len; j += 2) {
          const a = acc + (<usize>j << 3);
          v128.store(a, k.pair(v128.load(a), q + (<usize>j << 2)));
        }
        if (j < len) {
          const a = acc + (<usize>j << 3);
          store<f64>(a, k.one(load<f64>(a), q + (<usize>j << 2)));
        }
        q += advance(iShape, iStrides, ri, ic);
      }
      let o = out + ((<usize>g * cols + cs) << 2);
      for (let j = 0; j < len; j++) {
        let v = load<f64>(acc + (<usize>j << 3));
        if (mean) v /= <f64>nInner;
        storeResult(o, v, outDtype);
        o += 4;
      }
    }
  }
}

// --- arg reductions (one axis; the first extreme wins, a NaN counts as the extreme) ----

function argRows(d: usize, part: i32, parts: i32, isMax: bool): void {
  const dtype = load<i32>(d + RD_DTYPE);
  const ro = load<i32>(d + RD_OUTER_RANK);
  const nOut = load<i32>(d + RD_OUT_COUNT);
  const n = load<i32>(d + RD_INNER_SHAPE);
  const stride = <isize>load<i32>(d + RD_INNER_STRIDES) << 2;
  const start = partStart(nOut, part, parts);
  const end = partStart(nOut, part + 1, parts);
  if (start >= end) return;
  const oc = <usize>load<i32>(d + RD_SCRATCH) + <usize>threadIndex() * SCRATCH_PART_BYTES;
  const oShape = d + RD_OUTER_SHAPE;
  const oStrides = d + RD_OUTER_STRIDES;
  let base = <usize>load<i32>(d + RD_X) + seek(start, oShape, oStrides, ro, oc);
  let out = <usize>load<i32>(d + RD_OUT) + (<usize>start << 2);
  for (let o = start; o < end; o++) {
    let best = 0;
    let b = dtype == DT_F32 ? <f64>load<f32>(base) : <f64>load<i32>(base);
    let p = base;
    for (let r = 1; r < n; r++) {
      p += stride;
      if (isNaN(b)) break;
      const v = dtype == DT_F32 ? <f64>load<f32>(p) : <f64>load<i32>(p);
      if (isNaN(v) || (isMax ? v > b : v < b)) {
        best = r;
        b = v;
      }
    }
    store<i32>(out, best);
    out += 4;
    base += advance(oShape, oStrides, ro, oc);
  }
}

export function reduce(d: usize, part: i32, parts: i32): void {
  const op = load<i32>(d + RD_OP);
  const int = load<i32>(d + RD_DTYPE) == DT_I32;
  if (op == R_ARGMAX || op == R_ARGMIN) {
    argRows(d, part, parts, op == R_ARGMAX);
    return;
  }
  const columns = load<i32>(d + RD_MODE) == 1;
  switch (op) {
    case R_SUM:
    case R_MEAN:
      if (int) columns ? reduceColumns<SumI>(d, part, parts) : reduceRows<SumI>(d, part, parts);
      else columns ? reduceColumns<SumF>(d, part, parts) : reduceRows<SumF>(d, part, parts);
      break;
    case R_PROD:
      if (int) columns ? reduceColumns<ProdI>(d, part, parts) : reduceRows<ProdI>(d, part, parts);
      else columns ? reduceColumns<ProdF>(d, part, parts) : reduceRows<ProdF>(d, part, parts);
      break;
    case R_MAX:
      if (int) columns ? reduceColumns<MaxI>(d, part, parts) : reduceRows<MaxI>(d, part, parts);
      else columns ? reduceColumns<MaxF>(d, part, parts) : reduceRows<MaxF>(d, part, parts);
      break;
    case R_MIN:
      if (int) columns ? reduceColumns<MinI>(d, part, parts) : reduceRows<MinI>(d, part, parts);
      else columns ? reduceColumns<MinF>(d, part, parts) : reduceRows<MinF>(d, part, parts);
      break;
  }
}
