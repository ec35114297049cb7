// model.fit against tfjs-layers' model.fit on tfjs-backend-wasm, interleaved:
// - an MLP 784-128-10 (relu, softmax, categorical cross-entropy, SGD, batch 128) on
//   synthetic data, in samples per second;
// - the seed example (one sigmoid unit, 3×3 data, SGD, 1000 full-batch epochs), in ms.

import * as tfl from '@tensorflow/tfjs-layers';
import * as wg from '../index.js';
import { registerBackend } from '../backends/select.js';
import { createWasmBackend, type WasmBackendOptions } from '../backends/wasm.js';
import { Random } from '../random.js';
import { formatMs, formatRatio, interleave, roundRatios, summarize, type Summary, table } from './wasm-stats.js';

const ONE: Summary = { median: 1, p10: 1, p90: 1, samples: 0 };
import { loadTfjsWasm } from './wasm-peer.js';

export interface FitResult {
  readonly name: string;
  readonly summary: Summary;
  /** Samples per second (MLP) or undefined (seed). */
  readonly rate?: number;
  /** tfjs time / this time, round by round (1 for tfjs itself). */
  readonly ratio: Summary;
  readonly finalLoss: number;
}

/** Makes `options` the active wasm backend (a fresh instance). */
async function useWasm(options: WasmBackendOptions): Promise<string> {
  registerBackend('wasm', () => createWasmBackend(options), 1);
  await wg.setBackend('wasm');
  return wg.backendInfo().description;
}

const MLP = { inputs: 784, hidden: 128, classes: 10, batch: 128, batches: 40 };

function mlpData(): { x: Float32Array; y: Float32Array; n: number } {
  const n = MLP.batch * MLP.batches;
  const rng = new Random(11);
  const x = Float32Array.from({ length: n * MLP.inputs }, () => rng.next());
  const y = new Float32Array(n * MLP.classes);
  for (let i = 0; i < n; i++) y[i * MLP.classes + rng.int(MLP.classes)] = 1;
  return { x, y, n };
}

