// 'webgrad/webgpu': registers the WebGPU backend. Imported by the full 'webgrad'
// entry (builtin.ts), or by an app on 'webgrad/core' that wants only this backend.
// The backend itself is a dynamic import: loaded by the first setBackend('webgpu'),
// so bundles that never select WebGPU load none of it.
import type { Backend } from './backend.js';
import { registerBackend } from './select.js';
import type { WebGPUBackendOptions } from './webgpu.js';

registerBackend('webgpu', async (options) => (await import('./webgpu.js')).createWebGPUBackend(options), 2);

/**
 * A WebGPU backend with options: a device the app already has, a memory budget, tuning.
 * Register it in place of the default one:
 * `registerBackend('webgpu', () => createWebGPUBackend({ memoryBudget: 512 * 2 ** 20 }), 2)`.
 * Loads the backend's code on the first call.
 */
export async function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<Backend> {
  return (await import('./webgpu.js')).createWebGPUBackend(options);
}

export type { WebGPUBackendOptions, MatmulTile } from './webgpu.js';
export type { AcquireOptions } from './webgpu/device.js';
