// Fused optimizer updates, one pass over a contiguous f32 parameter. The formulas and
// their order of operations are those of src/backends/step-rules.ts, evaluated in f64
// (two elements per f64x2), so the result is the cpu reference's, bit for bit.
//
// Each rule gets its own loop (`run<Rule>`): the rule is a compile-time constant
// there, and the hyperparameters are splatted once, outside the loop.

import {
  S_ADAGRAD, S_ADAM, S_ADAMW, S_MOMENTUM, S_NESTEROV, S_RMSPROP, S_RMSPROP_CENTERED, S_SGD,
  ST_COUNT, ST_GRAD, ST_HYPER, ST_PARAM, ST_RULE, ST_STATE,
} from './abi';
import { partStart } from './elementwise';

@inline function ld(p: usize, two: bool): v128 {
  return f64x2.promote_low_f32x4(two ? v128.load64_zero(p) : v128.load32_zero(p));
}
@inline function st(p: usize, v: v128, two: bool): void {
  const f = f32x4.demote_f64x2_zero(v);
  if (two) v128.store64_lane(p, f, 0);
  else v128.store32_lane(p, f, 0);
}
@inline function sp(x: f64): v128 {
  return f64x2.splat(x);
}

@final class Sgd { @inline get id(): i32 { return S_SGD; } }
@final class Momentum { @inline get id(): i32 { return S_MOMENTUM; } }
@final class Nesterov { @inline get id(): i32 { return S_NESTEROV; } }
@final class Adagrad { @inline get id(): i32 { return S_ADAGRAD; } }
@final class Rmsprop { @inline get id(): i32 { return S_RMSPROP; } }
@final class RmspropCentered { @inline get id(): i32 { return S_RMSPROP_CENTERED; } }
@final class Adam { @inline get id(): i32 { return S_ADAM; } }
@final class AdamW { @inline get id(): i32 { return S_ADAMW; } }

function run<R>(d: usize, part: i32, parts: i32): void {
  const rule = changetype<R>(0).id;
  const n = load<i32>(d + ST_COUNT);
  const p = <usize>load<i32>(d + ST_PARAM);
  const g = <usize>load<i32>(d + ST_GRAD);
  const s0 = <usize>load<i32>(d + ST_STATE);
  const s1 = <usize>load<i32>(d + ST_STATE + 4);
  const s2 = <usize>load<i32>(d + ST_STATE + 8);
  const h = d + ST_HYPER;
  const lr = load<f64>(h);
  const wd = load<f64>(h, 8);
  const h2 = load<f64>(h, 16);
  const h3 = load<f64>(h, 24);
  const h4 = load<f64>(h, 32);
  const h5 = load<f64>(h, 40);
  const h6 = load<f64>(h, 48);
  const decay = rule != S_ADAMW && wd != 0;
  const LR = sp(lr);
  const WD = sp(wd);
  // momentum / nesterov: [momentum, dampening, isFirstStep]; adagrad: [eps];
  // rmsprop: [alpha, eps, momentum]; adam: [beta1, beta2, eps, 1-beta1^t, 1-beta2^t]
  const first = h4 != 0;
  const H2 = sp(h2);
  const ONE_MINUS_H2 = sp(1 - h2);
  const ONE_MINUS_H3 = sp(1 - h3);
  const H3 = sp(h3);
  const H4 = sp(h4);
  const ADAM_STEP = sp(lr / h5);
  const SQRT_BC2 = sp(Math.sqrt(h6));
  const ADAMW_SHRINK = sp(1 - lr * wd);
  const start = partStart(n, part, parts);
  const end = partStart(n, part + 1, parts);
  // Four elements a pass as two independent pairs (their divisions and square roots
  // overlap), then a pair or a single one at the end.
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const o = <usize>i << 2;
    pair(rule, p, g, s0, s1, s2, o, true, decay, first, LR, WD, H2, ONE_MINUS_H2, ONE_MINUS_H3, H3, H4, ADAM_STEP, SQRT_BC2, ADAMW_SHRINK);
    pair(rule, p, g, s0, s1, s2, o + 8, true, decay, first, LR, WD, H2, ONE_MINUS_H2, ONE_MINUS_H3, H3, H4, ADAM_STEP, SQRT_BC2, ADAMW_SHRINK);
  }
  for (; i < end; i += 2) {
    pair(rule, p, g, s0, s1, s2, <usize>i << 2, i + 2 <= end, decay, first, LR, WD, H2, ONE_MINUS_H2, ONE_MINUS_H3, H3, H4, ADAM_STEP, SQRT_BC2, ADAMW_SHRINK);
  }
}

