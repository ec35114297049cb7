// Fused optimizer updates, one pass over a contiguous f32 parameter. The formulas and
// their order of operations are those of src/backends/step-rules.ts, evaluated in f64
// (two elements per f64x2), so the result is the cpu reference's, bit for bit.

import {
  S_ADAGRAD, S_ADAM, S_ADAMW, S_MOMENTUM, S_NESTEROV, S_RMSPROP, S_RMSPROP_CENTERED, S_SGD,
  ST_COUNT, ST_GRAD, ST_HYPER, ST_PARAM, ST_RULE, ST_STATE,
} from './abi';
import { partStart } from './elementwise';

@inline function ld(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}
@inline function st(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}
@inline function ld1(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_zero(p));
}
@inline function st1(p: usize, v: v128): void {
  v128.store32_lane(p, f32x4.demote_f64x2_zero(v), 0);
}
@inline function sp(x: f64): v128 {
  return f64x2.splat(x);
}

/** Updates `lanes` (1 or 2) elements at byte offset `o`. */
@inline function update(rule: i32, p: usize, g: usize, s0: usize, s1: usize, s2: usize, o: usize, lanes: i32, h: usize): void {
  const two = lanes == 2;
  let P = two ? ld(p + o) : ld1(p + o);
  let G = two ? ld(g + o) : ld1(g + o);
  const lr = load<f64>(h);
  const wd = load<f64>(h, 8);
  if (rule != S_ADAMW && wd != 0) G = f64x2.add(G, f64x2.mul(sp(wd), P));
  switch (rule) {
    case S_SGD: {
      P = f64x2.sub(P, f64x2.mul(sp(lr), G));
      break;
    }
    case S_MOMENTUM:
    case S_NESTEROV: {
      const momentum = load<f64>(h, 16);
      const dampening = load<f64>(h, 24);
      const firstStep = load<f64>(h, 32) != 0;
      const buf = firstStep
        ? G
        : f64x2.add(f64x2.mul(sp(momentum), two ? ld(s0 + o) : ld1(s0 + o)), f64x2.mul(sp(1 - dampening), G));
      if (two) st(s0 + o, buf); else st1(s0 + o, buf);
      const dir = rule == S_NESTEROV ? f64x2.add(G, f64x2.mul(sp(momentum), buf)) : buf;
      P = f64x2.sub(P, f64x2.mul(sp(lr), dir));
      break;
    }
    case S_ADAGRAD: {
      const eps = load<f64>(h, 16);
      const sum = f64x2.add(two ? ld(s0 + o) : ld1(s0 + o), f64x2.mul(G, G));
      if (two) st(s0 + o, sum); else st1(s0 + o, sum);
      P = f64x2.sub(P, f64x2.div(f64x2.mul(sp(lr), G), f64x2.add(f64x2.sqrt(sum), sp(eps))));
      break;
    }
    case S_RMSPROP:
    case S_RMSPROP_CENTERED: {
      const alpha = load<f64>(h, 16);
      const eps = load<f64>(h, 24);
      const momentum = load<f64>(h, 32);
      const centered = rule == S_RMSPROP_CENTERED;
      const sq = f64x2.add(f64x2.mul(sp(alpha), two ? ld(s0 + o) : ld1(s0 + o)), f64x2.mul(f64x2.mul(sp(1 - alpha), G), G));
      if (two) st(s0 + o, sq); else st1(s0 + o, sq);
      let avgSq = sq;
      if (centered) {
        const ga = f64x2.add(f64x2.mul(sp(alpha), two ? ld(s1 + o) : ld1(s1 + o)), f64x2.mul(sp(1 - alpha), G));
        if (two) st(s1 + o, ga); else st1(s1 + o, ga);
        avgSq = f64x2.sub(sq, f64x2.mul(ga, ga));
      }
      const denom = f64x2.add(f64x2.sqrt(avgSq), sp(eps));
      const bp = centered ? s2 : s1;
      const buf = f64x2.add(f64x2.mul(sp(momentum), two ? ld(bp + o) : ld1(bp + o)), f64x2.div(G, denom));
      if (two) st(bp + o, buf); else st1(bp + o, buf);
      P = f64x2.sub(P, f64x2.mul(sp(lr), buf));
      break;
    }
    case S_ADAM:
    case S_ADAMW: {
      const beta1 = load<f64>(h, 16);
      const beta2 = load<f64>(h, 24);
      const eps = load<f64>(h, 32);
      const bc1 = load<f64>(h, 40);
      const bc2 = load<f64>(h, 48);
      if (rule == S_ADAMW) P = f64x2.mul(P, sp(1 - lr * wd));
      const m = f64x2.add(f64x2.mul(sp(beta1), two ? ld(s0 + o) : ld1(s0 + o)), f64x2.mul(sp(1 - beta1), G));
      const v = f64x2.add(f64x2.mul(sp(beta2), two ? ld(s1 + o) : ld1(s1 + o)), f64x2.mul(f64x2.mul(sp(1 - beta2), G), G));
      if (two) { st(s0 + o, m); st(s1 + o, v); } else { st1(s0 + o, m); st1(s1 + o, v); }
      const denom = f64x2.add(f64x2.div(f64x2.sqrt(v), sp(Math.sqrt(bc2))), sp(eps));
      P = f64x2.sub(P, f64x2.mul(sp(lr / bc1), f64x2.div(m, denom)));
      break;
    }
  }
  if (two) st(p + o, P); else st1(p + o, P);
}

export function step(d: usize, part: i32, parts: i32): void {
  const rule = load<i32>(d + ST_RULE);
  const n = load<i32>(d + ST_COUNT);
  const p = <usize>load<i32>(d + ST_PARAM);
  const g = <usize>load<i32>(d + ST_GRAD);
  const s0 = <usize>load<i32>(d + ST_STATE);
  const s1 = <usize>load<i32>(d + ST_STATE + 4);
  const s2 = <usize>load<i32>(d + ST_STATE + 8);
  const h = d + ST_HYPER;
  const start = partStart(n, part, parts);
  const end = partStart(n, part + 1, parts);
  let i = start;
  for (; i + 2 <= end; i += 2) update(rule, p, g, s0, s1, s2, <usize>i << 2, 2, h);
  if (i < end) update(rule, p, g, s0, s1, s2, <usize>i << 2, 1, h);
}
