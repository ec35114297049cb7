// Tensor: a shape, a dtype and a strided view into reference-counted backend
// storage. Views (reshape, transpose, broadcast, slice) share storage; the storage
// is freed when the last tensor using it is disposed, collected, or its scope ends.

import { AllocationError, type Backend, type DType, type Storage, type View } from './backends/backend.js';
import { activeBackend } from './backends/select.js';
import { contiguousStrides, isContiguous, sizeOf } from './backends/strided.js';
import { type Scope, track, untrack } from './scope.js';
import { formatTensor, formatTensorAsync } from './tensor-format.js';
import { float16Bytes } from './float16.js';

/**
 * Element types. `float16` (IEEE binary16, stored as packed halves) exists on the
 * webgpu backend only: it is mixed precision's storage type (see src/float16.ts).
 */
export type DataType = 'float32' | 'int32' | 'bool' | 'float16';
/** Nested arrays of numbers (or booleans), as `array()` returns and `tensor()` takes. */
export type NestedArray = number | boolean | NestedArray[];
export type TypedArray = Float32Array | Int32Array;

export function storageType(dtype: DataType): DType {
  return dtype === 'float32' ? 'f32' : dtype === 'float16' ? 'f16' : 'i32';
}

/** float32 and float16: the dtypes gradients flow through. */
export function isFloat(dtype: DataType): boolean {
  return dtype === 'float32' || dtype === 'float16';
}

const stats = { tensors: 0, bytes: 0, buffers: 0, peak: 0 };

export interface MemoryInfo {
  /** Tensors that are neither disposed nor collected. */
  numTensors: number;
  /** Bytes of backend storage those tensors hold (shared storage counted once). */
  numBytes: number;
  /** Backend storages alive. */
  numDataBuffers: number;
  /** The most bytes alive at any moment since the start or the last `resetPeakMemory()` (tensor storage only, as numBytes). */
  peakBytes: number;
}

/**
 * Tensors and bytes alive now, and the peak since the last reset. Pass
 * `{ resetPeak: true }` to start a new peak from here (after reading this one).
 */
export function memory(options?: { resetPeak?: boolean }): MemoryInfo {
  const info = { numTensors: stats.tensors, numBytes: stats.bytes, numDataBuffers: stats.buffers, peakBytes: stats.peak };
  if (options?.resetPeak) stats.peak = stats.bytes;
  return info;
}

/** Starts a new peak for `memory().peakBytes` at the bytes alive now; returns the previous peak. */
export function resetPeakMemory(): number {
  const peak = stats.peak;
  stats.peak = stats.bytes;
  return peak;
}

/** Backend storage with a reference count: one per tensor that views it. */
export class DataRef {
  private refs = 1;
  constructor(readonly backend: Backend, readonly storage: Storage, readonly bytes: number) {
    stats.bytes += bytes;
    stats.buffers++;
    if (stats.bytes > stats.peak) stats.peak = stats.bytes;
  }
  /** True when more than one tensor views this storage (so in-place writes must copy first). */
  get shared(): boolean {
    return this.refs > 1;
  }
  retain(): void {
    this.refs++;
  }
  release(): void {
    if (--this.refs > 0) return;
    this.backend.free(this.storage);
    stats.bytes -= this.bytes;
    stats.buffers--;
  }
}

/** What a storage is for, for errors: the function that asked and a description of the block. */
export interface Purpose {
  readonly op: string;
  readonly what: string;
}

/**
 * Storage for `size` elements of `dtype` on the active backend. A block the backend
 * cannot provide is an error that names the function, the block and the reason.
 */
export function allocate(size: number, dtype: DataType, backend: Backend = activeBackend(), purpose?: Purpose): DataRef {
  if (dtype === 'float16' && backend.name !== 'webgpu') {
    throw new Error(
      `${purpose?.op ?? 'allocate'}: float16 tensors need the webgpu backend; mixed precision runs on WebGPU only (the active backend is ${backend.name})`,
    );
  }
  const bytes = dtype === 'float16' ? float16Bytes(size) : size * 4;
  let storage: Storage;
  try {
    storage = backend.alloc(bytes, purpose ? `${purpose.op}: ${purpose.what}` : undefined);
  } catch (error) {
    if (!(error instanceof AllocationError) || !purpose) throw error;
    const mib = `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB`;
    throw new AllocationError(backend.name, bytes, error.reason, `${purpose.op}: cannot allocate ${purpose.what} (${bytes} bytes, ${mib}) on ${backend.name}: ${error.reason}`);
  }
  return new DataRef(backend, storage, bytes);
}

