// The cpu backend's language-model kernels (layer norm, attention, sparse
// cross-entropy): the readable reference for the fused wasm and webgpu kernels, in
// float64 arithmetic with float32 storage, one row at a time.

import type { AttentionParams, View } from './backend.js';
import { dropoutKeeps } from './counter-hash.js';

/** How the cpu backend hands its arrays over: the storage's typed array for a view. */
export type ArrayOf = (view: View) => Float32Array | Int32Array;

export function layerNorm(
  arr: ArrayOf, x: View, gamma: View | undefined, beta: View | undefined, out: View, mean: View, rstd: View, epsilon: number,
): void {
  const [rows, n] = x.shape as [number, number];
  const X = arr(x);
  const G = gamma && arr(gamma);
  const B = beta && arr(beta);
  const O = arr(out);
  const M = arr(mean);
  const R = arr(rstd);
  for (let r = 0; r < rows; r++) {
    const base = x.offset + r * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += X[base + j]!;
    const mu = sum / n;
    let sq = 0;
    for (let j = 0; j < n; j++) sq += (X[base + j]! - mu) ** 2;
    const rs = 1 / Math.sqrt(sq / n + epsilon);
    for (let j = 0; j < n; j++) {
      const xhat = (X[base + j]! - mu) * rs;
      O[out.offset + r * n + j] = xhat * (G ? G[gamma!.offset + j]! : 1) + (B ? B[beta!.offset + j]! : 0);
    }
    M[mean.offset + r] = mu;
    R[rstd.offset + r] = rs;
  }
}

export function layerNormGrad(
  arr: ArrayOf, dy: View, x: View, gamma: View | undefined, mean: View, rstd: View, dx: View, dgamma: View | undefined, dbeta: View | undefined,
): void {
  const [rows, n] = x.shape as [number, number];
  const DY = arr(dy);
  const X = arr(x);
  const G = gamma && arr(gamma);
  const M = arr(mean);
  const R = arr(rstd);
  const DX = arr(dx);
  const dg = new Float64Array(n);
  const db = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const mu = M[mean.offset + r]!;
    const rs = R[rstd.offset + r]!;
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < n; j++) {
      const d = DY[dy.offset + r * n + j]!;
      const xhat = (X[x.offset + r * n + j]! - mu) * rs;
      const g = d * (G ? G[gamma!.offset + j]! : 1);
      sumG += g;
      sumGX += g * xhat;
      dg[j]! += d * xhat;
      db[j]! += d;
    }
    for (let j = 0; j < n; j++) {
      const xhat = (X[x.offset + r * n + j]! - mu) * rs;
      const g = DY[dy.offset + r * n + j]! * (G ? G[gamma!.offset + j]! : 1);
      DX[dx.offset + r * n + j] = rs * (g - sumG / n - xhat * (sumGX / n));
    }
  }
  if (dgamma) arr(dgamma).set(dg, dgamma.offset);
  if (dbeta) arr(dbeta).set(db, dbeta.offset);
}

interface AttentionGeometry {
  readonly batch: number;
  readonly lq: number;
  readonly lk: number;
  readonly d: number;
  readonly dv: number;
}

function geometry(q: View, k: View, v: View): AttentionGeometry {
  const [batch, lq, d] = q.shape as [number, number, number];
  return { batch, lq, lk: k.shape[1]!, d, dv: v.shape[2]! };
}

/** The masked, scaled scores of query row (b, i) over every key; -Infinity where masked. */
function scores(arr: ArrayOf, q: View, k: View, mask: View | undefined, g: AttentionGeometry, p: AttentionParams, b: number, i: number): Float64Array {
  const Q = arr(q);
  const K = arr(k);
  const MK = mask && arr(mask);
  const s = new Float64Array(g.lk);
  for (let j = 0; j < g.lk; j++) {
    let allowed = !(p.causal && j > i);
    if (MK && MK[mask!.offset + b * mask!.strides[0]! + i * mask!.strides[1]! + j * mask!.strides[2]!] === 0) allowed = false;
    if (!allowed) {
      s[j] = -Infinity;
      continue;
    }
    let dot = 0;
    for (let c = 0; c < g.d; c++) dot += Q[q.offset + (b * g.lq + i) * g.d + c]! * K[k.offset + (b * g.lk + j) * g.d + c]!;
    s[j] = dot * p.scale;
  }
  return s;
}

/** The dropout factor of element (b, i, j): 0 or 1 / (1 - p). */
function dropFactor(p: AttentionParams, g: AttentionGeometry, b: number, i: number, j: number): number {
  if (p.dropout === 0) return 1;
  return dropoutKeeps(p.seed, (b * g.lq + i) * g.lk + j, p.dropout) ? 1 / (1 - p.dropout) : 0;
}

