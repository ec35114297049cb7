// The one contract every backend implements. Everything above it (ops, autodiff,
// layers, optimizers) is written once against these primitives.
//
// Rules that keep backends simple and the device asynchronous:
// - Every kernel enqueues work and returns at once; only `read` waits.
// - The front-end allocates every output (`out`) and owns all lifetimes.
// - Inputs arrive as strided views (stride 0 = broadcast, permuted strides =
//   transpose), already broadcast by the front-end to the output's shape where the
//   primitive says so, so a backend never re-derives broadcasting rules.
// - Unless a primitive says otherwise, `out` is contiguous (row-major) with offset 0
//   and never aliases an input.

/** Element type as a backend stores it. `bool` tensors are stored as `i32` 0/1. */
export type DType = 'f32' | 'i32';
export type BackendName = 'cpu' | 'wasm' | 'webgpu';

/** An opaque block of device memory; only its own backend looks inside. */
export interface Storage {
  readonly bytes: number;
}

/** How a kernel sees an operand: a strided window into a storage, in elements. */
export interface View {
  readonly storage: Storage;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Elementwise functions of one operand. `args` carries the parameters noted here.
 * - leakyRelu [alpha], elu [alpha], clip [min, max], powScalar [exponent]
 * - step: 1 where x > 0 else 0; sign: -1, 0 or 1
 * - gelu is the exact erf form, as in PyTorch's default and Keras' `gelu`.
 * - logicalNot: 1 where x == 0 else 0
 */
export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'step' | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'rsqrt'
  | 'square' | 'reciprocal' | 'floor' | 'ceil' | 'round' | 'sin' | 'cos'
  | 'relu' | 'leakyRelu' | 'elu' | 'gelu' | 'sigmoid' | 'tanh' | 'softplus'
  | 'clip' | 'powScalar' | 'logicalNot';

/**
 * Elementwise functions of two same-shaped operands (the front-end broadcasts).
 * Comparisons and logical ops write 1 / 0 in `out`'s dtype.
 * The `*Grad` ops are the derivative of an activation multiplied by an upstream
 * gradient, so the backward pass costs one kernel: a = dy and
 * - reluGrad, sigmoidGrad, tanhGrad, eluGrad [alpha]: b = the activation's output y
 * - leakyReluGrad [alpha], geluGrad, clipGrad [min, max]: b = the activation's input x
 */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'mod'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'and' | 'or'
  | 'reluGrad' | 'sigmoidGrad' | 'tanhGrad' | 'eluGrad' | 'leakyReluGrad' | 'geluGrad' | 'clipGrad';

/** argmax / argmin write i32 indices and take exactly one axis. */
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'argmax' | 'argmin';

/** Activations fused into `matmul` (applied after the bias). */
export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

export interface MatmulOptions {
  /** [N], added to every row of the product before the activation. */
  readonly bias?: View;
  readonly activation?: Activation;
}

/**
 * What `random` writes: 'bits' the raw 32-bit words (an i32 out, bit pattern as
 * unsigned), 'uniform' floats in [0, 1) with 24 random bits: (bits >>> 8) × 2⁻²⁴ (f32 out).
 */
export type RandomDistribution = 'bits' | 'uniform';

/** Optimizer update rules a backend may fuse into one kernel per parameter. */
export type OptimizerRule = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'rmspropCentered' | 'adam' | 'adamw';

/**
 * Thrown by `alloc` when a block cannot be had: larger than the device can hold or
 * bind, or past a memory budget. `reason` says which, in a form the front-end can put
 * after what the block was for.
 */
export class AllocationError extends Error {
  constructor(readonly backendName: BackendName, readonly bytes: number, readonly reason: string, message?: string) {
    super(message ?? `${backendName} alloc: cannot allocate ${bytes} bytes (${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB): ${reason}`);
    this.name = 'AllocationError';
  }
}

export interface BackendInfo {
  readonly name: BackendName;
  /** Human-readable description: adapter, module flavour, threads. */
  readonly description: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Backend {
  readonly name: BackendName;

  // --- storage -------------------------------------------------------------
  /**
   * A block of at least `bytes` bytes (may be 0). Contents are unspecified. `label` says
   * what it is for (errors that surface later, debuggers); throws AllocationError when
   * the block cannot be had.
   */
  alloc(bytes: number, label?: string): Storage;
  free(storage: Storage): void;
  /** Queued copy of host data into `storage` starting at element `offset`. */
  write(storage: Storage, data: Float32Array | Int32Array, offset?: number): void;
  /** The one place that waits: the view's elements, contiguous, in its dtype. */
  read(view: View): Promise<Float32Array | Int32Array>;
  /** Synchronous read, only where the backend can do it without blocking a device. */
  readSync?(view: View): Float32Array | Int32Array;

  // --- kernels (enqueue and return) ----------------------------------------
  /**
   * out[..., m, n] = act(sum_k a[..., m, k] * b[..., k, n] + bias[n]).
   * a, b and out have the same rank (>= 2) and the same leading (batch) dims;
   * a or b may be transposed (strides swapped) or broadcast (stride 0) — f32 only.
   * k may be 0 (then out = act(bias), an empty sum being 0).
   */
  matmul(a: View, b: View, out: View, options?: MatmulOptions): void;
  /** x has out's shape. out's dtype may differ only for logicalNot. */
  unary(op: UnaryOp, x: View, out: View, args?: readonly number[]): void;
  /** a and b have out's shape and the same dtype as each other. */
  binary(op: BinaryOp, a: View, b: View, out: View, args?: readonly number[]): void;
  /** Reduces the sorted, unique `axes`; out's shape is x's without them. */
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void;
  /** out[pre, i..., post] = x[pre, indices[i...], post]; out-of-range indices give 0. */
  gather(x: View, indices: View, axis: number, out: View): void;
  /** out[pre, indices[i...], post] += updates[pre, i..., post]; out-of-range indices are dropped. */
  scatterAdd(updates: View, indices: View, axis: number, out: View): void;
  /** cond, a, b have out's shape; a nonzero cond picks a. */
  where(cond: View, a: View, b: View, out: View): void;
  /** Strided to strided copy of x into out (same shape), converting dtype when they differ. out may be strided. */
  copy(x: View, out: View): void;
  /** Sets every element of out (which may be strided) to value. */
  fill(out: View, value: number): void;

  /**
   * Counter-based random numbers: element i (row-major) of a contiguous `out` gets
   * the word `randomBits(seed, offset + i)` of random-bits.ts (a 32-bit hash of the
   * seed and the counter, arithmetic mod 2³²), as `dist` says. Every backend
   * computes the same words, so a seeded stream is bit-identical on cpu, wasm and
   * webgpu, and nothing is uploaded per call (dropout masks). seed and offset are
   * unsigned 32-bit integers; `out` may have any offset but must be contiguous.
   */
  random(out: View, seed: number, offset: number, dist: RandomDistribution): void;

  /**
   * One fused, in-place optimizer update of a contiguous f32 parameter (offset 0):
   * all of a parameter's update in one kernel. `state` are the rule's contiguous
   * buffers and `hyper` its scalars, in the layout documented in step-rules.ts.
   */
  step(rule: OptimizerRule, param: View, grad: View, state: readonly View[], hyper: readonly number[]): void;
  // --- optional ------------------------------------------------------------
  /** Submits queued work to the device. */
  flush?(): void;
  /** Resolves when all queued work has finished. */
  sync?(): Promise<void>;
  info(): BackendInfo;
  /** Releases the device and every storage. */
  dispose?(): void;
  /** Returns cached / pooled memory to the system. */
  releaseMemory?(): void;
}
