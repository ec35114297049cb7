// Activation checkpointing: wg.checkpoint(fn) and wg.layers.checkpointed(block) give
// the same gradients as the plain computation (a dense stack, residual blocks, nested
// checkpoints, variables found by name, dropout replayed), and hold less memory
// between the forward and the backward pass (measured with wg.memory()).
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { hostSideHere } from '../helpers/runtime.js';
import { expectClose } from '../helpers/compare.js';

const cases = await backendCases();
const TOL = { rel: 1e-5, abs: 1e-6 };

function randn(shape: number[], seed: number, scale = 0.5): wg.Tensor {
  const rng = new wg.Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return wg.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

async function expectSameGrads(a: readonly wg.Tensor[], b: readonly wg.Tensor[], what: string): Promise<void> {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expectClose(await a[i]!.data(), await b[i]!.data(), a[i]!.shape, TOL, `${what}: gradient ${i}`);
}

// Recomputation is the front end's (autograd): in Chromium on cpu and wasm only (test/helpers/runtime.ts).
describe.each(cases.filter((c) => hostSideHere(c.name)))('activation checkpointing ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('a checkpointed dense stack has the plain stack’s gradients, for the input and the weights', async () => {
    await wg.setBackend(name);
    const x = randn([5, 4], 1);
    const w1 = wg.variable(randn([4, 6], 2), true, 'ck_w1');
    const b1 = wg.variable(randn([6], 3), true, 'ck_b1');
    const w2 = wg.variable(randn([6, 3], 4), true, 'ck_w2');
    const block = (h: wg.Tensor) => wg.matmul(wg.tanh(wg.add(wg.matmul(h, w1), b1)), w2);
    const loss = (f: (h: wg.Tensor) => wg.Tensor) => () => wg.square(wg.sigmoid(f(x))).sum();
    const params = [x, w1, b1, w2];
    const plain = wg.valueAndGrad(loss(block), params);
    const ck = wg.valueAndGrad(loss(wg.checkpoint(block)), params);
    expectClose(await ck.value.data(), await plain.value.data(), [], TOL, 'value');
    await expectSameGrads(ck.grads, plain.grads, 'dense stack');
    // and with every trainable variable found by name (no params given)
    const byName = wg.valueAndGrad(loss(wg.checkpoint(block)));
    expect(Object.keys(byName.grads).sort()).toEqual(['ck_b1', 'ck_w1', 'ck_w2']);
    await expectSameGrads([byName.grads.ck_w1!, byName.grads.ck_b1!, byName.grads.ck_w2!], plain.grads.slice(1), 'by name');
    wg.dispose([plain, ck, byName, x, w1, b1, w2]);
  });

  run('residual blocks, nested checkpoints and an ignored argument', async () => {
    await wg.setBackend(name);
    const x = randn([3, 4], 5);
    const ws = [6, 7, 8, 9].map((s) => wg.variable(randn([4, 4], s)));
    const residual = (w1: wg.Tensor, w2: wg.Tensor) => (h: wg.Tensor, _unused: wg.Tensor) => wg.add(h, wg.matmul(wg.relu(wg.matmul(h, w1)), w2));
    const plainF = () => {
      const h = residual(ws[0]!, ws[1]!)(x, x);
      return wg.square(residual(ws[2]!, ws[3]!)(h, x)).mean();
    };
    const ckF = () => {
      const inner = wg.checkpoint(residual(ws[2]!, ws[3]!));
      const outer = wg.checkpoint((h: wg.Tensor, u: wg.Tensor) => inner(residual(ws[0]!, ws[1]!)(h, u), u));
      return wg.square(outer(x, x)).mean();
    };
    const plain = wg.valueAndGrad(plainF, [x, ...ws]);
    const ck = wg.valueAndGrad(ckF, [x, ...ws]);
    await expectSameGrads(ck.grads, plain.grads, 'residual');
    wg.dispose([plain, ck, x, ws]);
  });

  run('less memory held between forward and backward, same gradients (measured)', async () => {
    await wg.setBackend(name);
    const width = 64;
    const batch = 32;
    const depth = 6;
    const x = randn([batch, width], 10);
    const ws = Array.from({ length: depth * 2 }, (_, i) => wg.variable(randn([width, width], 20 + i, 0.2)));
    const block = (i: number) => (h: wg.Tensor) => wg.tanh(wg.matmul(wg.tanh(wg.matmul(h, ws[2 * i]!)), ws[2 * i + 1]!));
    const measure = (checkpointed: boolean) => {
      let heldAfterForward = 0;
      const start = wg.memory({ resetPeak: true }).numBytes;
      const result = wg.valueAndGrad(() => {
        let h = x;
        for (let i = 0; i < depth; i++) {
          const next = wg.tidy(() => (checkpointed ? wg.checkpoint(block(i)) : block(i))(h));
          if (h !== x) h.dispose();
          h = next;
        }
        const loss = wg.square(h).sum();
        h.dispose();
        heldAfterForward = wg.memory().numBytes - start;
        return loss;
      }, ws);
      return { result, heldAfterForward, peak: wg.memory().peakBytes - start };
    };
    const plain = measure(false);
    const ck = measure(true);
    await expectSameGrads(ck.result.grads, plain.result.grads, 'deep stack');
    const activation = batch * width * 4;
    // plain: 4 saved activations per block (two matmul inputs, two tanh outputs) ≈ 4 × depth;
    // checkpointed: each block's input (the first is x, made before) and square's output: depth + 1
    expect(plain.heldAfterForward).toBeGreaterThanOrEqual(3 * depth * activation);
    expect(ck.heldAfterForward).toBeLessThanOrEqual((depth + 1) * activation + 64);
    expect(ck.peak).toBeLessThan(plain.peak);
    console.log(`[checkpoint ${name}] held after forward: plain ${plain.heldAfterForward} B, checkpointed ${ck.heldAfterForward} B; peak ${plain.peak} B vs ${ck.peak} B`);
    wg.dispose([plain.result, ck.result, x, ws]);
  });

  run('wg.layers.checkpointed: a model of checkpointed blocks (dropout inside) trains to the plain model’s weights', async () => {
    await wg.setBackend(name);
    const rng = new wg.Random(2);
    const rows = Array.from({ length: 24 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    const x = wg.tensor(rows);
    const y = wg.tensor(rows.map((r) => [r[0]! * r[1]! - r[2]!]));
    const make = (checkpointed: boolean) => {
      wg.setSeed(8);
      const block = (units: number, seed: number, first = false) => [
        wg.layers.dense({ units, activation: 'relu', ...(first ? { inputDim: 3 } : {}) }),
        wg.layers.dropout({ rate: 0.25, seed }),
        wg.layers.dense({ units }),
      ];
      const blocks = [block(8, 1, true), block(8, 2)];
      const layers = checkpointed ? blocks.map((b) => wg.layers.checkpointed(b)) : blocks.flat();
      const model = wg.sequential([...layers, wg.layers.dense({ units: 1 })]);
      model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
      return model;
    };
    const plain = make(false);
    const ck = make(true);
    expect(ck.countParams()).toBe(plain.countParams());
    expect(ck.layers[0]!.className).toBe('Checkpointed');
    const h1 = await plain.fit(x, y, { epochs: 3, batchSize: 8, seed: 4, verbose: 0 });
    const h2 = await ck.fit(x, y, { epochs: 3, batchSize: 8, seed: 4, verbose: 0 });
    expectClose(h2.history.loss!, h1.history.loss!, [3], TOL, 'losses');
    const [wp, wc] = [plain.getWeights(), ck.getWeights()];
    await expectSameGrads(wc, wp, 'weights after fit');
    expect(ck.layers[0]!.toConfig().config.layers).toHaveLength(3);
    wg.dispose([wp, wc, x, y]);
    plain.dispose();
    ck.dispose();
  });
});

describe('checkpoint checks', () => {
  it('refuses what is not a function of tensors', async () => {
    await wg.setBackend('cpu');
    expect(() => wg.checkpoint(3 as never)).toThrow(/^checkpoint: expected a function of tensors returning a tensor, got number 3$/);
    expect(() => wg.checkpoint((a: wg.Tensor) => a)([1, 2] as never)).toThrow(/^checkpoint: argument 0 should be a Tensor, got an array of length 2$/);
    const v = wg.variable(wg.tensor([1]));
    expect(() => wg.valueAndGrad(() => wg.checkpoint((_a: wg.Tensor) => 5 as never)(v), [v])).toThrow(/^checkpoint: the function should return a Tensor, got number 5$/);
    expect(() => wg.layers.checkpointed([])).toThrow(/^checkpointed: expected a layer or a non-empty array of layers, got an array of length 0$/);
    expect(() => wg.layers.checkpointed([wg.layers.dropout({ rate: 0.1 }), wg.layers.dropout({ rate: 0.1 })])).toThrow(/at most one layer with a random generator/);
  });
});
