// Backend selection: named backends, errors that say what was tried, and 'auto'.
// This file registers stand-in backends, so it runs in its own process (Vitest forks).
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { CpuBackend } from '../../src/backends/cpu.js';

/** A cpu backend that reports itself under another name and adapter kind. */
function standIn(name: 'wasm' | 'webgpu', software: boolean): wg.Backend {
  const cpu = new CpuBackend();
  return Object.assign(Object.create(cpu) as wg.Backend, {
    name,
    info: () => ({ name, description: `stand-in ${name}`, details: { software } }),
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
    await expect(wg.setBackend('auto', { threads: 1 })).rejects.toThrow(/options apply to one named backend, not to 'auto'/);
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
