// The WebGPU backend: WGSL kernels (shaders/) on a device found by
// webgpu/device.ts. Reads top to bottom: acquire, allocate, compile, dispatch, read.
//
// Every kernel records a command and returns at once (webgpu/queue.ts batches
// them into few submits); only `read` and `sync` wait. Pipelines are compiled
// asynchronously and cached (webgpu/pipelines.ts), buffers are pooled by size
// class and staging buffers reused (webgpu/memory.ts). A lost device makes every
// later call throw an error that says so, rather than hang.

import type {
  AttentionParams, Backend, BackendInfo, BinaryOp, ConvGeometry, MatmulOptions, OptimizerRule, StepDevice, PoolGeometry, PoolOp, RandomDistribution,
  ReduceOp, Storage, UnaryOp, View,
} from './backend.js';
import * as lm from './webgpu/lm.js';
import { checkOptions } from '../options.js';
import { STATE_SLOTS } from './step-rules.js';
import { convByIm2col } from './conv-by-im2col.js';
import { contiguousStrides, isContiguous, sizeOf } from './strided.js';
import { acquireDevice, type AcquireOptions, type AcquiredDevice, type AdapterSummary, summarizeAdapter } from './webgpu/device.js';
import {
  binaryKernel, copyKernel, fillKernel, linearVariant, vec4Variant, gatherKernel, type MatmulConfig, matmulKernel, randomKernel, reduceKernel, scatterAddKernel,
  stepKernel, type TiledConfig, unaryKernel, whereKernel, windowKernel, type WindowKernel,
} from './webgpu/kernels.js';
import { anyHalf, halfElementwise, halfGather, refuseHalf } from './webgpu/float16.js';
import { DeviceFlags } from './webgpu/flags.js';
import { idOutOfRange } from './lookup-check.js';
import { LossSignal } from './webgpu/loss.js';
import { float16Bytes, unpackFloat16 } from '../float16.js';
import { BufferPool, GpuStorage, mib, StagingPool } from './webgpu/memory.js';
import {
  collapse, elementwiseParams, indexParams, type MatmulGeometry, matmulGeometry, matmulParams, reduceParams, stepParams,
} from './webgpu/params.js';
import { PipelineCache } from './webgpu/pipelines.js';
import { CommandQueue } from './webgpu/queue.js';
import { implicitConvParams, windowParams } from './webgpu/window.js';

export interface WebGPUBackendOptions extends AcquireOptions {
  /**
   * Run on this device instead of acquiring one (for apps that already have a
   * device). The backend then never destroys it.
   */
  readonly device?: GPUDevice;
  /** The adapter `device` came from, for `info()`. */
  readonly adapter?: GPUAdapter;
  /** How `device` was found (from acquireDevice), for `info()`. */
  readonly found?: Pick<AcquiredDevice, 'via' | 'tried' | 'featureLevel'>;
  /** Threads per workgroup of the elementwise, reduction and update kernels (a power of two; default 256 or the device's limit). */
  readonly workgroupSize?: number;
  /** Dispatches recorded before a batch is submitted (default 64). */
  readonly maxDispatchesPerBatch?: number;
  /**
   * A fixed matmul tile for products with both sides >= 128, for tuning on a given
   * GPU: output rows x columns per workgroup, the k step (multiples of 4), and
   * outputs per thread along each side (4 or 8). By default the tile follows the
   * output size (TILE_LADDER); smaller products use 32x32x16.
   */
  readonly matmulTile?: MatmulTile;
  /**
   * The most GPU storage (bytes) tensors may hold at once. An allocation past it is an
   * error that names it (after the pool's free buffers are let go); a device has no API
   * that tells its memory size, so by default only the device's own limits apply.
   */
  readonly memoryBudget?: number;
}

export interface MatmulTile {
  readonly tm: number;
  readonly tn: number;
  readonly tk: number;
  /** Outputs per thread along each side: 4 or 8 (default 4). */
  readonly per?: 4 | 8;
}

/**
 * The tiles a product can use, largest first, each taken only when the output fills
 * enough workgroups to keep the GPU busy. Measured on an H200 (docs/benchmarks.md):
 * 128x128 with 8x8 outputs per thread and pipelined loads wins from 2048², 64x64x32
 * from 512², and 32x32 below.
 */
const TILE_LADDER: readonly { readonly tile: MatmulTile; readonly minGroups: number }[] = [
  { tile: { tm: 128, tn: 128, tk: 8, per: 8 }, minGroups: 256 },
  { tile: { tm: 64, tn: 64, tk: 32 }, minGroups: 64 },
];
/**
 * The ladder on a software adapter (llvmpipe, SwiftShader), for every operand layout:
 * there a workgroup's threads run one after another, and 8x8 outputs per thread
 * (more multiply-adds per workgroup-memory read) took the matmuls of a GPT training
 * step on llvmpipe from ~2.1-3.3 s to ~1.2-1.6 s against 64x64x16 with 4x4.
 */
const SOFTWARE_LADDER: typeof TILE_LADDER = [
  { tile: { tm: 128, tn: 128, tk: 8, per: 8 }, minGroups: 4 },
  { tile: { tm: 64, tn: 64, tk: 16, per: 8 }, minGroups: 1 },
];
/** Products with a transposed or unaligned operand of 128 or more on both sides. */
const TRANSPOSED_TILE: MatmulTile = { tm: 64, tn: 64, tk: 16 };
const SMALL_TILE: MatmulTile = { tm: 32, tn: 32, tk: 16 };
/**
 * Outputs 16 or fewer columns wide (a convolution's 8-16 filters, a classifier's 10
 * classes): a 32-wide tile would be half padding. On llvmpipe the conv2d bench's
 * [B·256 × 72]·[72 × 16] product with im2col took 55-63 ms at B = 32 with 64x16x8 and
 * 8x8 outputs per thread, 77 ms with 64x16x16 and 4x4, 107 ms with 32x32x16; a GPU
 * keeps 4x4 outputs per thread (64 threads a workgroup rather than 16).
 */
