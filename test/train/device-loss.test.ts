// Losing the WebGPU device during fit: training continues on the next backend (wasm
// when present, else cpu) from the last step whose snapshot arrived, with the weights,
// the optimizer state, batch normalization's moving statistics and the dropout
// generators intact, so that it ends where a fit that never lost its device ends. The
// device is destroyed from a callback (a known step) or from a timer (wherever training
// happens to be).

import { afterAll, describe, expect, it, vi } from 'vitest';
import * as wg from '../../src/index.js';
import { acquireDevice } from '../../src/backends/webgpu/device.js';
import { createWebGPUBackend } from '../../src/backends/webgpu.js';
import { backendCases } from '../helpers/backends.js';
import { settleGarbage } from '../helpers/gc.js';
import { itInNodeProject, rowsHere } from '../helpers/runtime.js';

const webgpu = (await backendCases()).find((c) => c.name === 'webgpu')!;

// A webgpu backend whose device the test can reach (and destroy). The acquired objects
// are kept: in Node, Dawn's GPU instance must outlive its devices.
const acquiredDevices: Awaited<ReturnType<typeof acquireDevice>>[] = [];
wg.registerBackend('webgpu', async () => {
  const acquired = await acquireDevice();
  acquiredDevices.push(acquired);
  return createWebGPUBackend({ device: acquired.device, adapter: acquired.adapter });
}, 2);
afterAll(async () => {
  await wg.setBackend('cpu');
  for (const a of acquiredDevices) a.device.destroy();
});

/** Where fit falls back to: the backend ranked next below webgpu. */
const NEXT = wg.registeredBackends().includes('wasm') ? 'wasm' : 'cpu';

const EPOCHS = 3;
const BATCH = 8;
/** 40 samples, a quarter held out: 30 to train on in batches of 8, the last one short. */
const BATCHES = 4;

function problem() {
  const rng = new wg.Random(3);
  const rows = Array.from({ length: 40 }, () => Array.from({ length: 4 }, () => rng.normal()));
  return { x: wg.tensor(rows), y: wg.tensor(rows.map((r) => [r[0]! - r[1]! * r[2]!, Math.tanh(r[3]!)])) };
}

function model(accumulate = 1, lossScaling?: wg.CompileArgs['lossScaling']): wg.Sequential {
  wg.setSeed(11);
  const m = wg.sequential([
    wg.layers.dense({ units: 8, inputDim: 4, activation: 'tanh' }),
    // moving statistics: non-trainable state the snapshots must carry across the switch too
    wg.layers.batchNormalization({ momentum: 0.8 }),
    wg.layers.dropout({ rate: 0.2, seed: 5 }),
    wg.layers.dense({ units: 2 }),
  ]);
  m.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.02, gradientAccumulationSteps: accumulate }), loss: 'mse', metrics: ['mae'], ...(lossScaling ? { lossScaling } : {}) });
  return m;
}

const fitOptions = { epochs: EPOCHS, batchSize: BATCH, seed: 7, validationSplit: 0.25, verbose: 0 as const };

interface Run {
  history: wg.History;
  weights: number[][];
  iterations: number;
  backendOfWeights: string;
}

async function finish(m: wg.Sequential, history: wg.History): Promise<Run> {
  const copies = m.getWeights();
  const weights = await Promise.all(copies.map(async (w) => Array.from(await w.data())));
  const run = { history, weights, iterations: m.optimizer!.iterations, backendOfWeights: copies[0]!.backend.name };
  wg.dispose(copies);
  m.dispose();
  return run;
}

/** The same fit on the backend it falls back to, with the same callbacks' hooks present (batch logs change nothing). */
async function reference(callbacks: wg.Callback, accumulate = 1, lossScaling?: wg.CompileArgs['lossScaling']): Promise<Run> {
  await wg.setBackend(NEXT);
  const { x, y } = problem();
  const m = model(accumulate, lossScaling);
  const run = await finish(m, await m.fit(x, y, { ...fitOptions, callbacks }));
  wg.dispose([x, y]);
  return run;
}

function expectSameTraining(got: Run, want: Run): void {
  expect(got.iterations).toBe(want.iterations);
  expect(got.history.epoch).toEqual(want.history.epoch);
  for (const key of ['loss', 'mae', 'val_loss', 'val_mae']) {
    got.history.history[key]!.forEach((v, i) => expect(v, `${key}[${i}]`).toBeCloseTo(want.history.history[key]![i]!, 4));
  }
  got.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - want.weights[i]![j]!), `weight ${i}[${j}]`).toBeLessThan(2e-4)));
}

const lastDevice = (): GPUDevice => acquiredDevices[acquiredDevices.length - 1]!.device;

