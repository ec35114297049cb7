// The elementwise engine: unary, binary, where, copy (with dtype conversion) and
// fill over strided views of any rank.
//
// JS coalesces dimensions first, so a contiguous view arrives as rank 1. The walker
// splits the flat output range of a part into rows of the innermost dimension and
// hands each row to a row kernel with byte strides per operand: stride 4 is
// contiguous (v128 loads), stride 0 a broadcast, anything else is gathered lane by
// lane. Every path applies the same vector function, so results do not depend on
// the path or on how parts split the range.

import {
  B_ADD, B_AND, B_CLIP_GRAD, B_DIV, B_ELU_GRAD, B_EQ, B_GE, B_GELU_GRAD, B_GELU_TANH_GRAD, B_GT, B_LE, B_LEAKY_RELU_GRAD, B_LT,
  B_MAX, B_MIN, B_MOD, B_MUL, B_NE, B_OR, B_POW, B_RELU_GRAD, B_SIGMOID_GRAD, B_SUB, B_TANH_GRAD,
  DT_F32, DT_I32, EW_ARGS, EW_COND_DTYPE, EW_COUNT, EW_FAMILY, EW_IN_DTYPE, EW_OP, EW_OPERANDS, EW_OUT_DTYPE,
  EW_RANK, EW_SCRATCH, EW_SHAPE, FAMILY_BINARY, FAMILY_COPY, FAMILY_FILL, FAMILY_UNARY, FAMILY_WHERE,
  OPERAND_BYTES, SCRATCH_PART_BYTES,
  U_ABS, U_CEIL, U_CLIP, U_COS, U_ELU, U_EXP, U_EXPM1, U_FLOOR, U_GELU, U_GELU_TANH, U_LEAKY_RELU, U_LOG, U_LOG1P,
  U_LOGICAL_NOT, U_NEG, U_POW_SCALAR, U_RECIPROCAL, U_RELU, U_ROUND, U_RSQRT, U_SIGMOID, U_SIGN, U_SIN,
  U_SOFTPLUS, U_SQRT, U_SQUARE, U_STEP, U_TANH,
} from './abi';
import {
  Abs, Add, And, Ceil, Clip, ClipGrad, Cos, Div, Elu, EluGrad, Eq, Exp, Expm1, Floor, Ge, Gelu, GeluGrad, GeluTanh, GeluTanhGrad, Gt,
  Le, LeakyRelu, LeakyReluGrad, Log, Log1p, LogicalNot, Lt, Max, Min, Mod, Mul, Ne, Neg, Or, Pow, PowScalar,
  Reciprocal, Relu, ReluGrad, Round, Rsqrt, Sigmoid, SigmoidGrad, Sign, Sin, Softplus, Sqrt, Square, Step,
  Sub, Tanh, TanhGrad,
} from './ops';
import { gather4, loadPartial, scatter4, storePartial, toInt32x4 } from './simd';
import { threadIndex } from './thread';

// The current job's parameters (globals are per instance, so per thread).
let gIn: i32 = DT_F32;
let gOut: i32 = DT_F32;
let gCond: i32 = DT_F32;
let gA0: f64 = 0;
let gA1: f64 = 0;
let gS0: v128 = f32x4.splat(0);
let gS1: v128 = f32x4.splat(0);

/** First flat index of `part` (multiples of 16, so vectors stay whole inside a part). */
export function partStart(count: i32, part: i32, parts: i32): i32 {
  if (part >= parts) return count;
  return <i32>((<i64>count * part / parts) & ~15);
}

/** A mask or a value of the input dtype, converted to the output dtype. */
@inline function convert(r: v128, mask: bool): v128 {
  if (mask) return v128.and(r, gOut == DT_F32 ? f32x4.splat(1.0) : i32x4.splat(1));
  if (gIn == gOut) return r;
  return gOut == DT_I32 ? toInt32x4(r) : f32x4.convert_i32x4_s(r);
}

@inline function load4(p: usize, s: isize, m: i32): v128 {
  if (m == 4) return s == 4 ? v128.load(p) : gather4(p, s);
  return loadPartial(p, s, m);
}

@inline function store4(p: usize, s: isize, v: v128, m: i32): void {
  if (m == 4) {
    if (s == 4) v128.store(p, v);
    else scatter4(p, s, v);
  } else storePartial(p, s, v, m);
}

