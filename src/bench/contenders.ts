// webgrad's contenders: one backend instance per configuration (WebGPU, WASM on one
// thread and on every core, the JS cpu backend), created for the benchmark and owned
// by it, so that several configurations of one backend can run side by side.

import type { Backend } from '../backends/backend.js';
import { CpuBackend } from '../backends/cpu.js';
import { MAX_THREADS } from '../backends/wasm/pool.js';
import { useBackendInstance } from '../backends/select.js';
import type { MatmulTile } from '../backends/webgpu.js';
import type { AcquiredDevice } from '../backends/webgpu/device.js';
import type { ContenderInfo, Family } from './report.js';

export interface WebgradContender {
  readonly info: ContenderInfo;
  readonly backend: Backend;
}

/** A WebGPU device webgrad found, for a peer that wants the same adapter. */
export type GpuHandle = Pick<AcquiredDevice, 'gpu' | 'adapterOptions'>;

export interface StartOptions {
  /** Families and configurations: 'webgpu', 'wasm' (1 thread and every core), 'wasm-1t', 'wasm-4t', 'wasm-1t-simd' (without relaxed SIMD), 'cpu'. */
  readonly backends: readonly string[];
  /** Extra WebGPU contenders with fixed matmul tiles (for tuning on a GPU). */
  readonly tiles?: readonly MatmulTile[];
  /** A fixed tile for the main WebGPU contender. */
  readonly mainTile?: MatmulTile;
  readonly dawnFlags?: readonly string[];
}

export interface Started {
  readonly contenders: WebgradContender[];
  readonly unavailable: { id: string; reason: string }[];
  readonly gpu?: GpuHandle;
  /** Frees the WebGPU device found for the contenders (dispose the backends first). */
  release(): void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const tileLabel = (t: MatmulTile) => `${t.tm}x${t.tn}x${t.tk}${t.per ? `/${t.per}` : ''}`;

/** 'wasm' → wasm-1t and wasm-<cores>t (at most MAX_THREADS); explicit 'wasm-3t' kept; duplicates dropped. */
export function expandBackendNames(names: readonly string[], cores: number): string[] {
  const out: string[] = [];
  for (const name of names) {
    const all = Math.min(cores, MAX_THREADS);
    const expanded = name === 'wasm' ? ['wasm-1t', ...(all > 1 ? [`wasm-${all}t`] : [])] : [name];
    for (const e of expanded) if (!out.includes(e)) out.push(e);
  }
  return out;
}

/** 'wasm-2t' (the default module: relaxed SIMD where the runtime has it) or 'wasm-2t-simd' (plain SIMD128, for comparison). */
const WASM_NAME = /^wasm-([1-9]\d*)t(-simd)?$/;

export function isBackendName(name: string): boolean {
  return name === 'webgpu' || name === 'wasm' || name === 'cpu' || WASM_NAME.test(name);
}

async function webgpu(options: StartOptions, contenders: WebgradContender[], unavailable: Started['unavailable']): Promise<AcquiredDevice | undefined> {
  const { acquireDevice } = await import('../backends/webgpu/device.js');
  const { createWebGPUBackend } = await import('../backends/webgpu.js');
  let acquired: AcquiredDevice;
  try {
    acquired = await acquireDevice(options.dawnFlags ? { dawnFlags: options.dawnFlags } : {});
  } catch (error) {
    unavailable.push({ id: 'webgpu', reason: message(error) });
    return undefined;
  }
  const base = { device: acquired.device, adapter: acquired.adapter, found: acquired };
  const main = await createWebGPUBackend({ ...base, ...(options.mainTile ? { matmulTile: options.mainTile } : {}) });
  contenders.push({ info: describe('webgpu', 'webgpu', main), backend: main });
  for (const tile of options.tiles ?? []) {
    const id = `webgpu ${tileLabel(tile)}`;
    try {
      const backend = await createWebGPUBackend({ ...base, matmulTile: tile });
      contenders.push({ info: describe(id, 'webgpu', backend), backend });
    } catch (error) {
      unavailable.push({ id, reason: message(error) });
    }
  }
  return acquired;
}

function describe(id: string, family: Family, backend: Backend): ContenderInfo {
  return { id, kind: 'webgrad', family, description: backend.info().description };
}

/** Starts every requested configuration that this runtime can run; says why the others cannot. */
export async function startContenders(options: StartOptions, cores: number): Promise<Started> {
  const contenders: WebgradContender[] = [];
  const unavailable: Started['unavailable'] = [];
  let gpu: AcquiredDevice | undefined;
  for (const id of expandBackendNames(options.backends, cores)) {
    if (id === 'webgpu') {
      gpu = await webgpu(options, contenders, unavailable);
    } else if (id === 'cpu') {
      const backend = new CpuBackend();
      contenders.push({ info: describe('cpu', 'cpu', backend), backend });
    } else {
      const [, count, plain] = WASM_NAME.exec(id)!;
      const threads = Number(count);
      try {
        const { createWasmBackend } = await import('../backends/wasm.js');
        const backend = await createWasmBackend({ threads, ...(plain ? { flavour: 'simd' as const } : {}) });
        const got = backend.info().details?.['threads'];
        if (got !== threads) {
          backend.dispose?.();
          throw new Error(`asked for ${threads} threads, got ${String(got)}: threads need SharedArrayBuffer and workers (in a page: cross-origin isolation)`);
        }
        contenders.push({ info: describe(id, 'wasm', backend), backend });
      } catch (error) {
        unavailable.push({ id, reason: message(error) });
      }
    }
  }
  return {
    contenders,
    unavailable,
    ...(gpu ? { gpu: { gpu: gpu.gpu, adapterOptions: gpu.adapterOptions } } : {}),
    release: () => gpu?.device.destroy(),
  };
}

/** Runs `fn` with `backend` active, then puts the previous backend back. */
export async function withBackend<T>(backend: Backend, fn: () => T | Promise<T>): Promise<T> {
  const previous = useBackendInstance(backend);
  try {
    return await fn();
  } finally {
    useBackendInstance(previous);
  }
}

export function activate(backend: Backend): void {
  useBackendInstance(backend);
}

export async function syncBackend(backend: Backend): Promise<void> {
  backend.flush?.();
  await backend.sync?.();
}

export function disposeContenders(contenders: readonly WebgradContender[]): void {
  for (const c of contenders) c.backend.dispose?.();
}
