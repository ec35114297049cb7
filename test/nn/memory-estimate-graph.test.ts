// Memory you can plan for graph models (issue 14): wg.estimateTrainingMemory walks a
// functional model node by node and a GPT block by block. Checked against hand counts
// (closed forms written below from the documented rules), linearity in batch size and
// depth, checkpointed blocks, mixed precision's arithmetic, and the measured peak of a
// GPT training step; fit({ memoryBudget }) refuses a GPT that would not fit.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { hostSideHere } from '../helpers/runtime.js';

const cases = await backendCases();
/** The estimate is within this factor of the measured peak, either way (as for sequential models). */
const FACTOR = 1.5;

/** input [8] → a (dense 16 relu) → b (dense 16 tanh) applied twice → add(a, b(b(a))) → layer norm → c (dense 4). */
function smallGraph(checkpointedTail = false): wg.Model {
  const input = wg.input({ shape: [8] });
  const a = wg.layers.dense({ units: 16, activation: 'relu' }).apply(input) as wg.SymbolicTensor;
  const shared = wg.layers.dense({ units: 16, activation: 'tanh' });
  const b2 = shared.apply(shared.apply(a) as wg.SymbolicTensor) as wg.SymbolicTensor;
  const sum = wg.layers.add().apply([a, b2]) as wg.SymbolicTensor;
  const normed = wg.layers.layerNormalization().apply(sum) as wg.SymbolicTensor;
  const tail = checkpointedTail
    ? wg.layers.checkpointed([wg.layers.dense({ units: 32, activation: 'relu' }), wg.layers.dense({ units: 4 })])
    : wg.layers.dense({ units: 4 });
  return wg.model({ inputs: input, outputs: tail.apply(normed) as wg.SymbolicTensor });
}

const GPT = { vocabSize: 13, contextLength: 8, numHeads: 2, embedDim: 8 };

/** Token ids [rows, time] in [0, vocab) from a small linear congruential generator (deterministic on every backend). */
function tokenIds(rows: number, time: number, vocab: number, seed: number): wg.Tensor {
  let state = seed;
  const values = Array.from({ length: rows * time }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % vocab;
  });
  return wg.tensor(values, [rows, time], 'int32');
}

/** Bytes a GPT block keeps per sample in float32 (the documented rules): T (19E + H + 4) elements. */
function blockBytes(T: number, E: number, H: number): number {
  const ln = T * E + 2 * T; // output, mean and reciprocal deviation per row
  const attn = 6 * T * E + H * T; // q, k, v in the heads' layout, heads' output and its merge, output; logsumexp [H,T]
  const fc = 2 * T * 4 * E; // GELU-tanh is not fused: pre-activation and output
  return 4 * (ln + attn + T * E /* residual add */ + ln + fc + T * E /* c_proj */ + T * E /* residual add */);
}

