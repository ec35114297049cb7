// The module's linear memory as tensor storage: typed-array views that follow memory
// growth, and an allocator with size classes and free lists, so the blocks of a
// training step are reused by the next one.
//
// Layout: [module statics | reserved (control, descriptor, scratch) | tensor blocks ...]
// Blocks are 64-byte aligned (a cache line; v128 loads never straddle one).

import { AllocationError, type Storage } from '../backend.js';

const PAGE = 65536;
const ALIGN = 64;

/** Storage in linear memory: `ptr` is a byte address, `block` the bytes reserved. */
export class WasmStorage implements Storage {
  freed = false;
  constructor(readonly bytes: number, readonly ptr: number, readonly block: number) {}
}

/**
 * Size classes: 64-byte steps up to 1 KiB, then 8 classes per power of two
 * (at most 12.5% slack).
 */
export function blockSize(bytes: number): number {
  if (bytes <= 1024) return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const step = 2 ** (Math.floor(Math.log2(bytes - 1)) - 3);
  return Math.ceil(bytes / step) * step;
}

export interface HeapStats {
  /** Bytes of linear memory. */
  readonly memoryBytes: number;
  /** Bytes handed out and not yet freed (block sizes). */
  readonly liveBytes: number;
  readonly liveBlocks: number;
  /** Bytes in free lists, ready for reuse. */
  readonly freeBytes: number;
  /** High-water mark of the heap (end of the highest block ever handed out). */
  readonly top: number;
}

export class WasmHeap {
  private f32View: Float32Array;
  private i32View: Int32Array;
  private f64View: Float64Array;
  private readonly freeLists = new Map<number, number[]>();
  private bump: number;
  private live = 0;
  private liveCount = 0;
  private freeBytes = 0;

  /** `start`: first byte the heap may use; `limit`: most bytes memory may grow to. */
  constructor(readonly memory: WebAssembly.Memory, readonly start: number, readonly limit: number) {
    this.bump = start;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.f64View = new Float64Array(memory.buffer);
  }

  // Views of all of memory. Memory grows only through `ensure`, which refreshes
  // them, so they are never stale (a grown non-shared memory detaches its old
  // buffer; a shared one keeps it, but at the old length).

  get f32(): Float32Array {
    return this.f32View;
  }

  get i32(): Int32Array {
    return this.i32View;
  }

  get f64(): Float64Array {
    return this.f64View;
  }

  private refresh(): void {
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
    this.f64View = new Float64Array(this.memory.buffer);
  }

  alloc(bytes: number): WasmStorage {
    const block = blockSize(bytes);
    const list = this.freeLists.get(block);
    let ptr = list?.pop();
    if (ptr === undefined) {
      ptr = this.bump;
      try {
        this.ensure(ptr + block);
      } catch (error) {
        // the front-end puts what the block was for in front of the reason
        const reason = (error instanceof Error ? error.message : String(error)).replace(/^wasm backend: /, '');
        throw new AllocationError('wasm', bytes, `${reason} (${this.live} bytes live)`);
      }
      this.bump = ptr + block;
    } else {
      this.freeBytes -= block;
    }
    this.live += block;
    this.liveCount++;
    return new WasmStorage(bytes, ptr, block);
  }

  free(storage: WasmStorage): void {
    if (storage.freed) return;
    storage.freed = true;
    this.live -= storage.block;
    this.liveCount--;
    let list = this.freeLists.get(storage.block);
    if (!list) {
      list = [];
      this.freeLists.set(storage.block, list);
    }
    list.push(storage.ptr);
    this.freeBytes += storage.block;
  }

  /**
   * Gives free blocks at the top of the heap back to the bump pointer, so memory
   * freed after a peak can be reused by blocks of any size.
   */
  trim(): void {
    const byEnd = new Map<number, [number, number[]]>();
    for (const [block, list] of this.freeLists) for (const ptr of list) byEnd.set(ptr + block, [block, list]);
    let entry = byEnd.get(this.bump);
    while (entry) {
      const [block, list] = entry;
      const ptr = this.bump - block;
      list.splice(list.lastIndexOf(ptr), 1);
      this.freeBytes -= block;
      this.bump = ptr;
      entry = byEnd.get(this.bump);
    }
  }

  /** Grows memory so that bytes [0, end) exist. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > this.limit) {
      throw new Error(`wasm backend: out of memory: need ${end} bytes of linear memory, the limit is ${this.limit}`);
    }
    // Grow by at least half of what exists, to keep growth (and view refreshes) rare.
    const want = Math.min(this.limit, Math.max(end, have + (have >> 1)));
    try {
      this.memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      // The generous step may be refused where the exact need still fits.
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new Error(`wasm backend: out of memory: could not grow linear memory from ${have} to ${end} bytes (${why})`, { cause: error });
      }
    }
    this.refresh();
  }

  stats(): HeapStats {
    return {
      memoryBytes: this.memory.buffer.byteLength,
      liveBytes: this.live,
      liveBlocks: this.liveCount,
      freeBytes: this.freeBytes,
      top: this.bump,
    };
  }
}
