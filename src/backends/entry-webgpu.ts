// 'webgrad/webgpu': registers the WebGPU backend. Imported by the full 'webgrad'
// entry (builtin.ts), or by an app on 'webgrad/core' that wants only this backend.
// The backend itself is a dynamic import: loaded by the first setBackend('webgpu'),
// so bundles that never select WebGPU load none of it.
import { registerBackend } from './select.js';

registerBackend('webgpu', async (options) => (await import('./webgpu.js')).createWebGPUBackend(options), 2);
