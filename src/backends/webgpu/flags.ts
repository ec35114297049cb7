// Errors found on the GPU. Some bad inputs cannot be seen on the host without
// waiting for a read: a label of sparse cross-entropy or an id of a checked gather
// (an embedding lookup) that is out of range. The kernel that meets one writes a
// harmless value (NaN, a row of zeros) and records the first such input in one small
// buffer shared by every checked kernel: [set, value, position, call], set by an
// atomic compare-exchange so the first flag wins. `call` numbers a message the host
// registered when it queued the kernel; the backend's next read copies the buffer
// back (and clears it) along with its data and throws the message if a flag is set.
// Calls are numbered by what their message says, so a training loop that queues the
// same lookup every step registers it once.

import type { GpuStorage, StagingPool } from './memory.js';
import type { CommandQueue } from './queue.js';

/** Composes the error for a flagged input: the offending value and its position. */
export type FlagMessage = (value: number, position: number) => string;

/** A copy of the flags queued by a read, to check once that read's work is done. */
export interface PendingFlags {
  readonly staging: GPUBuffer;
}

/** Bytes of the flag record: four u32 words. */
const BYTES = 16;

export class DeviceFlags {
  private storage: GpuStorage | undefined;
  /** Message of call number i + 1 (0 means "not checked"). */
  private readonly messages: FlagMessage[] = [];
  private readonly numbers = new Map<string, number>();
  /** Whether a checked kernel was queued since the last read took the flags. */
  private armed = false;

  constructor(
    private readonly acquire: (bytes: number, label: string) => GpuStorage,
    private readonly queue: CommandQueue,
    private readonly staging: StagingPool,
  ) {}

  /** The flag buffer (made and cleared on first use), to bind to every kernel that may flag. */
  buffer(): GpuStorage {
    if (!this.storage) {
      this.storage = this.acquire(BYTES, 'error flags (checked gathers, cross-entropy labels)');
      this.queue.clear(this.storage, 0, BYTES);
    }
    return this.storage;
  }

  /**
   * The call number a checked kernel writes when it flags, for the message `key`
   * names (made by `message` the first time); arms the check of the next read.
   */
  register(key: string, message: FlagMessage): number {
    let n = this.numbers.get(key);
    if (n === undefined) {
      this.messages.push(message);
      n = this.messages.length;
      this.numbers.set(key, n);
    }
    this.armed = true;
    return n;
  }

  /** Queues a copy of the flags and their reset, when a checked kernel ran since the last read. */
  take(): PendingFlags | undefined {
    if (!this.armed || !this.storage) return undefined;
    this.armed = false;
    const staging = this.staging.acquire(BYTES);
    this.queue.copy(this.storage, 0, staging, 0, BYTES);
    this.queue.clear(this.storage, 0, BYTES);
    return { staging };
  }

  /** Maps a taken copy (its read's work is done) and throws the flagged call's message, if any. */
  async check({ staging }: PendingFlags, wait: (p: Promise<void>) => Promise<void>): Promise<void> {
    await wait(staging.mapAsync(GPUMapMode.READ, 0, BYTES));
    const [set, value, position, call] = new Uint32Array(staging.getMappedRange(0, BYTES).slice(0));
    staging.unmap();
    this.staging.release(staging);
    if (!set) return;
    const message = this.messages[call! - 1];
    throw new Error(message ? message(value! | 0, position!) : `webgpu: a kernel flagged input ${value! | 0} at position ${position} (unknown call ${call})`);
  }
}
