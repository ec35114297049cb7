// The WebGPU backend's language-model kernels: fused attention (shaders/attention.wgsl),
// layer norm (shaders/layer-norm.wgsl) and sparse cross-entropy with its on-device
// label check (shaders/cross-entropy.wgsl). Kernel sources, uniforms and dispatches;
// webgpu.ts hands over the pieces of the backend these need (LmContext).

import type { AttentionParams, View } from '../backend.js';
import { WGSL } from '../../generated/shaders.js';
import type { KernelSource } from './kernels.js';
import type { GpuStorage } from './memory.js';
import { Uniform } from './params.js';
import type { PipelineCache } from './pipelines.js';
import type { CommandQueue } from './queue.js';

export interface LmContext {
  readonly queue: CommandQueue;
  readonly pipelines: PipelineCache;
  /** Bound where an optional operand is absent. */
  readonly placeholder: GPUBuffer;
  /** Threads per workgroup of the 1-D kernels. */
  readonly wg: number;
  /**
   * A software adapter (llvmpipe, SwiftShader): a workgroup's threads run one after
   * another between barriers, so kernels with barrier-free variants use those.
   */
  readonly software: boolean;
  grid(groups: number, kernel: string): [number, number, number];
  /** A temporary device buffer, released after the work recorded so far. */
  scratch(bytes: number): GpuStorage;
  release(storage: GpuStorage): void;
}

const sources = new Map<string, KernelSource>();

function kernel(key: string, file: 'attention' | 'layer-norm' | 'cross-entropy', section: string, bindings: string, head: string[] = [], constants: Record<string, number> = {}): KernelSource {
  let s = sources.get(key);
  if (!s) {
    const text = WGSL[file] as Readonly<Record<string, string>>;
    const common = (WGSL.common as Readonly<Record<string, string>>)['main']!;
    s = { key, code: [common, ...head, text['main']!, text[section]!].join('\n'), entryPoint: 'main', bindings, constants };
    sources.set(key, s);
  }
  return s;
}

const buf = (v: View | undefined, fallback: GPUBuffer): GpuStorage | GPUBuffer => (v ? (v.storage as GpuStorage) : fallback);

// --- attention ---------------------------------------------------------------

/** Threads (query or key rows) per workgroup of the attention kernels. */
const WGQ = 64;

/** Keys (or queries) per tile: as many as fit 16 KiB of workgroup memory, at most 32. */
function tileRows(d: number, dv: number): number {
  return Math.max(1, Math.min(32, Math.floor(4000 / (d + dv + 2))));
}

function attentionHead(d: number, dv: number): string[] {
  return [`const D: u32 = ${d}u;`, `const DV: u32 = ${dv}u;`, `const BK: u32 = ${tileRows(d, dv)}u;`, `const WGQ: u32 = ${WGQ}u;`];
}

function attentionUniform(q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, dout: View | undefined, p: AttentionParams): Uniform {
  const u = new Uniform();
  const [batch, lq] = q.shape as [number, number];
  u.u32.set([
    batch, lq, k.shape[1]!, p.causal ? 1 : 0,
    q.offset, k.offset, v.offset, out.offset,
    lse.offset, dout?.offset ?? 0, mask ? 1 : 0, p.dropout > 0 ? 1 : 0,
    mask?.offset ?? 0, mask?.strides[0] ?? 0, mask?.strides[1] ?? 0, mask?.strides[2] ?? 0,
    p.seed >>> 0, Math.ceil(p.dropout * 2 ** 24),
  ]);
  u.f32[18] = p.scale;
  u.f32[19] = p.dropout > 0 ? 1 / (1 - p.dropout) : 1;
  return u;
}

export function attention(ctx: LmContext, q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, p: AttentionParams): void {
  const [batch, lq, d] = q.shape as [number, number, number];
  const dv = v.shape[2]!;
  const source = kernel(`attention:forward:${d}:${dv}`, 'attention', 'forward', 'urrrrww', attentionHead(d, dv));
  const groups = batch * Math.ceil(lq / WGQ);
  ctx.queue.dispatch(
    ctx.pipelines.get(source),
    [q.storage as GpuStorage, k.storage as GpuStorage, v.storage as GpuStorage, buf(mask, ctx.placeholder), out.storage as GpuStorage, lse.storage as GpuStorage],
    attentionUniform(q, k, v, mask, out, lse, undefined, p),
    ctx.grid(groups, 'attention'),
  );
}

