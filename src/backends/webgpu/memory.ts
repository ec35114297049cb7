// Device memory: storages handed to the front-end, a pool of buffers by size
// class, and reusable staging buffers for reads.
//
// A freed buffer is reusable at once, even while recorded commands still use it:
// commands run in recording order, so a later kernel writing the buffer comes
// after earlier ones reading it. The one thing that does not follow recording
// order is a host write (queue.writeBuffer runs before commands not yet
// submitted), so a storage remembers the last batch that used its buffer, and
// the backend routes writes to a busy buffer through the command stream.

import { AllocationError, type Storage } from '../backend.js';

export class GpuStorage implements Storage {
  released = false;
  constructor(
    readonly bytes: number,
    readonly buffer: GPUBuffer,
    /** Serial of the latest batch that records a command using this buffer. */
    public lastUse = 0,
  ) {}
}

interface Pooled {
  readonly buffer: GPUBuffer;
  readonly lastUse: number;
}

const STORAGE_USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/**
 * Size classes: 16-byte multiples below 256 bytes, then four steps per power of
 * two (at most 25% slack), so buffers of similar size are shared.
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return Math.max(16, Math.ceil(bytes / 16) * 16);
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}

export interface PoolStats {
  /** Buffers the front-end holds. */
  readonly liveBuffers: number;
  readonly liveBytes: number;
  /** Free buffers kept for reuse. */
  readonly pooledBuffers: number;
  readonly pooledBytes: number;
  /** Buffers created since the backend started (a pool hit creates none). */
  readonly created: number;
  /** The most live storage allowed (memoryBudget), if any. */
  readonly budget: number | null;
}

export class BufferPool {
  private readonly free = new Map<number, Pooled[]>();
  /** Buffers to destroy once the batches that use them have been submitted. */
  private doomed: Pooled[] = [];
  private liveBuffers = 0;
  private liveBytes = 0;
  private pooledBuffers = 0;
  private pooledBytes = 0;
  private created = 0;

  constructor(
    private readonly device: GPUDevice,
    /** The largest storage binding the device allows; larger allocations are refused. */
    private readonly maxBytes: number,
    private readonly maxPooledBytes: number,
    /** Told about allocation failures that surface asynchronously (out-of-memory error scopes). */
    private readonly onAsyncError: (error: Error) => void,
    /** The serial of the last submitted batch (buffers used after it are destroyed later). */
    private readonly submittedSerial: () => number,
    /** The most live storage (bytes, by buffer size) this pool hands out; undefined: no limit but the device's. */
    private readonly budget?: number,
  ) {}