describe('training memory estimate of graph models (closed forms)', () => {
  it('a functional model equals the hand count: a shared layer keeps activations per call and weights once', () => {
    const m = smallGraph();
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const batch = 5;
    const e = wg.estimateTrainingMemory(m, { batchSize: batch });
    const params = 8 * 16 + 16 + (16 * 16 + 16) + 2 * 16 + 16 * 4 + 4;
    expect(m.countParams()).toBe(params); // the shared dense counted once
    expect(e.weights).toBe(4 * params);
    expect(e.gradients).toBe(4 * params);
    expect(e.optimizerState).toBe(2 * 4 * params);
    expect(e.halfWeights).toBe(0);
    // per sample: input 8; a 16 (relu fused: its output); b twice 16 + 16; add 16; layer norm 16 + 2 row stats; c 4;
    // two float32 gradients the size of the largest activation (16) for the backward pass
    const kept = 16 + 16 + 16 + 16 + (16 + 2) + 4;
    expect(e.activations).toBe(4 * batch * (8 + kept + 2 * 16));
    expect(e.total).toBe(e.weights + e.gradients + e.optimizerState + e.activations);
    m.dispose();
  });

  it('under mixed_float16: float32 master weights, gradients and state, float16 copies of kernels, half-size activations except the norm', () => {
    const m = smallGraph();
    const batch = 3;
    const e = wg.estimateTrainingMemory(m, { batchSize: batch, precision: 'mixed_float16' });
    const f = wg.estimateTrainingMemory(m, { batchSize: batch, precision: 'float32' });
    expect(e.precision).toBe('mixed_float16');
    expect(e.weights).toBe(f.weights);
    expect(e.gradients).toBe(f.gradients);
    expect(e.halfWeights).toBe(2 * (8 * 16 + 16 * 16 + 16 * 4)); // kernels only, the shared one once
    // float16: a, b twice, add, c (2 bytes); layer norm's output and statistics, the input and the gradients stay 4
    const perSample = 4 * 8 + 2 * (16 + 16 + 16 + 16 + 4) + 4 * (16 + 2) + 4 * 2 * 16;
    expect(e.activations).toBe(batch * perSample);
    expect(e.total).toBe(e.weights + e.halfWeights + e.gradients + e.optimizerState + e.activations);
    expect(() => wg.estimateTrainingMemory(m, { precision: 'float16' as wg.Precision })).toThrow(/^estimateTrainingMemory: precision should be one of 'float32', 'mixed_float16', got 'float16'|^estimateTrainingMemory: precision/);
    m.dispose();
  });

  it('a checkpointed block in a graph keeps its output, plus the largest recompute once', () => {
    const m = smallGraph(true);
    const e = wg.estimateTrainingMemory(m, { batchSize: 2 });
    // as above, with c replaced by a block (dense 32 relu → dense 4): the block keeps its output 4; its inside (32 + 4) is recomputed
    const kept = 16 + 16 + 16 + 16 + (16 + 2) + 4;
    expect(e.activations).toBe(4 * 2 * (8 + kept + 2 * 32 + (32 + 4)));
    m.dispose();
  });

  it('a GPT: linear in batchSize and numLayers, each block as the hand count; checkpointed blocks keep only their boundary', () => {
    const [T, E, H, V] = [GPT.contextLength, GPT.embedDim, GPT.numHeads, GPT.vocabSize];
    const act = (numLayers: number, batchSize: number, checkpointBlocks = false) => {
      const m = wg.models.gpt({ ...GPT, numLayers, checkpointBlocks });
      const e = wg.estimateTrainingMemory(m, { batchSize });
      expect(e.weights).toBe(4 * m.countParams());
      m.dispose();
      return e.activations;
    };
    expect(act(2, 6)).toBe(3 * act(2, 2));
    expect(act(3, 4) - act(2, 4)).toBe(4 * blockBytes(T, E, H));
    expect(act(2, 4) - act(1, 4)).toBe(4 * blockBytes(T, E, H));
    // the rest: ids, the two lookups and their sum, the final norm, the logits and their logsumexp (float32), and the
    // backward pass's two gradients the size of the largest activation (the logits, or the MLP's [T, 4E])
    const rest = 4 * (T + 3 * T * E + (T * E + 2 * T) + T * V + T + 2 * Math.max(T * V, 4 * T * E));
    expect(act(1, 1)).toBe(rest + blockBytes(T, E, H));
    // checkpointed: each block keeps its output [T, E]; one block is recomputed at a time
    for (const L of [1, 2, 4]) expect(act(L, 3, true)).toBe(3 * (rest + L * 4 * T * E + blockBytes(T, E, H)));
    expect(act(4, 3, true)).toBeLessThan(0.5 * act(4, 3));
  });

  it('summary({ batchSize }) of a GPT and a functional model prints the estimate; of a mixed-precision GPT, says so', () => {
    const m = wg.models.gpt({ ...GPT, numLayers: 1 });
    const lines: string[] = [];
    m.summary({ batchSize: 4, printFn: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/Training memory \(estimate, batch 4\): [\d.]+ (KiB|MiB)/);
    const mixed: string[] = [];
    m.summary({ batchSize: 4, precision: 'mixed_float16', printFn: (l) => mixed.push(l) });
    expect(mixed.join('\n')).toMatch(/Training memory \(estimate, batch 4, mixed_float16\): [\d.]+ (KiB|MiB)\n  weights [\d.]+ KiB \(\+ [\d.]+ KiB float16 copies\)/);
    m.dispose();
    const g = smallGraph();
    const text = g.summary({ batchSize: 4, printFn: () => {} });
    expect(text).toMatch(/Training memory \(estimate, batch 4\)/);
    g.dispose();
    // an input of unknown length cannot be estimated
    const ids = wg.input({ shape: [null], dtype: 'int32' });
    const open = wg.model({ inputs: ids, outputs: wg.layers.embedding({ inputDim: 4, outputDim: 2 }).apply(ids) as wg.SymbolicTensor });
    expect(() => wg.estimateTrainingMemory(open)).toThrow(/^estimateTrainingMemory: input input(_\d+)? of model(_\d+)? has an unknown dimension \(shape \[batch,null\]\); give wg.input a full shape/);
    open.dispose();
  });
});

describe.each(cases)('training memory estimate of a GPT ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run.each([false, true])('within a factor of 1.5 of the measured peak of a training step (checkpointBlocks: %s)', async (checkpointBlocks) => {
    await wg.setBackend(name);
    wg.setSeed(7);
    const batch = 8;
    const config = { vocabSize: 64, contextLength: 32, numLayers: 3, numHeads: 2, embedDim: 32, checkpointBlocks };
    const base = wg.memory().numBytes;
    const model = wg.models.gpt(config);
    const optimizer = wg.optimizers.adam();
    model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
    const x = tokenIds(batch, config.contextLength, config.vocabSize, 1);
    const y = tokenIds(batch, config.contextLength, config.vocabSize, 2);
    const step = () => {
      const { value, grads } = wg.valueAndGrad(() => wg.losses.sparseCategoricalCrossentropy(y, model.apply(x, true), { fromLogits: true }), model.trainableWeights);
      optimizer.applyGradients(grads, model.trainableWeights);
      wg.dispose(grads);
      return value;
    };
    step().dispose(); // the optimizer's state now exists, as in every later step
    wg.memory({ resetPeak: true });
    step().dispose();
    const measured = wg.memory().peakBytes - base - 4 * (x.size + y.size);
    const e = wg.estimateTrainingMemory(model, { batchSize: batch });
    console.log(`[gpt estimate ${name}${checkpointBlocks ? ', checkpointed' : ''}] estimate ${e.total} B (activations ${e.activations}), measured ${measured} B, ratio ${(e.total / measured).toFixed(2)}`);
    expect(e.total / measured).toBeLessThan(FACTOR);
    expect(measured / e.total).toBeLessThan(FACTOR);
    wg.dispose([x, y]);
    model.dispose();
  });

  // Recomputation is the front end's (autograd) and the peak the pool's bookkeeping: in
  // Chromium this and the memoryBudget check below run on cpu and wasm only
  // (test/helpers/runtime.ts, hostSideHere).
  if (hostSideHere(name)) run('checkpointBlocks trains to the same weights as the plain GPT, with dropout, at a lower measured peak', async () => {
    await wg.setBackend(name);
    const config = { vocabSize: 16, contextLength: 8, numLayers: 3, numHeads: 2, embedDim: 8, dropout: 0.1 };
    const results: Float32Array[] = [];
    const peaks: number[] = [];
    for (const checkpointBlocks of [false, true]) {
      wg.setSeed(8);
      const model = wg.models.gpt({ ...config, checkpointBlocks });
      const optimizer = wg.optimizers.sgd({ learningRate: 0.5 });
      const x = tokenIds(8, config.contextLength, config.vocabSize, 3);
      const y = tokenIds(8, config.contextLength, config.vocabSize, 4);
      const start = wg.memory({ resetPeak: true }).numBytes;
      for (let i = 0; i < 2; i++) {
        const { value, grads } = wg.valueAndGrad(() => wg.losses.sparseCategoricalCrossentropy(y, model.apply(x, true), { fromLogits: true }), model.trainableWeights);
        optimizer.applyGradients(grads, model.trainableWeights);
        wg.dispose([value, ...grads]);
      }
      peaks.push(wg.memory().peakBytes - start);
      // one read of every weight (reads are slow on Chromium's software WebGPU)
      const flat = wg.tidy(() => wg.concat(model.trainableWeights.map((w) => wg.reshape(w, [-1])), 0));
      results.push((await flat.data()) as Float32Array);
      flat.dispose();
      wg.dispose([x, y]);
      model.dispose();
    }
    const [plain, checkpointed] = results as [Float32Array, Float32Array];
    expect(checkpointed.length).toBe(plain.length);
    let worst = 0;
    for (let j = 0; j < plain.length; j++) worst = Math.max(worst, Math.abs(plain[j]! - checkpointed[j]!));
    expect(worst).toBeLessThan(1e-5);
    expect(peaks[1]!).toBeLessThan(peaks[0]!);
    console.log(`[gpt checkpointBlocks ${name}] peak of two steps: plain ${peaks[0]} B, checkpointed ${peaks[1]} B`);
  });

  if (hostSideHere(name)) run('fit({ memoryBudget }) refuses a GPT that would not fit, before the first step, with the estimate', async () => {
    await wg.setBackend(name);
    wg.setSeed(9);
    const model = wg.models.gpt({ ...GPT, numLayers: 2 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = tokenIds(8, GPT.contextLength, GPT.vocabSize, 5);
    const y = tokenIds(8, GPT.contextLength, GPT.vocabSize, 6);
    const e = wg.estimateTrainingMemory(model, { batchSize: 8 });
    const before = await model.tokenEmbedding.data();
    await expect(model.fit(x, y, { batchSize: 8, verbose: 0, memoryBudget: e.total - 1 }))
      .rejects.toThrow(/^fit: training would take about [\d.]+ KiB \(weights [\d.]+ KiB, gradients [\d.]+ KiB, optimizer state [\d.]+ KiB, activations [\d.]+ KiB for batchSize 8\), over the memoryBudget of [\d.]+ KiB; use a smaller batchSize/);
    expect(Array.from(await model.tokenEmbedding.data())).toEqual(Array.from(before));
    // a smaller batch fits under the same budget
    await model.fit(x, y, { batchSize: 4, verbose: 0, memoryBudget: e.total - 1 });
    wg.dispose([x, y]);
    model.dispose();
  });
});
