// Recording and submitting work. Kernels append commands to the current batch
// and return at once; a batch is submitted as one command buffer when it holds
// `maxDispatches` dispatches, when the JavaScript turn ends (a microtask), and on
// read / flush / sync. Batches go out strictly in order; one that uses a
// pipeline still compiling waits for it (and so do the batches after it).
//
// Each batch's uniforms live in one buffer (a 256-byte slot per dispatch) and
// its host uploads in another, both written with queue.writeBuffer just before
// the batch is submitted. WebGPU orders those writes after all previously
// submitted work, so the two buffers are reused by every batch.

import type { LossSignal } from './loss.js';
import type { GpuStorage } from './memory.js';
import { UNIFORM_SLOT, type Uniform } from './params.js';
import type { PipelineEntry } from './pipelines.js';

type Buffers = readonly (GpuStorage | GPUBuffer)[];

type Command =
  | { readonly kind: 'dispatch'; readonly entry: PipelineEntry; readonly buffers: readonly GPUBuffer[]; readonly uniform: Uniform; readonly groups: readonly [number, number, number] }
  | { readonly kind: 'copy'; readonly src: GPUBuffer; readonly srcOffset: number; readonly dst: GPUBuffer; readonly dstOffset: number; readonly size: number }
  | { readonly kind: 'upload'; readonly dst: GPUBuffer; readonly dstOffset: number; readonly data: Uint8Array }
  | { readonly kind: 'clear'; readonly dst: GPUBuffer; readonly offset: number; readonly size: number };

class Batch {
  readonly commands: Command[] = [];
  readonly entries = new Set<PipelineEntry>();
  dispatches = 0;
  uploadBytes = 0;
  constructor(readonly serial: number) {}
}

export interface QueueStats {
  readonly submittedBatches: number;
  readonly dispatches: number;
  readonly waitingBatches: number;
}

