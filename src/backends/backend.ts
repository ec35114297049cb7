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

/**
 * Element type as a backend stores it. `bool` tensors are stored as `i32` 0/1.
 *
 * `f16` (the float16 dtype of mixed precision) is webgpu-only storage: IEEE binary16
 * values packed two per 32-bit word, element e in half (e & 1) of word e >> 1 (low
 * half first), a storage of n elements taking ceil(n / 2) words. Rules:
 * - Views, strides and offsets still count elements; an offset may be odd.
 * - `write` receives the packed words (an Int32Array) and a word offset; `read`
 *   returns the values as a Float32Array (float16 → float32 is exact).
 * - Kernels that take f16 operands (matmul, unary, binary, where, copy, fill, gather)
 *   convert each value to f32, compute in f32, and round the results to f16 when
 *   `out` is f16 (round to nearest even, overflow to infinity, subnormals kept: the
 *   rule of src/float16.ts). For those kernels a and b may differ in dtype (f16 with
 *   f32). Kernels without an f16 variant throw: the op layer casts float16 inputs to
 *   float32 before calling them (src/ops/float16.ts).
 * - cpu and wasm never see f16: creating a float16 tensor there is an error.
 */
export type DType = 'f32' | 'i32' | 'f16';
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
 * - gelu is the exact erf form, as in PyTorch's default and Keras' `gelu`; geluTanh is
 *   the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (GPT-2's,
 *   PyTorch's `approximate='tanh'`).
 * - logicalNot: 1 where x == 0 else 0
 */
export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'step' | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'rsqrt'
  | 'square' | 'reciprocal' | 'floor' | 'ceil' | 'round' | 'sin' | 'cos'
  | 'relu' | 'leakyRelu' | 'elu' | 'gelu' | 'geluTanh' | 'sigmoid' | 'tanh' | 'softplus'
  | 'clip' | 'powScalar' | 'logicalNot';

/**
 * Elementwise functions of two same-shaped operands (the front-end broadcasts).
 * Comparisons and logical ops write 1 / 0 in `out`'s dtype.
 * The `*Grad` ops are the derivative of an activation multiplied by an upstream
 * gradient, so the backward pass costs one kernel: a = dy and
 * - reluGrad, sigmoidGrad, tanhGrad, eluGrad [alpha]: b = the activation's output y
 * - leakyReluGrad [alpha], geluGrad, geluTanhGrad, clipGrad [min, max]: b = the activation's input x
 */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'mod'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'and' | 'or'
  | 'reluGrad' | 'sigmoidGrad' | 'tanhGrad' | 'eluGrad' | 'leakyReluGrad' | 'geluGrad' | 'geluTanhGrad' | 'clipGrad';

/** argmax / argmin write i32 indices and take exactly one axis. */
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'argmax' | 'argmin';

/** Activations fused into `matmul` (applied after the bias); geluTanh is the unary op's function. */
export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'geluTanh';

export interface MatmulOptions {
  /** [N], added to every row of the product before the activation. */
  readonly bias?: View;
  readonly activation?: Activation;
}

/**
 * Where a convolution or pooling window sits over an NHWC image; every number is in
 * pixels, and the front-end has already checked and resolved them (TensorFlow's
 * 'same' rule, explicit padding). Window (oy, ox), tap (ky, kx) reads input pixel
 * (oy·strideH − padTop + ky·dilationH, ox·strideW − padLeft + kx·dilationW); a tap
 * outside the image is padding. Channels are split into `groups` equal groups
 * (im2col / col2im; pooling has groups = 1).
 */
export interface ConvGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  /** All input channels (every group's). */
  readonly channels: number;
  readonly outH: number;
  readonly outW: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly groups: number;
}

/** Pooling windows: a ConvGeometry with groups = 1 (dilation is 1 for the public ops but honoured). */
export type PoolGeometry = ConvGeometry;

/** Pooling reductions: max pads with -infinity; avg divides by the taps inside the image. */
export type PoolOp = 'max' | 'avg';

/**
 * The scalars of `attention` / `attentionGrad`. `seed` keys the dropout mask through
 * the counter hash of src/backends/counter-hash.ts (unused when dropout is 0).
 */