export function attentionGrad(
  ctx: LmContext, q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, dout: View, dq: View, dk: View, dvOut: View, p: AttentionParams,
): void {
  const [batch, lq, d] = q.shape as [number, number, number];
  const lk = k.shape[1]!;
  const dv = v.shape[2]!;
  const head = attentionHead(d, dv);
  const uniform = attentionUniform(q, k, v, mask, out, lse, dout, p);
  const m = buf(mask, ctx.placeholder);
  const stats = ctx.scratch(batch * lq * 2 * 4);
  ctx.queue.dispatch(
    ctx.pipelines.get(kernel(`attention:stats:${d}:${dv}`, 'attention', 'stats', 'urrrwr', head)),
    [out.storage as GpuStorage, lse.storage as GpuStorage, dout.storage as GpuStorage, stats, m],
    uniform,
    ctx.grid(Math.ceil((batch * lq) / WGQ), 'attention stats'),
  );
  const operands = [q.storage as GpuStorage, k.storage as GpuStorage, v.storage as GpuStorage, m, stats, dout.storage as GpuStorage];
  ctx.queue.dispatch(
    ctx.pipelines.get(kernel(`attention:grad_q:${d}:${dv}`, 'attention', 'grad_q', 'urrrrrrw', head)),
    [...operands, dq.storage as GpuStorage],
    uniform,
    ctx.grid(batch * Math.ceil(lq / WGQ), 'attention dq'),
  );
  ctx.queue.dispatch(
    ctx.pipelines.get(kernel(`attention:grad_kv:${d}:${dv}`, 'attention', 'grad_kv', 'urrrrrrww', head)),
    [...operands, dk.storage as GpuStorage, dvOut.storage as GpuStorage],
    uniform,
    ctx.grid(batch * Math.ceil(lk / WGQ), 'attention dk dv'),
  );
  ctx.release(stats);
}

// --- layer norm --------------------------------------------------------------

function normUniform(rows: number, n: number, x: View, dy: View | undefined, gamma: View | undefined, beta: View | undefined, mean: View, rstd: View, o: View | undefined, eps: number, hasBeta = beta !== undefined): Uniform {
  const u = new Uniform();
  u.u32.set([rows, n, x.offset, dy?.offset ?? 0, gamma?.offset ?? 0, beta?.offset ?? 0, gamma ? 1 : 0, hasBeta ? 1 : 0, mean.offset, rstd.offset, o?.offset ?? 0]);
  u.f32[11] = eps;
  return u;
}

/**
 * Whether layer norm's forward and dx take the row-per-thread sections (no barriers):
 * on software adapters, once there are rows enough to keep the lanes busy.
 */
function normRows(ctx: LmContext, rows: number): boolean {
  return ctx.software && rows >= 64;
}

export function layerNorm(ctx: LmContext, x: View, gamma: View | undefined, beta: View | undefined, out: View, mean: View, rstd: View, eps: number): void {
  const [rows, n] = x.shape as [number, number];
  const perThread = normRows(ctx, rows);
  const section = perThread ? 'forward_rows' : 'forward';
  ctx.queue.dispatch(
    ctx.pipelines.get(kernel(`layerNorm:${section}:${ctx.wg}`, 'layer-norm', section, 'urrrwww', [`const WG: u32 = ${ctx.wg}u;`])),
    [x.storage as GpuStorage, buf(gamma, ctx.placeholder), buf(beta, ctx.placeholder), out.storage as GpuStorage, mean.storage as GpuStorage, rstd.storage as GpuStorage],
    normUniform(rows, n, x, undefined, gamma, beta, mean, rstd, out, eps),
    ctx.grid(perThread ? Math.ceil(rows / ctx.wg) : rows, 'layerNorm'),
  );
}

