// Layer normalization over rows of n floats (layout in abi.ts): the forward and dx
// split rows across parts; dgamma / dbeta (sums over rows) split columns. Row sums
// accumulate in f64, as the reference does: the mean first, then the centred squares.
// Rows go four floats at a time as two f64x2 halves; dgamma / dbeta four columns at a
// time in f32 (the same operations, per column, as one at a time).

import {
  LN_BETA, LN_DBETA, LN_DGAMMA, LN_DY, LN_EPS, LN_GAMMA, LN_MEAN, LN_N, LN_OUT, LN_ROWS, LN_RSTD, LN_X,
} from './abi';

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

@inline function split(count: i32, part: i32, parts: i32): i32 {
  return <i32>(<i64>count * part / parts);
}

/** Floats j, j+1 (low) and j+2, j+3 (high) of a row as f64x2. */
@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 2, 3));
}
/** Two f64x2 halves back to four floats. */
@inline function join(a: v128, b: v128): v128 {
  return v128.shuffle<i32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}
@inline function total(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

export function layerNorm(d: usize, part: i32, parts: i32): void {
  const rows = load<i32>(d + LN_ROWS);
  const n = load<i32>(d + LN_N);
  const x = <usize>load<i32>(d + LN_X);
  const gamma = <usize>load<i32>(d + LN_GAMMA);
  const beta = <usize>load<i32>(d + LN_BETA);
  const out = <usize>load<i32>(d + LN_OUT);
  const mean = <usize>load<i32>(d + LN_MEAN);
  const rstd = <usize>load<i32>(d + LN_RSTD);
  const eps = load<f64>(d + LN_EPS);
  const r1 = split(rows, part + 1, parts);
  for (let r = split(rows, part, parts); r < r1; r++) {
    const row = x + (<usize>r * n << 2);
    let va = f64x2.splat(0);
    let vb = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const v = v128.load(at(row, j));
      va = f64x2.add(va, lo(v));
      vb = f64x2.add(vb, hi(v));
    }
    let s = total(f64x2.add(va, vb));
    for (; j < n; j++) s += <f64>load<f32>(at(row, j));
    const mu = s / n;
    const MU = f64x2.splat(mu);
    va = f64x2.splat(0);
    vb = f64x2.splat(0);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const v = v128.load(at(row, j));
      const ca = f64x2.sub(lo(v), MU);
      const cb = f64x2.sub(hi(v), MU);
      va = f64x2.add(va, f64x2.mul(ca, ca));
      vb = f64x2.add(vb, f64x2.mul(cb, cb));
    }
    let sq = total(f64x2.add(va, vb));
    for (; j < n; j++) {
      const c = <f64>load<f32>(at(row, j)) - mu;
      sq += c * c;
    }
    const rs = 1.0 / Math.sqrt(sq / n + eps);
    const RS = f64x2.splat(rs);
    const o = out + (<usize>r * n << 2);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const v = v128.load(at(row, j));
      let ya = f64x2.mul(f64x2.sub(lo(v), MU), RS);
      let yb = f64x2.mul(f64x2.sub(hi(v), MU), RS);
      if (gamma) {
        const g = v128.load(at(gamma, j));
        ya = f64x2.mul(ya, lo(g));
        yb = f64x2.mul(yb, hi(g));
      }
      if (beta) {
        const b = v128.load(at(beta, j));
        ya = f64x2.add(ya, lo(b));
        yb = f64x2.add(yb, hi(b));
      }
      v128.store(at(o, j), join(ya, yb));
    }
    for (; j < n; j++) {
      let y = (<f64>load<f32>(at(row, j)) - mu) * rs;
      if (gamma) y *= <f64>load<f32>(at(gamma, j));
      if (beta) y += <f64>load<f32>(at(beta, j));
      store<f32>(at(o, j), <f32>y);
    }
    store<f32>(at(mean, r), <f32>mu);
    store<f32>(at(rstd, r), <f32>rs);
  }
}

/** dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma, row by row. */
export function layerNormGrad(d: usize, part: i32, parts: i32): void {
  const rows = load<i32>(d + LN_ROWS);
  const n = load<i32>(d + LN_N);
  const x = <usize>load<i32>(d + LN_X);
  const gamma = <usize>load<i32>(d + LN_GAMMA);
  const dx = <usize>load<i32>(d + LN_OUT);
  const mean = <usize>load<i32>(d + LN_MEAN);
  const rstd = <usize>load<i32>(d + LN_RSTD);
  const dy = <usize>load<i32>(d + LN_DY);
  const r1 = split(rows, part + 1, parts);
  for (let r = split(rows, part, parts); r < r1; r++) {
    const xr = x + (<usize>r * n << 2);
    const dyr = dy + (<usize>r * n << 2);
    const mu = <f64>load<f32>(at(mean, r));
    const rs = <f64>load<f32>(at(rstd, r));
    const MU = f64x2.splat(mu);
    const RS = f64x2.splat(rs);
    let ga = f64x2.splat(0);
    let gb = f64x2.splat(0);
    let xa = f64x2.splat(0);
    let xb = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const v = v128.load(at(dyr, j));
      let g0 = lo(v);
      let g1 = hi(v);
      if (gamma) {
        const w = v128.load(at(gamma, j));
        g0 = f64x2.mul(g0, lo(w));
        g1 = f64x2.mul(g1, hi(w));
      }
      const xv = v128.load(at(xr, j));
      ga = f64x2.add(ga, g0);
      gb = f64x2.add(gb, g1);
      xa = f64x2.add(xa, f64x2.mul(f64x2.mul(g0, f64x2.sub(lo(xv), MU)), RS));
      xb = f64x2.add(xb, f64x2.mul(f64x2.mul(g1, f64x2.sub(hi(xv), MU)), RS));
    }
    let sg = total(f64x2.add(ga, gb));
    let sgx = total(f64x2.add(xa, xb));
    for (; j < n; j++) {
      let g = <f64>load<f32>(at(dyr, j));
      if (gamma) g *= <f64>load<f32>(at(gamma, j));
      sg += g;
      sgx += g * (<f64>load<f32>(at(xr, j)) - mu) * rs;
    }
    const mg = sg / n;
    const mgx = sgx / n;
    const MG = f64x2.splat(mg);
    const MGX = f64x2.splat(mgx);
    const o = dx + (<usize>r * n << 2);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const v = v128.load(at(dyr, j));
      let g0 = lo(v);
      let g1 = hi(v);
      if (gamma) {
        const w = v128.load(at(gamma, j));
        g0 = f64x2.mul(g0, lo(w));
        g1 = f64x2.mul(g1, hi(w));
      }
      const xv = v128.load(at(xr, j));
      const h0 = f64x2.mul(f64x2.sub(lo(xv), MU), RS);
      const h1 = f64x2.mul(f64x2.sub(hi(xv), MU), RS);
      const d0 = f64x2.mul(RS, f64x2.sub(f64x2.sub(g0, MG), f64x2.mul(h0, MGX)));
      const d1 = f64x2.mul(RS, f64x2.sub(f64x2.sub(g1, MG), f64x2.mul(h1, MGX)));
      v128.store(at(o, j), join(d0, d1));
    }
    for (; j < n; j++) {
      let g = <f64>load<f32>(at(dyr, j));
      if (gamma) g *= <f64>load<f32>(at(gamma, j));
      const xhat = (<f64>load<f32>(at(xr, j)) - mu) * rs;
      store<f32>(at(o, j), <f32>(rs * (g - mg - xhat * mgx)));
    }
  }
}

/** dgamma[j] = sum_r dy * xhat, dbeta[j] = sum_r dy, for this part's columns. */
export function layerNormAffine(d: usize, part: i32, parts: i32): void {
  const rows = load<i32>(d + LN_ROWS);
  const n = load<i32>(d + LN_N);
  const x = <usize>load<i32>(d + LN_X);
  const mean = <usize>load<i32>(d + LN_MEAN);
  const rstd = <usize>load<i32>(d + LN_RSTD);
  const dy = <usize>load<i32>(d + LN_DY);
  const dgamma = <usize>load<i32>(d + LN_DGAMMA);
  const dbeta = <usize>load<i32>(d + LN_DBETA);
  const j0 = split(n, part, parts);
  const j1 = split(n, part + 1, parts);
  for (let j = j0; j < j1; j++) {
    if (dgamma) store<f32>(at(dgamma, j), 0);
    if (dbeta) store<f32>(at(dbeta, j), 0);
  }
  // Row by row (the layout's order); the partial sums live in the outputs as f32.
  for (let r = 0; r < rows; r++) {
    const mu = load<f32>(at(mean, r));
    const rs = load<f32>(at(rstd, r));
    const xr = x + (<usize>r * n << 2);
    const dyr = dy + (<usize>r * n << 2);
    const MU = f32x4.splat(mu);
    const RS = f32x4.splat(rs);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const g = v128.load(at(dyr, j));
      if (dgamma) v128.store(at(dgamma, j), f32x4.add(v128.load(at(dgamma, j)), f32x4.mul(f32x4.mul(g, f32x4.sub(v128.load(at(xr, j)), MU)), RS)));
      if (dbeta) v128.store(at(dbeta, j), f32x4.add(v128.load(at(dbeta, j)), g));
    }
    for (; j < j1; j++) {
      const g = load<f32>(at(dyr, j));
      if (dgamma) store<f32>(at(dgamma, j), load<f32>(at(dgamma, j)) + g * (load<f32>(at(xr, j)) - mu) * rs);
      if (dbeta) store<f32>(at(dbeta, j), load<f32>(at(dbeta, j)) + g);
    }
  }
}
