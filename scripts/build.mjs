// `npm run build`: runs each asset step (kernels, shaders), then bundles src/ with
// esbuild into
//   dist/          ESM for Node, Deno and bundlers (source maps, one chunk per lazily
//                  loaded backend), with .d.ts files from tsc;
//   dist/browser/  the same entries minified, for a plain <script type="module">.
// One build serves every runtime: WASM and WGSL are inlined by the asset steps, and
// the only Node-only code (the `webgpu` package, Dawn) is imported at run time by a
// computed specifier in Node alone. A check below fails the build if a `node:` module
// or the `webgpu` package is ever imported statically. Finally it measures and
// records what a browser downloads (scripts/bundle-size.mjs).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportBundleSizes } from './bundle-size.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// Asset steps, in order. Each is a script that writes generated sources under
// src/generated/ (git-ignored) for the bundle and the tests to import.
const steps = [];
for (const step of steps) execFileSync(process.execPath, [`${root}/scripts/${step}`], { stdio: 'inherit', cwd: root });

// Package entry points (package.json "exports"). 'core' is src/index.ts without the
// line that registers the wasm and webgpu backends; 'wasm' and 'webgpu' add one
// backend each to it, so an app ships only the backends it imports.
const BUILTIN_IMPORT = "import './backends/builtin.js';";
const backendEntries = ['wasm', 'webgpu'].filter((name) => existsSync(`${root}src/backends/entry-${name}.ts`));
const entryPoints = [
  { in: 'src/index.ts', out: 'index' },
  { in: 'webgrad:core', out: 'core' },
  { in: 'src/worker/index.ts', out: 'worker' },
  ...backendEntries.map((name) => ({ in: `src/backends/entry-${name}.ts`, out: name })),
];

/** Serves the virtual 'core' entry: index.ts minus the built-in backend registrations. */
const coreEntry = {
  name: 'webgrad-core-entry',
  setup(b) {
    b.onResolve({ filter: /^webgrad:core$/ }, () => ({ path: 'core', namespace: 'webgrad' }));
    b.onLoad({ filter: /.*/, namespace: 'webgrad' }, () => {
      const index = readFileSync(`${root}src/index.ts`, 'utf8');
      if (index.split(BUILTIN_IMPORT).length !== 2) throw new Error(`src/index.ts must contain the line ${BUILTIN_IMPORT} exactly once`);
      return { contents: index.replace(BUILTIN_IMPORT, ''), loader: 'ts', resolveDir: `${root}src` };
    });
  },
};

const common = {
  absWorkingDir: root,
  entryPoints,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  // Guard rails only: nothing may import these statically (checked below).
  external: ['webgpu', 'node:*'],
  plugins: [coreEntry],
  logLevel: 'warning',
};

rmSync(`${root}/dist`, { recursive: true, force: true });
await build({ ...common, outdir: 'dist', sourcemap: true });
const browser = await build({ ...common, outdir: 'dist/browser', minify: true, sourcemap: 'linked', chunkNames: 'chunks/[name]-[hash]', metafile: true });

// No output file may import a Node builtin or the Dawn package by a static specifier.
const forbidden = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*|\brequire\s*\(\s*)["'](node:[^"']+|webgpu|fs|path|url|worker_threads|child_process)["']/g;
const leaks = [];
const scan = (dir) => {
  for (const entry of readdirSync(`${root}${dir}`, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) scan(path);
    else if (entry.name.endsWith('.js')) for (const m of readFileSync(`${root}${path}`, 'utf8').matchAll(forbidden)) leaks.push(`${path}: ${m[0]}`);
  }
};
scan('dist');
if (leaks.length) throw new Error(`Node-only imports in the universal build (load them lazily by a computed specifier, in Node only):\n  ${leaks.join('\n  ')}`);

execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', `${root}/tsconfig.build.json`], { stdio: 'inherit' });
// Declarations of the entries that are not files of src/ themselves.
writeFileSync(`${root}dist/core.d.ts`, "// 'webgrad/core': the whole API with only the cpu backend built in.\nexport * from './index.js';\n");
writeFileSync(`${root}dist/worker.d.ts`, "export * from './worker/index.js';\n");
for (const name of backendEntries) writeFileSync(`${root}dist/${name}.d.ts`, `// 'webgrad/${name}': importing it makes setBackend('${name}') available.\nexport {};\n`);
console.log(`built dist/ and dist/browser/ (entries: ${entryPoints.map((e) => e.out).join(', ')})`);

reportBundleSizes({ root, backends: backendEntries, metafile: browser.metafile });
