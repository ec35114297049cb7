// Training progress on stderr: a cli-progress bar per epoch on a terminal (batches
// done, samples/s, then the epoch's loss and metrics), one line per epoch elsewhere.
// It listens to onBatchBegin only, so fit never reads the device inside an epoch.

import cliProgress from 'cli-progress';
import type * as wg from '../index.js';

const formatLogs = (logs: wg.Logs): string =>
  Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ');

export class EpochProgress implements wg.Callback {
  /** Wall time of each finished epoch in ms (training and validation). */
  readonly epochMs: number[] = [];
  private bar: cliProgress.SingleBar | undefined;
  private started = 0;
  private readonly tty: boolean;

  constructor(
    private readonly epochs: number,
    private readonly steps: number,
    private readonly samples: number,
    private readonly batchSize: number,
    private readonly quiet: boolean,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** True when a bar is drawn (a terminal, not --quiet). */
  get live(): boolean {
    return this.tty && !this.quiet;
  }

  onEpochBegin(epoch: number): void {
    this.started = performance.now();
    if (this.quiet || !this.tty) return;
    this.bar = new cliProgress.SingleBar({
      format: `${this.label}epoch {epoch}/{epochs} [{bar}] {value}/{total} batches | {speed} samples/s | {logs}`,
      stream: this.stream,
      barsize: 20,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    }, cliProgress.Presets.legacy);
    this.bar.start(this.steps, 0, { epoch: epoch + 1, epochs: this.epochs, speed: '-', logs: '' });
  }

  onBatchBegin(batch: number): void {
    if (!this.bar) return;
    const seconds = (performance.now() - this.started) / 1000;
    const speed = seconds > 0 ? Math.round((batch * this.batchSize) / seconds) : 0;
    this.bar.update(batch, { speed: batch === 0 ? '-' : String(speed) });
  }

  onEpochEnd(epoch: number, logs: wg.Logs = {}): void {
    const ms = performance.now() - this.started;
    this.epochMs.push(ms);
    const speed = Math.round(this.samples / (ms / 1000));
    if (this.bar) {
      this.bar.update(this.steps, { speed: String(speed), logs: formatLogs(logs) });
      this.bar.stop();
      this.bar = undefined;
    } else if (!this.quiet) {
      this.stream.write(`${this.label}epoch ${epoch + 1}/${this.epochs}  ${formatLogs(logs)}  ${speed} samples/s  ${ms.toFixed(0)} ms\n`);
    }
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  /** Median epoch time in ms (robust to a first epoch that compiles kernels). */
  medianEpochMs(): number {
    const sorted = [...this.epochMs].sort((a, b) => a - b);
    if (sorted.length === 0) return NaN;
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
}

/**
 * Keeps a copy of the weights of the epoch with the lowest validation loss, to put
 * back when training ends (early stopping's own restore covers only a stop, not a
 * run that reaches its last epoch).
 */
export class KeepBest implements wg.Callback {
  bestEpoch = -1;
  private best = Infinity;
  private weights: wg.Tensor[] | undefined;
  private model: { getWeights(): wg.Tensor[] } | undefined;

  setModel(model: unknown): void {
    this.model = model as { getWeights(): wg.Tensor[] };
  }

  onEpochEnd(epoch: number, logs: wg.Logs = {}): void {
    const loss = logs.val_loss;
    if (loss === undefined || !(loss < this.best)) return;
    this.best = loss;
    this.bestEpoch = epoch;
    this.release();
    this.weights = this.model?.getWeights();
  }

  /** Puts the best weights back (if the last epoch was not the best). */
  restore(model: wg.Sequential): void {
    if (this.weights && this.bestEpoch >= 0) model.setWeights(this.weights);
  }

  release(): void {
    for (const w of this.weights ?? []) w.dispose();
    this.weights = undefined;
  }
}
