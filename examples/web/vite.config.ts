// `npm run demo`: Vite's dev server on 127.0.0.1 for this page. The page imports
// the built package (dist/, from `npm run build`) as 'webgrad' and 'webgrad/worker',
// exactly as an app that installed webgrad would.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: [
      { find: /^webgrad$/, replacement: `${dist}index.js` },
      { find: /^webgrad\/(core|worker|wasm|webgpu)$/, replacement: `${dist}$1.js` },
    ],
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: fileURLToPath(new URL('../../build/demo', import.meta.url)), emptyOutDir: true },
  logLevel: 'info',
});