export function attention(arr: ArrayOf, q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, p: AttentionParams): void {
  const g = geometry(q, k, v);
  const V = arr(v);
  const O = arr(out);
  const L = arr(lse);
  for (let b = 0; b < g.batch; b++) {
    for (let i = 0; i < g.lq; i++) {
      const s = scores(arr, q, k, mask, g, p, b, i);
      let m = -Infinity;
      for (const x of s) m = Math.max(m, x);
      const row = out.offset + (b * g.lq + i) * g.dv;
      if (m === -Infinity) {
        // No key to attend to: output 0, and lse = +inf makes every exp(s - lse) 0.
        for (let c = 0; c < g.dv; c++) O[row + c] = 0;
        L[lse.offset + b * g.lq + i] = Infinity;
        continue;
      }
      let z = 0;
      for (const x of s) z += Math.exp(x - m);
      const acc = new Float64Array(g.dv);
      for (let j = 0; j < g.lk; j++) {
        const w = (Math.exp(s[j]! - m) / z) * dropFactor(p, g, b, i, j);
        if (w === 0) continue;
        for (let c = 0; c < g.dv; c++) acc[c]! += w * V[v.offset + (b * g.lk + j) * g.dv + c]!;
      }
      for (let c = 0; c < g.dv; c++) O[row + c] = acc[c]!;
      L[lse.offset + b * g.lq + i] = m + Math.log(z);
    }
  }
}

export function attentionGrad(
  arr: ArrayOf, q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, dout: View, dq: View, dk: View, dv: View, p: AttentionParams,
): void {
  const g = geometry(q, k, v);
  const Q = arr(q);
  const K = arr(k);
  const V = arr(v);
  const O = arr(out);
  const L = arr(lse);
  const DO = arr(dout);
  const dQ = new Float64Array(g.batch * g.lq * g.d);
  const dK = new Float64Array(g.batch * g.lk * g.d);
  const dV = new Float64Array(g.batch * g.lk * g.dv);
  for (let b = 0; b < g.batch; b++) {
    for (let i = 0; i < g.lq; i++) {
      const l = L[lse.offset + b * g.lq + i]!;
      if (l === Infinity) continue;
      const s = scores(arr, q, k, mask, g, p, b, i);
      const doRow = dout.offset + (b * g.lq + i) * g.dv;
      let D = 0;
      for (let c = 0; c < g.dv; c++) D += DO[doRow + c]! * O[out.offset + (b * g.lq + i) * g.dv + c]!;
      for (let j = 0; j < g.lk; j++) {
        const pj = Math.exp(s[j]! - l);
        if (pj === 0) continue;
        const z = dropFactor(p, g, b, i, j);
        let dpj = 0;
        for (let c = 0; c < g.dv; c++) {
          const dvo = DO[doRow + c]!;
          dpj += dvo * V[v.offset + (b * g.lk + j) * g.dv + c]!;
          dV[(b * g.lk + j) * g.dv + c]! += pj * z * dvo;
        }
        const ds = pj * (dpj * z - D) * p.scale;
        for (let c = 0; c < g.d; c++) {
          dQ[(b * g.lq + i) * g.d + c]! += ds * K[k.offset + (b * g.lk + j) * g.d + c]!;
          dK[(b * g.lk + j) * g.d + c]! += ds * Q[q.offset + (b * g.lq + i) * g.d + c]!;
        }
      }
    }
  }
  arr(dq).set(dQ, dq.offset);
  arr(dk).set(dK, dk.offset);
  arr(dv).set(dV, dv.offset);
}

export function sparseCrossEntropy(arr: ArrayOf, logits: View, labels: View, loss: View, lse: View): void {
  const [rows, n] = logits.shape as [number, number];
  const X = arr(logits);
  const Y = arr(labels);
  const out = arr(loss);
  const L = arr(lse);
  for (let r = 0; r < rows; r++) {
    const base = logits.offset + r * n;
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, X[base + j]!);
    let z = 0;
    for (let j = 0; j < n; j++) z += Math.exp(X[base + j]! - m);
    const l = m + Math.log(z);
    const label = Y[labels.offset + r]!;
    L[lse.offset + r] = l;
    out[loss.offset + r] = label >= 0 && label < n ? l - X[base + label]! : NaN;
  }
}

export function sparseCrossEntropyGrad(arr: ArrayOf, logits: View, labels: View, lse: View, dloss: View, dlogits: View): void {
  const [rows, n] = logits.shape as [number, number];
  const X = arr(logits);
  const Y = arr(labels);
  const L = arr(lse);
  const DL = arr(dloss);
  const out = arr(dlogits);
  for (let r = 0; r < rows; r++) {
    const d = DL[dloss.offset + r * dloss.strides[0]!]!;
    const l = L[lse.offset + r]!;
    const label = Y[labels.offset + r]!;
    for (let j = 0; j < n; j++) {
      out[dlogits.offset + r * n + j] = d * (Math.exp(X[logits.offset + r * n + j]! - l) - (j === label ? 1 : 0));
    }
  }
}
