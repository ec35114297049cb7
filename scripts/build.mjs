// `npm run build`: runs each asset step (kernels, shaders), then bundles src/ into
// dist/ with esbuild (ESM, one chunk per lazily loaded backend) and writes the
// .d.ts files with tsc.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Asset steps, in order. Each is a script that writes generated sources under
// src/generated/ (git-ignored) for the bundle and the tests to import.
const steps = ['build-shaders.mjs'];
for (const step of steps) execFileSync(process.execPath, [`${root}/scripts/${step}`], { stdio: 'inherit', cwd: root });

rmSync(`${root}/dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  // Node-only modules are loaded lazily at run time and never bundled.
  external: ['webgpu', 'node:*'],
  logLevel: 'warning',
});

execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', `${root}/tsconfig.build.json`], { stdio: 'inherit' });
console.log('built dist/');
