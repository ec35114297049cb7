// 'webgrad/wasm': registers the WebAssembly backend. Imported by the full 'webgrad'
// entry (builtin.ts), or by an app on 'webgrad/core' that wants only this backend.
// The backend itself is a dynamic import: loaded by the first setBackend('wasm')
// (or 'auto'), so bundles that never select it load none of its code or modules.
import { registerBackend } from './select.js';

registerBackend('wasm', async (options) => (await import('./wasm.js')).createWasmBackend(options), 1);
