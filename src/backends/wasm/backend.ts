// The WebAssembly backend: tensors live in the module's linear memory; every
// primitive writes a job descriptor (layout in assembly/abi.ts) and calls the
// module's `dispatch`, directly or split across the worker pool. Kernels run
// synchronously, so `read` and `readSync` return at once.

import type {
  AttentionParams, Backend, BackendInfo, BinaryOp, ConvGeometry, DType, MatmulOptions, OptimizerRule, StepDevice, PoolGeometry, PoolOp,
  RandomDistribution, ReduceOp, Storage, UnaryOp, View,
} from '../backend.js';
import { convByIm2col } from '../conv-by-im2col.js';
import { contiguousStrides, isContiguous, sizeOf } from '../strided.js';
import * as abi from '../../generated/wasm-abi.js';
import { type HeapStats, WasmHeap, WasmStorage } from './heap.js';
import { coalesce, coalesceAxes, Space } from './layout.js';
import { ACTIVATION, BINARY, BINARY_DEFAULTS, dt, MEMORY_BOUND_BINARY, MEMORY_BOUND_UNARY, REDUCE, RULE, UNARY, UNARY_DEFAULTS } from './opcodes.js';
import type { Flavour } from './module.js';
import type { WorkerPool } from './pool.js';

type Dispatch = (kind: number, desc: number, part: number, parts: number, thread: number) => void;

const R = abi.MAX_RANK;

/** A float32's bit pattern, without allocating. */
const f32Bits = new Float32Array(1);
const i32Bits = new Int32Array(f32Bits.buffer);

/** Elements above which a job is split across threads. */
const PARALLEL_ELEMENTS = 1 << 16;
/**
 * The same for elementwise ops that are bound by memory (relu, add, copy, ...: a few
 * vector instructions per element; ops.ts's cheap ones, see MEMORY_BOUND in
 * opcodes.ts). One thread streams 2^18 elements in ~30 µs here (relu: 1 MiB in, 1 MiB
 * out), less than waking a sleeping worker (~60 µs), and below that a second thread
 * only adds its handoff: in `webgrad bench` on this (2-core, shared) machine, relu and
 * add split at 64K elements ran at 0.28-0.54× tfjs-wasm, below one thread's figures.
 */
const PARALLEL_ELEMENTS_MEMORY_BOUND = 1 << 18;
/**
 * Flops each thread of a matmul gets at least (fewer threads otherwise). A product on
 * the pool pays a worker's wake-up (~60 µs when it sleeps; a worker spins 2 ms after
 * its last part, so in a training step it is usually awake), and each part packs its
 * own panels, so a thread's share must last well beyond that: 2^23 flops is ~0.2 ms on
 * one thread here (40-45 GFLOP/s). Measured on the 2-core machine while idle (2026-12-05,
 * medians of 200 calls): n = 256 runs at 75-78 GFLOP/s on two threads against 42-43 on
 * one, the GPT's [512,128]·[128,384] at 82 against 44, and its training step takes
 * 57 ms instead of 64 (at 2^25, which kept both of those on one thread: that figure was
 * tuned while the machine ran at a load of ~15, where a second thread mostly waited for
 * a core). A late worker's part is taken by the main thread, so an over-committed
 * machine loses little. A 16-core machine uses 4 threads at n = 256 and all 16 from n = 406.
 */
const MATMUL_FLOPS_PER_THREAD = 1 << 23;
/**
 * The same for conv2d, whose part packs only the filter (kh·kw·cin × cout floats), not
 * panels of both operands: 2^22 flops. The CNN of scripts/cnn-bench.ts (conv2d calls of
 * 9.4 MFLOP, forward and input gradient) ran 172-185 ms an epoch on two threads against
 * 191-195 at 2^23 (2026-12-06, three interleaved rounds; 2^21 gave 170-178, the same
 * within noise), while matmul at 2^22 instead of 2^23 changed nothing there.
 */
const CONV_FLOPS_PER_THREAD = 1 << 22;
/** How many plain elementwise ops one optimizer update per element weighs (for partsFor). */
const STEP_COST = 8;
/** Elements per part of a split job: small enough to balance, large enough to amortise a claim. */
const PART_ELEMENTS = 1 << 14;

/**
 * Row parts a thread of a product with B packed once (MM_PHASE_ROWS): more than one,
 * so that the threads that finish first take what a descheduled one has not started.
 */
const MATMUL_ROW_PARTS_PER_THREAD = 4;
/** Bytes of packing scratch per thread for the packed matmul. */
const MATMUL_SCRATCH = (abi.MM_MC * abi.MM_KC + abi.MM_KC * abi.MM_NC) * 4 + 256;

export interface WasmBackendParts {
  readonly flavour: Flavour;
  readonly memory: WebAssembly.Memory;
  readonly dispatch: Dispatch;
  /** First byte above the module's static data. */
  readonly heapBase: number;
  readonly pool: WorkerPool | undefined;
  /** Most bytes linear memory may grow to. */
  readonly memoryLimit: number;
}

/** The reserved area below the heap: control block, job descriptor, per-thread scratch. */
export interface Reserved {
  readonly control: number;
  readonly desc: number;
  readonly scratch: number;
  readonly end: number;
}