/** Walks part `part` of the output range row by row, calling R.row on each. */
function walk<R>(d: usize, part: i32, parts: i32): void {
  const rank = load<i32>(d + EW_RANK);
  const count = load<i32>(d + EW_COUNT);
  const start = partStart(count, part, parts);
  const end = partStart(count, part + 1, parts);
  if (start >= end) return;
  const shape = d + EW_SHAPE;
  const o0 = d + EW_OPERANDS;
  const o1 = o0 + OPERAND_BYTES;
  const o2 = o1 + OPERAND_BYTES;
  const o3 = o2 + OPERAND_BYTES;
  const last = <usize>(rank - 1) << 2;
  const inner = load<i32>(shape + last);
  const s0 = <isize>load<i32>(o0 + 4 + last) << 2;
  const s1 = <isize>load<i32>(o1 + 4 + last) << 2;
  const s2 = <isize>load<i32>(o2 + 4 + last) << 2;
  const s3 = <isize>load<i32>(o3 + 4 + last) << 2;
  const idx = <usize>load<i32>(d + EW_SCRATCH) + <usize>threadIndex() * SCRATCH_PART_BYTES;
  let p0 = <usize>load<i32>(o0);
  let p1 = <usize>load<i32>(o1);
  let p2 = <usize>load<i32>(o2);
  let p3 = <usize>load<i32>(o3);
  let row = start / inner;
  let col = start % inner;
  for (let k = rank - 2; k >= 0; k--) {
    const dim = load<i32>(shape + (<usize>k << 2));
    const i = row % dim;
    row /= dim;
    store<i32>(idx + (<usize>k << 2), i);
    const at = (<usize>k << 2) + 4;
    p0 += <isize>i * load<i32>(o0 + at) << 2;
    p1 += <isize>i * load<i32>(o1 + at) << 2;
    p2 += <isize>i * load<i32>(o2 + at) << 2;
    p3 += <isize>i * load<i32>(o3 + at) << 2;
  }
  const r = changetype<R>(0);
  let remaining = end - start;
  while (true) {
    const n = min(inner - col, remaining);
    const c = <isize>col;
    r.row(p0 + c * s0, s0, p1 + c * s1, s1, p2 + c * s2, s2, p3 + c * s3, s3, n);
    remaining -= n;
    if (remaining <= 0) break;
    col = 0;
    for (let k = rank - 2; k >= 0; k--) {
      const at = (<usize>k << 2) + 4;
      const t0 = <isize>load<i32>(o0 + at) << 2;
      const t1 = <isize>load<i32>(o1 + at) << 2;
      const t2 = <isize>load<i32>(o2 + at) << 2;
      const t3 = <isize>load<i32>(o3 + at) << 2;
      const i = load<i32>(idx + (<usize>k << 2)) + 1;
      const dim = load<i32>(shape + (<usize>k << 2));
      if (i < dim) {
        store<i32>(idx + (<usize>k << 2), i);
        p0 += t0; p1 += t1; p2 += t2; p3 += t3;
        break;
      }
      store<i32>(idx + (<usize>k << 2), 0);
      const back = <isize>(dim - 1);
      p0 -= t0 * back; p1 -= t1 * back; p2 -= t2 * back; p3 -= t3 * back;
    }
  }
}

// --- row kernels -------------------------------------------------------------