export interface AttentionParams {
  readonly causal: boolean;
  readonly scale: number;
  readonly dropout: number;
  readonly seed: number;
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

/** Scalars of an optimizer step that live on the device (Backend.step). */
export interface StepDevice {
  /** 8 f32 values (contiguous): entry i replaces hyper[i] where bit i of mask is set; entry 7 is the skip flag. */
  readonly view: View;
  readonly mask: number;
}

export interface Backend {
  readonly name: BackendName;
  /**
   * True where conv2d never writes the patch matrix (wasm packs patch rows straight
   * from the image). The front-end then runs a stride-1 convolution's input gradient
   * as a conv2d of dy with the filter's taps reversed (src/ops/conv.ts); elsewhere
   * that would cost a patch matrix of cout columns per tap, so it keeps col2im.
   */
  readonly convolvesWithoutPatches?: boolean;

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
  /**
   * out[pre, i..., post] = x[pre, indices[i...], post]; out-of-range indices give 0.
   * `lookup` names a checked gather (an embedding lookup: `wg.layers.embedding`, a GPT's
   * token table), where an out-of-range index is an error, never silent zeros. The
   * front-end checks the indices where it can read them synchronously (cpu, wasm), before
   * anything is queued; a backend that cannot (webgpu) still gives 0, flags the first bad
   * index on the device and makes its next read throw an error naming `lookup`, the
   * index, its position in `indices` and the axis length (the same flag buffer and read
   * check as sparseCrossEntropy's labels). A gather without `lookup` (wg.gather) keeps
   * the documented 0 for out-of-range indices on every backend.
   */
  gather(x: View, indices: View, axis: number, out: View, lookup?: string): void;
  /** out[pre, indices[i...], post] += updates[pre, i..., post]; out-of-range indices are dropped. */
  scatterAdd(updates: View, indices: View, axis: number, out: View): void;
  /** cond, a, b have out's shape; a nonzero cond picks a. */
  where(cond: View, a: View, b: View, out: View): void;
  /**
   * Convolution patches as rows of a matrix (the "im2col" of implicit GEMM):
   * x is an f32 NHWC view [batch, inH, inW, channels] with any strides; out is
   * [groups, batch·outH·outW, kernelH·kernelW·channels/groups], contiguous, where
   * out[g, (b·outH + oy)·outW + ox, (ky·kernelW + kx)·cg + c] = x[b, iy, ix, g·cg + c]
   * at the tap's input pixel (see ConvGeometry), or 0 where the tap falls in padding.
   * A convolution is then one matmul with the filter seen as [groups, kh·kw·cg, cout/groups].
   */
  im2col(x: View, out: View, geometry: ConvGeometry): void;
  /**
   * A convolution's forward with groups = 1: out[b, oy, ox, j] = act(bias[j] +
   * sum over (ky, kx, c) of x[b, iy, ix, c] · filter[ky, kx, c, j]), taps in padding
   * adding nothing. x is an f32 NHWC view with any strides; filter [kernelH, kernelW,
   * channels, cout] is contiguous (any offset); out is [batch, outH, outW, cout];
   * options as matmul's. The result is what im2col followed by one matmul with the
   * filter seen as [kh·kw·channels, cout] gives (src/backends/conv-by-im2col.ts is
   * exactly that, for backends without a direct kernel), summed in the patch matrix's
   * column order; a backend may skip the patch matrix (wasm packs patch rows straight
   * from the image into its GEMM panels, webgpu gathers its product's A tiles from it).
   */
  conv2d(x: View, filter: View, out: View, geometry: ConvGeometry, options?: MatmulOptions): void;
  /**
   * im2col's adjoint (the input gradient of a convolution): cols has im2col's output
   * shape and is contiguous (any offset); out, an f32 NHWC [batch, inH, inW, channels]
   * contiguous view, is overwritten with, for every pixel, the sum of the cols entries
   * im2col would have read from it (taps in padding are dropped). Each output pixel
   * sums its own taps in (oy, ox, ky, kx) order, so results never depend on scheduling.
   */
  col2im(cols: View, out: View, geometry: ConvGeometry): void;
  /**
   * Windowed max or mean over an f32 NHWC view x [batch, inH, inW, channels] (any
   * strides) into out [batch, outH, outW, channels] (contiguous), per channel; `groups`
   * is 1 and ignored. Taps in padding are skipped: max over the taps inside the image,
   * avg divides by their count (TensorFlow's rule). A window with no tap inside gives
   * -infinity (max) or NaN (avg); the front-end never asks for one.
   */
  pool2d(op: PoolOp, x: View, out: View, geometry: PoolGeometry): void;
  /**
   * pool2d's input gradient: dy [batch, outH, outW, channels] contiguous (any offset),
   * x the forward's input (only read for max), out [batch, inH, inW, channels]
   * contiguous, overwritten. max: each window's dy goes to its first largest tap in
   * (ky, kx) order (recomputed from x; a NaN counts as largest); avg: each window's
   * dy / count goes to each of its taps inside the image. Each input pixel gathers the
   * windows that cover it in (oy, ox) order, so results never depend on scheduling.
   */
  pool2dGrad(op: PoolOp, x: View, dy: View, out: View, geometry: PoolGeometry): void;
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
   * With `device` (loss scaling), the update depends on values on the device without a
   * read-back: `device.view` holds 8 f32 values on this backend; bit i (0-6) of
   * `device.mask` takes scalar i from it instead of from `hyper` (a step count kept on
   * the device: Adam's bias corrections), and its entry 7 is a skip flag: nonzero
   * leaves the parameter and the state untouched. Every invocation reads the same
   * flag; cpu and wasm read the view in place (their memory is the host's).
   */
  step(rule: OptimizerRule, param: View, grad: View, state: readonly View[], hyper: readonly number[], device?: StepDevice): void;

  // --- language-model kernels (fused; see docs/architecture.md) ---------------
  /**
   * Layer normalization of each row of x [rows, n] (contiguous, any offset):
   * out = (x - mean) * rstd * gamma + beta with rstd = 1 / sqrt(var + epsilon), the
   * variance biased (divided by n). gamma and beta are [n] (contiguous) or absent (1
   * and 0). Also writes each row's mean and rstd ([rows] each) for the backward.
   */
  layerNorm(x: View, gamma: View | undefined, beta: View | undefined, out: View, mean: View, rstd: View, epsilon: number): void;
  /**
   * The gradients of layerNorm from the forward's saved mean and rstd. With
   * xhat = (x - mean) * rstd and g = dy * gamma:
   * dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) per row; dgamma[j] = sum over rows
   * of dy * xhat and dbeta[j] = sum of dy, written (not accumulated) when given.
   * dy and x are [rows, n] contiguous, any offset.
   */
  layerNormGrad(dy: View, x: View, gamma: View | undefined, mean: View, rstd: View, dx: View, dgamma: View | undefined, dbeta: View | undefined): void;
  /**
   * Fused attention: out[b, i] = sum_j softmax_j(s[b, i, j]) * drop(b, i, j) * v[b, j] with
   * s = scale * q[b, i] · k[b, j], where mask[b, i, j] == 0 or (causal and j > i) sets
   * s to -inf. q [B, Lq, d], k [B, Lk, d], v [B, Lk, dv] are contiguous (any offset);
   * mask is an i32 [B, Lq, Lk] view with any strides (0 = broadcast) or absent.
   * drop is 0 when the counter hash of (seed, (b*Lq + i)*Lk + j) is below dropout,
   * else 1 / (1 - dropout). A row with no key left gives 0. lse [B, Lq] receives each
   * row's logsumexp of s, or +Infinity for a row with no key (so that the backward's
   * exp(s - lse) is 0 there). No [Lq, Lk] matrix need ever be stored.
   */
  attention(q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, params: AttentionParams): void;
  /**
   * Gradients of `attention` for dout [B, Lq, dv] (contiguous), from the forward's out
   * and lse: with p = exp(s - lse), dp = drop * (dout · v) and
   * D_i = dout_i · out_i, ds = p * (dp - D); dq = scale * ds · k, dk = scale * dsᵀ · q,
   * dv = (p * drop)ᵀ · dout. Writes (does not accumulate) dq, dk and dv.
   */
  attentionGrad(
    q: View, k: View, v: View, mask: View | undefined, out: View, lse: View, dout: View, dq: View, dk: View, dv: View, params: AttentionParams,
  ): void;
  /**
   * Softmax cross-entropy of each row of logits [rows, V] (contiguous, any offset)
   * against int32 labels [rows] (contiguous): loss[r] = lse[r] - logits[r, labels[r]]
   * with lse[r] = logsumexp of the row (written too, for the backward). The front-end
   * checks labels where it can read them synchronously; a backend that cannot (webgpu)
   * writes NaN for a label outside [0, V) and makes the next read throw an error that
   * names `caller`, the label and V.
   */
  sparseCrossEntropy(logits: View, labels: View, loss: View, lse: View, caller: string): void;
  /**
   * dlogits[r, j] = dloss[r] * (exp(logits[r, j] - lse[r]) - (j == labels[r] ? 1 : 0)):
   * softmax minus one-hot in one pass, never building the one-hot. dloss is a [rows]
   * view with any stride (0 when one scalar gradient is broadcast); dlogits is [rows, V].
   */
  sparseCrossEntropyGrad(logits: View, labels: View, lse: View, dloss: View, dlogits: View): void;

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
