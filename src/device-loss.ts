// Surviving a lost GPU device during fit. A lost device takes everything on it with
// it: the data, the weights, the optimizer's state and the epoch's loss sums. So while
// fit trains on an asynchronous backend (WebGPU) it keeps off the device what a
// restart needs:
// - a host copy of the data, read once when fit starts;
// - every 8 completed steps, after an epoch's last step, and after every step whose loss
//   a callback reads anyway (onBatchEnd), a snapshot: the weights, the optimizer's state
//   buffers and the steps' loss and metrics, copied into one buffer on the device and
//   read back without waiting for it (the device runs on while the copy travels),
//   together with the host-side counters taken at the same moment (optimizer steps,
//   dropout generators, the epoch's sums so far). The newest snapshot whose read
//   arrived is the restart point.
// When the device is lost, the model and the optimizer move to the next backend (wasm,
// else cpu) with the snapshot's values, and fit continues with the step after it.

import type { Backend, BackendName } from './backends/backend.js';
import { fallBackFrom, isLost } from './backends/select.js';
import { contiguousStrides } from './backends/strided.js';
import type { LayersModel } from './nn/model-base.js';
import type { Optimizer } from './optimizers.js';
import { fromValues } from './ops/util.js';
import type { RandomState } from './random.js';
import { allocate, type DataType, Tensor, type TypedArray, type Variable } from './tensor.js';

/** What fit reports when it moved to another backend after losing the device. */
export interface BackendSwitch {
  readonly from: BackendName;
  readonly to: BackendName;
  /** Why: the lost device's message. */
  readonly reason: string;
  /** Where training continued from: the step after `batch` of `epoch` (batch -1: the epoch's first step). */
  readonly resumedAfter: { readonly epoch: number; readonly batch: number };
}

/** An epoch's loss and metrics so far: EpochTally's sums (weighted by batch size), samples and batches. */
export interface TallyState {
  readonly sums: Float64Array;
  readonly seen: number;
  readonly count: number;
}

interface Snapshot {
  readonly epoch: number;
  /** The last completed step of `epoch`; -1 before its first. */
  readonly batch: number;
  readonly weights: readonly Float32Array[];
  /** Per trainable weight, its optimizer state buffers (none before its first step). */
  readonly slots: readonly (readonly Float32Array[])[];
  readonly optimizer: { readonly iterations: number; readonly steps: readonly number[] };
  /** Gradient accumulation: micro-batches summed since the last update, and the sums per trainable weight. */
  readonly accumulation: { readonly pending: number; readonly sums: readonly (Float32Array | undefined)[] };
  /** Per layer, its generator's state (dropout), or undefined. */
  readonly random: readonly (RandomState | undefined)[];
  readonly tally: TallyState;
  /** The [loss, ...metrics] of the snapshot's last step, when it includes a step. */
  readonly lastStep: Float32Array | undefined;
}

interface InFlight {
  readonly ready: Promise<Snapshot>;
  settled: boolean;
}

/** A step's [loss, ...metrics] scalars and batch size, waiting to go out with the next snapshot. */
interface StepValues {
  readonly values: readonly Tensor[];
  readonly size: number;
}

/** Host copy of a tensor, enough to make it again on another backend. */
interface HostTensor {
  readonly values: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DataType;
}

/**
 * Steps between snapshots. Measured on the software adapter (npm run bench:snapshots,
 * docs/reliability.md): a snapshot costs ~0.7-1.4 ms there (a few buffer copies, one
 * map and the host-side slicing), 14-31% of a small model's step when taken after every
 * step, and within noise (-3..+8%) every 8 steps. A loss then repeats at most the few
 * steps since the newest snapshot, exactly (the generators are rewound with it), which
 * is a one-off cost; where a callback reads each batch's loss anyway, that read carries
 * the snapshot and it is taken after every step.
 */
let snapshotEvery = 8;

/** @internal for the benchmark: steps between snapshots (the epoch's last step always gets one). */
export function setSnapshotEvery(steps: number): void {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`setSnapshotEvery: expected a positive integer, got ${steps}`);
  snapshotEvery = steps;
}
/** Snapshot reads outstanding before fit waits for the oldest (the device still has the newer steps queued). */
const MAX_IN_FLIGHT = 3;

export interface Recovery {
  readonly snapshot: { readonly epoch: number; readonly batch: number; readonly tally: TallyState };
  readonly backend: Backend;
  /** The data tensors given to start(), made again on the new backend (the caller owns them). */
  readonly data: Tensor[];
  readonly change: BackendSwitch;
}