@final class UnaryRow<Op> {
  @inline apply(v: v128): v128 {
    const op = changetype<Op>(0);
    const r = gIn == DT_F32 ? op.f32(v, gS0, gS1, gA0, gA1) : op.i32(v, gA0, gA1);
    return convert(r, op.mask);
  }
  row(o: usize, so: isize, x: usize, sx: isize, p2: usize, s2: isize, p3: usize, s3: isize, n: i32): void {
    const op = changetype<Op>(0);
    let i = 0;
    if (so == 4 && sx == 4 && gIn == DT_F32 && gOut == DT_F32 && !op.mask) {
      const a0 = gA0, a1 = gA1, v0 = gS0, v1 = gS1;
      // Four vectors per trip for the cheap ops (relu, neg, abs): they are bound by
      // memory, and one vector per trip spends as much on the loop as on the data.
      if (isDefined(op.unroll)) for (; i + 16 <= n; i += 16) {
        const x0 = v128.load(x), x1 = v128.load(x, 16), x2 = v128.load(x, 32), x3 = v128.load(x, 48);
        v128.store(o, op.f32(x0, v0, v1, a0, a1));
        v128.store(o, op.f32(x1, v0, v1, a0, a1), 16);
        v128.store(o, op.f32(x2, v0, v1, a0, a1), 32);
        v128.store(o, op.f32(x3, v0, v1, a0, a1), 48);
        o += 64;
        x += 64;
      }
      for (; i + 4 <= n; i += 4) {
        v128.store(o, op.f32(v128.load(x), v0, v1, a0, a1));
        o += 16;
        x += 16;
      }
    }
    for (; i < n; i += 4) {
      const m = min(4, n - i);
      store4(o, so, this.apply(load4(x, sx, m)), m);
      o += so << 2;
      x += sx << 2;
    }
  }
}

@final class BinaryRow<Op> {
  @inline apply(a: v128, b: v128): v128 {
    const op = changetype<Op>(0);
    const r = gIn == DT_F32 ? op.f32(a, b, gS0, gS1, gA0, gA1) : op.i32(a, b, gA0, gA1);
    return convert(r, op.mask);
  }
  row(o: usize, so: isize, a: usize, sa: isize, b: usize, sb: isize, p3: usize, s3: isize, n: i32): void {
    const op = changetype<Op>(0);
    let i = 0;
    if (so == 4 && gIn == DT_F32 && gOut == DT_F32 && !op.mask) {
      const a0 = gA0, a1 = gA1, v0 = gS0, v1 = gS1;
      if (sa == 4 && sb == 4) {
        // Four vectors per trip for the cheap ops (see UnaryRow).
        if (isDefined(op.unroll)) for (; i + 16 <= n; i += 16) {
          const a0v = v128.load(a), a1v = v128.load(a, 16), a2v = v128.load(a, 32), a3v = v128.load(a, 48);
          const b0v = v128.load(b), b1v = v128.load(b, 16), b2v = v128.load(b, 32), b3v = v128.load(b, 48);
          v128.store(o, op.f32(a0v, b0v, v0, v1, a0, a1));
          v128.store(o, op.f32(a1v, b1v, v0, v1, a0, a1), 16);
          v128.store(o, op.f32(a2v, b2v, v0, v1, a0, a1), 32);
          v128.store(o, op.f32(a3v, b3v, v0, v1, a0, a1), 48);
          o += 64; a += 64; b += 64;
        }
        for (; i + 4 <= n; i += 4) {
          v128.store(o, op.f32(v128.load(a), v128.load(b), v0, v1, a0, a1));
          o += 16; a += 16; b += 16;
        }
      } else if (sa == 4 && sb == 0) {
        const bv = v128.load32_splat(b);
        if (isDefined(op.unroll)) for (; i + 16 <= n; i += 16) {
          const a0v = v128.load(a), a1v = v128.load(a, 16), a2v = v128.load(a, 32), a3v = v128.load(a, 48);
          v128.store(o, op.f32(a0v, bv, v0, v1, a0, a1));
          v128.store(o, op.f32(a1v, bv, v0, v1, a0, a1), 16);
          v128.store(o, op.f32(a2v, bv, v0, v1, a0, a1), 32);
          v128.store(o, op.f32(a3v, bv, v0, v1, a0, a1), 48);
          o += 64; a += 64;
        }
        for (; i + 4 <= n; i += 4) {
          v128.store(o, op.f32(v128.load(a), bv, v0, v1, a0, a1));
          o += 16; a += 16;
        }
      } else if (sa == 0 && sb == 4) {
        const av = v128.load32_splat(a);
        if (isDefined(op.unroll)) for (; i + 16 <= n; i += 16) {
          const b0v = v128.load(b), b1v = v128.load(b, 16), b2v = v128.load(b, 32), b3v = v128.load(b, 48);
          v128.store(o, op.f32(av, b0v, v0, v1, a0, a1));
          v128.store(o, op.f32(av, b1v, v0, v1, a0, a1), 16);
          v128.store(o, op.f32(av, b2v, v0, v1, a0, a1), 32);
          v128.store(o, op.f32(av, b3v, v0, v1, a0, a1), 48);
          o += 64; b += 64;
        }
        for (; i + 4 <= n; i += 4) {
          v128.store(o, op.f32(av, v128.load(b), v0, v1, a0, a1));
          o += 16; b += 16;
        }
      }
    }
    for (; i < n; i += 4) {
      const m = min(4, n - i);
      store4(o, so, this.apply(load4(a, sa, m), load4(b, sb, m)), m);
      o += so << 2;
      a += sa << 2;
      b += sb << 2;
    }
  }
}

