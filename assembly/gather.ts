// gather and scatterAdd along one axis of a contiguous [outer, axisLen, inner] view
// (JS makes strided operands contiguous first). Indices are int32; out-of-range
// indices read 0 (gather) or are dropped (scatterAdd).

import { GA_AXIS_LEN, GA_COUNT, GA_INDICES, GA_INNER, GA_OUT, GA_OUTER, GA_X } from './abi';
import { partStart } from './elementwise';

/** out[o, i, r] = x[o, idx[i], r]; parts split the (o, i) rows. */
export function gather(d: usize, part: i32, parts: i32): void {
  const x = <usize>load<i32>(d + GA_X);
  const idx = <usize>load<i32>(d + GA_INDICES);
  const out = <usize>load<i32>(d + GA_OUT);
  const outer = load<i32>(d + GA_OUTER);
  const axisLen = load<i32>(d + GA_AXIS_LEN);
  const inner = load<i32>(d + GA_INNER);
  const count = load<i32>(d + GA_COUNT);
  const rows = outer * count;
  const r0 = partStart(rows, part, parts);
  const r1 = partStart(rows, part + 1, parts);
  const bytes = <usize>inner << 2;
  for (let r = r0; r < r1; r++) {
    const o = r / count;
    const j = load<i32>(idx + (<usize>(r % count) << 2));
    const dst = out + <usize>r * bytes;
    if (j >= 0 && j < axisLen) memory.copy(dst, x + (<usize>o * axisLen + j) * bytes, bytes);
    else memory.fill(dst, 0, bytes);
  }
}

/**
 * out[o, idx[i], q] += updates[o, i, q], in index order (so repeated indices add up in
 * the reference's order). Parts split outer rows, or the inner columns when outer is 1.
 */
export function scatterAdd(d: usize, part: i32, parts: i32): void {
  const upd = <usize>load<i32>(d + GA_X);
  const idx = <usize>load<i32>(d + GA_INDICES);
  const out = <usize>load<i32>(d + GA_OUT);
  const outer = load<i32>(d + GA_OUTER);
  const axisLen = load<i32>(d + GA_AXIS_LEN);
  const inner = load<i32>(d + GA_INNER);
  const count = load<i32>(d + GA_COUNT);
  let o0 = 0, o1 = outer, q0 = 0, q1 = inner;
  if (outer > 1) {
    o0 = <i32>(<i64>outer * part / parts);
    o1 = <i32>(<i64>outer * (part + 1) / parts);
  } else {
    q0 = partStart(inner, part, parts);
    q1 = partStart(inner, part + 1, parts);
  }
  const width = q1 - q0;
  if (width <= 0) return;
  for (let o = o0; o < o1; o++) {
    for (let i = 0; i < count; i++) {
      const j = load<i32>(idx + (<usize>i << 2));
      if (j < 0 || j >= axisLen) continue;
      let src = upd + ((<usize>(o * count + i) * inner + q0) << 2);
      let dst = out + ((<usize>(o * axisLen + j) * inner + q0) << 2);
      let q = 0;
      for (; q + 4 <= width; q += 4) {
        v128.store(dst, f32x4.add(v128.load(dst), v128.load(src)));
        src += 16;
        dst += 16;
      }
      for (; q < width; q++) {
        store<f32>(dst, load<f32>(dst) + load<f32>(src));
        src += 4;
        dst += 4;
      }
    }
  }
}
