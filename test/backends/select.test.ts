// Backend selection: named backends, errors that say what was tried, and 'auto'.
// This file registers stand-in backends, so it runs in its own process (Vitest forks).
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { CpuBackend } from '../../src/backends/cpu.js';

/**
 * A cpu backend that reports itself under another name and adapter kind; with a
 * delay, each matmul also waits that many ms (a slow device, for the probe).
 */
function standIn(name: wg.BackendName, software: boolean, matmulDelayMs = 0): wg.Backend {
  const cpu = new CpuBackend();
  return Object.assign(Object.create(cpu) as wg.Backend, {
    name,
    info: () => ({ name, description: `stand-in ${name}`, details: { software } }),
    matmul(...args: Parameters<CpuBackend['matmul']>) {
      const until = performance.now() + matmulDelayMs;
      while (performance.now() < until);
      cpu.matmul(...args);
    },
  });
}

describe('backend selection', () => {
  it('starts on cpu and switches by name', async () => {
    expect(wg.getBackend()).toBe('cpu');
    expect(await wg.setBackend('cpu')).toBe('cpu');
    expect(wg.backendInfo().name).toBe('cpu');
  });

  it('a backend that cannot start is reported with what was tried and why', async () => {
    wg.registerBackend('webgpu', async () => {
      throw new Error('no adapter: tried navigator.gpu (absent), Dawn default (null)');
    }, 2);
    await expect(wg.setBackend('webgpu')).rejects.toThrow(/setBackend\('webgpu'\): backend is not available; tried webgpu: no adapter: tried navigator.gpu \(absent\), Dawn default \(null\)/);
    expect(wg.getBackend()).toBe('cpu');
    expect(wg.backendInfo().unavailable.webgpu).toMatch(/no adapter/);
  });

  it('refuses names it does not know', async () => {
    await expect(wg.setBackend('gpu' as never)).rejects.toThrow(/setBackend: expected 'cpu', 'wasm', 'webgpu' or 'auto', got "gpu"/);
  });

  it("'auto' skips a software GPU adapter and says why", async () => {
    wg.registerBackend('webgpu', async () => standIn('webgpu', true), 2);
    wg.registerBackend('wasm', async () => standIn('wasm', false), 1);
    expect(await wg.setBackend('auto')).toBe('wasm');
    expect(wg.backendInfo().reason).toMatch(/webgpu skipped: its adapter is a software fallback/);
  });

  it("'auto' takes a hardware GPU first, and falls back to cpu when nothing else starts", async () => {
    wg.registerBackend('webgpu', async () => standIn('webgpu', false), 2);
    expect(await wg.setBackend('auto')).toBe('webgpu');
    wg.registerBackend('webgpu', async () => { throw new Error('device lost'); }, 2);
    wg.registerBackend('wasm', async () => { throw new Error('no WebAssembly SIMD'); }, 1);
    expect(await wg.setBackend('auto')).toBe('cpu');
    expect(wg.backendInfo().reason).toMatch(/webgpu unavailable: device lost; wasm unavailable: no WebAssembly SIMD/);
  });

  it("'auto' with a probe times the model's training step on each backend, a software GPU included, and picks the fastest", async () => {
    // The software GPU is the fast one here.
    wg.registerBackend('webgpu', async () => standIn('webgpu', true), 2);
    wg.registerBackend('wasm', async () => standIn('wasm', false, 15), 1);
    wg.registerBackend('cpu', async () => standIn('cpu', false, 15), 0);
    expect(await wg.setBackend('auto', { probe: { layers: [8, 4, 3], batchSize: 4, steps: 3 } })).toBe('webgpu');
    const reason = wg.backendInfo().reason!;
    expect(reason).toMatch(/^picked webgpu: the fastest at a training step of an MLP 8-4-3 at batch 4 in a probe \(webgpu [\d.]+ ms, wasm [\d.]+ ms, cpu [\d.]+ ms\)$/);
    const ms = (name: string) => Number(new RegExp(`${name} ([\\d.]+) ms`).exec(reason)![1]);
    // two matmuls forward and four backward per step, 15 ms each
    expect(ms('wasm')).toBeGreaterThan(60);
    expect(ms('webgpu')).toBeLessThan(ms('wasm'));
    wg.registerBackend('cpu', async () => new CpuBackend(), 0);

    // A model's dense layers give the widths; a slow GPU loses to the others.
    wg.registerBackend('webgpu', async () => standIn('webgpu', false, 15), 2);
    wg.registerBackend('wasm', async () => standIn('wasm', false), 1);
    await wg.setBackend('cpu');
    const model = wg.sequential([wg.layers.dense({ units: 5, inputDim: 6, activation: 'relu' }), wg.layers.dense({ units: 2 })]);
    const before = wg.memory().numTensors;
    const picked = await wg.setBackend('auto', { probe: { model, steps: 2 } });
    expect(['wasm', 'cpu']).toContain(picked);
    expect(wg.backendInfo().reason).toMatch(/an MLP 6-5-2 at batch 32 in a probe \(webgpu [\d.]+ ms, wasm [\d.]+ ms, cpu [\d.]+ ms\)/);
    // the probe's tensors, variables and optimizer state are all gone
    expect(wg.memory().numTensors).toBe(before);
    model.dispose();
    // a name chosen afterwards clears the reason
    await wg.setBackend('cpu');
    expect(wg.backendInfo().reason).toBeUndefined();
  });

  it("'auto' with a probe reports backends that cannot start, and checks its options", async () => {
    wg.registerBackend('webgpu', async () => { throw new Error('no adapter'); }, 2);
    wg.registerBackend('wasm', async () => standIn('wasm', false), 1);
    await wg.setBackend('auto', { probe: { layers: [3, 2], steps: 1 } });
    expect(wg.backendInfo().reason).toMatch(/in a probe \(wasm [\d.]+ ms, cpu [\d.]+ ms\); webgpu unavailable: no adapter$/);
    const probe = (p: unknown) => wg.setBackend('auto', { probe: p as wg.ProbeOptions });
    await expect(probe({ layers: [3, 2], batchsize: 8 })).rejects.toThrow(/^setBackend\('auto', \{ probe \}\): unknown option 'batchsize'; did you mean 'batchSize'\?/);
    await expect(probe({})).rejects.toThrow(/expected either model \(a built model\) or layers \(widths such as \[784, 128, 10\]\), got neither/);
    await expect(probe({ layers: [3] })).rejects.toThrow(/layers should be two or more positive integers, input width first \(e\.g\. \[784, 128, 10\]\), got \[3\]/);
    await expect(probe({ layers: [3, 2], batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(probe({ model: null })).rejects.toThrow(/model should be a built model with dense layers \(call model\.build\(inputShape\) first\), got null$/);
    const unbuilt = wg.sequential([wg.layers.dense({ units: 2 })]);
    await expect(probe({ model: unbuilt })).rejects.toThrow(/model should be a built model with dense layers \(call model\.build\(inputShape\) first\), got a model without weights yet/);
    await wg.setBackend('cpu');
  });

  it('options go to the backend, and make a new instance', async () => {
    const seen: unknown[] = [];
    wg.registerBackend('wasm', async (options) => {
      seen.push(options);
      return standIn('wasm', false);
    }, 1);
    await wg.setBackend('wasm');
    await wg.setBackend('wasm');
    await wg.setBackend('wasm', { threads: 1 });
    expect(seen).toEqual([undefined, { threads: 1 }]);
    await expect(wg.setBackend('auto', { threads: 1 })).rejects.toThrow(/^setBackend\('auto'\): unknown option 'threads' \(expected probe\); options for a backend apply to one named backend/);
    await expect(wg.setBackend('wasm', 3 as never)).rejects.toThrow(/setBackend: options should be an object such as \{ threads: 2 \}, got number/);
    await wg.setBackend('cpu');
  });

  it('ops refuse tensors that live on another backend', async () => {
    await wg.setBackend('cpu');
    const onCpu = wg.tensor([1, 2]);
    wg.registerBackend('wasm', async () => standIn('wasm', false), 1);
    await wg.setBackend('wasm');
    expect(() => wg.add(onCpu, 1)).toThrow(/add: a lives on the cpu backend but the active backend is wasm/);
    const moved = await wg.toBackend(onCpu);
    expect(Array.from(await wg.add(moved, 1).data())).toEqual([2, 3]);
    await wg.setBackend('cpu');
  });
});
