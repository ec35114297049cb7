// `npm run build`: runs each asset step (kernels, shaders), then bundles src/ into
// dist/ with esbuild (ESM, one chunk per lazily loaded backend) and writes the
// .d.ts files with tsc.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Asset steps, in order. Each is a script that writes generated sources under
// src/generated/ (git-ignored) for the bundle and the tests to import.
const steps = ['build-wasm.mjs', 'build-shaders.mjs'];
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
  // Node-only modules are loaded lazily at run time and never bundled; papaparse is a
  // dependency that users' bundlers resolve (and only the lazily loaded CSV chunk imports it).
  external: ['webgpu', 'node:*', 'papaparse'],
  logLevel: 'warning',
});

// The CLI (dist/cli.js, the package's `bin`) is a Node program that uses the library
// through its public API: imports of src/index.ts become the sibling ./index.js, so
// there is one copy of the library, and any other import of src/ outside src/cli is
// refused (it would bundle a second copy of the runtime).
const cliUsesPublicApi = {
  name: 'cli-uses-public-api',
  setup(b) {
    const index = join(root, 'src', 'index.ts');
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      if (target === index) return { path: './index.js', external: true };
      if (!relative(root, target).startsWith(join('src', 'cli'))) {
        return { errors: [{ text: `the CLI imports ${relative(root, target)}; it may use only the public API (src/index.ts)` }] };
      }
      return undefined;
    });
  },
};
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  define: { WEBGRAD_VERSION: JSON.stringify(version) },
  plugins: [cliUsesPublicApi],
  logLevel: 'warning',
});
chmodSync(join(root, 'dist', 'cli.js'), 0o755);

execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', `${root}/tsconfig.build.json`], { stdio: 'inherit' });
console.log('built dist/');