export function layerNormGrad(
  ctx: LmContext, dy: View, x: View, gamma: View | undefined, mean: View, rstd: View, dx: View, dgamma: View | undefined, dbeta: View | undefined,
): void {
  const [rows, n] = x.shape as [number, number];
  const perThread = normRows(ctx, rows);
  const section = perThread ? 'grad_x_rows' : 'grad_x';
  ctx.queue.dispatch(
    ctx.pipelines.get(kernel(`layerNorm:${section}:${ctx.wg}`, 'layer-norm', section, 'urrrrrw', [`const WG: u32 = ${ctx.wg}u;`])),
    [dy.storage as GpuStorage, x.storage as GpuStorage, buf(gamma, ctx.placeholder), mean.storage as GpuStorage, rstd.storage as GpuStorage, dx.storage as GpuStorage],
    normUniform(rows, n, x, dy, gamma, undefined, mean, rstd, dx, 0),
    ctx.grid(perThread ? Math.ceil(rows / ctx.wg) : rows, 'layerNorm gradient'),
  );
  if (!dgamma && !dbeta) return;
  // dgamma / dbeta: g_off and b_off are their offsets here, has_* say which to write;
  // an absent one is bound to scratch (one buffer may not be bound writable twice).
  const u = normUniform(rows, n, x, dy, dgamma, dbeta, mean, rstd, undefined, 0);
  const temps = [dgamma ? undefined : ctx.scratch(n * 4), dbeta ? undefined : ctx.scratch(n * 4)];
  ctx.queue.dispatch(
    ctx.pipelines.get(kernel(`layerNorm:grad_affine:${ctx.wg}`, 'layer-norm', 'grad_affine', 'urrrrwwr', [`const WG: u32 = ${ctx.wg}u;`])),
    [dy.storage as GpuStorage, x.storage as GpuStorage, mean.storage as GpuStorage, rstd.storage as GpuStorage,
      (dgamma?.storage as GpuStorage | undefined) ?? temps[0]!, (dbeta?.storage as GpuStorage | undefined) ?? temps[1]!, ctx.placeholder],
    u,
    ctx.grid(Math.ceil(n / ctx.wg), 'layerNorm gradient'),
  );
  for (const t of temps) if (t) ctx.release(t);
}

// --- sparse cross-entropy ------------------------------------------------------

export function sparseCrossEntropy(ctx: LmContext, logits: View, labels: View, loss: View, lse: View, flags: GpuStorage, call: number): void {
  const [rows, v] = logits.shape as [number, number];
  const u = new Uniform();
  u.u32.set([rows, v, logits.offset, labels.offset, loss.offset, 0, 0, call]);
  ctx.queue.dispatch(
    ctx.pipelines.get(kernel(`xent:forward:${ctx.wg}`, 'cross-entropy', 'forward', 'urrwww', [`const WG: u32 = ${ctx.wg}u;`])),
    [logits.storage as GpuStorage, labels.storage as GpuStorage, loss.storage as GpuStorage, lse.storage as GpuStorage, flags],
    u,
    ctx.grid(rows, 'sparseCrossEntropy'),
  );
}

export function sparseCrossEntropyGrad(ctx: LmContext, logits: View, labels: View, lse: View, dloss: View, dlogits: View): void {
  const [rows, v] = logits.shape as [number, number];
  const u = new Uniform();
  u.u32.set([rows, v, logits.offset, labels.offset, 0, dloss.offset, dloss.strides[0] ?? 0, 0]);
  ctx.queue.dispatch(
    ctx.pipelines.get(kernel(`xent:grad:${ctx.wg}`, 'cross-entropy', 'grad', 'urrrrw', [`const WG: u32 = ${ctx.wg}u;`])),
    [logits.storage as GpuStorage, labels.storage as GpuStorage, lse.storage as GpuStorage, dloss.storage as GpuStorage, dlogits.storage as GpuStorage],
    u,
    ctx.grid(Math.ceil((rows * v) / ctx.wg), 'sparseCrossEntropy gradient'),
  );
}