@final class WhereRow {
  row(o: usize, so: isize, c: usize, sc: isize, a: usize, sa: isize, b: usize, sb: isize, n: i32): void {
    for (let i = 0; i < n; i += 4) {
      const m = min(4, n - i);
      const cv = load4(c, sc, m);
      const pick = gCond == DT_F32 ? f32x4.ne(cv, f32x4.splat(0)) : i32x4.ne(cv, i32x4.splat(0));
      store4(o, so, convert(v128.bitselect(load4(a, sa, m), load4(b, sb, m), pick), false), m);
      o += so << 2;
      c += sc << 2;
      a += sa << 2;
      b += sb << 2;
    }
  }
}

@final class CopyRow {
  row(o: usize, so: isize, x: usize, sx: isize, p2: usize, s2: isize, p3: usize, s3: isize, n: i32): void {
    if (so == 4 && sx == 4 && gIn == gOut) {
      memory.copy(o, x, <usize>n << 2);
      return;
    }
    for (let i = 0; i < n; i += 4) {
      const m = min(4, n - i);
      store4(o, so, convert(load4(x, sx, m), false), m);
      o += so << 2;
      x += sx << 2;
    }
  }
}

/** Fill: the value's 32-bit pattern (already in the output dtype) is in gS0. */
@final class FillRow {
  row(o: usize, so: isize, p1: usize, s1: isize, p2: usize, s2: isize, p3: usize, s3: isize, n: i32): void {
    const v = gS0;
    let i = 0;
    if (so == 4) {
      for (; i + 4 <= n; i += 4) {
        v128.store(o, v);
        o += 16;
      }
    }
    for (; i < n; i += 4) {
      const m = min(4, n - i);
      store4(o, so, v, m);
      o += so << 2;
    }
  }
}

// --- dispatch ----------------------------------------------------------------

export function elementwise(d: usize, part: i32, parts: i32): void {
  const family = load<i32>(d + EW_FAMILY);
  const op = load<i32>(d + EW_OP);
  gIn = load<i32>(d + EW_IN_DTYPE);
  gOut = load<i32>(d + EW_OUT_DTYPE);
  gCond = load<i32>(d + EW_COND_DTYPE);
  gA0 = load<f64>(d + EW_ARGS);
  gA1 = load<f64>(d + EW_ARGS + 8);
  gS0 = f32x4.splat(<f32>gA0);
  gS1 = f32x4.splat(<f32>gA1);
  switch (family) {
    case FAMILY_UNARY: unary(op, d, part, parts); break;
    case FAMILY_BINARY: binary(op, d, part, parts); break;
    case FAMILY_WHERE: walk<WhereRow>(d, part, parts); break;
    case FAMILY_COPY: walk<CopyRow>(d, part, parts); break;
    case FAMILY_FILL: {
      gS0 = i32x4.splat(load<i32>(d + EW_ARGS));
      walk<FillRow>(d, part, parts);
      break;
    }
  }
}