const NARROW_TILE: MatmulTile = { tm: 64, tn: 16, tk: 16 };
const NARROW_SOFTWARE_TILE: MatmulTile = { tm: 64, tn: 16, tk: 8, per: 8 };
/**
 * A convolution with 16 or fewer filters run as implicit GEMM on a software adapter:
 * the gather of its A tiles (window arithmetic per vec4) left no room for 8x8 outputs
 * per thread. The conv2d bench's [B·256 × 72]·[72 × 16] took 9.6-10 ms at B = 32 and
 * 36-41 ms at B = 128 on llvmpipe with this tile, 14-17 and 50-58 with the narrow
 * 64x16x8 tile and 8x8 per thread, 13-14 and 48-57 through im2col (2026-12-06).
 */
const IMPLICIT_CONV_NARROW_SOFTWARE_TILE: MatmulTile = { tm: 32, tn: 16, tk: 8 };
/** How long a read aborted by the device waits for the device's lost promise (see orLost). */
const ABORT_LOSS_WAIT_MS = 1000;

/** Creates the backend on the best device found; throws, listing every attempt, when there is none. */
export async function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<Backend> {
  checkOptions('webgpu backend', options, ['device', 'adapter', 'found', 'workgroupSize', 'maxDispatchesPerBatch', 'matmulTile', 'memoryBudget']);
  if (options.device) {
    return new WebGPUBackend(
      {
        device: options.device,
        adapter: options.adapter,
        via: options.found?.via ?? 'a device given by the caller',
        featureLevel: options.found?.featureLevel ?? (options.device.features.has('core-features-and-limits') ? 'core' : 'compatibility'),
        tried: options.found?.tried ?? ['a device given by the caller: ok'],
      },
      false,
      options,
    );
  }
  const acquired = await acquireDevice(options);
  return new WebGPUBackend(acquired, true, options);
}

type Acquired = Pick<AcquiredDevice, 'device' | 'via' | 'featureLevel' | 'tried'> & { adapter: GPUAdapter | undefined; gpu?: GPU };

/** Limits reported by info() and used to size kernels. */
const REPORTED_LIMITS = [
  'maxBufferSize', 'maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension',
  'maxUniformBufferBindingSize',
] as const;

const MAX_POOLED_BYTES = 512 * 2 ** 20;

const TWO_PASS_OPS = new Set<ReduceOp>(['sum', 'mean', 'max', 'min', 'prod']);
/** Reductions of fewer elements per output stay in one pass. */
const TWO_PASS_FROM = 16384;

/**
 * How many strands a two-pass reduction of `units` (elements, or vec4s of them) into
 * each of `outer` outputs uses: the largest divisor of `units` (strands must be
 * equal) of at most ~4,096 threads in all, leaving each strand 32 or more units; 0
 * when `units` has no such divisor of 16 or more.
 */
export function strandsFor(units: number, outer: number): number {
  const most = Math.min(Math.floor(4096 / outer), Math.floor(units / 32));
  for (let parts = most; parts >= 16; parts--) if (units % parts === 0) return parts;
  return 0;
}

class WebGPUBackend implements Backend {
  readonly name = 'webgpu' as const;
  private readonly device: GPUDevice;
  private readonly adapter: AdapterSummary | undefined;
  /** A CPU adapter (llvmpipe, SwiftShader): reductions prefer barrier-free kernels there. */
  private readonly software: boolean;
  /**
   * Whether the vec4 elementwise and im2col variants and two-pass reductions run. Not in
   * Deno: with either of them on, its WebGPU (wgpu) aborted with a corrupted heap at
   * process exit after the Deno suite passed (1 to 2 runs in 3; 0 in 9 without them,
   * measured 2026-12-05), so Deno keeps the one-pass, one-word kernels until that is
   * understood.
   */
  private readonly vec4Kernels: boolean;
  private readonly pool: BufferPool;
  private readonly staging: StagingPool;
  private readonly pipelines: PipelineCache;
  private readonly queue: CommandQueue;
  private readonly limits: Readonly<Record<string, number>>;
  /** Threads per workgroup of the 1-D kernels (a power of two). */
  private readonly wg: number;
  private readonly maxGroups: number;
  /** The tile for large products, or undefined when only the small one fits this device. */
  /** A tile fixed by the matmulTile option (for tuning) for products of 128 or more. */
  private readonly fixedTile: MatmulTile | undefined;
  /** TILE_LADDER's entries that fit this device. */
  private readonly ladder: typeof TILE_LADDER;
  /** SOFTWARE_LADDER's entries that fit, on a software adapter; empty elsewhere. */
  private readonly softwareLadder: typeof TILE_LADDER;
  /** Bound where a kernel has an optional operand that is absent (matmul without bias). */
  private readonly placeholder: GPUBuffer;
  /** Stand-ins for the state slots a rule does not keep, in device-scalar steps (made on first use). */
  private statePlaceholders: GPUBuffer[] | undefined;
  private readonly lostPromise: Promise<GPUDeviceLostInfo>;
  private readonly loss: LossSignal;
  private lost: GPUDeviceLostInfo | undefined;
  private disposed = false;
  /** What the language-model kernels (webgpu/lm.ts) use of this backend. */
  private readonly lmContext: lm.LmContext;
  /** Bad inputs found on the device (cross-entropy labels, checked gathers); see webgpu/flags.ts. */
  private readonly flags: DeviceFlags;