export class DeviceLossGuard {
  private host: HostTensor[] = [];
  private newest: Snapshot | undefined;
  private last: InFlight | undefined;
  private inFlight: InFlight[] = [];
  private carried: StepValues[] = [];
  private stepsSinceSnapshot = 0;
  private lastStep: { epoch: number; batch: number } | undefined;
  /** Snapshots that arrived (for tests and measurements). */
  arrived = 0;

  constructor(
    private readonly model: LayersModel,
    private readonly optimizer: Optimizer,
    private readonly params: readonly Variable[],
    private readonly backend: Backend,
    /** 1 + the number of metrics: the scalars each step adds to the tally. */
    private readonly width: number,
    private readonly every = snapshotEvery,
  ) {
    for (const w of model.weights) {
      if (w.dtype !== 'float32') throw new Error(`fit: weight '${w.name}' is ${w.dtype}; surviving a device loss needs float32 weights (use onDeviceLoss: 'throw')`);
    }
  }

  /** Reads the data to the host and takes the first snapshot (before `epoch`'s first step). */
  async start(data: readonly Tensor[], epoch: number): Promise<void> {
    this.host = await Promise.all(data.map(async (t) => ({ values: await t.data(), shape: t.shape, dtype: t.dtype })));
    const first = this.issue(epoch, -1, []);
    this.newest = await first.ready;
  }

  /**
   * Called after each completed step with its [loss, ...metrics] scalars (which stay the
   * caller's). With `wantValues`, resolves to them as numbers (one read serves both the
   * batch logs and the snapshot); otherwise it waits only when too many reads are out.
   */
  async afterStep(epoch: number, batch: number, values: readonly Tensor[], size: number, lastOfEpoch: boolean, wantValues: boolean): Promise<Float32Array | undefined> {
    this.carried.push({ values: values.map((v) => v.share(v.shape, v.strides, v.offset, 'internal')), size });
    this.stepsSinceSnapshot++;
    this.lastStep = { epoch, batch };
    if (!wantValues && !lastOfEpoch && this.stepsSinceSnapshot < this.every) return undefined;
    const steps = this.carried;
    this.carried = [];
    this.stepsSinceSnapshot = 0;
    const pending = this.issue(epoch, batch, steps);
    if (wantValues) return (await pending.ready).lastStep;
    while (this.inFlight.length > 0 && this.inFlight[0]!.settled) this.inFlight.shift();
    if (this.inFlight.length > MAX_IN_FLIGHT) await this.inFlight[0]!.ready;
    return undefined;
  }

  /** Resolves once a snapshot of the last completed step has arrived, so that the epoch can end. */
  async settled(): Promise<void> {
    if (this.carried.length > 0 && this.lastStep) {
      // steps not yet in a snapshot (training stopped before the epoch's last batch)
      const steps = this.carried;
      this.carried = [];
      this.stepsSinceSnapshot = 0;
      this.issue(this.lastStep.epoch, this.lastStep.batch, steps);
    }
    if (this.last) await this.last.ready;
  }