// The safety net: a tensor that is garbage collected without dispose() frees its storage.
// The registry holds a small mutable box, not the tensor, since a variable's storage changes.
interface StorageBox {
  ref: DataRef;
}
const finalizer = new FinalizationRegistry<StorageBox>((box) => {
  stats.tensors--;
  box.ref.release();
});

let nextId = 0;

/**
 * Who frees a tensor: 'scoped' — the enclosing tidy, or else garbage collection;
 * 'untracked' — its owner (a variable, optimizer state), with garbage collection as
 * the safety net; 'internal' — code that always disposes it (the autodiff tape).
 */
export type Lifetime = 'scoped' | 'untracked' | 'internal';

export class Tensor {
  readonly id = nextId++;
  private readonly box: StorageBox;
  /** @internal */ strides: readonly number[];
  /** @internal */ offset: number;
  /** @internal the scope that will dispose this tensor, if any */
  scope: Scope | undefined = undefined;
  private disposed = false;
  private finalizable = false;

  /** @internal use `tensor()`, `zeros()`, ... or an op to make tensors. */
  constructor(
    ref: DataRef,
    readonly shape: readonly number[],
    readonly dtype: DataType,
    strides?: readonly number[],
    offset = 0,
    lifetime: Lifetime = 'scoped',
  ) {
    this.box = { ref };
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    stats.tensors++;
    // Tensors inside a scope are freed by it; only the others need the (costly) safety net.
    if (lifetime === 'internal') return;
    if (lifetime === 'untracked' || !track(this)) this.onUnscoped();
  }

  /** @internal registers the garbage-collection safety net */
  onUnscoped(): void {
    if (this.finalizable || this.disposed) return;
    this.finalizable = true;
    finalizer.register(this, this.box, this);
  }

  /** @internal the storage this tensor views */
  get ref(): DataRef {
    return this.box.ref;
  }
  protected set ref(ref: DataRef) {
    this.box.ref = ref;
  }

  get rank(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
  /** @internal */
  get backend(): Backend {
    return this.ref.backend;
  }

  /** @internal how kernels see this tensor */
  view(): View {
    this.assertAlive('view');
    return {
      storage: this.ref.storage,
      dtype: storageType(this.dtype),
      shape: this.shape,
      strides: this.strides,
      offset: this.offset,
    };
  }

  /** @internal true when the elements are row-major with no gaps */
  get contiguous(): boolean {
    return isContiguous(this);
  }

  /**
   * @internal throws the error users see for a tensor used after dispose(); `arg` names
   * the argument ("x", "gradient '0'") the way op errors do.
   */
  assertAlive(caller: string, arg?: string): void {
    if (!this.disposed) return;
    if (arg !== undefined) throw new Error(`${caller}: ${arg} (tensor ${this.id}, shape [${this.shape.join(',')}]) was used after dispose()`);
    throw new Error(`${caller}: tensor ${this.id} (shape [${this.shape.join(',')}], ${this.dtype}) was used after dispose()`);
  }

  /**
   * The elements, row-major, in a fresh typed array: Float32Array for float32 (and
   * float16, converted exactly), Int32Array for int32 and bool (name the type to narrow it: `data<Float32Array>()`).
   */
  async data<T extends TypedArray = TypedArray>(): Promise<T> {
    return (await readAsync(this, 'data')) as T;
  }

  /** Synchronous `data()`, for backends that can read without waiting on a device (cpu, wasm). */
  dataSync<T extends TypedArray = TypedArray>(): T {
    return readSync(this, 'dataSync') as T;
  }

  /** The elements as nested arrays (a number for a scalar; booleans for bool). */
  async array(): Promise<NestedArray> {
    return toNested(await readAsync(this, 'array'), this.shape, this.dtype === 'bool');
  }

  arraySync(): NestedArray {
    return toNested(readSync(this, 'arraySync'), this.shape, this.dtype === 'bool');
  }

  /** Frees the tensor's storage (once no other view uses it). Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    stats.tensors--;
    if (this.finalizable) finalizer.unregister(this);
    untrack(this);
    this.ref.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * `Tensor float32 [2,2]` and the values as nested rows, long dimensions elided
   * (first and last three). On webgpu, whose reads are asynchronous, the values are
   * replaced by a note: use `await t.print()` there.
   */
  toString(): string {
    return formatTensor(this);
  }

  /**
   * Logs the tensor (as toString, with the values on every backend) with console.log.
   * On cpu and wasm it prints before returning; on webgpu the values need an
   * asynchronous read, so await the returned promise to print in order.
   */
  print(): Promise<void> {
    if (!this.disposed && this.backend.readSync) {
      console.log(formatTensor(this));
      return Promise.resolve();
    }
    return formatTensorAsync(this).then((text) => console.log(text));
  }

  /** Node's util.inspect and console.log show toString's text (no import of node:util needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatTensor(this);
  }

  /** Deno's console.log and Deno.inspect show toString's text. */
  [Symbol.for('Deno.customInspect')](): string {
    return formatTensor(this);
  }

  /** @internal a new tensor object over the same storage (used by views and the autodiff tape) */
  share(shape = this.shape, strides = this.strides, offset = this.offset, lifetime: Lifetime = 'scoped'): Tensor {
    this.assertAlive('share');
    if (strides.length !== shape.length) {
      // A view needs one stride per dimension; reusing another shape's strides reads the wrong elements.
      throw new Error(`share: internal error: ${strides.length} strides for shape [${shape.join(',')}]`);
    }
    this.ref.retain();
    return new Tensor(this.ref, shape, this.dtype, strides, offset, lifetime);
  }
}

/**
 * A tensor whose value can change (model weights, optimizer state). Variables are
 * never disposed by `tidy`; `assign` replaces the value, keeping shape and dtype.
 */
export class Variable extends Tensor {
  constructor(initial: Tensor, readonly trainable: boolean, readonly name: string) {
    initial.assertAlive('variable');
    initial.ref.retain();
    super(initial.ref, initial.shape, initial.dtype, initial.strides, initial.offset, 'untracked');
  }

