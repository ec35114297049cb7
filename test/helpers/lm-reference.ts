// Float64 oracles for the language-model ops (layer norm, attention, sparse
// cross-entropy), written from their definitions with plain loops. Like
// reference.ts, they share no code with src/.

import { broadcastShapes, broadcastTo, Nd, nd, sizeOf } from './reference.js';

/** (x - mean) / sqrt(var + eps) * gamma + beta over the last axis, biased variance. */
export function layerNorm(x: Nd, gamma: Nd | undefined, beta: Nd | undefined, eps: number): Nd {
  const n = x.shape[x.rank - 1]!;
  const rows = n === 0 ? 0 : x.size / n;
  const out = new Float64Array(x.size);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += x.data[r * n + j]!;
    mean /= n;
    let variance = 0;
    for (let j = 0; j < n; j++) variance += (x.data[r * n + j]! - mean) ** 2;
    variance /= n;
    for (let j = 0; j < n; j++) {
      const xhat = (x.data[r * n + j]! - mean) / Math.sqrt(variance + eps);
      out[r * n + j] = xhat * (gamma ? gamma.data[j]! : 1) + (beta ? beta.data[j]! : 0);
    }
  }
  return new Nd(x.shape, out);
}

/** The same counter hash the kernels use, re-derived from its description in src/backends/counter-hash.ts. */
export function dropoutUniform(seed: number, index: number): number {
  const fmix = (h: number): number => {
    h = (h ^ (h >>> 16)) >>> 0;
    h = Number((BigInt(h) * 0x85ebca6bn) & 0xffffffffn);
    h = (h ^ (h >>> 13)) >>> 0;
    h = Number((BigInt(h) * 0xc2b2ae35n) & 0xffffffffn);
    return (h ^ (h >>> 16)) >>> 0;
  };
  const s = seed >>> 0;
  return (fmix((fmix((index >>> 0) ^ fmix(s)) + s) % 2 ** 32) >>> 8) / 2 ** 24;
}

export interface AttentionRef {
  causal?: boolean;
  mask?: Nd;
  scale?: number;
  dropout?: number;
  seed?: number;
}

/**
 * softmax(q kᵀ scale, masked) · v with broadcast batch dims, in float64. A fully
 * masked row gives 0 (webgrad's documented choice).
 */
export function attention(q: Nd, k: Nd, v: Nd, options: AttentionRef = {}): Nd {
  const lq = q.shape[q.rank - 2]!;
  const d = q.shape[q.rank - 1]!;
  const lk = k.shape[k.rank - 2]!;
  const dv = v.shape[v.rank - 1]!;
  const batch = broadcastShapes(q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2));
  const qb = broadcastTo(q, [...batch, lq, d]);
  const kb = broadcastTo(k, [...batch, lk, d]);
  const vb = broadcastTo(v, [...batch, lk, dv]);
  const mb = options.mask ? broadcastTo(options.mask, [...batch, lq, lk]) : undefined;
  const scale = options.scale ?? 1 / Math.sqrt(d);
  const p = options.dropout ?? 0;
  const nb = sizeOf(batch);
  const out = new Float64Array(nb * lq * dv);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < lq; i++) {
      const s: number[] = [];
      for (let j = 0; j < lk; j++) {
        let allowed = options.causal ? j <= i : true;
        if (mb && mb.data[(b * lq + i) * lk + j] === 0) allowed = false;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += qb.data[(b * lq + i) * d + c]! * kb.data[(b * lk + j) * d + c]!;
        s.push(allowed ? dot * scale : -Infinity);
      }
      const m = Math.max(...s);
      if (m === -Infinity) continue; // fully masked: zeros
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, c) => a + c, 0);
      for (let j = 0; j < lk; j++) {
        let w = e[j]! / z;
        if (p > 0) w = dropoutUniform(options.seed ?? 0, (b * lq + i) * lk + j) >= p ? w / (1 - p) : 0;
        for (let c = 0; c < dv; c++) out[(b * lq + i) * dv + c]! += w * vb.data[(b * lk + j) * dv + c]!;
      }
    }
  }
  return nd([...batch, lq, dv], out);
}

/** Per-row -log softmax(logits)[label] over the last axis. */
export function sparseCrossEntropyRows(logits: Nd, labels: Nd): Nd {
  const v = logits.shape[logits.rank - 1]!;
  return nd(logits.shape.slice(0, -1), (r) => {
    let m = -Infinity;
    for (let j = 0; j < v; j++) m = Math.max(m, logits.data[r * v + j]!);
    let z = 0;
    for (let j = 0; j < v; j++) z += Math.exp(logits.data[r * v + j]! - m);
    return m + Math.log(z) - logits.data[r * v + labels.data[r]!]!;
  });
}