/** One or two elements (at byte offset o) of `rule`'s update (a constant where run<R> inlines it). */
@inline function pair(
  rule: i32, p: usize, g: usize, s0: usize, s1: usize, s2: usize, o: usize, two: bool, decay: bool, first: bool,
  LR: v128, WD: v128, H2: v128, ONE_MINUS_H2: v128, ONE_MINUS_H3: v128, H3: v128, H4: v128, ADAM_STEP: v128, SQRT_BC2: v128, ADAMW_SHRINK: v128,
): void {
  let P = ld(p + o, two);
  let G = ld(g + o, two);
  if (decay) G = f64x2.add(G, f64x2.mul(WD, P));
  switch (rule) {
    case S_SGD: {
      P = f64x2.sub(P, f64x2.mul(LR, G));
      break;
    }
    case S_MOMENTUM:
    case S_NESTEROV: {
      // h2 momentum, h3 dampening (1 - h3 splatted), h4 first step
      const buf = first ? G : f64x2.add(f64x2.mul(H2, ld(s0 + o, two)), f64x2.mul(ONE_MINUS_H3, G));
      st(s0 + o, buf, two);
      const dir = rule == S_NESTEROV ? f64x2.add(G, f64x2.mul(H2, buf)) : buf;
      P = f64x2.sub(P, f64x2.mul(LR, dir));
      break;
    }
    case S_ADAGRAD: {
      // h2 eps
      const sum = f64x2.add(ld(s0 + o, two), f64x2.mul(G, G));
      st(s0 + o, sum, two);
      P = f64x2.sub(P, f64x2.div(f64x2.mul(LR, G), f64x2.add(f64x2.sqrt(sum), H2)));
      break;
    }
    case S_RMSPROP:
    case S_RMSPROP_CENTERED: {
      // h2 alpha, h3 eps, h4 momentum
      const centered = rule == S_RMSPROP_CENTERED;
      const sq = f64x2.add(f64x2.mul(H2, ld(s0 + o, two)), f64x2.mul(f64x2.mul(ONE_MINUS_H2, G), G));
      st(s0 + o, sq, two);
      let avgSq = sq;
      if (centered) {
        const ga = f64x2.add(f64x2.mul(H2, ld(s1 + o, two)), f64x2.mul(ONE_MINUS_H2, G));
        st(s1 + o, ga, two);
        avgSq = f64x2.sub(sq, f64x2.mul(ga, ga));
      }
      const denom = f64x2.add(f64x2.sqrt(avgSq), H3);
      const bp = centered ? s2 : s1;
      const buf = f64x2.add(f64x2.mul(H4, ld(bp + o, two)), f64x2.div(G, denom));
      st(bp + o, buf, two);
      P = f64x2.sub(P, f64x2.mul(LR, buf));
      break;
    }
    case S_ADAM:
    case S_ADAMW: {
      // h2 beta1, h3 beta2, h4 eps, h5 1-beta1^t, h6 1-beta2^t
      if (rule == S_ADAMW) P = f64x2.mul(P, ADAMW_SHRINK);
      const m = f64x2.add(f64x2.mul(H2, ld(s0 + o, two)), f64x2.mul(ONE_MINUS_H2, G));
      const v = f64x2.add(f64x2.mul(H3, ld(s1 + o, two)), f64x2.mul(f64x2.mul(ONE_MINUS_H3, G), G));
      st(s0 + o, m, two);
      st(s1 + o, v, two);
      const denom = f64x2.add(f64x2.div(f64x2.sqrt(v), SQRT_BC2), H4);
      P = f64x2.sub(P, f64x2.mul(ADAM_STEP, f64x2.div(m, denom)));
      break;
    }
  }
  st(p + o, P, two);
}

export function step(d: usize, part: i32, parts: i32): void {
  switch (load<i32>(d + ST_RULE)) {
    case S_SGD: run<Sgd>(d, part, parts); break;
    case S_MOMENTUM: run<Momentum>(d, part, parts); break;
    case S_NESTEROV: run<Nesterov>(d, part, parts); break;
    case S_ADAGRAD: run<Adagrad>(d, part, parts); break;
    case S_RMSPROP: run<Rmsprop>(d, part, parts); break;
    case S_RMSPROP_CENTERED: run<RmspropCentered>(d, part, parts); break;
    case S_ADAM: run<Adam>(d, part, parts); break;
    case S_ADAMW: run<AdamW>(d, part, parts); break;
  }
}
