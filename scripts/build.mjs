// `npm run build`: runs each asset step (kernels, shaders), then bundles src/ with
// esbuild into
//   dist/          ESM for Node, Deno and bundlers (source maps, one chunk per lazily
//                  loaded backend), with .d.ts files from tsc;
//   dist/browser/  the same entries minified, for a plain <script type="module">.
// One build serves every runtime: WASM and WGSL are inlined by the asset steps, and
// the only Node-only code (the `webgpu` package, Dawn) is imported at run time by a
// computed specifier in Node alone. A check below fails the build if a `node:` module
// or the `webgpu` package is ever imported by name. It also builds the CLI
// (dist/cli.js, Node only) on the public API. Finally it measures and
// records what a browser downloads (scripts/bundle-size.mjs).
import { addAmbientStubs } from './dts-stubs.mjs';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportBundleSizes } from './bundle-size.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// Asset steps, in order. Each is a script that writes generated sources under
// src/generated/ (git-ignored) for the bundle and the tests to import.
const steps = ['build-wasm.mjs', 'build-shaders.mjs'];
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
  // the throughput comparison (webgrad bench, the demo page); shares the runtime's chunks
  { in: 'src/bench/index.ts', out: 'bench' },
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
  plugins: [coreEntry],
  logLevel: 'warning',
};

rmSync(`${root}/dist`, { recursive: true, force: true });
// For bundlers and Node: papaparse and @huggingface/tokenizers are dependencies that they resolve (only the lazily
// loaded CSV and tokenizer chunks import them). 'webgpu' and 'node:*' are guard rails: nothing may
// import them by name (checked below).
const universal = await build({ ...common, outdir: 'dist', sourcemap: true, metafile: true, external: ['webgpu', 'node:*', 'papaparse', '@huggingface/tokenizers'] });
// For plain pages, where nothing resolves bare names: papaparse is bundled into the CSV
// chunk. Syntax minification is off so that the computed specifiers through which Node
// built-ins and Dawn are reached stay computed (a folded `import("node:fs")` would be
// harmless in a browser but would trip a bundler that later reads this file).
const browser = await build({
  ...common, outdir: 'dist/browser', minifyWhitespace: true, minifyIdentifiers: true, sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]', metafile: true, external: ['webgpu', 'node:*'], mainFields: ['browser', 'module', 'main'],
});

// No output of the universal builds may import a Node built-in or the Dawn package by name.
const forbidden = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*|\brequire\s*\(\s*)["'](node:[^"']+|webgpu|fs|path|url|os|worker_threads|child_process)["']/g;
const leaks = [];
for (const file of [...Object.keys(universal.metafile.outputs), ...Object.keys(browser.metafile.outputs)].filter((f) => f.endsWith('.js'))) {
  for (const m of readFileSync(`${root}${file}`, 'utf8').matchAll(forbidden)) leaks.push(`${file}: ${m[0]}`);
}
if (leaks.length) throw new Error(`Node-only imports in the universal build (reach them at run time, in Node only, by a specifier bundlers cannot see):\n  ${leaks.join('\n  ')}`);

// The CLI (dist/cli.js, the package's `bin`) is a Node program that uses the library
// through its public API: imports of src/index.ts become the sibling ./index.js (and of
// src/bench/index.ts, the benchmark's public API, ./bench.js), so there is one copy of
// the library, and any other import of src/ outside src/cli is refused (it would
// bundle a second copy of the runtime).
const cliUsesPublicApi = {
  name: 'cli-uses-public-api',
  setup(b) {
    const index = join(root, 'src', 'index.ts');
    const bench = join(root, 'src', 'bench', 'index.ts');
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      if (target === index) return { path: './index.js', external: true };
      if (target === bench) return { path: './bench.js', external: true };
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
  // the launcher (dist/cli.js, which loads nothing of the library) and the program (dist/cli-main.js)
  entryPoints: [{ in: 'src/cli.ts', out: 'cli' }, { in: 'src/cli/main.ts', out: 'cli-main' }],
  outdir: 'dist',
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
// Declarations of the entries that are not files of src/ themselves.
writeFileSync(`${root}dist/core.d.ts`, "// 'webgrad/core': the whole API with only the cpu backend built in.\nexport * from './index.js';\n");
writeFileSync(`${root}dist/worker.d.ts`, "export * from './worker/index.js';\n");
writeFileSync(`${root}dist/bench.d.ts`, "// 'webgrad/bench': the WebGPU / WASM / JS throughput comparison behind `webgrad bench`.\nexport * from './bench/index.js';\n");
for (const name of backendEntries) writeFileSync(`${root}dist/${name}.d.ts`, `// 'webgrad/${name}': importing it makes setBackend('${name}') available.\nexport {};\n`);
// Declarations that compile without @webgpu/types or the ESNext lib (scripts/dts-stubs.mjs).
addAmbientStubs(`${root}dist`);
console.log(`built dist/ (entries: ${entryPoints.map((e) => e.out).join(', ')}; the CLI), dist/browser/`);

reportBundleSizes({ root, backends: backendEntries, metafile: browser.metafile });