export function reservedLayout(heapBase: number, threads: number): Reserved {
  const control = Math.ceil(Math.max(heapBase, 1024) / 64) * 64;
  const desc = control + 64;
  const scratch = desc + 512;
  return { control, desc, scratch, end: scratch + threads * abi.SCRATCH_PART_BYTES };
}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  /** conv2d packs patch rows straight from the image (assembly/conv-gemm.ts): see Backend. */
  readonly convolvesWithoutPatches = true;
  readonly flavour: Flavour;
  readonly threads: number;
  private readonly heap: WasmHeap;
  private readonly dispatchFn: Dispatch;
  private readonly pool: WorkerPool | undefined;
  private readonly reserved: Reserved;
  private matmulScratch: WasmStorage | undefined;
  private readonly space = new Space();
  // Scratch lists reused by every elementwise job (no allocation per op).
  private readonly operands: (View | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly operandStrides: (readonly number[])[] = [];
  private readonly kept = new Space();
  private readonly reduced = new Space();
  private disposed = false;

  constructor(parts: WasmBackendParts) {
    this.flavour = parts.flavour;
    this.dispatchFn = parts.dispatch;
    this.pool = parts.pool;
    this.threads = parts.pool?.threads ?? 1;
    this.reserved = reservedLayout(parts.heapBase, this.threads);
    this.heap = new WasmHeap(parts.memory, this.reserved.end, parts.memoryLimit);
    this.heap.ensure(this.reserved.end);
  }

  // --- storage ----------------------------------------------------------------

  alloc(bytes: number): Storage {
    this.assertAlive('alloc');
    return this.heap.alloc(bytes);
  }

  free(storage: Storage): void {
    if (this.disposed) return;
    this.heap.free(storage as WasmStorage);
  }

  write(storage: Storage, data: Float32Array | Int32Array, offset = 0): void {
    const s = storage as WasmStorage;
    if ((offset + data.length) * 4 > s.bytes) {
      throw new RangeError(`wasm backend: write of ${data.length} elements at offset ${offset} overflows a storage of ${s.bytes} bytes`);
    }
    const at = (s.ptr >>> 2) + offset;
    if (data instanceof Float32Array) this.heap.f32.set(data, at);
    else this.heap.i32.set(data, at);
  }

  async read(view: View): Promise<Float32Array | Int32Array> {
    return this.readSync(view);
  }

  readSync(view: View): Float32Array | Int32Array {
    this.assertAlive('read');
    const n = sizeOf(view.shape);
    if (n === 0) return view.dtype === 'f32' ? new Float32Array(0) : new Int32Array(0);
    if (isContiguous(view)) {
      const at = (this.address(view) >>> 2);
      return view.dtype === 'f32' ? this.heap.f32.slice(at, at + n) : this.heap.i32.slice(at, at + n);
    }
    const temp = this.heap.alloc(n * 4);
    try {
      this.copy(view, { storage: temp, dtype: view.dtype, shape: view.shape, strides: contiguousStrides(view.shape), offset: 0 });
      const at = temp.ptr >>> 2;
      return view.dtype === 'f32' ? this.heap.f32.slice(at, at + n) : this.heap.i32.slice(at, at + n);
    } finally {
      this.heap.free(temp);
    }
  }

  // --- elementwise ---------------------------------------------------------------

  unary(op: UnaryOp, x: View, out: View, args?: readonly number[]): void {
    const a = args && args.length ? args : UNARY_DEFAULTS[op] ?? NO_ARGS;
    this.elementwise(abi.FAMILY_UNARY, UNARY[op], out, 1, x, undefined, undefined, x.dtype, a);
  }

  binary(op: BinaryOp, a: View, b: View, out: View, args?: readonly number[]): void {
    const params = args && args.length ? args : BINARY_DEFAULTS[op] ?? NO_ARGS;
    this.elementwise(abi.FAMILY_BINARY, BINARY[op], out, 2, a, b, undefined, a.dtype, params);
  }

  where(cond: View, a: View, b: View, out: View): void {
    this.elementwise(abi.FAMILY_WHERE, 0, out, 3, cond, a, b, a.dtype, NO_ARGS, cond.dtype);
  }

  copy(x: View, out: View): void {
    this.elementwise(abi.FAMILY_COPY, 0, out, 1, x, undefined, undefined, x.dtype, NO_ARGS);
  }

  fill(out: View, value: number): void {
    // The kernel stores a 32-bit pattern: the value as the output dtype stores it.
    let pattern = value | 0;
    if (out.dtype === 'f32') {
      f32Bits[0] = value;
      pattern = i32Bits[0]!;
    }
    this.elementwise(abi.FAMILY_FILL, 0, out, 0, undefined, undefined, undefined, out.dtype, pattern);
  }

  /**
   * One elementwise job: `out` and `inputs` inputs (in0..in2), every input viewed in
   * out's shape. `args` holds the op's args, or for fill the value's 32-bit pattern.
   */
  private elementwise(
    family: number, op: number, out: View, inputs: number, in0: View | undefined, in1: View | undefined, in2: View | undefined,
    inDtype: DType, args: readonly number[] | number, condDtype: DType = 'f32',
  ): void {
    this.assertAlive('kernel');
    const count = sizeOf(out.shape);
    if (count === 0) return;
    const views = this.operands;
    views[0] = out;
    views[1] = in0;
    views[2] = in1;
    views[3] = in2;
    const space = this.space;
    // Most jobs (a training step's) are flat: out contiguous, each input contiguous
    // or one broadcast value. They skip the general dimension merging.
    const s0 = flatStride(out);
    const s1 = inputs > 0 ? flatStride(in0!) : 0;
    const s2 = inputs > 1 ? flatStride(in1!) : 0;
    const s3 = inputs > 2 ? flatStride(in2!) : 0;
    if (s0 === 1 && s1 >= 0 && s2 >= 0 && s3 >= 0) {
      space.rank = 1;
      space.shape[0] = count;
      space.strides[0] = 1;
      space.strides[R] = s1;
      space.strides[2 * R] = s2;
      space.strides[3 * R] = s3;
    } else {
      const strides = this.operandStrides;
      strides.length = inputs + 1;
      for (let i = 0; i <= inputs; i++) strides[i] = views[i]!.strides;
      coalesce(out.shape, strides, space, 'elementwise');
    }
    const d = this.reserved.desc;
    const i32 = this.heap.i32;
    const w = d >>> 2;
    i32[w + (abi.EW_FAMILY >> 2)] = family;
    i32[w + (abi.EW_OP >> 2)] = op;
    i32[w + (abi.EW_IN_DTYPE >> 2)] = dt(inDtype);
    i32[w + (abi.EW_OUT_DTYPE >> 2)] = dt(out.dtype);
    i32[w + (abi.EW_COND_DTYPE >> 2)] = dt(condDtype);
    i32[w + (abi.EW_RANK >> 2)] = space.rank;
    i32[w + (abi.EW_COUNT >> 2)] = count;
    i32[w + (abi.EW_SCRATCH >> 2)] = this.reserved.scratch;
    if (typeof args === 'number') i32[w + (abi.EW_ARGS >> 2)] = args;
    else this.writeF64(d + abi.EW_ARGS, args, 4);
    const rank = space.rank;
    copyInto(i32, space.shape, 0, rank, w + (abi.EW_SHAPE >> 2));
    for (let o = 0; o < 4; o++) {
      const at = w + ((abi.EW_OPERANDS + o * abi.OPERAND_BYTES) >> 2);
      const v = o <= inputs ? views[o] : undefined;
      // Unused operands point at the output with stride 0: never read.
      i32[at] = v ? this.address(v) : this.address(out);
      if (v) copyInto(i32, space.strides, o * R, o * R + rank, at + 1);
      else for (let i = 1; i <= rank; i++) i32[at + i] = 0;
    }
    const memoryBound = family === abi.FAMILY_UNARY ? MEMORY_BOUND_UNARY.has(op) : family === abi.FAMILY_BINARY ? MEMORY_BOUND_BINARY.has(op) : true;
    this.run(abi.KIND_ELEMENTWISE, this.partsFor(count, Infinity, memoryBound ? PARALLEL_ELEMENTS_MEMORY_BOUND : PARALLEL_ELEMENTS));
  }

  // --- reductions --------------------------------------------------------------------

  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    this.assertAlive('reduce');
    const nOut = sizeOf(out.shape);
    if (nOut === 0) return;
    const arg = op === 'argmax' || op === 'argmin';
    coalesceAxes(x, axes, false, this.kept);
    coalesceAxes(x, axes, true, this.reduced);
    if (arg && this.reduced.rank !== 1) {
      throw new Error(`wasm backend: ${op} reduces exactly one axis, got axes [${axes.join(',')}] of shape [${x.shape.join(',')}]`);
    }
    const nInner = axes.reduce((p, a) => p * x.shape[a]!, 1);
    const kept = this.kept;
    const red = this.reduced;
    // Column order when the last kept dim is contiguous in x: a block of outputs is
    // accumulated with vector loads while walking the reduced elements.
    const lastKeptStride = kept.strides[kept.rank - 1]!;
    const columns = !arg && nOut > 1 && lastKeptStride === 1 && kept.shape[kept.rank - 1]! >= 4;
    const d = this.reserved.desc;
    const i32 = this.heap.i32;
    const w = d >>> 2;
    i32[w + (abi.RD_OP >> 2)] = REDUCE[op];
    i32[w + (abi.RD_DTYPE >> 2)] = dt(x.dtype);
    i32[w + (abi.RD_OUT_DTYPE >> 2)] = dt(out.dtype);
    i32[w + (abi.RD_OUTER_RANK >> 2)] = kept.rank;
    i32[w + (abi.RD_INNER_RANK >> 2)] = red.rank;
    i32[w + (abi.RD_OUT_COUNT >> 2)] = nOut;
    i32[w + (abi.RD_INNER_COUNT >> 2)] = nInner;
    i32[w + (abi.RD_SCRATCH >> 2)] = this.reserved.scratch;
    i32[w + (abi.RD_X >> 2)] = this.address(x);
    i32[w + (abi.RD_OUT >> 2)] = this.address(out);
    i32[w + (abi.RD_MODE >> 2)] = columns ? 1 : 0;
    copyInto(i32, kept.shape, 0, kept.rank, w + (abi.RD_OUTER_SHAPE >> 2));
    copyInto(i32, kept.strides, 0, kept.rank, w + (abi.RD_OUTER_STRIDES >> 2));
    copyInto(i32, red.shape, 0, red.rank, w + (abi.RD_INNER_SHAPE >> 2));
    copyInto(i32, red.strides, 0, red.rank, w + (abi.RD_INNER_STRIDES >> 2));
    // Parts split outputs (or columns), never a reduction.
    const splittable = columns ? kept.shape[kept.rank - 1]! : nOut;
    this.run(abi.KIND_REDUCE, splittable >= 64 ? this.partsFor(nOut * nInner, splittable >> 4) : 1);
  }

  // --- matmul -----------------------------------------------------------------------

  matmul(a: View, b: View, out: View, options: MatmulOptions = {}): void {
    this.assertAlive('matmul');
    const rank = out.shape.length;
    const m = out.shape[rank - 2]!;
    const n = out.shape[rank - 1]!;
    const k = a.shape[rank - 1]!;
    let batch = 1;
    for (let i = 0; i < rank - 2; i++) batch *= out.shape[i]!;
    if (m * n * batch === 0) return;
    const space = this.space;
    if (rank === 2) {
      space.rank = 1;
      space.shape[0] = 1;
      space.strides[0] = 0;
      space.strides[R] = 0;
    } else {
      // Batch dims, coalesced over a's and b's batch strides (out is contiguous).
      const outBatchStrides = out.shape.slice(0, rank - 2).map((_, i) => sizeOf(out.shape.slice(i, rank - 2)) * m * n / out.shape[i]!);
      coalesce(out.shape.slice(0, rank - 2), [a.strides.slice(0, rank - 2), b.strides.slice(0, rank - 2), outBatchStrides], space, 'matmul');
    }
    let batchRank = space.rank;
    let rows = m;
    let ars = a.strides[rank - 2]!;
    // x[batch, m, k] · W[k, n]: when W is shared by every batch and a's rows run on
    // from one batch to the next, the batches are just more rows.
    if (batch > 1 && batchRank === 1 && space.strides[R]! === 0 && space.strides[0]! === m * ars) {
      rows = batch * m;
      batch = 1;
      batchRank = 1;
      space.shape[0] = 1;
      space.strides[0] = 0;
    }
    const flops = 2 * batch * rows * n * k;
    const small = rows * n * k <= 32768 || rows < 4 || n < 8;
    // Threads only for products that last well beyond a wake-up. Where B is not one
    // block, one part per thread (each packs its own panels: more parts repack more),
    // split over batches, rows or columns, whichever has the most to share; a late
    // worker's part is still taken by the main thread.
    let parts = this.pool !== undefined ? Math.min(this.threads, Math.max(1, Math.floor(flops / MATMUL_FLOPS_PER_THREAD))) : 1;
    // B in one block: packed once, between the threads, then rows in several parts a
    // thread (matmul.ts, MM_PHASE).
    const shareB = parts > 1 && !small && batch === 1 && k <= abi.MM_KC && n <= abi.MM_NC;
    let split = shareB ? 1 : 0;
    if (parts > 1 && !shareB) {
      if (batch >= parts) split = 0;
      else {
        split = rows / abi.MM_GEMM_MR >= n / abi.MM_NR ? 1 : 2;
        parts = Math.min(parts, Math.ceil(split === 1 ? rows / abi.MM_GEMM_MR : n / abi.MM_NR));
      }
    }
    // Allocating may grow memory: take the heap view after it.
    const scratch = small ? 0 : this.packingScratch();
    const d = this.reserved.desc;
    const i32 = this.heap.i32;
    const w = d >>> 2;
    i32[w + (abi.MM_BATCH >> 2)] = batch;
    i32[w + (abi.MM_BATCH_RANK >> 2)] = batchRank;
    i32[w + (abi.MM_M >> 2)] = rows;
    i32[w + (abi.MM_N >> 2)] = n;
    i32[w + (abi.MM_K >> 2)] = k;
    i32[w + (abi.MM_A >> 2)] = this.address(a);
    i32[w + (abi.MM_A_RS >> 2)] = ars;
    i32[w + (abi.MM_A_CS >> 2)] = a.strides[rank - 1]!;
    i32[w + (abi.MM_B >> 2)] = this.address(b);
    i32[w + (abi.MM_B_RS >> 2)] = b.strides[rank - 2]!;
    i32[w + (abi.MM_B_CS >> 2)] = b.strides[rank - 1]!;
    i32[w + (abi.MM_OUT >> 2)] = this.address(out);
    i32[w + (abi.MM_BIAS >> 2)] = options.bias ? this.address(options.bias) : 0;
    i32[w + (abi.MM_BIAS_STRIDE >> 2)] = options.bias ? options.bias.strides[0] ?? 0 : 0;
    i32[w + (abi.MM_ACTIVATION >> 2)] = ACTIVATION[options.activation ?? 'linear'];
    i32[w + (abi.MM_SCRATCH >> 2)] = scratch;
    i32[w + (abi.MM_SCRATCH_PART >> 2)] = MATMUL_SCRATCH;
    i32[w + (abi.MM_SPLIT >> 2)] = split;
    copyInto(i32, space.shape, 0, batchRank, w + (abi.MM_BATCH_SHAPE >> 2));
    copyInto(i32, space.strides, 0, batchRank, w + (abi.MM_A_BATCH_STRIDES >> 2));
    copyInto(i32, space.strides, R, R + batchRank, w + (abi.MM_B_BATCH_STRIDES >> 2));
    if (!shareB) {
      i32[w + (abi.MM_PHASE >> 2)] = abi.MM_PHASE_ALL;
      this.run(abi.KIND_MATMUL, parts);
      return;
    }
    i32[w + (abi.MM_SHARED_B >> 2)] = scratch + MATMUL_SCRATCH * this.threads;
    i32[w + (abi.MM_PHASE >> 2)] = abi.MM_PHASE_PACK_B;
    this.run(abi.KIND_MATMUL, Math.min(this.threads, Math.ceil(n / abi.MM_NR)));
    i32[w + (abi.MM_PHASE >> 2)] = abi.MM_PHASE_ROWS;
    this.run(abi.KIND_MATMUL, Math.min(Math.ceil(rows / abi.MM_GEMM_MR), this.threads * MATMUL_ROW_PARTS_PER_THREAD));
  }

  /**
   * Per-thread packing buffers, allocated on the first large product and kept; with
   * workers, followed by one block of B packed for all threads (MM_SHARED_B).
   */
  private packingScratch(): number {
    this.matmulScratch ??= this.heap.alloc(MATMUL_SCRATCH * this.threads + (this.pool ? abi.MM_KC * abi.MM_NC * 4 : 0));
    return this.matmulScratch.ptr;
  }

  // --- indexing -----------------------------------------------------------------------

  gather(x: View, indices: View, axis: number, out: View): void {
    this.indexed(abi.KIND_GATHER, x, indices, axis, out, x.shape[axis]!);
  }

  scatterAdd(updates: View, indices: View, axis: number, out: View): void {
    if (out.dtype !== 'f32' || updates.dtype !== 'f32') {
      this.scatterAddInt(updates, indices, axis, out);
      return;
    }
    this.indexed(abi.KIND_SCATTER_ADD, updates, indices, axis, out, out.shape[axis]!);
  }

  private indexed(kind: number, src: View, indices: View, axis: number, out: View, axisLen: number): void {
    this.assertAlive('gather');
    const count = sizeOf(indices.shape);
    const shape = kind === abi.KIND_GATHER ? src.shape : out.shape;
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    if (sizeOf(out.shape) === 0 || count === 0) return;
    const temps: WasmStorage[] = [];
    try {
      const s = this.contiguousCopy(src, src.dtype, temps);
      const idx = this.contiguousCopy(indices, 'i32', temps);
      const d = this.reserved.desc;
      const i32 = this.heap.i32;
      const w = d >>> 2;
      i32[w + (abi.GA_X >> 2)] = s;
      i32[w + (abi.GA_INDICES >> 2)] = idx;
      i32[w + (abi.GA_OUT >> 2)] = this.address(out);
      i32[w + (abi.GA_OUTER >> 2)] = outer;
      i32[w + (abi.GA_AXIS_LEN >> 2)] = axisLen;
      i32[w + (abi.GA_INNER >> 2)] = inner;
      i32[w + (abi.GA_COUNT >> 2)] = count;
      this.run(kind, this.partsFor(outer * count * inner, kind === abi.KIND_GATHER ? outer * count : Math.max(outer, inner >> 4)));
    } finally {
      for (const t of temps) this.heap.free(t);
    }
  }

  /** scatterAdd into an int32 output (rare): plain JS over the heap views. */
  private scatterAddInt(updates: View, indices: View, axis: number, out: View): void {
    const values = this.readSync(updates);
    const idx = this.readSync(indices);
    const outer = sizeOf(out.shape.slice(0, axis));
    const axisLen = out.shape[axis]!;
    const inner = sizeOf(out.shape.slice(axis + 1));
    const o = this.address(out) >>> 2;
    const target = out.dtype === 'f32' ? this.heap.f32 : this.heap.i32;
    let r = 0;
    for (let p = 0; p < outer; p++) {
      for (let i = 0; i < idx.length; i++) {
        const j = idx[i]!;
        const inRange = j >= 0 && j < axisLen;
        const base = o + (p * axisLen + j) * inner;
        for (let q = 0; q < inner; q++, r++) if (inRange) target[base + q] = target[base + q]! + values[r]!;
      }
    }
  }

  /** Byte address of a contiguous copy of `v` as `dtype` (v itself when it already is one). */
  private contiguousCopy(v: View, dtype: DType, temps: WasmStorage[]): number {
    if (v.dtype === dtype && isContiguous(v)) return this.address(v);
    const n = sizeOf(v.shape);
    const temp = this.heap.alloc(n * 4);
    temps.push(temp);
    this.copy(v, { storage: temp, dtype, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 });
    return temp.ptr;
  }

  // --- convolution and pooling (assembly/conv.ts) ---------------------------------------

  im2col(x: View, out: View, geometry: ConvGeometry): void {
    this.window(abi.KIND_IM2COL, geometry, x, undefined, out, 0, geometry.groups * geometry.batch * geometry.outH * geometry.outW);
  }

  /**
   * The indirect GEMM of assembly/conv-gemm.ts (no patch matrix) where each thread's
   * scratch holds the packed filter; im2col + matmul otherwise.
   */
  conv2d(x: View, filter: View, out: View, g: ConvGeometry, options: MatmulOptions = {}): void {
    this.assertAlive('conv2d');
    const cout = out.shape[3]!;
    const pixels = g.batch * g.outH * g.outW;
    const depth = g.kernelH * g.kernelW * g.channels;
    // Scratch: the packed filter, one pixel of zeros, one tile's patch rows, one image row's span of taps.
    const packedFloats = (Math.ceil(cout / abi.MM_NR) * abi.MM_NR + abi.MM_MR) * depth + g.channels + (g.kernelW - 1) * g.dilationW + abi.MM_MR;
    if (pixels * cout === 0) return;
    if (g.groups !== 1 || depth === 0 || packedFloats * 4 > MATMUL_SCRATCH) {
      convByIm2col(this, x, filter, out, g, options);
      return;
    }
    const temps: WasmStorage[] = [];
    try {
      const xAt = this.contiguousCopy(x, 'f32', temps);
      const filterAt = this.contiguousCopy(filter, 'f32', temps);
      const scratch = this.packingScratch();
      const w = this.writeGeometry(g);
      const i32 = this.heap.i32;
      i32[w + (abi.CV_X >> 2)] = xAt;
      i32[w + (abi.CV_AUX >> 2)] = filterAt;
      i32[w + (abi.CV_OUT >> 2)] = this.address(out);
      i32[w + (abi.CV_COUT >> 2)] = cout;
      i32[w + (abi.CV_BIAS >> 2)] = options.bias ? this.address(options.bias) : 0;
      i32[w + (abi.CV_BIAS_STRIDE >> 2)] = options.bias ? options.bias.strides[0] ?? 0 : 0;
      i32[w + (abi.CV_ACTIVATION >> 2)] = ACTIVATION[options.activation ?? 'linear'];
      i32[w + (abi.CV_SCRATCH >> 2)] = scratch;
      i32[w + (abi.CV_SCRATCH_PART >> 2)] = MATMUL_SCRATCH;
      // One thread per CONV_FLOPS_PER_THREAD, at most one per tile of four pixels.
      const flops = 2 * pixels * depth * cout;
      const parts = this.pool !== undefined
        ? Math.min(this.threads, Math.ceil(pixels / abi.MM_MR), Math.max(1, Math.floor(flops / CONV_FLOPS_PER_THREAD)))
        : 1;
      this.run(abi.KIND_CONV, parts);
    } finally {
      for (const t of temps) this.heap.free(t);
    }
  }

  /** Writes a ConvGeometry at the head of the job descriptor; returns the descriptor's word index. */
  private writeGeometry(g: ConvGeometry): number {
    const w = this.reserved.desc >>> 2;
    const i32 = this.heap.i32;
    const fields = [g.batch, g.inH, g.inW, g.channels, g.outH, g.outW, g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.groups];
    for (let i = 0; i < fields.length; i++) i32[w + i] = fields[i]!;
    return w;
  }

  col2im(cols: View, out: View, geometry: ConvGeometry): void {
    this.window(abi.KIND_COL2IM, geometry, undefined, cols, out, 0, geometry.batch * geometry.inH * geometry.inW);
  }

  pool2d(op: PoolOp, x: View, out: View, geometry: PoolGeometry): void {
    this.window(abi.KIND_POOL, geometry, x, undefined, out, op === 'max' ? abi.POOL_MAX : abi.POOL_AVG, geometry.batch * geometry.outH * geometry.outW);
  }

  pool2dGrad(op: PoolOp, x: View, dy: View, out: View, geometry: PoolGeometry): void {
    // The average's gradient never reads x: no contiguous copy of it.
    this.window(abi.KIND_POOL_GRAD, geometry, op === 'max' ? x : undefined, dy, out, op === 'max' ? abi.POOL_MAX : abi.POOL_AVG, geometry.batch * geometry.inH * geometry.inW);
  }

  /** One window job: x (made contiguous) and aux (contiguous already) into out, parts over `rows`. */
  private window(kind: number, g: ConvGeometry, x: View | undefined, aux: View | undefined, out: View, op: number, rows: number): void {
    this.assertAlive('conv');
    const count = sizeOf(out.shape);
    if (count === 0 || rows === 0) return;
    const temps: WasmStorage[] = [];
    try {
      const xAt = x ? this.contiguousCopy(x, 'f32', temps) : 0;
      const w = this.writeGeometry(g);
      const i32 = this.heap.i32;
      i32[w + (abi.CV_X >> 2)] = xAt;
      i32[w + (abi.CV_AUX >> 2)] = aux ? this.address(aux) : 0;
      i32[w + (abi.CV_OUT >> 2)] = this.address(out);
      i32[w + (abi.CV_OP >> 2)] = op;
      // Work per row is about out's elements per row times the window (or the taps gathered).
      const work = count * (kind === abi.KIND_IM2COL ? 1 : g.kernelH * g.kernelW);
      this.run(kind, this.partsFor(work, rows));
    } finally {
      for (const t of temps) this.heap.free(t);
    }
  }

  // --- optimizer ------------------------------------------------------------------------

  random(out: View, seed: number, offset: number, dist: RandomDistribution): void {
    this.assertAlive('random');
    const n = sizeOf(out.shape);
    if (n === 0) return;
    const d = this.reserved.desc;
    const i32 = this.heap.i32;
    const w = d >>> 2;
    i32[w + (abi.RN_OUT >> 2)] = this.address(out);
    i32[w + (abi.RN_COUNT >> 2)] = n;
    i32[w + (abi.RN_SEED >> 2)] = seed | 0;
    i32[w + (abi.RN_OFFSET >> 2)] = offset | 0;
    i32[w + (abi.RN_DIST >> 2)] = dist === 'bits' ? abi.RN_DIST_BITS : abi.RN_DIST_UNIFORM;
    this.run(abi.KIND_RANDOM, this.partsFor(n));
  }

  step(rule: OptimizerRule, param: View, grad: View, state: readonly View[], hyper: readonly number[], device?: StepDevice): void {
    this.assertAlive('step');
    const n = sizeOf(param.shape);
    if (n === 0) return;
    if (device) {
      // Scalars kept on the device (loss scaling), read in place: entry 7 nonzero skips the update.
      const d = this.readSync(device.view);
      if (d[7] !== 0) return;
      hyper = hyper.map((h, i) => ((device.mask >> i) & 1 ? d[i]! : h));
    }
    const temps: WasmStorage[] = [];
    try {
      const g = this.contiguousCopy(grad, 'f32', temps);
      const d = this.reserved.desc;
      const i32 = this.heap.i32;
      const w = d >>> 2;
      i32[w + (abi.ST_RULE >> 2)] = RULE[rule];
      i32[w + (abi.ST_COUNT >> 2)] = n;
      i32[w + (abi.ST_PARAM >> 2)] = this.address(param);
      i32[w + (abi.ST_GRAD >> 2)] = g;
      for (let s = 0; s < 3; s++) i32[w + (abi.ST_STATE >> 2) + s] = state[s] ? this.address(state[s]!) : 0;
      this.writeF64(d + abi.ST_HYPER, hyper, 8);
      // An update costs some ten times a plain elementwise op per element (f64 lanes, a
      // divide and a square root for Adam): weighed so, mid-sized parameters split too.
      this.run(abi.KIND_STEP, this.partsFor(n * STEP_COST));
    } finally {
      for (const t of temps) this.heap.free(t);
    }
  }

  // --- language-model kernels (assembly/norm.ts, attention.ts, cross-entropy.ts) ------------

  layerNorm(x: View, gamma: View | undefined, beta: View | undefined, out: View, mean: View, rstd: View, epsilon: number): void {
    this.assertAlive('layerNorm');
    const [rows, n] = x.shape as [number, number];
    if (rows * n === 0) return;
    this.normDescriptor(rows, n, x, gamma, beta, out, mean, rstd, undefined, undefined, undefined);
    this.writeF64(this.reserved.desc + abi.LN_EPS, [epsilon], 1);
    this.run(abi.KIND_LAYER_NORM, this.partsFor(rows * n, rows));
  }

  layerNormGrad(dy: View, x: View, gamma: View | undefined, mean: View, rstd: View, dx: View, dgamma: View | undefined, dbeta: View | undefined): void {
    this.assertAlive('layerNormGrad');
    const [rows, n] = x.shape as [number, number];
    if (rows * n === 0) return;
    this.normDescriptor(rows, n, x, gamma, undefined, dx, mean, rstd, dy, dgamma, dbeta);
    this.run(abi.KIND_LAYER_NORM_GRAD, this.partsFor(rows * n, rows));
    if (dgamma || dbeta) this.run(abi.KIND_LAYER_NORM_AFFINE, this.partsFor(rows * n, n >> 4));
  }

  private normDescriptor(
    rows: number, n: number, x: View, gamma: View | undefined, beta: View | undefined, out: View, mean: View, rstd: View,
    dy: View | undefined, dgamma: View | undefined, dbeta: View | undefined,
  ): void {
    const i32 = this.heap.i32;
    const w = this.reserved.desc >>> 2;
    const addr = (v: View | undefined) => (v ? this.address(v) : 0);
    i32[w + (abi.LN_ROWS >> 2)] = rows;
    i32[w + (abi.LN_N >> 2)] = n;
    i32[w + (abi.LN_X >> 2)] = addr(x);
    i32[w + (abi.LN_GAMMA >> 2)] = addr(gamma);
    i32[w + (abi.LN_BETA >> 2)] = addr(beta);
    i32[w + (abi.LN_OUT >> 2)] = addr(out);
    i32[w + (abi.LN_MEAN >> 2)] = addr(mean);
    i32[w + (abi.LN_RSTD >> 2)] = addr(rstd);
    i32[w + (abi.LN_DY >> 2)] = addr(dy);
    i32[w + (abi.LN_DGAMMA >> 2)] = addr(dgamma);
    i32[w + (abi.LN_DBETA >> 2)] = addr(dbeta);
  }

  attention(q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, params: AttentionParams): void {
    this.assertAlive('attention');
    const [batch, lq, d] = q.shape as [number, number, number];
    const [lk, dv] = [k.shape[1]!, v.shape[2]!];
    if (batch * lq * dv === 0) return;
    // A block of four query rows' scores per thread (allocating may grow memory: before the descriptor).
    const scratch = this.heap.alloc(this.threads * attentionScratch(lk, d, dv));
    try {
      this.attentionDescriptor(q, k, v, mask, out, lse, undefined, undefined, undefined, undefined, params, scratch.ptr);
      this.run(abi.KIND_ATTENTION, this.partsFor(batch * lq * lk * (d + dv), batch * Math.ceil(lq / 4)));
    } finally {
      this.heap.free(scratch);
    }
  }

  attentionGrad(
    q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, dout: View, dq: View, dk: View, dv: View, params: AttentionParams,
  ): void {
    this.assertAlive('attentionGrad');
    const [batch, lq, d] = q.shape as [number, number, number];
    const lk = k.shape[1]!;
    if (batch === 0) return;
    // A block's probabilities and score gradients per thread.
    const scratch = this.heap.alloc(this.threads * attentionScratch(lk, d, v.shape[2]!));
    try {
      this.attentionDescriptor(q, k, v, mask, out, lse, dout, dq, dk, dv, params, scratch.ptr);
      this.run(abi.KIND_ATTENTION_GRAD, this.partsFor(batch * lq * lk * (2 * d + 2 * v.shape[2]!), batch));
    } finally {
      this.heap.free(scratch);
    }
  }

  private attentionDescriptor(
    q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, dout: View | undefined, dq: View | undefined, dk: View | undefined,
    dv: View | undefined, p: AttentionParams, scratch: number,
  ): void {
    const i32 = this.heap.i32;
    const d = this.reserved.desc;
    const w = d >>> 2;
    const addr = (view: View | undefined) => (view ? this.address(view) : 0);
    i32[w + (abi.AT_BATCH >> 2)] = q.shape[0]!;
    i32[w + (abi.AT_LQ >> 2)] = q.shape[1]!;
    i32[w + (abi.AT_LK >> 2)] = k.shape[1]!;
    i32[w + (abi.AT_D >> 2)] = q.shape[2]!;
    i32[w + (abi.AT_DV >> 2)] = v.shape[2]!;
    i32[w + (abi.AT_CAUSAL >> 2)] = p.causal ? 1 : 0;
    i32[w + (abi.AT_Q >> 2)] = addr(q);
    i32[w + (abi.AT_K >> 2)] = addr(k);
    i32[w + (abi.AT_V >> 2)] = addr(v);
    i32[w + (abi.AT_MASK >> 2)] = addr(mask);
    i32[w + (abi.AT_M_SB >> 2)] = mask?.strides[0] ?? 0;
    i32[w + (abi.AT_M_SQ >> 2)] = mask?.strides[1] ?? 0;
    i32[w + (abi.AT_M_SK >> 2)] = mask?.strides[2] ?? 0;
    i32[w + (abi.AT_OUT >> 2)] = addr(out);
    i32[w + (abi.AT_LSE >> 2)] = addr(lse);
    i32[w + (abi.AT_DOUT >> 2)] = addr(dout);
    i32[w + (abi.AT_DQ >> 2)] = addr(dq);
    i32[w + (abi.AT_DK >> 2)] = addr(dk);
    i32[w + (abi.AT_DVOUT >> 2)] = addr(dv);
    i32[w + (abi.AT_SEED >> 2)] = p.seed | 0;
    // 0 switches dropout off; a positive p always gives a threshold of at least 1.
    i32[w + (abi.AT_KEEP_FROM >> 2)] = p.dropout > 0 ? Math.ceil(p.dropout * 2 ** 24) : 0;
    i32[w + (abi.AT_SCRATCH >> 2)] = scratch;
    this.writeF64(d + abi.AT_SCALE, [p.scale, p.dropout > 0 ? 1 / (1 - p.dropout) : 1], 2);
  }

  sparseCrossEntropy(logits: View, labels: View, loss: View, lse: View): void {
    this.assertAlive('sparseCrossEntropy');
    const [rows, n] = logits.shape as [number, number];
    if (rows * n === 0) return;
    this.xentDescriptor(logits, labels, lse, loss, undefined, undefined);
    this.run(abi.KIND_XENT, this.partsFor(rows * n, rows));
  }

  sparseCrossEntropyGrad(logits: View, labels: View, lse: View, dloss: View, dlogits: View): void {
    this.assertAlive('sparseCrossEntropyGrad');
    const [rows, n] = logits.shape as [number, number];
    if (rows * n === 0) return;
    this.xentDescriptor(logits, labels, lse, undefined, dloss, dlogits);
    this.run(abi.KIND_XENT_GRAD, this.partsFor(rows * n, rows));
  }

  private xentDescriptor(logits: View, labels: View, lse: View, loss: View | undefined, dloss: View | undefined, dlogits: View | undefined): void {
    const i32 = this.heap.i32;
    const w = this.reserved.desc >>> 2;
    const addr = (view: View | undefined) => (view ? this.address(view) : 0);
    i32[w + (abi.XE_ROWS >> 2)] = logits.shape[0]!;
    i32[w + (abi.XE_V >> 2)] = logits.shape[1]!;
    i32[w + (abi.XE_X >> 2)] = addr(logits);
    i32[w + (abi.XE_LABELS >> 2)] = addr(labels);
    i32[w + (abi.XE_LOSS >> 2)] = addr(loss);
    i32[w + (abi.XE_LSE >> 2)] = addr(lse);
    i32[w + (abi.XE_DLOSS >> 2)] = addr(dloss);
    i32[w + (abi.XE_DLOSS_STRIDE >> 2)] = dloss?.strides[0] ?? 0;
    i32[w + (abi.XE_DX >> 2)] = addr(dlogits);
  }

  // --- plumbing ---------------------------------------------------------------------------

  /**
   * Parts for a job of `elements`: 1 (no split) below `threshold` or without a
   * pool, else ~PART_ELEMENTS each, at least one and at most four per thread, and at
   * most `limit` (what the job can be split into).
   */
  private partsFor(elements: number, limit = Infinity, threshold = PARALLEL_ELEMENTS): number {
    if (!this.pool || elements < threshold) return 1;
    const parts = Math.min(4 * this.threads, Math.max(this.threads, Math.ceil(elements / PART_ELEMENTS)), limit);
    return Math.max(1, Math.floor(parts));
  }

  private run(kind: number, parts: number): void {
    if (parts > 1 && this.pool) this.pool.run(kind, this.reserved.desc, parts, this.dispatchFn);
    else this.dispatchFn(kind, this.reserved.desc, 0, 1, 0);
  }

  private address(v: View): number {
    return (v.storage as WasmStorage).ptr + v.offset * 4;
  }

  private writeF64(at: number, values: readonly number[], slots: number): void {
    const f64 = this.heap.f64;
    const w = at >>> 3;
    for (let i = 0; i < slots; i++) f64[w + i] = values[i] ?? 0;
  }

  private assertAlive(what: string): void {
    if (this.disposed) throw new Error(`wasm backend: ${what} after the backend was disposed`);
  }

  info(): BackendInfo {
    const flavour = this.flavour === 'relaxed' ? 'relaxed SIMD (f32x4.relaxed_madd)' : 'SIMD128';
    return {
      name: 'wasm',
      description: `WebAssembly ${flavour}, ${this.threads} thread${this.threads === 1 ? '' : 's'}`,
      details: { flavour: this.flavour, threads: this.threads, memoryBytes: this.heap.stats().memoryBytes },
    };
  }

  /** Allocator and memory figures (for tests and diagnostics). */
  heapStats(): HeapStats {
    return this.heap.stats();
  }

  releaseMemory(): void {
    this.heap.trim();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool?.dispose();
  }
}

/**
 * Bytes of attention scratch per thread: assembly/attention.ts' scratchBytes (two f32x4
 * per key, then K and V transposed, keys rounded up to whole groups of eight).
 */
function attentionScratch(lk: number, dk: number, dv: number): number {
  return Math.max(Math.ceil(lk / 8) * 8, 8) * (32 + (dk + dv) * 4);
}

/** target[at..] = source[from..to) (no subarray view objects: this runs for every op). */
function copyInto(target: Int32Array, source: Int32Array, from: number, to: number, at: number): void {
  for (let i = from; i < to; i++) target[at + i - from] = source[i]!;
}

/** No args (shared: nothing writes to it). */
const NO_ARGS: readonly number[] = [];

/**
 * How a view steps through its elements in row-major order: 1 when contiguous, 0 when
 * every element is the same one (a broadcast value), -1 otherwise.
 */
function flatStride(v: View): number {
  const shape = v.shape;
  const strides = v.strides;
  let expected = 1;
  let contiguous = true;
  let constant = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 1) continue;
    const s = strides[i]!;
    if (s !== expected) contiguous = false;
    if (s !== 0) constant = false;
    expected *= d;
  }
  return contiguous ? 1 : constant ? 0 : -1;
}