export async function benchMlp(configs: readonly WasmBackendOptions[], rounds: number): Promise<FitResult[]> {
  const tf = await loadTfjsWasm();
  const { x, y, n } = mlpData();
  // tfjs-layers
  const tx = tf.tensor2d(x, [n, MLP.inputs]);
  const ty = tf.tensor2d(y, [n, MLP.classes]);
  const tModel = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: MLP.hidden, inputShape: [MLP.inputs], activation: 'relu' }),
      tfl.layers.dense({ units: MLP.classes, activation: 'softmax' }),
    ],
  });
  tModel.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const tfName = 'tfjs-layers fit on tfjs-backend-wasm, 1 thread';
  let tfLoss = NaN;
  const tfSample = async () => {
    const t0 = performance.now();
    const h = await tModel.fit(tx, ty, { epochs: 1, batchSize: MLP.batch, shuffle: true, verbose: 0 });
    const ms = performance.now() - t0;
    tfLoss = h.history.loss![0] as number;
    return ms;
  };
  const results: FitResult[] = [];
  for (const config of configs) {
    const description = await useWasm(config);
    wg.setSeed(1);
    const wx = wg.tensor(x, [n, MLP.inputs]);
    const wy = wg.tensor(y, [n, MLP.classes]);
    const model = wg.sequential([
      wg.layers.dense({ units: MLP.hidden, inputDim: MLP.inputs, activation: 'relu' }),
      wg.layers.dense({ units: MLP.classes, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    const name = `webgrad fit on ${description}`;
    let wgLoss = NaN;
    const wgSample = async () => {
      const t0 = performance.now();
      const h = await model.fit(wx, wy, { epochs: 1, batchSize: MLP.batch, shuffle: true, verbose: 0 });
      const ms = performance.now() - t0;
      wgLoss = h.history.loss![0]!;
      return ms;
    };
    const contestants = [{ name, sample: wgSample }, { name: tfName, sample: tfSample }];
    await interleave(contestants, 2);
    const times = await interleave(contestants, rounds);
    const w = summarize(times.get(name)!);
    const t = summarize(times.get(tfName)!);
    if (!(Math.abs(wgLoss - tfLoss) < 0.5 && wgLoss < 2.3 && tfLoss < 2.3)) {
      throw new Error(`bench: the MLP losses disagree or did not fall: webgrad ${wgLoss}, tfjs ${tfLoss}`);
    }
    const ratio = roundRatios(times.get(tfName)!, times.get(name)!);
    results.push({ name, summary: w, rate: (n / w.median) * 1000, ratio, finalLoss: wgLoss });
    results.push({ name: `${tfName} (beside the row above)`, summary: t, rate: (n / t.median) * 1000, ratio: ONE, finalLoss: tfLoss });
    model.dispose();
    wx.dispose();
    wy.dispose();
  }
  tModel.dispose();
  tx.dispose();
  ty.dispose();
  return results;
}

export async function benchSeed(configs: readonly WasmBackendOptions[], rounds: number): Promise<FitResult[]> {
  const tf = await loadTfjsWasm();
  const X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
  const Y = [[1], [0], [1]];
  const epochs = 1000;
  const tx = tf.tensor2d(X);
  const ty = tf.tensor2d(Y);
  const tfName = 'tfjs-layers fit on tfjs-backend-wasm';
  let tfLoss = NaN;
  const tfSample = async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const t0 = performance.now();
    const h = await model.fit(tx, ty, { epochs, batchSize: 3, shuffle: false, verbose: 0 });
    const ms = performance.now() - t0;
    tfLoss = h.history.loss![epochs - 1] as number;
    model.dispose();
    return ms;
  };
  const results: FitResult[] = [];
  for (const config of configs) {
    const description = await useWasm(config);
    const wx = wg.tensor(X);
    const wy = wg.tensor(Y);
    const name = `webgrad fit on ${description}`;
    let wgLoss = NaN;
    const wgSample = async () => {
      wg.setSeed(1);
      const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 3, activation: 'sigmoid' })]);
      model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
      const t0 = performance.now();
      const h = await model.fit(wx, wy, { epochs, batchSize: 3, shuffle: false, verbose: 0 });
      const ms = performance.now() - t0;
      wgLoss = h.history.loss![epochs - 1]!;
      model.dispose();
      return ms;
    };
    const contestants = [{ name, sample: wgSample }, { name: tfName, sample: tfSample }];
    await interleave(contestants, 2);
    const times = await interleave(contestants, rounds);
    const w = summarize(times.get(name)!);
    const t = summarize(times.get(tfName)!);
    // The best a sigmoid unit can do here is 2/9 (the three rows lie on a line).
    if (!(wgLoss < 0.35 && tfLoss < 0.35)) throw new Error(`bench: the seed example did not train: webgrad ${wgLoss}, tfjs ${tfLoss}`);
    results.push({ name, summary: w, ratio: roundRatios(times.get(tfName)!, times.get(name)!), finalLoss: wgLoss });
    results.push({ name: `${tfName} (beside the row above)`, summary: t, ratio: ONE, finalLoss: tfLoss });
    wx.dispose();
    wy.dispose();
  }
  tx.dispose();
  ty.dispose();
  return results;
}

export function mlpTable(results: readonly FitResult[]): string {
  return table(
    ['implementation', 'ms per epoch of 5120 samples, median (p10–p90)', 'samples/s (median)', '× tfjs-wasm, per round: median (p10–p90)', 'loss after the epoch'],
    results.map((r) => [r.name, formatMs(r.summary), r.rate!.toFixed(0), r.ratio === ONE ? '1' : formatRatio(r.ratio), r.finalLoss.toFixed(3)]),
  );
}

export function seedTable(results: readonly FitResult[]): string {
  return table(
    ['implementation', 'ms for 1000 steps, median (p10–p90)', 'µs per step (median)', '× tfjs-wasm, per round: median (p10–p90)', 'final loss'],
    results.map((r) => [r.name, formatMs(r.summary), (r.summary.median).toFixed(0), r.ratio === ONE ? '1' : formatRatio(r.ratio), r.finalLoss.toFixed(4)]),
  );
}
