// Layer normalization over rows of n floats (layout in abi.ts): the forward and dx
// split rows across parts; dgamma / dbeta (sums over rows) split columns. Row sums
// accumulate in f64, as the reference does: the mean first, then the centred squares.

import {
  LN_BETA, LN_DBETA, LN_DGAMMA, LN_DY, LN_EPS, LN_GAMMA, LN_MEAN, LN_N, LN_OUT, LN_ROWS, LN_RSTD, LN_X,
} from './abi';

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

@inline function split(count: i32, part: i32, parts: i32): i32 {
  return <i32>(<i64>count * part / parts);
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
    let s: f64 = 0;
    for (let j = 0; j < n; j++) s += <f64>load<f32>(at(row, j));
    const mu = s / n;
    let sq: f64 = 0;
    for (let j = 0; j < n; j++) {
      const c = <f64>load<f32>(at(row, j)) - mu;
      sq += c * c;
    }
    const rs = 1.0 / Math.sqrt(sq / n + eps);
    const o = out + (<usize>r * n << 2);
    for (let j = 0; j < n; j++) {
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
    let sg: f64 = 0;
    let sgx: f64 = 0;
    for (let j = 0; j < n; j++) {
      let g = <f64>load<f32>(at(dyr, j));
      if (gamma) g *= <f64>load<f32>(at(gamma, j));
      sg += g;
      sgx += g * (<f64>load<f32>(at(xr, j)) - mu) * rs;
    }
    const mg = sg / n;
    const mgx = sgx / n;
    const o = dx + (<usize>r * n << 2);
    for (let j = 0; j < n; j++) {
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
    for (let j = j0; j < j1; j++) {
      const g = load<f32>(at(dyr, j));
      if (dgamma) store<f32>(at(dgamma, j), load<f32>(at(dgamma, j)) + g * (load<f32>(at(xr, j)) - mu) * rs);
      if (dbeta) store<f32>(at(dbeta, j), load<f32>(at(dbeta, j)) + g);
    }
  }
}