  /** Copies the weights, the optimizer state and the steps' values into one buffer and starts reading it. */
  private issue(epoch: number, batch: number, steps: readonly StepValues[]): InFlight {
    const weights = this.model.weights;
    const state = this.optimizer.getState(this.params);
    const pending = state.pending ?? 0;
    const sums = pending > 0 ? (state.accumulators ?? []) : [];
    const parts: Tensor[] = [...steps.flatMap((s) => s.values), ...weights, ...state.slots.flat(), ...sums.filter((t): t is Tensor => t !== undefined)];
    const total = parts.reduce((n, t) => n + t.size, 0);
    const backend = this.backend;
    const ref = allocate(total, 'float32', backend, { op: 'fit', what: `a snapshot of the weights and optimizer state for onDeviceLoss: 'fallback' [${total}] float32` });
    let at = 0;
    for (const t of parts) {
      if (t.size > 0) backend.copy(t.view(), { storage: ref.storage, dtype: 'f32', shape: t.shape, strides: contiguousStrides(t.shape), offset: at });
      at += t.size;
    }
    backend.flush?.();
    // read() records its copy at once: the storage may go back to the pool right away.
    const read = backend.read({ storage: ref.storage, dtype: 'f32', shape: [total], strides: [1], offset: 0 });
    ref.release();
    for (const s of steps) for (const v of s.values) v.dispose();

    const counters = {
      iterations: state.iterations,
      steps: [...state.steps],
      random: this.model.layers.map((l) => l.randomState()),
      slotCounts: state.slots.map((s) => s.length),
      pending,
      hasSum: this.params.map((_, i) => sums[i] !== undefined),
      sizes: steps.map((s) => s.size),
    };
    const previous = this.last;
    const width = this.width;
    const ready = Promise.all([previous?.ready, read]).then(([before, flat]) => {
      const values = flat as Float32Array;
      // The epoch's sums so far: the previous snapshot's (same epoch) plus these steps'.
      const sums = before && before.epoch === epoch ? Float64Array.from(before.tally.sums) : new Float64Array(width);
      let seen = before && before.epoch === epoch ? before.tally.seen : 0;
      let count = before && before.epoch === epoch ? before.tally.count : 0;
      let offset = 0;
      counters.sizes.forEach((size) => {
        for (let i = 0; i < width; i++) sums[i]! += values[offset + i]! * size;
        seen += size;
        count++;
        offset += width;
      });
      const lastStep = counters.sizes.length > 0 ? values.slice(offset - width, offset) : undefined;
      const weightValues = weights.map((w) => {
        const v = values.slice(offset, offset + w.size);
        offset += w.size;
        return v;
      });
      const slots = counters.slotCounts.map((n, i) => Array.from({ length: n }, () => {
        const size = this.params[i]!.size;
        const v = values.slice(offset, offset + size);
        offset += size;
        return v;
      }));
      const accumulated = counters.hasSum.map((has, i) => {
        if (!has) return undefined;
        const size = this.params[i]!.size;
        const v = values.slice(offset, offset + size);
        offset += size;
        return v;
      });
      const snapshot: Snapshot = {
        epoch, batch, weights: weightValues, slots,
        optimizer: { iterations: counters.iterations, steps: counters.steps },
        accumulation: { pending: counters.pending, sums: accumulated },
        random: counters.random,
        tally: { sums, seen, count },
        lastStep,
      };
      this.newest = snapshot;
      this.arrived++;
      return snapshot;
    });
    const entry: InFlight = { ready, settled: false };
    ready.then(() => (entry.settled = true), () => (entry.settled = true));
    this.inFlight.push(entry);
    this.last = entry;
    return entry;
  }

  /**
   * Whether `error` (thrown while training) means the device is gone. The backend
   * learns of a loss asynchronously, so it gets a turn of the event loop first.
   */
  async isDeviceLoss(): Promise<boolean> {
    if (isLost(this.backend)) return true;
    await new Promise((resolve) => setTimeout(resolve, 0));
    return isLost(this.backend);
  }

  /**
   * Moves training to the next backend: the newest snapshot's weights, optimizer state
   * and generators, and the data again from the host copy. The new backend becomes the
   * active one.
   */
  async recover(): Promise<Recovery> {
    await Promise.allSettled(this.inFlight.map((p) => p.ready));
    this.inFlight = [];
    for (const s of this.carried) for (const v of s.values) v.dispose();
    this.carried = [];
    const snapshot = this.newest!;
    const lost = this.backend;
    const reason = String((lost.info().details?.['lost'] as { message?: string } | undefined)?.message ?? 'device lost');
    const { backend } = await fallBackFrom(lost);

    this.model.weights.forEach((w, i) => {
      const ref = allocate(w.size, 'float32', backend, { op: 'fit', what: `weight '${w.name}' on ${backend.name} after the device loss` });
      if (w.size > 0) backend.write(ref.storage, snapshot.weights[i]!);
      w.replaceStorage(ref);
    });
    const slots = snapshot.slots.map((list, i) => list.map((values) => fromValues(values, this.params[i]!.shape, 'float32')));
    const { pending } = snapshot.accumulation;
    const accumulators = snapshot.accumulation.sums.map((values, i) => (values ? fromValues(values, this.params[i]!.shape, 'float32') : undefined));
    this.optimizer.setState(this.params, { iterations: snapshot.optimizer.iterations, steps: snapshot.optimizer.steps, slots, pending, accumulators });
    for (const list of slots) for (const t of list) t.dispose();
    for (const t of accumulators) t?.dispose();
    this.model.layers.forEach((layer, i) => {
      const state = snapshot.random[i];
      if (state) layer.restoreRandomState(state);
    });
    const data = this.host.map((h) => fromValues(h.values, h.shape, h.dtype));
    return {
      snapshot: { epoch: snapshot.epoch, batch: snapshot.batch, tally: snapshot.tally },
      backend,
      data,
      change: { from: lost.name, to: backend.name, reason, resumedAfter: { epoch: snapshot.epoch, batch: snapshot.batch } },
    };
  }

  /** Drops what is still held (at the end of fit). */
  release(): void {
    for (const s of this.carried) for (const v of s.values) v.dispose();
    this.carried = [];
    this.host = [];
  }
}
