// Softmax cross-entropy against int32 labels over rows of V logits (layout in
// abi.ts): loss = logsumexp - logit[label] per row, and the gradient
// dloss * (softmax - onehot) in one pass. Parts split rows. Labels are checked by
// the front-end before the job; one outside [0, V) would give NaN here.
//
// Four logits at a time: their exponentials in f32x4 (vexp, a few ulp), summed in f64
// as the reference sums; the tail of a row and each row's label entry of the gradient
// (softmax - 1, which cancels when the model is confident) stay scalar f64.

import { XE_DLOSS, XE_DLOSS_STRIDE, XE_DX, XE_LABELS, XE_LOSS, XE_LSE, XE_ROWS, XE_V, XE_X } from './abi';
import { vexp } from './math';

@inline function split(count: i32, part: i32, parts: i32): i32 {
  return <i32>(<i64>count * part / parts);
}

export function crossEntropy(d: usize, part: i32, parts: i32): void {
  const rows = load<i32>(d + XE_ROWS);
  const v = load<i32>(d + XE_V);
  const x = <usize>load<i32>(d + XE_X);
  const labels = <usize>load<i32>(d + XE_LABELS);
  const loss = <usize>load<i32>(d + XE_LOSS);
  const lse = <usize>load<i32>(d + XE_LSE);
  const r1 = split(rows, part + 1, parts);
  for (let r = split(rows, part, parts); r < r1; r++) {
    const row = x + (<usize>r * v << 2);
    let mv = f32x4.splat(-Infinity);
    let j = 0;
    for (; j + 4 <= v; j += 4) mv = f32x4.max(mv, v128.load(row + (<usize>j << 2)));
    let m: f32 = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; j < v; j++) m = max(m, load<f32>(row + (<usize>j << 2)));
    const M = f32x4.splat(m);
    let za = f64x2.splat(0);
    let zb = f64x2.splat(0);
    j = 0;
    for (; j + 4 <= v; j += 4) {
      const e = vexp(f32x4.sub(v128.load(row + (<usize>j << 2)), M));
      za = f64x2.add(za, f64x2.promote_low_f32x4(e));
      zb = f64x2.add(zb, f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 2, 3)));
    }
    const zs = f64x2.add(za, zb);
    let z: f64 = f64x2.extract_lane(zs, 0) + f64x2.extract_lane(zs, 1);
    for (; j < v; j++) z += Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - <f64>m);
    const l = <f64>m + Math.log(z);
    const label = load<i32>(labels + (<usize>r << 2));
    store<f32>(lse + (<usize>r << 2), <f32>l);
    const value = label >= 0 && label < v ? l - <f64>load<f32>(row + (<usize>label << 2)) : NaN;
    store<f32>(loss + (<usize>r << 2), <f32>value);
  }
}

export function crossEntropyGrad(d: usize, part: i32, parts: i32): void {
  const rows = load<i32>(d + XE_ROWS);
  const v = load<i32>(d + XE_V);
  const x = <usize>load<i32>(d + XE_X);
  const labels = <usize>load<i32>(d + XE_LABELS);
  const lse = <usize>load<i32>(d + XE_LSE);
  const dloss = <usize>load<i32>(d + XE_DLOSS);
  const stride = load<i32>(d + XE_DLOSS_STRIDE);
  const dx = <usize>load<i32>(d + XE_DX);
  const r1 = split(rows, part + 1, parts);
  for (let r = split(rows, part, parts); r < r1; r++) {
    const row = x + (<usize>r * v << 2);
    const out = dx + (<usize>r * v << 2);
    const g = <f64>load<f32>(dloss + (<usize>(r * stride) << 2));
    const l = <f64>load<f32>(lse + (<usize>r << 2));
    const label = load<i32>(labels + (<usize>r << 2));
    const G = f32x4.splat(<f32>g);
    const L = f32x4.splat(<f32>l);
    let j = 0;
    for (; j + 4 <= v; j += 4) {
      const at = <usize>j << 2;
      v128.store(out + at, f32x4.mul(G, vexp(f32x4.sub(v128.load(row + at), L))));
    }
    for (; j < v; j++) {
      const p = Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - l);
      store<f32>(out + (<usize>j << 2), <f32>(g * p));
    }
    if (label >= 0 && label < v) {
      const p = Math.exp(<f64>load<f32>(row + (<usize>label << 2)) - l);
      store<f32>(out + (<usize>label << 2), <f32>(g * (p - 1.0)));
    }
  }
}