describe.skipIf(webgpu.skip !== undefined)('fit survives a lost WebGPU device', () => {
  const points = [
    { where: 'in the middle of an epoch (onBatchEnd)', hook: 'onBatchEnd', epoch: 1, batch: 2, resumedAfter: { epoch: 1, batch: 2 } },
    { where: 'at an epoch\'s last step (onBatchEnd)', hook: 'onBatchEnd', epoch: 0, batch: BATCHES - 1, resumedAfter: { epoch: 0, batch: BATCHES - 1 } },
    { where: 'after an epoch ended (onEpochEnd)', hook: 'onEpochEnd', epoch: 1, batch: -1, resumedAfter: { epoch: 1, batch: BATCHES - 1 } },
    { where: 'before an epoch\'s first step (onBatchBegin)', hook: 'onBatchBegin', epoch: 2, batch: 0, resumedAfter: { epoch: 1, batch: BATCHES - 1 } },
  ] as const;

  // The four points differ only in where fit's own bookkeeping stands when the loss
  // comes, which is the same code in every runtime: the node project checks all four.
  // Chromium checks the first (each test there costs seconds: the new device compiles
  // every pipeline again on SwiftShader). Below, the loss from a timer, with 'throw' and
  // after the switch run in both; mid-accumulation, under loss scaling and with two
  // models (fit's own snapshot bookkeeping again) in the node project.
  for (const point of rowsHere(points, (_, i) => i === 0)) {
    it(`lost ${point.where}: continues on the next backend and ends where an uninterrupted fit ends`, async () => {
      let epoch = -1;
      const hooks = (destroy: boolean): wg.Callback => ({
        onEpochBegin: (e) => { epoch = e; },
        onBatchBegin: (b) => { if (destroy && point.hook === 'onBatchBegin' && epoch === point.epoch && b === point.batch) lastDevice().destroy(); },
        onBatchEnd: (b) => { if (destroy && point.hook === 'onBatchEnd' && epoch === point.epoch && b === point.batch) lastDevice().destroy(); },
        onEpochEnd: (e) => { if (destroy && point.hook === 'onEpochEnd' && e === point.epoch) lastDevice().destroy(); },
      });
      const want = await reference(hooks(false));

      await wg.setBackend('webgpu');
      await settleGarbage();
      const baseline = wg.memory();
      const { x, y } = problem();
      const m = model();
      const switches: wg.BackendSwitch[] = [];
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      let history: wg.History;
      try {
        history = await m.fit(x, y, { ...fitOptions, verbose: 1, callbacks: [hooks(true), { onBackendSwitch: (s) => { switches.push(s); } }] });
        expect(warn).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`^fit: the webgpu device was lost \\(.*\\); continuing on ${NEXT} after`)));
      } finally {
        warn.mockRestore();
        log.mockRestore();
      }
      const got = await finish(m, history);

      expect(history.backendSwitches).toEqual([{ from: 'webgpu', to: NEXT, reason: expect.stringMatching(/destroyed/), resumedAfter: point.resumedAfter }]);
      expect(switches).toEqual(history.backendSwitches);
      expect(wg.getBackend()).toBe(NEXT);
      expect(got.backendOfWeights).toBe(NEXT);
      expectSameTraining(got, want);
      // nothing fit made is left: not on the lost device, not on the new backend
      wg.dispose([x, y]);
      expect(wg.memory()).toEqual({ ...baseline, peakBytes: expect.any(Number) });
    });
  }

  itInNodeProject('lost mid-accumulation: the pending micro-batch sums come back with the snapshot', async () => {
    // 4 batches an epoch, 3 per update: lost after epoch 2's 3rd batch (7 micro-batches: 2 updates, 1 pending)
    let epoch = -1;
    const hooks = (destroy: boolean): wg.Callback => ({
      onEpochBegin: (e) => { epoch = e; },
      onBatchEnd: (b) => { if (destroy && epoch === 1 && b === 2) lastDevice().destroy(); },
    });
    const want = await reference(hooks(false), 3);
    await wg.setBackend('webgpu');
    const { x, y } = problem();
    const m = model(3);
    const history = await m.fit(x, y, { ...fitOptions, callbacks: hooks(true) });
    const got = await finish(m, history);
    expect(history.backendSwitches).toHaveLength(1);
    expect(got.iterations).toBe(Math.floor((EPOCHS * BATCHES) / 3));
    expectSameTraining(got, want);
    wg.dispose([x, y]);
  });

  itInNodeProject('lost under dynamic loss scaling: the wrapped optimizer moves over and training ends where an uninterrupted fit ends', async () => {
    let epoch = -1;
    const hooks = (destroy: boolean): wg.Callback => ({
      onEpochBegin: (e) => { epoch = e; },
      onBatchEnd: (b) => { if (destroy && epoch === 1 && b === 1) lastDevice().destroy(); },
    });
    const lossScaling = { initialScale: 2 ** 10 };
    const want = await reference(hooks(false), 1, lossScaling);
    await wg.setBackend('webgpu');
    const { x, y } = problem();
    const m = model(1, lossScaling);
    expect(m.optimizer).toBeInstanceOf(wg.LossScaleOptimizer);
    const history = await m.fit(x, y, { ...fitOptions, callbacks: hooks(true) });
    const got = await finish(m, history);
    expect(history.backendSwitches).toHaveLength(1);
    expect(history.history.lossScale).toEqual(want.history.history.lossScale);
    expectSameTraining(got, want);
    wg.dispose([x, y]);
  });

  it('lost from a timer while fit yields every batch: ends where an uninterrupted fit ends', async () => {
    const want = await reference({});
    await wg.setBackend('webgpu');
    const { x, y } = problem();
    const m = model();
    // destroyed at the first turn of the event loop in epoch 2 (fit yields after each batch)
    const callbacks: wg.Callback = { onEpochBegin: (e) => { if (e === 1) setTimeout(() => lastDevice().destroy(), 0); } };
    const history = await m.fit(x, y, { ...fitOptions, yieldEvery: 'batch', callbacks });
    const got = await finish(m, history);
    expect(history.backendSwitches).toHaveLength(1);
    // destroyed during epoch 2's first step or the yield after it: training went on from a step
    // before that (end of epoch 1, when that step's snapshot had not arrived yet: then dropout's
    // generator had to be rewound too)
    const { epoch, batch } = history.backendSwitches[0]!.resumedAfter;
    expect([[0, BATCHES - 1], [1, 0]]).toContainEqual([epoch, batch]);
    expectSameTraining(got, want);
  });

  itInNodeProject('two models training at once both survive the loss, and each ends as it would alone', async () => {
    const hook = (): wg.Callback => ({ onBatchEnd: () => {} });
    const wantA = await reference(hook());
    // the second model: other seeds, no batch hook (its snapshots are the pipelined ones)
    const other = async (callbacks: wg.Callback[] = []): Promise<Run> => {
      const { x, y } = problem();
      wg.setSeed(12);
      const m = wg.sequential([wg.layers.dense({ units: 5, inputDim: 4, activation: 'relu' }), wg.layers.dense({ units: 2 })]);
      m.compile({ optimizer: 'rmsprop', loss: 'mse', metrics: ['mae'] });
      const run = await finish(m, await m.fit(x, y, { ...fitOptions, seed: 8, yieldEvery: 'batch', callbacks }));
      wg.dispose([x, y]);
      return run;
    };
    await wg.setBackend(NEXT);
    const wantB = await other();

    await wg.setBackend('webgpu');
    const { x, y } = problem();
    const a = model();
    // The device goes when the first of the two gets to its second epoch (A after that
    // epoch's second step, B as it begins): the other is then still training, whichever
    // of them the scheduler let run ahead.
    let destroyed = false;
    const destroy = () => {
      if (!destroyed) lastDevice().destroy();
      destroyed = true;
    };
    let epoch = -1;
    const destroyerA: wg.Callback = {
      onEpochBegin: (e) => { epoch = e; },
      onBatchEnd: (b) => { if (epoch === 1 && b === 1) destroy(); },
    };
    const destroyerB: wg.Callback = { onEpochBegin: (e) => { if (e === 1) destroy(); } };
    const [gotA, gotB] = await Promise.all([
      a.fit(x, y, { ...fitOptions, yieldEvery: 'batch', callbacks: destroyerA }).then((h) => finish(a, h)),
      other([destroyerB]),
    ]);
    expect(gotA.history.backendSwitches.map((s) => [s.from, s.to])).toEqual([['webgpu', NEXT]]);
    expect(gotB.history.backendSwitches.map((s) => [s.from, s.to])).toEqual([['webgpu', NEXT]]);
    expectSameTraining(gotA, wantA);
    expectSameTraining(gotB, wantB);
  });

  it("onDeviceLoss: 'throw' rejects with the device's error", async () => {
    await wg.setBackend('webgpu');
    const { x, y } = problem();
    const m = model();
    const fit = m.fit(x, y, { ...fitOptions, onDeviceLoss: 'throw', callbacks: { onBatchEnd: (b) => { if (b === 1) lastDevice().destroy(); } } });
    await expect(fit).rejects.toThrow(/the GPU device was lost \(reason 'destroyed'/);
    m.dispose();
    await wg.setBackend('cpu');
  });

  it('after the switch the model predicts and trains on the new backend, and WebGPU can be selected again', async () => {
    await wg.setBackend('webgpu');
    const { x, y } = problem();
    const m = model();
    await m.fit(x, y, { ...fitOptions, callbacks: { onBatchEnd: (b) => { if (b === 0) lastDevice().destroy(); } } });
    expect(wg.getBackend()).toBe(NEXT);
    const again = problem();
    const before = await m.evaluate(again.x, again.y);
    await m.fit(again.x, again.y, { ...fitOptions, validationSplit: 0 });
    const after = await m.evaluate(again.x, again.y);
    expect(after.loss).toBeLessThan(before.loss!);
    expect(m.predict(again.x).shape).toEqual([40, 2]);
    m.dispose();
    await wg.setBackend('webgpu');
    expect(await wg.tensor([1, 2]).add(1).data()).toEqual(Float32Array.of(2, 3));
  });
});