export class CommandQueue {
  private current: Batch;
  private waiting: Batch[] = [];
  private draining: Promise<void> | undefined;
  private flushScheduled = false;
  private failure: Error | undefined;
  private errorChecks: Promise<void>[] = [];
  private uniformBuffer: GPUBuffer | undefined;
  private uploadBuffer: GPUBuffer | undefined;
  private submittedBatches = 0;
  private totalDispatches = 0;
  /** Serial of the last batch submitted (or dropped); batches count from 1. */
  submittedSerial = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxDispatches: number,
    /** Fires when the device is lost, so that nothing waits forever on a dead device. */
    private readonly lost: LossSignal,
    private readonly onSubmitted: (serial: number) => void,
  ) {
    this.current = new Batch(1);
  }

  /** The first error seen (device lost, a kernel that failed to compile, a validation or out-of-memory error). */
  get error(): Error | undefined {
    return this.failure;
  }

  fail(error: Error): void {
    this.failure ??= error;
  }

  private use(buffers: Buffers): GPUBuffer[] {
    return buffers.map((b) => {
      if ('lastUse' in b) {
        b.lastUse = this.current.serial;
        return b.buffer;
      }
      return b;
    });
  }

  /** Serial of the batch being recorded: a storage with lastUse >= it is used by unsubmitted work. */
  get recordingSerial(): number {
    return this.current.serial;
  }

  dispatch(entry: PipelineEntry, buffers: Buffers, uniform: Uniform, groups: readonly [number, number, number]): void {
    const batch = this.current;
    batch.commands.push({ kind: 'dispatch', entry, buffers: this.use(buffers), uniform, groups });
    batch.entries.add(entry);
    batch.dispatches++;
    this.added();
  }

  copy(src: GpuStorage | GPUBuffer, srcOffset: number, dst: GpuStorage | GPUBuffer, dstOffset: number, size: number): void {
    const [s, d] = this.use([src, dst]);
    this.current.commands.push({ kind: 'copy', src: s!, srcOffset, dst: d!, dstOffset, size });
    this.added();
  }

  /** A host write ordered after the commands recorded so far (for buffers they still use). */
  upload(dst: GpuStorage, dstOffset: number, data: Uint8Array): void {
    const [d] = this.use([dst]);
    this.current.commands.push({ kind: 'upload', dst: d!, dstOffset, data: data.slice() });
    this.current.uploadBytes += data.byteLength;
    this.added();
  }

  clear(dst: GpuStorage, offset: number, size: number): void {
    const [d] = this.use([dst]);
    this.current.commands.push({ kind: 'clear', dst: d!, offset, size });
    this.added();
  }

  private added(): void {
    if (this.current.dispatches >= this.maxDispatches || this.current.commands.length >= 4 * this.maxDispatches) {
      this.close();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        this.close();
      });
    }
  }

  /** Ends the current batch and submits it (now, or once its pipelines are ready). */
  close(): void {
    if (this.current.commands.length === 0) return;
    this.waiting.push(this.current);
    this.current = new Batch(this.current.serial + 1);
    this.drain();
  }

  private ready(batch: Batch): boolean {
    for (const e of batch.entries) if (!e.pipeline && !e.error) return false;
    return true;
  }

  private drain(): void {
    if (this.draining) return;
    while (this.waiting.length > 0) {
      if (!this.ready(this.waiting[0]!)) {
        this.draining = this.drainAsync();
        return;
      }
      this.submitOrDrop(this.waiting.shift()!);
    }
  }

  private async drainAsync(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const head = this.waiting[0]!;
        if (!this.ready(head)) await this.lost.settled(Promise.all([...head.entries].map((e) => e.ready)));
        if (!this.ready(head)) {
          // the device is gone and the pipelines never came: drop everything
          for (const b of this.waiting) this.dropped(b);
          this.waiting = [];
          return;
        }
        this.submitOrDrop(this.waiting.shift()!);
      }
    } finally {
      this.draining = undefined;
    }
  }

  private dropped(batch: Batch): void {
    this.submittedSerial = batch.serial;
    this.onSubmitted(batch.serial);
  }

  private submitOrDrop(batch: Batch): void {
    const broken = [...batch.entries].find((e) => e.error);
    if (broken) this.fail(broken.error!);
    if (this.failure) {
      this.dropped(batch);
      return;
    }
    this.submit(batch);
  }

  private ensure(buffer: GPUBuffer | undefined, bytes: number, usage: number, label: string): GPUBuffer {
    if (buffer && buffer.size >= bytes) return buffer;
    // grow geometrically; the old buffer stays alive for work already submitted
    const size = Math.max(bytes, (buffer?.size ?? 0) * 2, 4096);
    return this.device.createBuffer({ size, usage, label });
  }

  private submit(batch: Batch): void {
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let uniforms: Uint8Array<ArrayBuffer> | undefined;
    if (batch.dispatches > 0) {
      this.uniformBuffer = this.ensure(this.uniformBuffer, batch.dispatches * UNIFORM_SLOT, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'webgrad uniforms');
      uniforms = new Uint8Array(batch.dispatches * UNIFORM_SLOT);
    }
    let uploads: Uint8Array<ArrayBuffer> | undefined;
    if (batch.uploadBytes > 0) {
      this.uploadBuffer = this.ensure(this.uploadBuffer, batch.uploadBytes, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, 'webgrad uploads');
      uploads = new Uint8Array(batch.uploadBytes);
    }
    const encoder = device.createCommandEncoder({ label: `webgrad batch ${batch.serial}` });
    let pass: GPUComputePassEncoder | undefined;
    let slot = 0;
    let uploadAt = 0;
    for (const c of batch.commands) {
      if (c.kind === 'dispatch') {
        pass ??= encoder.beginComputePass();
        uniforms!.set(new Uint8Array(c.uniform.bytes), slot * UNIFORM_SLOT);
        const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.uniformBuffer!, offset: slot * UNIFORM_SLOT, size: UNIFORM_SLOT } }];
        c.buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
        pass.setPipeline(c.entry.pipeline!);
        pass.setBindGroup(0, device.createBindGroup({ layout: c.entry.layout, entries }));
        pass.dispatchWorkgroups(c.groups[0], c.groups[1], c.groups[2]);
        slot++;
        continue;
      }
      pass?.end();
      pass = undefined;
      if (c.kind === 'copy') {
        encoder.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.size);
      } else if (c.kind === 'clear') {
        encoder.clearBuffer(c.dst, c.offset, c.size);
      } else {
        uploads!.set(c.data, uploadAt);
        encoder.copyBufferToBuffer(this.uploadBuffer!, uploadAt, c.dst, c.dstOffset, c.data.byteLength);
        uploadAt += c.data.byteLength;
      }
    }
    pass?.end();
    if (uniforms) device.queue.writeBuffer(this.uniformBuffer!, 0, uniforms);
    if (uploads) device.queue.writeBuffer(this.uploadBuffer!, 0, uploads);
    device.queue.submit([encoder.finish()]);
    const count = batch.commands.length;
    const validation = device.popErrorScope();
    const memory = device.popErrorScope();
    // keep the list short in long runs that never read: fold older checks into one
    if (this.errorChecks.length > 64) this.errorChecks = [Promise.all(this.errorChecks).then(() => {})];
    this.errorChecks.push(
      Promise.all([validation, memory]).then(
        ([v, m]) => {
          const e = v ?? m;
          if (e) this.fail(new Error(`webgpu: a batch of ${count} commands failed on the device: ${e.message}`));
        },
        () => {},
      ),
    );
    this.submittedBatches++;
    this.totalDispatches += batch.dispatches;
    this.submittedSerial = batch.serial;
    this.onSubmitted(batch.serial);
  }

  /** Resolves when everything recorded so far has been submitted; throws the first failure. */
  async submitted(): Promise<void> {
    this.close();
    while (this.draining) await this.draining;
    if (this.failure) throw this.failure;
  }

  /** Resolves when the device has reported errors (if any) for every submitted batch. */
  async checked(): Promise<void> {
    const checks = this.errorChecks;
    this.errorChecks = [];
    await this.lost.settled(Promise.all(checks));
    if (this.failure) throw this.failure;
  }

  stats(): QueueStats {
    return { submittedBatches: this.submittedBatches, dispatches: this.totalDispatches, waitingBatches: this.waiting.length };
  }

  /** Lets go of the upload buffer, which grows to the largest batch of host writes (the next upload makes one again). */
  trim(): void {
    // Work already submitted keeps its use of the buffer: destroy() frees it after that work.
    this.uploadBuffer?.destroy();
    this.uploadBuffer = undefined;
  }

  destroy(): void {
    this.uniformBuffer?.destroy();
    this.uploadBuffer?.destroy();
  }
}