  /** A storage of at least `bytes`; `label` (what it is for) names the buffer and errors that surface later. */
  acquire(bytes: number, label?: string): GpuStorage {
    if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`webgpu alloc: expected a non-negative integer byte count, got ${bytes}`);
    const size = sizeClass(bytes);
    if (size > this.maxBytes) {
      throw new AllocationError(
        'webgpu', bytes,
        `the largest storage buffer this device can bind is ${this.maxBytes} bytes (${mib(this.maxBytes)}, maxStorageBufferBindingSize / maxBufferSize)`,
      );
    }
    if (this.budget !== undefined && this.liveBytes + size > this.budget) {
      throw new AllocationError(
        'webgpu', bytes,
        `it would take the live GPU storage to ${mib(this.liveBytes + size)}, over this backend's memoryBudget of ${mib(this.budget)} ` +
          `(${mib(this.liveBytes)} live in ${this.liveBuffers} buffers: dispose the tensors you no longer need, or run the work in tidy)`,
      );
    }
    const pooled = this.free.get(size)?.pop();
    // Within a budget, free buffers kept for reuse count too: drop them before going over.
    if (!pooled && this.budget !== undefined && this.liveBytes + this.pooledBytes + size > this.budget) this.trim(this.submittedSerial());
    if (pooled) {
      this.pooledBuffers--;
      this.pooledBytes -= size;
    }
    this.liveBuffers++;
    this.liveBytes += size;
    return new GpuStorage(bytes, pooled?.buffer ?? this.create(size, bytes, label), pooled?.lastUse ?? 0);
  }

  private create(size: number, requested: number, label: string | undefined): GPUBuffer {
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE(), label: `webgrad storage ${size}${label ? ` (${label})` : ''}` });
    this.created++;
    void this.device.popErrorScope().then(
      (error) => {
        if (!error) return;
        const what = label ? `${label}, ` : '';
        this.onAsyncError(new Error(`webgpu: out of GPU memory allocating ${what}${requested} bytes (${mib(requested)}), with ${mib(this.liveBytes)} live: ${error.message}`));
      },
      () => {},
    );
    return buffer;
  }

  /** Returns a storage's buffer to the pool (or destroys it when the pool is full). */
  release(storage: GpuStorage, submittedSerial: number): void {
    if (storage.released) return;
    storage.released = true;
    this.liveBuffers--;
    this.liveBytes -= storage.buffer.size;
    const pooled = { buffer: storage.buffer, lastUse: storage.lastUse };
    if (this.pooledBytes + storage.buffer.size > this.maxPooledBytes) {
      this.destroy(pooled, submittedSerial);
      return;
    }
    const list = this.free.get(storage.buffer.size) ?? [];
    list.push(pooled);
    this.free.set(storage.buffer.size, list);
    this.pooledBuffers++;
    this.pooledBytes += storage.buffer.size;
  }

  /** A buffer that unsubmitted commands use must outlive their submit. */
  private destroy(pooled: Pooled, submittedSerial: number): void {
    if (pooled.lastUse > submittedSerial) this.doomed.push(pooled);
    else pooled.buffer.destroy();
  }

  /** Called after each submit: destroys buffers that were only waiting for it. */
  recycle(submittedSerial: number): void {
    if (this.doomed.length === 0) return;
    const doomed = this.doomed;
    this.doomed = [];
    for (const p of doomed) this.destroy(p, submittedSerial);
  }

  /** Destroys every pooled buffer. */
  trim(submittedSerial: number): void {
    for (const list of this.free.values()) for (const p of list) this.destroy(p, submittedSerial);
    this.free.clear();
    this.pooledBuffers = 0;
    this.pooledBytes = 0;
  }

  stats(): PoolStats {
    return {
      liveBuffers: this.liveBuffers,
      liveBytes: this.liveBytes,
      pooledBuffers: this.pooledBuffers,
      pooledBytes: this.pooledBytes,
      created: this.created,
      budget: this.budget ?? null,
    };
  }
}

/** MAP_READ buffers for `read`, reused across reads (one per read in flight). */
export class StagingPool {
  private free: GPUBuffer[] = [];
  /** Buffers created since the backend started (a reuse creates none). */
  private created = 0;

  constructor(private readonly device: GPUDevice, private readonly keepCount = 4) {}

  stats(): { readonly freeBuffers: number; readonly freeBytes: number; readonly created: number } {
    return { freeBuffers: this.free.length, freeBytes: this.free.reduce((n, b) => n + b.size, 0), created: this.created };
  }

  acquire(bytes: number): GPUBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.size;
      if (size >= bytes && (best < 0 || size < this.free[best]!.size)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    this.created++;
    return this.device.createBuffer({ size: sizeClass(bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'webgrad staging' });
  }

  release(buffer: GPUBuffer): void {
    this.free.push(buffer);
    if (this.free.length > this.keepCount) {
      // keep the largest ones: they serve every smaller read
      this.free.sort((a, b) => b.size - a.size);
      for (const b of this.free.splice(this.keepCount)) b.destroy();
    }
  }

  trim(): void {
    for (const b of this.free) b.destroy();
    this.free = [];
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB`;
}
