// What a browser downloads, measured on the minified build (dist/browser, split into
// chunks as any bundler splits an app): for each case, the entry modules, every
// chunk they import statically, and the lazily imported chunks that the case loads
// on first use (the backend's module and, for wasm, the one kernel flavour a
// browser picks). Each file gzipped at level 9, as a server sends it. TensorFlow.js
// is measured from its published minified ESM files in node_modules. Prints a table
// and writes the "Bundle size" section of docs/benchmarks.md (other sections of that
// file are left alone).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => (n === 0 ? '–' : `${(n / 1024).toFixed(1)} KB`);

function fileSize(path) {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gz(bytes) };
}

/**
 * The output files loaded from `entries`: static imports always, a dynamic import
 * only when `load(inputs)` says the case uses it (inputs: the source files in it).
 */
function loaded(metafile, entries, load) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const edge of metafile.outputs[path].imports) {
      if (edge.external) continue;
      if (edge.kind === 'import-statement' || load(Object.keys(metafile.outputs[edge.path].inputs))) visit(edge.path);
    }
  };
  for (const entry of entries) visit(entry);
  return [...seen].filter((p) => p.endsWith('.js'));
}

function sizeOf(root, files) {
  return files.reduce((total, file) => {
    const { raw, gzip } = fileSize(`${root}${file}`);
    return { js: total.js + raw, jsGzip: total.jsGzip + gzip, files: total.files + 1 };
  }, { js: 0, jsGzip: 0, files: 0 });
}

/** Source files whose chunks a case loads lazily. */
const LAZY = {
  wasm: (inputs) => inputs.some((i) => /src\/backends\/wasm\.ts$|src\/generated\/wasm-relaxed\.ts$/.test(i)),
  webgpu: (inputs) => inputs.some((i) => /src\/backends\/webgpu\.ts$/.test(i)),
};

/** Rows of the table: { label, js, jsGzip, wasm, wasmGzip }. */
export function measure({ root, backends, metafile, outdir = 'dist/browser' }) {
  const entry = (name) => `${outdir}/${name}.js`;
  const none = () => false;
  const rows = [];
  const row = (label, files) => rows.push({ label, ...sizeOf(root, files), wasm: 0, wasmGzip: 0 });
  row('`webgrad/core`: the whole API on the cpu backend', loaded(metafile, [entry('core')], none));
  for (const name of backends) {
    row(`\`webgrad/core\` + \`webgrad/${name}\`, after \`setBackend('${name}')\``, loaded(metafile, [entry('core'), entry(name)], LAZY[name] ?? none));
  }
  if (backends.length) {
    row('`webgrad` (all backends) before any `setBackend`', loaded(metafile, [entry('index')], none));
    row('`webgrad`: every chunk a server hosts (all backends and kernel flavours)', loaded(metafile, [entry('index')], () => true));
  }
  row('`webgrad/worker`: the page side of a training worker', loaded(metafile, [entry('worker')], none));

  // The kernels as a plain .wasm file, to show what they weigh (the backend inlines them).
  const wasmFile = `${root}build/webgrad-relaxed.wasm`;
  if (existsSync(wasmFile)) {
    const { raw, gzip } = fileSize(wasmFile);
    rows.push({ label: '`build/webgrad-relaxed.wasm`: the kernels alone (inlined as base64 in the row above)', js: 0, jsGzip: 0, wasm: raw, wasmGzip: gzip });
  }

  const tf = `${root}node_modules/@tensorflow`;
  const peers = [];
  if (existsSync(`${tf}/tfjs-core/package.json`) && existsSync(`${tf}/tfjs-backend-wasm/package.json`)) {
    const version = (pkg) => JSON.parse(readFileSync(`${tf}/${pkg}/package.json`, 'utf8')).version;
    const core = fileSize(`${tf}/tfjs-core/dist/tf-core.fesm.min.js`);
    const backend = fileSize(`${tf}/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.min.js`);
    const simd = fileSize(`${tf}/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm`);
    const coreWasm = {
      label: `TF.js: tfjs-core ${version('tfjs-core')} + tfjs-backend-wasm ${version('tfjs-backend-wasm')} (its SIMD .wasm)`,
      js: core.raw + backend.raw, jsGzip: core.gzip + backend.gzip, wasm: simd.raw, wasmGzip: simd.gzip,
    };
    peers.push(coreWasm);
    if (existsSync(`${tf}/tfjs-layers/package.json`)) {
      const layers = fileSize(`${tf}/tfjs-layers/dist/tf-layers.fesm.min.js`);
      peers.push({
        label: `TF.js: the same + tfjs-layers ${version('tfjs-layers')} (layers, compile/fit, as webgrad's API has)`,
        js: coreWasm.js + layers.raw, jsGzip: coreWasm.jsGzip + layers.gzip, wasm: simd.raw, wasmGzip: simd.gzip,
      });
    }
  }
  return { rows, peers };
}

function table({ rows, peers }) {
  const line = (r) => `| ${r.label} | ${kb(r.js)} | ${kb(r.jsGzip)} | ${kb(r.wasm)} | ${kb(r.wasmGzip)} | **${kb(r.jsGzip + r.wasmGzip)}** |`;
  return [
    '| what a browser downloads | JS min | JS gzip | .wasm | .wasm gzip | total gzip |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(line),
    ...peers.map(line),
  ].join('\n');
}

function section(sizes) {
  return `## Bundle size

What a browser downloads, written by \`npm run build\` (scripts/bundle-size.mjs) from
the minified build in \`dist/browser/\`: the entry modules, every chunk they import,
and the chunks loaded lazily on first use (the backend's module and, for wasm, the
one kernel flavour a browser picks: relaxed SIMD, single-threaded). Every file is
gzipped at level 9 on its own, as a server sends it. The wasm backend carries its
kernels inline (base64 in a JS chunk), so its JS columns include them. TensorFlow.js is
measured from its published minified ESM files (\`dist/*.fesm.min.js\`, and the SIMD
\`.wasm\` a SIMD browser loads) in node_modules, at the exact versions in package.json.

${table(sizes)}

An app that imports \`webgrad/core\` and one backend entry ships no code of the other
backend; test/package/browser-builds.node.test.ts checks what Vite builds for such apps.
`;
}

/** The README's short version: what an app downloads, gzipped, next to TF.js. */
function shortTable({ rows, peers }) {
  const picked = rows.filter((r) => r.label.startsWith('`webgrad/core`'));
  return [
    '| a browser app with | downloads (gzip) |',
    '|---|---:|',
    ...[...picked, ...peers].map((r) => `| ${r.label} | ${kb(r.jsGzip + r.wasmGzip)} |`),
  ].join('\n');
}

/** Replaces the text between two marker comments in a file, if both are there. */
function replaceBetween(path, start, end, text) {
  if (!existsSync(path)) return;
  const current = readFileSync(path, 'utf8');
  const a = current.indexOf(start);
  const b = current.indexOf(end);
  if (a < 0 || b < a) return;
  const next = `${current.slice(0, a + start.length)}\n${text}\n${current.slice(b)}`;
  if (next !== current) writeFileSync(path, next);
}

export function reportBundleSizes(options) {
  const sizes = measure(options);
  console.log(`\nwhat a browser downloads (minified; gzip -9 per file):\n${table(sizes)}\n`);
  const path = `${options.root}docs/benchmarks.md`;
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
  replaceBetween(`${options.root}README.md`, '<!-- bundle-size:start -->', '<!-- bundle-size:end -->', shortTable(sizes));
}