function unary(op: i32, d: usize, part: i32, parts: i32): void {
  switch (op) {
    case U_NEG: walk<UnaryRow<Neg>>(d, part, parts); break;
    case U_ABS: walk<UnaryRow<Abs>>(d, part, parts); break;
    case U_SIGN: walk<UnaryRow<Sign>>(d, part, parts); break;
    case U_STEP: walk<UnaryRow<Step>>(d, part, parts); break;
    case U_EXP: walk<UnaryRow<Exp>>(d, part, parts); break;
    case U_LOG: walk<UnaryRow<Log>>(d, part, parts); break;
    case U_LOG1P: walk<UnaryRow<Log1p>>(d, part, parts); break;
    case U_EXPM1: walk<UnaryRow<Expm1>>(d, part, parts); break;
    case U_SQRT: walk<UnaryRow<Sqrt>>(d, part, parts); break;
    case U_RSQRT: walk<UnaryRow<Rsqrt>>(d, part, parts); break;
    case U_SQUARE: walk<UnaryRow<Square>>(d, part, parts); break;
    case U_RECIPROCAL: walk<UnaryRow<Reciprocal>>(d, part, parts); break;
    case U_FLOOR: walk<UnaryRow<Floor>>(d, part, parts); break;
    case U_CEIL: walk<UnaryRow<Ceil>>(d, part, parts); break;
    case U_ROUND: walk<UnaryRow<Round>>(d, part, parts); break;
    case U_SIN: walk<UnaryRow<Sin>>(d, part, parts); break;
    case U_COS: walk<UnaryRow<Cos>>(d, part, parts); break;
    case U_RELU: walk<UnaryRow<Relu>>(d, part, parts); break;
    case U_LEAKY_RELU: walk<UnaryRow<LeakyRelu>>(d, part, parts); break;
    case U_ELU: walk<UnaryRow<Elu>>(d, part, parts); break;
    case U_GELU: walk<UnaryRow<Gelu>>(d, part, parts); break;
    case U_GELU_TANH: walk<UnaryRow<GeluTanh>>(d, part, parts); break;
    case U_SIGMOID: walk<UnaryRow<Sigmoid>>(d, part, parts); break;
    case U_TANH: walk<UnaryRow<Tanh>>(d, part, parts); break;
    case U_SOFTPLUS: walk<UnaryRow<Softplus>>(d, part, parts); break;
    case U_CLIP: walk<UnaryRow<Clip>>(d, part, parts); break;
    case U_POW_SCALAR: walk<UnaryRow<PowScalar>>(d, part, parts); break;
    case U_LOGICAL_NOT: walk<UnaryRow<LogicalNot>>(d, part, parts); break;
  }
}

function binary(op: i32, d: usize, part: i32, parts: i32): void {
  switch (op) {
    case B_ADD: walk<BinaryRow<Add>>(d, part, parts); break;
    case B_SUB: walk<BinaryRow<Sub>>(d, part, parts); break;
    case B_MUL: walk<BinaryRow<Mul>>(d, part, parts); break;
    case B_DIV: walk<BinaryRow<Div>>(d, part, parts); break;
    case B_POW: walk<BinaryRow<Pow>>(d, part, parts); break;
    case B_MAX: walk<BinaryRow<Max>>(d, part, parts); break;
    case B_MIN: walk<BinaryRow<Min>>(d, part, parts); break;
    case B_MOD: walk<BinaryRow<Mod>>(d, part, parts); break;
    case B_EQ: walk<BinaryRow<Eq>>(d, part, parts); break;
    case B_NE: walk<BinaryRow<Ne>>(d, part, parts); break;
    case B_LT: walk<BinaryRow<Lt>>(d, part, parts); break;
    case B_LE: walk<BinaryRow<Le>>(d, part, parts); break;
    case B_GT: walk<BinaryRow<Gt>>(d, part, parts); break;
    case B_GE: walk<BinaryRow<Ge>>(d, part, parts); break;
    case B_AND: walk<BinaryRow<And>>(d, part, parts); break;
    case B_OR: walk<BinaryRow<Or>>(d, part, parts); break;
    case B_RELU_GRAD: walk<BinaryRow<ReluGrad>>(d, part, parts); break;
    case B_SIGMOID_GRAD: walk<BinaryRow<SigmoidGrad>>(d, part, parts); break;
    case B_TANH_GRAD: walk<BinaryRow<TanhGrad>>(d, part, parts); break;
    case B_ELU_GRAD: walk<BinaryRow<EluGrad>>(d, part, parts); break;
    case B_LEAKY_RELU_GRAD: walk<BinaryRow<LeakyReluGrad>>(d, part, parts); break;
    case B_GELU_GRAD: walk<BinaryRow<GeluGrad>>(d, part, parts); break;
    case B_GELU_TANH_GRAD: walk<BinaryRow<GeluTanhGrad>>(d, part, parts); break;
    case B_CLIP_GRAD: walk<BinaryRow<ClipGrad>>(d, part, parts); break;
  }
}
