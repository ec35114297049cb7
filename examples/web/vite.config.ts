// `npm run demo`: Vite's dev server on 127.0.0.1 for this page. The page imports
// the built package (dist/, from `npm run build`) as 'webgrad' and 'webgrad/worker',
// exactly as an app that installed webgrad would. The page is cross-origin isolated
// (COOP/COEP headers) so that the wasm backend can run on several threads
// (SharedArrayBuffer); everything it loads is same-origin.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: [
      { find: /^webgrad$/, replacement: `${dist}index.js` },
      { find: /^webgrad\/(core|worker|bench|wasm|webgpu)$/, replacement: `${dist}$1.js` },
    ],
  },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATED },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATED },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: fileURLToPath(new URL('../../build/demo', import.meta.url)), emptyOutDir: true },
  logLevel: 'info',
});