  assign(value: Tensor): void {
    this.assertAlive('assign', `variable '${this.name}'`);
    if (!(value instanceof Tensor)) throw new TypeError(`assign: value should be a Tensor, got ${describeValue(value)}`);
    value.assertAlive('assign', 'value');
    if (value.dtype !== this.dtype || value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(
        `assign: variable '${this.name}' expects shape [${this.shape.join(',')}] ${this.dtype}, got shape [${value.shape.join(',')}] ${value.dtype}`,
      );
    }
    if (value.backend !== this.backend) {
      throw new Error(`assign: variable '${this.name}' lives on ${this.backend.name}, the value on ${value.backend.name}`);
    }
    value.ref.retain();
    this.ref.release();
    this.ref = value.ref;
    this.strides = value.strides;
    this.offset = value.offset;
  }

  /** @internal replace storage after a backend switch or an in-place update that had to copy */
  replaceStorage(ref: DataRef): void {
    this.ref.release();
    this.ref = ref;
    this.strides = contiguousStrides(this.shape);
    this.offset = 0;
  }
}

/** The elements of `t`; errors name `caller` (data or array). */
async function readAsync(t: Tensor, caller: string): Promise<TypedArray> {
  t.assertAlive(caller);
  const backend = t.backend;
  backend.flush?.();
  return backend.read(t.view());
}

function readSync(t: Tensor, caller: 'dataSync' | 'arraySync'): TypedArray {
  t.assertAlive(caller);
  const backend = t.backend;
  if (!backend.readSync) {
    throw new Error(`${caller}: the ${backend.name} backend cannot read synchronously; use await tensor.${caller === 'arraySync' ? 'array' : 'data'}()`);
  }
  return backend.readSync(t.view());
}

/** A short description of a wrong argument (the same wording as autograd's describe). */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `${typeof value} ${String(value)}`;
}

function toNested(values: TypedArray, shape: readonly number[], asBool: boolean): NestedArray {
  const at = (i: number): number | boolean => (asBool ? values[i] !== 0 : values[i]!);
  if (shape.length === 0) return at(0);
  let index = 0;
  const build = (dim: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[dim]!; i++) out.push(dim === shape.length - 1 ? at(index++) : build(dim + 1));
    return out;
  };
  return build(0);
}