  constructor(private readonly acquired: Acquired, private readonly ownsDevice: boolean, options: WebGPUBackendOptions) {
    const device = acquired.device;
    this.device = device;
    this.adapter = acquired.adapter ? summarizeAdapter(acquired.adapter) : undefined;
    this.software = this.adapter?.software ?? false;
    this.vec4Kernels = (globalThis as { Deno?: unknown }).Deno === undefined;
    const limits: Record<string, number> = {};
    for (const name of REPORTED_LIMITS) limits[name] = Number((device.limits as unknown as Record<string, number>)[name]);
    this.limits = limits;
    const threads = Math.min(options.workgroupSize ?? 256, limits['maxComputeInvocationsPerWorkgroup']!, limits['maxComputeWorkgroupSizeX']!);
    this.wg = 2 ** Math.floor(Math.log2(threads));
    this.maxGroups = limits['maxComputeWorkgroupsPerDimension']!;
    const tileProblem = (t: MatmulTile): string | undefined => {
      const per = t.per ?? 4;
      if (per !== 4 && per !== 8) return 'per must be 4 or 8';
      if (![t.tm, t.tn, t.tk].every((v) => Number.isInteger(v) && v > 0 && v % 4 === 0)) return 'sizes must be positive multiples of 4';
      if (per === 8 && (t.tm % 8 !== 0 || t.tn % 8 !== 0)) return 'with 8 outputs per thread, rows and columns must be multiples of 8';
      const wx = t.tn / per;
      const wy = t.tm / per;
      if (wx * wy > limits['maxComputeInvocationsPerWorkgroup']!) return `${wx * wy} threads exceed maxComputeInvocationsPerWorkgroup`;
      if (wx > limits['maxComputeWorkgroupSizeX']! || wy > limits['maxComputeWorkgroupSizeY']!) return 'the workgroup is too wide for this device';
      if (4 * t.tk * (t.tm + t.tn) > limits['maxComputeWorkgroupStorageSize']!) return 'the tiles exceed maxComputeWorkgroupStorageSize';
      return undefined;
    };
    if (options.matmulTile) {
      const problem = tileProblem(options.matmulTile);
      if (problem) throw new Error(`webgpu: matmulTile ${JSON.stringify(options.matmulTile)} does not fit: ${problem}`);
    }
    this.fixedTile = options.matmulTile;
    this.ladder = TILE_LADDER.filter((rung) => tileProblem(rung.tile) === undefined);
    this.softwareLadder = this.software ? SOFTWARE_LADDER.filter((rung) => tileProblem(rung.tile) === undefined) : [];
    this.lostPromise = device.lost.then((info) => {
      this.lost = info;
      this.queue.fail(this.lostError('(pending work)'));
      return info;
    });
    const maxBinding = Math.min(limits['maxStorageBufferBindingSize']!, limits['maxBufferSize']!);
    const budget = options.memoryBudget;
    if (budget !== undefined && !(Number.isFinite(budget) && budget > 0)) throw new Error(`webgpu: memoryBudget should be a positive number of bytes, got ${String(budget)}`);
    this.pool = new BufferPool(device, maxBinding, MAX_POOLED_BYTES, (error) => this.queue.fail(error), () => this.queue.submittedSerial, budget);
    this.staging = new StagingPool(device);
    this.pipelines = new PipelineCache(device);
    this.loss = new LossSignal(this.lostPromise);
    this.queue = new CommandQueue(device, options.maxDispatchesPerBatch ?? 64, this.loss, (serial) => this.pool.recycle(serial));
    this.placeholder = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'webgrad placeholder' });
    this.flags = new DeviceFlags((bytes, label) => this.pool.acquire(bytes, label), this.queue, this.staging);
    this.lmContext = {
      queue: this.queue,
      pipelines: this.pipelines,
      placeholder: this.placeholder,
      wg: this.wg,
      software: this.software,
      grid: (groups, kernel) => this.grid(groups, kernel),
      scratch: (bytes) => this.pool.acquire(bytes, 'kernel scratch'),
      release: (storage) => this.release(storage),
    };
  }

  // --- state checks -----------------------------------------------------------

  private lostError(op: string): Error {
    const info = this.lost!;
    return new Error(
      `webgpu ${op}: the GPU device was lost (reason '${info.reason}': ${info.message || 'no message'}); ` +
        'this backend refuses further work: create a new WebGPU backend to continue',
    );
  }

  private check(op: string): void {
    if (this.disposed) throw new Error(`webgpu ${op}: the backend was disposed`);
    if (this.lost) throw this.lostError(op);
  }

  /** Rejects as soon as the device is lost, whatever `promise` does. */
  private async orLost<T>(op: string, promise: Promise<T>): Promise<T> {
    try {
      return await this.loss.race(promise, () => this.lostError(op));
    } catch (error) {
      // A destroyed device rejects a pending map at once (Chromium: an AbortError, "Buffer
      // was unmapped before mapping was resolved"), but its lost promise settles only
      // after a round trip to the GPU process, which can take a while on a busy machine.
      // Nothing else unmaps a buffer with a read pending, so an abort waits up to a second
      // for the loss; other errors get one turn of the event loop.
      if (!this.lost) {
        const aborted = error instanceof Error && error.name === 'AbortError';
        await this.loss.settled(new Promise((resolve) => setTimeout(resolve, aborted ? ABORT_LOSS_WAIT_MS : 0)));
      }
      if (this.lost) throw this.lostError(op);
      throw error;
    }
  }

  // --- storage --------------------------------------------------------------

  alloc(bytes: number, label?: string): Storage {
    this.check('alloc');
    return this.pool.acquire(bytes, label);
  }

  free(storage: Storage): void {
    if (this.disposed || this.lost) return;
    this.pool.release(storage as GpuStorage, this.queue.submittedSerial);
  }

  write(storage: Storage, data: Float32Array | Int32Array, offset = 0): void {
    this.check('write');
    const s = storage as GpuStorage;
    const at = offset * 4;
    if (at + data.byteLength > s.bytes) {
      throw new Error(`webgpu write: ${data.length} elements at element ${offset} do not fit a storage of ${s.bytes} bytes`);
    }
    if (data.byteLength === 0) return;
    const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    // A buffer that recorded commands still use must be written in order with them.
    if (s.lastUse > this.queue.submittedSerial) this.queue.upload(s, at, bytes);
    else this.device.queue.writeBuffer(s.buffer, at, bytes);
  }

  async read(view: View): Promise<Float32Array | Int32Array> {
    this.check('read');
    const count = sizeOf(view.shape);
    const half = view.dtype === 'f16';
    let out: Float32Array | Int32Array = view.dtype === 'i32' ? new Int32Array(count) : new Float32Array(count);
    if (count === 0) return out;
    // f16 is read as whole words from an even offset, then unpacked on the host.
    const { view: src, temp } = this.contiguous(view, half && view.offset % 2 === 1);
    const bytes = half ? float16Bytes(count) : count * 4;
    const staging = this.staging.acquire(bytes);
    this.queue.copy(src.storage as GpuStorage, half ? src.offset * 2 : src.offset * 4, staging, 0, bytes);
    this.release(temp);
    const flagCheck = this.flags.take();
    try {
      await this.orLost('read', this.queue.submitted());
      await this.orLost('read', staging.mapAsync(GPUMapMode.READ, 0, bytes));
      if (half) out = unpackFloat16(new Uint32Array(staging.getMappedRange(0, bytes).slice(0)), count);
      else new Uint8Array(out.buffer).set(new Uint8Array(staging.getMappedRange(0, bytes)));
      staging.unmap();
      this.staging.release(staging);
    } catch (error) {
      if (staging.mapState === 'mapped') staging.unmap();
      if (!this.lost) this.staging.release(staging);
      throw error;
    }
    await this.orLost('read', this.queue.checked());
    if (flagCheck) await this.flags.check(flagCheck, (p) => this.orLost('read', p));
    return out;
  }

  // --- kernels ----------------------------------------------------------------

  matmul(a: View, b: View, out: View, options: MatmulOptions = {}): void {
    this.check('matmul');
    this.requireDense('matmul', out);
    const g = matmulGeometry(a, b, out);
    if (g.batch * g.m * g.n === 0) return;
    if (out.dtype === 'f16') {
      // Accumulate in f32, then round to f16 in a second pass that writes whole words
      // (the tiles' per-element stores could split a word between two threads).
      const temp = this.pool.acquire(sizeOf(out.shape) * 4, 'matmul f32 accumulator');
      const wide: View = { storage: temp, dtype: 'f32', shape: out.shape, strides: contiguousStrides(out.shape), offset: 0 };
      this.matmul(a, b, wide, options);
      this.copy(wide, out);
      this.release(temp);
      return;
    }
    const dtypes = { a: a.dtype, b: b.dtype, bias: options.bias?.dtype ?? 'f32' };
    const config = this.planMatmul(g, a.offset, b.offset, anyHalf(a, b, options.bias));
    const entry = this.pipelines.get(matmulKernel(config, options.bias !== undefined, options.activation ?? 'linear', dtypes));
    const buffers = [a.storage as GpuStorage, b.storage as GpuStorage, (options.bias?.storage as GpuStorage | undefined) ?? this.placeholder, out.storage as GpuStorage];
    const perDispatch = config.kind === 'tiled' ? this.maxGroups : g.batch;
    for (let first = 0; first < g.batch; first += perDispatch) {
      const count = Math.min(perDispatch, g.batch - first);
      const uniform = matmulParams(g, a.offset, b.offset, options.bias, first, count);
      let groups: readonly [number, number, number];
      if (config.kind === 'tiled') {
        groups = [Math.ceil(g.n / config.tn), Math.ceil(g.m / config.tm), count];
        if (groups[0] > this.maxGroups || groups[1] > this.maxGroups) {
          throw new Error(`webgpu matmul: a [${g.m}x${g.n}] output needs more than ${this.maxGroups} workgroups along one dimension`);
        }
      } else {
        const outputs = count * g.m * g.n;
        groups = this.grid(config.kind === 'dot_per_thread' ? Math.ceil(outputs / config.wg) : outputs, 'matmul');
      }
      this.queue.dispatch(entry, buffers, uniform, groups);
    }
  }

  /** Chooses the kernel and tile shape for a product (the "shape class" that keys its pipeline). */
  private planMatmul(g: MatmulGeometry, aOffset: number, bOffset: number, half = false): MatmulConfig {
    const outputs = g.batch * g.m * g.n;
    if (g.m === 1 || g.n === 1) {
      return { kind: g.k >= 256 && outputs <= 16384 ? 'dot_per_workgroup' : 'dot_per_thread', wg: this.wg };
    }
    if (outputs <= 1024 && g.k >= 1024) return { kind: 'dot_per_workgroup', wg: this.wg };
    // Packed f16 operands are loaded one element at a time.
    const four = (x: number) => x % 4 === 0 && !half;
    const aBatch = g.aBatch.every(four) && four(aOffset);
    const bBatch = g.bBatch.every(four) && four(bOffset);
    const loadA = g.aCol === 1 && four(g.k) && four(g.aRow) && aBatch ? 'vec_k'
      : g.aRow === 1 && four(g.m) && four(g.aCol) && aBatch ? 'vec_m' : 'scalar';
    const loadB = g.bCol === 1 && four(g.n) && four(g.bRow) && bBatch ? 'vec_n'
      : g.bRow === 1 && four(g.k) && four(g.bCol) && bBatch ? 'vec_k' : 'scalar';
    return { kind: 'tiled', ...this.chooseTile(g, loadA, loadB), loadA, loadB };
  }

  private chooseTile(g: MatmulGeometry, loadA: TiledConfig['loadA'], loadB: TiledConfig['loadB']): MatmulTile {
    if (g.m >= 128 && g.n >= 128 && this.fixedTile) return this.fixedTile;
    if (g.n <= 16 && g.m >= 64) return this.software ? NARROW_SOFTWARE_TILE : NARROW_TILE;
    for (const rung of this.softwareLadder) {
      if (g.m < rung.tile.tm || g.n < rung.tile.tn) continue;
      if (g.batch * Math.ceil(g.m / rung.tile.tm) * Math.ceil(g.n / rung.tile.tn) >= rung.minGroups) return rung.tile;
    }
    // The ladder was measured on untransposed operands (A read along k, B along n).
    // Transposed operands keep the 64x64x16 tile they were measured with in training
    // steps on the same GPU until the ladder is measured for them too.
    if (loadA === 'vec_k' && loadB === 'vec_n') {
      for (const rung of this.ladder) {
        // A tile wider than the output would mostly compute padding.
        if (g.m < rung.tile.tm || g.n < rung.tile.tn) continue;
        const groups = g.batch * Math.ceil(g.m / rung.tile.tm) * Math.ceil(g.n / rung.tile.tn);
        if (groups >= rung.minGroups) return rung.tile;
      }
    }
    return g.m >= 128 && g.n >= 128 ? TRANSPOSED_TILE : SMALL_TILE;
  }


  unary(op: UnaryOp, x: View, out: View, args?: readonly number[]): void {
    this.check('unary');
    if (anyHalf(x, out)) return halfElementwise(this.lmContext, { kind: 'unary', op }, [x], out, args);
    this.elementwise('unary', unaryKernel(op, x.dtype, out.dtype, this.wg), out.shape, [x, out], args);
  }

  binary(op: BinaryOp, a: View, b: View, out: View, args?: readonly number[]): void {
    this.check('binary');
    if (anyHalf(a, b, out)) return halfElementwise(this.lmContext, { kind: 'binary', op }, [a, b], out, args);
    this.elementwise('binary', binaryKernel(op, a.dtype, out.dtype, this.wg), out.shape, [a, b, out], args);
  }

  where(cond: View, a: View, b: View, out: View): void {
    this.check('where');
    if (anyHalf(cond, a, b, out)) return halfElementwise(this.lmContext, { kind: 'where' }, [cond, a, b], out);
    this.elementwise('where', whereKernel(cond.dtype, this.wg), out.shape, [cond, a, b, out]);
  }

  copy(x: View, out: View): void {
    this.check('copy');
    const count = sizeOf(x.shape);
    if (count === 0) return;
    if (anyHalf(x, out)) {
      // Whole words move as bytes when both sides start on a word and cover whole words.
      if (x.dtype === out.dtype && x.storage !== out.storage && isContiguous(x) && isContiguous(out) && (x.offset | out.offset | count) % 2 === 0) {
        this.queue.copy(x.storage as GpuStorage, x.offset * 2, out.storage as GpuStorage, out.offset * 2, count * 2);
        return;
      }
      return halfElementwise(this.lmContext, { kind: 'copy' }, [x], out);
    }
    if (x.dtype === out.dtype && x.storage !== out.storage && isContiguous(x) && isContiguous(out)) {
      this.queue.copy(x.storage as GpuStorage, x.offset * 4, out.storage as GpuStorage, out.offset * 4, count * 4);
      return;
    }
    this.elementwise('copy', copyKernel(x.dtype, out.dtype, this.wg), x.shape, [x, out]);
  }

  fill(out: View, value: number): void {
    this.check('fill');
    const count = sizeOf(out.shape);
    if (count === 0) return;
    if (out.dtype === 'f16') return halfElementwise(this.lmContext, { kind: 'fill' }, [], out, [], new Uint32Array(Float32Array.of(value).buffer)[0]!);
    const word = out.dtype === 'f32' ? new Uint32Array(Float32Array.of(value).buffer)[0]! : Int32Array.of(value)[0]! >>> 0;
    if (word === 0 && isContiguous(out)) {
      this.queue.clear(out.storage as GpuStorage, out.offset * 4, count * 4);
      return;
    }
    this.elementwise('fill', fillKernel(this.wg), out.shape, [out], [], word);
  }

  random(out: View, seed: number, offset: number, dist: RandomDistribution): void {
    this.check('random');
    refuseHalf('random', out);
    this.requireDense('random', out, true);
    const { uniform, count } = elementwiseParams('random', out.shape, [out], [], seed >>> 0);
    if (count === 0) return;
    uniform.u32[3] = offset >>> 0;
    const groups = this.grid(Math.ceil(count / this.wg), 'random');
    this.queue.dispatch(this.pipelines.get(linearVariant(randomKernel(dist, this.wg))), [out.storage as GpuStorage], uniform, groups);
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    this.check('reduce');
    refuseHalf('reduce', x, out);
    this.requireDense('reduce', out);
    if (this.reduceInTwoPasses(op, x, axes, out)) return;
    this.reduceOnce(op, x, axes, out);
  }

  /**
   * A long reduction into few outputs (a loss, a sum of everything) would run on a few
   * workgroups: split each output's elements into `parts` equal strands (in vec4s where
   * the elements are contiguous from a multiple of 4), reduce every
   * strand in its own thread into a temporary [outer, parts], then reduce that. Equal
   * strands make a mean of means the mean, so sum, mean, max, min and prod all split
   * (argmax and argmin need the index, so they do not). Float32 only: an integer mean
   * truncates per pass.
   */
  private reduceInTwoPasses(op: ReduceOp, x: View, axes: readonly number[], out: View): boolean {
    if (!this.vec4Kernels || !TWO_PASS_OPS.has(op) || x.dtype !== 'f32' || out.dtype !== 'f32') return false;
    const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
    const outer = kept.reduce((a, d) => a * x.shape[d]!, 1);
    const reduced = collapse(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!)]);
    if (outer === 0 || outer > 64 || reduced.shape.length !== 1 || reduced.shape[0]! < TWO_PASS_FROM) return false;
    const inner = reduced.shape[0]!;
    const stride = reduced.strides[0]![0]!;
    const keptShape = kept.map((d) => x.shape[d]!);
    const keptStrides = kept.map((d) => x.strides[d]!);
    const vec4 = stride === 1 && inner % 4 === 0 && x.offset % 4 === 0 && keptStrides.every((s) => s % 4 === 0);
    const unit = vec4 ? 4 : 1;
    const parts = strandsFor(inner / unit, outer);
    if (parts === 0) return false;
    const length = inner / unit / parts;
    // A GPU wants neighbouring threads on neighbouring words (interleaved strands); a
    // software adapter runs each thread's loop on a CPU core, whose prefetcher wants
    // every strand in one piece.
    const [walk, across] = this.software ? [unit * stride, length * unit * stride] : [parts * unit * stride, unit * stride];
    const strands: View = {
      storage: x.storage, dtype: 'f32', offset: x.offset,
      shape: [...keptShape, parts, length], strides: [...keptStrides, across, walk],
    };
    const temp = this.pool.acquire(outer * parts * 4, 'reduce partials');
    const partials: View = { storage: temp, dtype: 'f32', shape: [...keptShape, parts], strides: contiguousStrides([...keptShape, parts]), offset: 0 };
    this.reduceOnce(op, strands, [kept.length + 1], partials, vec4 ? 'per_thread_vec4' : 'per_thread');
    this.reduceOnce(op, partials, [kept.length], out);
    this.release(temp);
    return true;
  }

  private reduceOnce(op: ReduceOp, x: View, axes: readonly number[], out: View, chosen?: 'per_thread' | 'per_thread_vec4'): void {
    const { uniform, outer, inner } = reduceParams(x, axes);
    if (outer === 0) return;
    // On a software adapter a workgroup's tree reduction runs its threads one after
    // another between barriers: one thread per output wins once outputs are many.
    const variant = chosen ?? (inner <= 64 || (outer >= 16384 && inner <= 1024) || (this.software && outer >= 64) ? 'per_thread' : 'per_workgroup');
    const entry = this.pipelines.get(reduceKernel(op, x.dtype, variant, this.wg));
    const groups = this.grid(variant !== 'per_workgroup' ? Math.ceil(outer / this.wg) : outer, 'reduce');
    this.queue.dispatch(entry, [x.storage as GpuStorage, out.storage as GpuStorage], uniform, groups);
  }

  gather(x: View, indices: View, axis: number, out: View, lookup?: string): void {
    this.check('gather');
    this.requireDense('gather', out);
    const count = sizeOf(out.shape);
    if (count === 0) return;
    if (x.dtype === 'f16' && out.dtype !== 'f16') throw new Error(`webgpu gather: an f16 x needs an f16 out, got ${out.dtype}`);
    const src = this.contiguous(x);
    const idx = this.contiguous(indices);
    if (x.dtype === 'f16') {
      halfGather(this.lmContext, src.view, idx.view, axis, out);
      this.release(src.temp, idx.temp);
      return;
    }
    const size = x.shape[axis]!;
    // A checked lookup flags its first bad index for the next read (webgpu/flags.ts).
    const call = lookup === undefined ? 0 : this.flags.register(`gather|${lookup}|${size}`, (id, position) =>
      `${idOutOfRange(lookup, id, position, size)} (found on the GPU by the embedding lookup, whose rows for bad ids are zeros)`);
    const uniform = indexParams(count, size, sizeOf(indices.shape), sizeOf(x.shape.slice(axis + 1)), src.view.offset, idx.view.offset, call);
    this.queue.dispatch(
      this.pipelines.get(gatherKernel(this.wg)),
      [src.view.storage as GpuStorage, idx.view.storage as GpuStorage, out.storage as GpuStorage, this.flags.buffer()],
      uniform,
      this.grid(Math.ceil(count / this.wg), 'gather'),
    );
    this.release(src.temp, idx.temp);
  }

  scatterAdd(updates: View, indices: View, axis: number, out: View): void {
    this.check('scatterAdd');
    refuseHalf('scatterAdd', updates, out);
    this.requireDense('scatterAdd', out);
    // One invocation per update element (see shaders/scatter-add.wgsl).
    const count = sizeOf(updates.shape);
    const indexCount = sizeOf(indices.shape);
    if (sizeOf(out.shape) === 0 || count === 0 || indexCount === 0) return;
    const upd = this.contiguous(updates);
    const idx = this.contiguous(indices);
    const uniform = indexParams(count, out.shape[axis]!, indexCount, sizeOf(out.shape.slice(axis + 1)), upd.view.offset, idx.view.offset);
    this.queue.dispatch(
      this.pipelines.get(scatterAddKernel(out.dtype, this.wg)),
      [upd.view.storage as GpuStorage, idx.view.storage as GpuStorage, out.storage as GpuStorage],
      uniform,
      this.grid(Math.ceil(count / this.wg), 'scatterAdd'),
    );
    this.release(upd.temp, idx.temp);
  }

  // --- convolution and pooling (shaders/conv.wgsl, shaders/pool.wgsl) ---------

  im2col(x: View, out: View, geometry: ConvGeometry): void {
    // four channels of a tap at once where they are four aligned neighbouring words
    if (this.channelsInFours(x, geometry) && out.offset % 4 === 0) this.window('im2col_vec4', geometry, [x], out, 4);
    else this.window('im2col', geometry, [x], out);
  }

  /**
   * Whether the image's channels (per group) come in aligned fours that the vec4 kernels
   * read as one word each: channel stride 1, the other strides and the offset multiples
   * of 4 (and not in Deno: see vec4Kernels).
   */
  private channelsInFours(x: View, g: ConvGeometry): boolean {
    return this.vec4Kernels && (g.channels / g.groups) % 4 === 0 && x.strides[3] === 1 && x.offset % 4 === 0 &&
      x.strides.slice(0, 3).every((s) => s % 4 === 0);
  }

  conv2d(x: View, filter: View, out: View, geometry: ConvGeometry, options: MatmulOptions = {}): void {
    if (!this.implicitConv(x, filter, out, geometry, options)) convByIm2col(this, x, filter, out, geometry, options);
  }

  /**
   * A convolution as one product whose A tiles are gathered from the image as they load
   * (implicit GEMM, shaders/matmul.wgsl's fetch_a_conv): no patch matrix is written and
   * read back, and one dispatch instead of two. For f32, groups 1, and channels in
   * aligned fours (channelsInFours); false where it does not apply.
   */
  private implicitConv(x: View, filter: View, out: View, g: ConvGeometry, options: MatmulOptions): boolean {
    const bias = options.bias;
    if (g.groups !== 1 || !this.channelsInFours(x, g) || [x, filter, out, bias].some((v) => v !== undefined && v.dtype !== 'f32')) return false;
    const cout = out.shape[3]!;
    const m = g.batch * g.outH * g.outW;
    const k = g.kernelH * g.kernelW * g.channels;
    // the filter [kh, kw, c, cout] is contiguous (the contract), so B is [k, cout] row-major
    const product: MatmulGeometry = { m, n: cout, k, batch: 1, aRow: k, aCol: 1, bRow: cout, bCol: 1, batchShape: [], aBatch: [], bBatch: [] };
    const loadB = cout % 4 === 0 && filter.offset % 4 === 0 ? 'vec_n' : 'scalar';
    const tile = this.software && cout <= 16 ? IMPLICIT_CONV_NARROW_SOFTWARE_TILE : this.chooseTile(product, 'vec_k', loadB);
    const config: TiledConfig = { kind: 'tiled', ...tile, loadA: 'conv', loadB };
    const groups: [number, number, number] = [Math.ceil(cout / config.tn), Math.ceil(m / config.tm), 1];
    if (groups[0] > this.maxGroups || groups[1] > this.maxGroups) return false;
    this.check('conv2d');
    this.requireDense('conv2d', out);
    if (m * cout === 0) return true;
    const entry = this.pipelines.get(matmulKernel(config, bias !== undefined, options.activation ?? 'linear'));
    const buffers = [x.storage as GpuStorage, filter.storage as GpuStorage, (bias?.storage as GpuStorage | undefined) ?? this.placeholder, out.storage as GpuStorage];
    this.queue.dispatch(entry, buffers, implicitConvParams(g, product, x, filter.offset, bias), groups);
    return true;
  }

  col2im(cols: View, out: View, geometry: ConvGeometry): void {
    this.window('col2im', geometry, [cols], out);
  }

  pool2d(op: PoolOp, x: View, out: View, geometry: PoolGeometry): void {
    this.window(`pool_${op}`, geometry, [x], out);
  }

  pool2dGrad(op: PoolOp, x: View, dy: View, out: View, geometry: PoolGeometry): void {
    this.window(`pool_grad_${op}`, geometry, [x, dy], out);
  }

  /** One thread per element of out (per `perThread` elements); im2col and pool read x through its strides, other inputs are contiguous. */
  private window(kind: WindowKernel, g: ConvGeometry, inputs: readonly View[], out: View, perThread = 1): void {
    this.check(kind);
    refuseHalf(kind, ...inputs, out);
    this.requireDense(kind, out, true);
    const count = sizeOf(out.shape);
    if (count === 0) return;
    const image = kind === 'col2im' ? undefined : inputs[0];
    const aux = kind === 'col2im' ? inputs[0] : inputs[1];
    if (aux) this.requireDense(kind, aux, true);
    const uniform = windowParams(g, count, image, aux?.offset ?? 0, out.offset);
    this.queue.dispatch(
      this.pipelines.get(windowKernel(kind, this.wg)),
      [...inputs.map((v) => v.storage as GpuStorage), out.storage as GpuStorage],
      uniform,
      this.grid(Math.ceil(count / perThread / this.wg), kind),
    );
  }

  layerNorm(x: View, gamma: View | undefined, beta: View | undefined, out: View, mean: View, rstd: View, epsilon: number): void {
    this.check('layerNorm');
    refuseHalf('layerNorm', x, gamma, beta, out);
    lm.layerNorm(this.lmContext, x, gamma, beta, out, mean, rstd, epsilon);
  }

  layerNormGrad(dy: View, x: View, gamma: View | undefined, mean: View, rstd: View, dx: View, dgamma: View | undefined, dbeta: View | undefined): void {
    this.check('layerNormGrad');
    refuseHalf('layerNormGrad', dy, x, gamma, dx);
    lm.layerNormGrad(this.lmContext, dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
  }

  attention(q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, params: AttentionParams): void {
    this.check('attention');
    refuseHalf('attention', q, k, v, out);
    lm.attention(this.lmContext, q, k, v, mask, out, lse, params);
  }

  attentionGrad(
    q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, dout: View, dq: View, dk: View, dv: View, params: AttentionParams,
  ): void {
    this.check('attentionGrad');
    refuseHalf('attentionGrad', q, k, v, out, dout);
    lm.attentionGrad(this.lmContext, q, k, v, mask, out, lse, dout, dq, dk, dv, params);
  }

  sparseCrossEntropy(logits: View, labels: View, loss: View, lse: View, caller: string): void {
    this.check('sparseCrossEntropy');
    refuseHalf('sparseCrossEntropy', logits, loss);
    const classes = logits.shape[1]!;
    const call = this.flags.register(`xent|${caller}|${classes}`, (label, row) =>
      `${caller}: labels should be integers in [0, ${classes - 1}] (${classes} classes), got ${label} at position ${row} ` +
        '(found on the GPU by the fused cross-entropy kernel; that loss is NaN)');
    lm.sparseCrossEntropy(this.lmContext, logits, labels, loss, lse, this.flags.buffer(), call);
  }

  sparseCrossEntropyGrad(logits: View, labels: View, lse: View, dloss: View, dlogits: View): void {
    this.check('sparseCrossEntropyGrad');
    refuseHalf('sparseCrossEntropyGrad', logits, dloss, dlogits);
    lm.sparseCrossEntropyGrad(this.lmContext, logits, labels, lse, dloss, dlogits);
  }

  step(rule: OptimizerRule, param: View, grad: View, state: readonly View[], hyper: readonly number[], device?: StepDevice): void {
    this.check('step');
    refuseHalf('step', param, grad);
    if (state.length !== STATE_SLOTS[rule]) {
      throw new Error(`webgpu step: rule '${rule}' keeps ${STATE_SLOTS[rule]} state buffers, got ${state.length}`);
    }
    // param, grad and the state buffers are bound at once; compatibility-mode devices may allow as few as 4
    const buffers = device ? 6 : 2 + state.length;
    if (buffers > this.limits['maxStorageBuffersPerShaderStage']!) {
      throw new Error(
        `webgpu step: rule '${rule}' binds ${buffers} storage buffers, but this device allows ` +
          `${this.limits['maxStorageBuffersPerShaderStage']} per shader stage (maxStorageBuffersPerShaderStage)`,
      );
    }
    this.requireDense('step', param, true);
    for (const s of state) this.requireDense('step', s, true);
    const count = sizeOf(param.shape);
    if (count === 0) return;
    const g = this.contiguous(grad);
    if (!device) {
      const uniform = stepParams(count, param.offset, g.view.offset, state.map((s) => s.offset), hyper);
      this.queue.dispatch(
        this.pipelines.get(stepKernel(rule, this.wg)),
        [param.storage as GpuStorage, g.view.storage as GpuStorage, ...state.map((s) => s.storage as GpuStorage)],
        uniform,
        this.grid(Math.ceil(count / this.wg), 'step'),
      );
    } else {
      // The scalars stay on the device (loss scaling): no read-back, the kernel reads them.
      const h = this.contiguous(device.view);
      // Writable bindings must not alias: one placeholder per unused state slot.
      this.statePlaceholders ??= [0, 1, 2].map((i) => this.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: `webgrad step placeholder ${i}` }));
      const slots = [0, 1, 2].map((i) => (state[i]?.storage as GpuStorage | undefined) ?? this.statePlaceholders![i]!);
      const uniform = stepParams(count, param.offset, g.view.offset, state.map((s) => s.offset), hyper, h.view.offset, device.mask);
      this.queue.dispatch(
        this.pipelines.get(stepKernel(rule, this.wg, true)),
        [param.storage as GpuStorage, g.view.storage as GpuStorage, ...slots, h.view.storage as GpuStorage],
        uniform,
        this.grid(Math.ceil(count / this.wg), 'step'),
      );
      this.release(h.temp);
    }
    this.release(g.temp);
  }

  // --- dispatch helpers -------------------------------------------------------

  private elementwise(
    kernel: string, source: Parameters<PipelineCache['get']>[0], shape: readonly number[], operands: readonly View[],
    args?: readonly number[], word?: number,
  ): void {
    const { uniform, count, linear, vec4 } = elementwiseParams(kernel, shape, operands, args, word);
    if (count === 0) return;
    const buffers = operands.map((o) => o.storage as GpuStorage);
    const vector = vec4 && this.vec4Kernels ? vec4Variant(source) : undefined;
    const chosen = vector ?? (linear ? linearVariant(source) : source);
    this.queue.dispatch(this.pipelines.get(chosen), buffers, uniform, this.grid(Math.ceil(count / (vector ? 4 : 1) / this.wg), kernel));
  }

  /** A 2-D grid of `groups` workgroups, since one dimension holds at most maxComputeWorkgroupsPerDimension. */
  private grid(groups: number, kernel: string): [number, number, number] {
    const x = Math.min(groups, this.maxGroups);
    const y = Math.ceil(groups / x);
    if (y > this.maxGroups) throw new Error(`webgpu ${kernel}: ${groups} workgroups do not fit a ${this.maxGroups}x${this.maxGroups} grid`);
    return [x, y, 1];
  }

  private requireDense(kernel: string, view: View, anyOffset = false): void {
    if (!isContiguous(view) || (!anyOffset && view.offset !== 0)) {
      throw new Error(
        `webgpu ${kernel}: expected a contiguous ${anyOffset ? '' : 'offset-0 '}view, got shape [${view.shape.join(',')}] ` +
          `strides [${view.strides.join(',')}] offset ${view.offset}`,
      );
    }
  }

  /** The view itself when contiguous, otherwise a contiguous copy in a temporary storage. */
  private contiguous(view: View, force = false): { view: View; temp?: GpuStorage } {
    if (isContiguous(view) && !force) return { view };
    const count = sizeOf(view.shape);
    const temp = this.pool.acquire(view.dtype === 'f16' ? float16Bytes(count) : count * 4);
    const dense: View = { storage: temp, dtype: view.dtype, shape: view.shape, strides: contiguousStrides(view.shape), offset: 0 };
    this.copy(view, dense);
    return { view: dense, temp };
  }

  private release(...temps: (GpuStorage | undefined)[]): void {
    for (const t of temps) if (t) this.pool.release(t, this.queue.submittedSerial);
  }

  // --- synchronisation and lifetime -------------------------------------------

  flush(): void {
    if (this.disposed || this.lost) return;
    this.queue.close();
  }

  async sync(): Promise<void> {
    this.check('sync');
    await this.orLost('sync', this.queue.submitted());
    await this.orLost('sync', this.device.queue.onSubmittedWorkDone());
    await this.orLost('sync', this.queue.checked());
  }

  info(): BackendInfo {
    const a = this.adapter;
    const name = a ? a.description || a.device || a.vendor || 'unknown adapter' : 'a device given by the caller';
    const state = this.lost ? `, LOST (${this.lost.reason}: ${this.lost.message})` : this.disposed ? ', disposed' : '';
    return {
      name: 'webgpu',
      description: `WebGPU on ${name} (${this.acquired.featureLevel}${a?.software ? ', software adapter' : ''}; via ${this.acquired.via})${state}`,
      details: {
        adapter: a ? { vendor: a.vendor, architecture: a.architecture, device: a.device, description: a.description } : undefined,
        software: a?.software ?? false,
        fallbackAdapter: a?.isFallbackAdapter ?? false,
        featureLevel: this.acquired.featureLevel,
        via: this.acquired.via,
        tried: this.acquired.tried,
        limits: this.limits,
        features: [...this.device.features].sort(),
        shaderF16: this.device.features.has('shader-f16'),
        workgroupSize: this.wg,
        matmulTile: this.fixedTile
          ? `${this.fixedTile.tm}x${this.fixedTile.tn}x${this.fixedTile.tk}${this.fixedTile.per ? `/${this.fixedTile.per}` : ''} for products of 128 or more, 64x16 for 16 columns or fewer, 32x32x16 otherwise`
          : this.softwareLadder.length > 0
            ? `${this.softwareLadder.map(({ tile }) => `${tile.tm}x${tile.tn}x${tile.tk}/${tile.per ?? 4}`).join(', ')} (software adapter) from 64 on both sides, 64x16x8/8 for 16 columns or fewer, 32x32x16 otherwise`
            : '32x32x16 (64 threads), 64x16x16 for 16 columns or fewer',
        lost: this.lost ? { reason: this.lost.reason, message: this.lost.message } : null,
        disposed: this.disposed,
        memory: { ...this.pool.stats(), maxStorageBinding: mib(Math.min(this.limits['maxStorageBufferBindingSize']!, this.limits['maxBufferSize']!)) },
        staging: this.staging.stats(),
        pipelines: this.pipelines.size,
        queue: this.queue.stats(),
      },
    };
  }

  releaseMemory(): void {
    if (this.disposed) return;
    this.pool.trim(this.queue.submittedSerial);
    this.staging.trim();
    this.queue.trim();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.trim(Infinity);
    this.staging.trim();
    this.queue.destroy();
    this.placeholder.destroy();
    for (const b of this.statePlaceholders ?? []) b.destroy();
    if (this.ownsDevice) this.device.destroy();
  }
}
