// Measures what an app ships: each case is a tiny app bundled and minified by
// esbuild the way a user's bundler would (everything reachable, lazy backends
// included), gzipped at level 9. TensorFlow.js is measured from its published
// minified ESM files in node_modules. Prints a table and writes the "Bundle size"
// section of docs/benchmarks.md (other sections of that file are left alone).
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => (n === 0 ? '–' : `${(n / 1024).toFixed(1)} KB`);

async function appSize(root, source) {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js', sourcefile: 'app.js' },
    bundle: true, minify: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error',
  });
  const js = result.outputFiles[0].contents;
  return { js: js.length, jsGzip: gz(js) };
}

function fileSize(path) {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gz(bytes) };
}

/** Rows of the table: { label, js, jsGzip, wasm, wasmGzip }. */
export async function measure({ root, backends }) {
  const rows = [];
  const app = (imports) => `${imports}\nglobalThis.wg = wg;\n`;
  rows.push({ label: "`webgrad/core` (whole API, cpu backend)", ...(await appSize(root, app("import * as wg from 'webgrad/core';"))) });
  for (const name of backends) {
    rows.push({ label: `\`webgrad/core\` + \`webgrad/${name}\``, ...(await appSize(root, app(`import * as wg from 'webgrad/core';\nimport 'webgrad/${name}';`))) });
  }
  rows.push({ label: '`webgrad` (all backends)', ...(await appSize(root, app("import * as wg from 'webgrad';"))) });
  rows.push({ label: '`webgrad/worker` (page side of a worker)', ...(await appSize(root, "import * as w from 'webgrad/worker';\nglobalThis.w = w;\n")) });
  for (const row of rows) Object.assign(row, { wasm: 0, wasmGzip: 0 });

  // .wasm modules as separate files (the wasm backend inlines them into its JS, so
  // they are counted in the JS columns above too; listed to show what the kernels weigh).
  const wasmDir = `${root}build`;
  const wasmFiles = existsSync(wasmDir) ? readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')).sort() : [];
  for (const file of wasmFiles) {
    const { raw, gzip } = fileSize(`${wasmDir}/${file}`);
    rows.push({ label: `\`build/${file}\` (inlined in the wasm backend above)`, js: 0, jsGzip: 0, wasm: raw, wasmGzip: gzip });
  }

  const tf = `${root}node_modules/@tensorflow`;
  const peers = [];
  if (existsSync(`${tf}/tfjs-core/package.json`) && existsSync(`${tf}/tfjs-backend-wasm/package.json`)) {
    const version = (pkg) => JSON.parse(readFileSync(`${tf}/${pkg}/package.json`, 'utf8')).version;
    const core = fileSize(`${tf}/tfjs-core/dist/tf-core.fesm.min.js`);
    const backend = fileSize(`${tf}/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.min.js`);
    const simd = fileSize(`${tf}/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm`);
    const coreWasm = {
      label: `TF.js: tfjs-core ${version('tfjs-core')} + tfjs-backend-wasm ${version('tfjs-backend-wasm')} (SIMD .wasm)`,
      js: core.raw + backend.raw, jsGzip: core.gzip + backend.gzip, wasm: simd.raw, wasmGzip: simd.gzip,
    };
    peers.push(coreWasm);
    if (existsSync(`${tf}/tfjs-layers/package.json`)) {
      const layers = fileSize(`${tf}/tfjs-layers/dist/tf-layers.fesm.min.js`);
      peers.push({
        label: `TF.js: the above + tfjs-layers ${version('tfjs-layers')} (layers, fit: what webgrad's API includes)`,
        js: coreWasm.js + layers.raw, jsGzip: coreWasm.jsGzip + layers.gzip, wasm: simd.raw, wasmGzip: simd.gzip,
      });
    }
  }
  return { rows, peers };
}

function table({ rows, peers }) {
  const line = (r) => `| ${r.label} | ${kb(r.js)} | ${kb(r.jsGzip)} | ${kb(r.wasm)} | ${kb(r.wasmGzip)} | ${kb(r.jsGzip + r.wasmGzip)} |`;
  return [
    '| what an app ships | JS min | JS gzip | .wasm | .wasm gzip | total gzip |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(line),
    ...peers.map(line),
  ].join('\n');
}

function section(sizes) {
  return `## Bundle size

What a browser app downloads, written by \`npm run build\` (scripts/bundle-size.mjs).
Each webgrad row is a one-line app (\`import * as wg from '…'\`, using the whole API)
bundled and minified by esbuild, everything reachable included (lazily loaded backends
too); gzip at level 9. The wasm backend carries its .wasm inline, so its JS column
includes the kernels; the .wasm rows show them alone. TensorFlow.js is measured from
its published minified ESM files (\`dist/*.fesm.min.js\`, the SIMD \`.wasm\` a SIMD
browser loads) in node_modules, at the exact versions in package.json.

${table(sizes)}

An app that imports \`webgrad/core\` plus one backend entry ships no code of the other
backend (test/package/bundle.node.test.ts checks the bundles for WGSL and WASM).
`;
}

export async function reportBundleSizes({ root, backends }) {
  const sizes = await measure({ root, backends });
  console.log(`\nbundle sizes (minified; gzip -9):\n${table(sizes)}\n`);
  const path = `${root}docs/benchmarks.md`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const text = section(sizes);
  const start = current.indexOf('## Bundle size\n');
  let next;
  if (start < 0) next = `${current.trimEnd()}\n\n${text}`;
  else {
    const end = current.indexOf('\n## ', start + 1);
    next = `${current.slice(0, start)}${text}${end < 0 ? '' : `\n${current.slice(end + 1)}`}`;
  }
  if (next !== current) writeFileSync(path, next);
}
