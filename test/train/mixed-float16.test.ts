// Layers under setPrecision('mixed_float16') on webgpu: float16 activations (dense,
// embedding, attention projections, GPT blocks), float32 master weights and float32
// gradients, float32 layer norms and logits; a dense MLP and a tiny GPT train to
// within a stated tolerance of the same models in float32 (same seed, same data).
// On cpu and wasm a mixed-precision layer refuses with the float16 error.

import { afterEach, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { IN_BROWSER_PROJECT } from '../helpers/runtime.js';

const backends = await backendCases();

afterEach(() => {
  // never leak the global precision into other tests
  wg.setPrecision('float32');
});

/** y = sin(x0) + x1·x2 on 64 seeded samples. */
function regression(): { x: wg.Tensor; y: wg.Tensor } {
  wg.setSeed(1);
  const x = wg.randomUniform([64, 3], -1, 1, 5);
  return { x, y: wg.tidy(() => wg.add(wg.sin(wg.slice(x, [0, 0], [64, 1])), wg.mul(wg.slice(x, [0, 1], [64, 1]), wg.slice(x, [0, 2], [64, 1])))) };
}

function mlp(): wg.Sequential {
  wg.setSeed(11);
  const model = wg.sequential([
    wg.layers.dense({ units: 32, activation: 'relu', inputShape: [3] }),
    wg.layers.dense({ units: 32, activation: 'tanh' }),
    wg.layers.dense({ units: 1 }),
  ]);
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
  return model;
}

const TEXT = 'abcdefgh hgfedcba abba cddc efgh '.repeat(6);
const T = 8;

function tinyGpt(vocabSize: number): wg.GPT {
  wg.setSeed(7);
  const model = wg.models.gpt({ vocabSize, contextLength: T, numLayers: 2, numHeads: 2, embedDim: 32 });
  // under mixed_float16 compile wraps Adam in dynamic loss scaling (wg.LossScaleOptimizer)
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

function windows(): { x: wg.Tensor; y: wg.Tensor; vocab: number } {
  const tok = wg.text.charTokenizer(TEXT);
  const ids = tok.encode(TEXT);
  const starts = Array.from({ length: Math.floor((ids.length - 1) / T) }, (_, i) => i * T);
  const x = wg.tensor(starts.flatMap((s) => Array.from(ids.subarray(s, s + T))), [starts.length, T], 'int32');
  const y = wg.tensor(starts.flatMap((s) => Array.from(ids.subarray(s + 1, s + T + 1))), [starts.length, T], 'int32');
  return { x, y, vocab: tok.vocabSize };
}

for (const { name, skip } of backends) {
  if (name === 'webgpu') continue;
  describe.skipIf(skip !== undefined)(`mixed_float16 layers on ${name}`, () => {
    it('a dense layer built under mixed_float16 refuses with the float16 error', async () => {
      await wg.setBackend(name);
      wg.setPrecision('mixed_float16');
      const layer = wg.layers.dense({ units: 2 });
      expect(layer.precision).toBe('mixed_float16');
      const x = wg.ones([1, 3]);
      expect(() => layer.apply(x)).toThrow(/float16 tensors need the webgpu backend; mixed precision runs on WebGPU only/);
      x.dispose();
    });
  });
}

const gpu = backends.find((b) => b.name === 'webgpu')!;

describe.skipIf(gpu.skip !== undefined)('mixed_float16 layers on webgpu', () => {
  it('dense computes in float16 from float32 master weights; gradients are float32', async () => {
    await wg.setBackend('webgpu');
    wg.setPrecision('mixed_float16');
    wg.setSeed(3);
    const layer = wg.layers.dense({ units: 5, activation: 'relu' });
    const x = wg.randomNormal([4, 6], 0, 1, 9);
    const y = layer.apply(x) as wg.Tensor;
    expect(y.dtype).toBe('float16');
    expect(layer.weights.every((w) => w.dtype === 'float32')).toBe(true);
    // the same layer's weights in float32 by hand: y ≈ relu(x·W + b) within float16 rounding
    const reference = wg.relu(wg.add(wg.matmul(x, layer.weights[0]!), layer.weights[1]!));
    const [got, want] = [await y.data(), await reference.data()];
    want.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(2 ** -9 * Math.abs(v) + 2e-3));
    const { grads } = wg.valueAndGrad(() => wg.mean(wg.square(layer.apply(x) as wg.Tensor)), layer.weights);
    expect(grads.map((g) => g!.dtype)).toEqual(['float32', 'float32']);
    for (const t of [x, y, reference, ...grads]) t!.dispose();
    layer.dispose?.();
  });

  it('an embedding gives float16 rows; a GPT keeps float32 weights and returns float32 logits', async () => {
    await wg.setBackend('webgpu');
    wg.setPrecision('mixed_float16');
    const emb = wg.layers.embedding({ inputDim: 10, outputDim: 4 });
    const ids = wg.tensor(Int32Array.of(1, 2, 9), [1, 3]);
    const rows = emb.apply(ids) as wg.Tensor;
    expect(rows.dtype).toBe('float16');
    const gpt = tinyGpt(16);
    const prompt = wg.tensor(Int32Array.of(1, 2, 3, 4), [1, 4]);
    const logits = gpt.predict(prompt) as wg.Tensor;
    expect(logits.dtype).toBe('float32');
    expect(gpt.weights.every((w) => w.dtype === 'float32')).toBe(true);
    // generation runs on float16 keys and values in the cache
    const generated = await gpt.generate(prompt, { maxNewTokens: 3, temperature: 0 });
    expect(generated.shape).toEqual([1, 7]);
    const tokens = [...(await generated.data())];
    expect(tokens.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(tokens.every((t) => Number.isInteger(t) && t >= 0 && t < 16)).toBe(true);
    for (const t of [ids, rows, logits, prompt, generated]) t.dispose();
  });

  it('a dense MLP trains to within 10% (+0.005) of the float32 run', async () => {
    await wg.setBackend('webgpu');
    const { x, y } = regression();
    const fit = { epochs: 20, batchSize: 16, shuffle: false, verbose: 0 } as const;
    const full = await mlp().fit(x, y, fit);
    wg.setPrecision('mixed_float16');
    const mixed = mlp();
    const half = await mixed.fit(x, y, fit);
    const [l32, l16] = [full.history.loss!.at(-1)!, half.history.loss!.at(-1)!];
    console.log(`[mixed_float16] MLP final loss: float32 ${l32.toFixed(5)}, mixed ${l16.toFixed(5)} (first ${full.history.loss![0]!.toFixed(4)})`);
    expect(l16).toBeLessThan(half.history.loss![0]! * 0.5);
    expect(Math.abs(l16 - l32)).toBeLessThanOrEqual(0.1 * l32 + 0.005);
    x.dispose();
    y.dispose();
  }, 120_000);

  // Without loss scaling, gradients below float16's range flush to zero and the mixed
  // run lags the float32 one by an epoch or two (measured: 0.85 vs 0.79 after 8 epochs).
  // The mixed run uses the dynamic loss scaling compile adds under mixed_float16.
  // Chromium runs the same WGSL as Node, but a step there costs ~180 ms on SwiftShader
  // (Node: ~15 ms): it trains 4 epochs and checks the first and that the loss falls;
  // the node project trains all 16 and compares the last four.
  const epochs = IN_BROWSER_PROJECT ? 4 : 16;
  it(`a tiny GPT (vocab 9, context 8, 2 layers, width 32) trains like the float32 run: epoch 1 within 0.5%${IN_BROWSER_PROJECT ? '' : ', last 4 epochs within 40%'}`, async () => {
    await wg.setBackend('webgpu');
    const { x, y, vocab } = windows();
    const fit = { epochs, batchSize: 4, shuffle: false, verbose: 0 } as const;
    const full = (await tinyGpt(vocab).fit(x, y, fit)).history.loss!;
    wg.setPrecision('mixed_float16');
    const half = (await tinyGpt(vocab).fit(x, y, fit)).history.loss!;
    const show = (h: number[]) => h.map((v) => v.toFixed(3)).join(' ');
    console.log(`[mixed_float16] GPT loss per epoch: float32 ${show(full)}; mixed ${show(half)}`);
    const tail = (h: number[]) => h.slice(-4).reduce((a, b) => a + b, 0) / 4;
    expect(Math.abs(half[0]! - full[0]!)).toBeLessThanOrEqual(0.005 * full[0]!);
    x.dispose();
    y.dispose();
    if (IN_BROWSER_PROJECT) {
      expect(half[epochs - 1]!).toBeLessThan(0.9 * half[0]!);
      return;
    }
    expect(tail(half)).toBeLessThan(0.3 * half[0]!);
    // measured with dynamic loss scaling: 31% in Node (Dawn); its first steps overflow at 2^15 and are
    // skipped while the scale backs off, which shifts the small run's noisy trajectory
    expect(Math.abs(tail(half) - tail(full))).toBeLessThanOrEqual(0.4 * tail(full));
  }, 300_000);
});
