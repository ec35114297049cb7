// Builds the self-contained WebGPU benchmark: dist-bench/webgrad-gpu-bench.mjs
// (webgrad, tfjs-core and tfjs-backend-webgpu in one ESM file) and, beside it,
// node_modules/webgpu with only what Node needs to load Dawn on linux-x64
// (index.js, package.json, dist/linux-x64/dawn.node). Copy dist-bench/ to a
// machine that has a GPU and a `node` binary (>= 18), nothing else:
//   node dist-bench/webgrad-gpu-bench.mjs --gpu
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist-bench`;
rmSync(out, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/bench/webgpu-cli.ts'],
  outfile: `${out}/webgrad-gpu-bench.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  // tfjs' ESM builds, so that its gradient registry is the one its kernels use
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require()
  banner: { js: "import { createRequire as __webgradRequire } from 'node:module'; const require = __webgradRequire(import.meta.url);" },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'error',
});

const dawn = `${root}node_modules/webgpu`;
mkdirSync(`${out}/node_modules/webgpu/dist/linux-x64`, { recursive: true });
for (const file of ['package.json', 'index.js', 'dist/linux-x64/dawn.node']) copyFileSync(`${dawn}/${file}`, `${out}/node_modules/webgpu/${file}`);
writeFileSync(
  `${out}/README.txt`,
  'webgrad WebGPU benchmark (self-contained). Needs only a node binary (>= 18) and a GPU driver (Vulkan on Linux).\n' +
    '  node webgrad-gpu-bench.mjs --gpu            matmul n = 1024..8192 and two training steps, against tfjs-webgpu\n' +
    '  node webgrad-gpu-bench.mjs --sizes 64,2048  custom sizes; --no-tfjs; --json out.json; --help\n' +
    'Dawn flags: WEBGRAD_DAWN_FLAGS=backend=vulkan (comma-separated). The adapter search is printed first.\n',
);
const mb = (f) => (statSync(f).size / 2 ** 20).toFixed(1);
console.log(`built dist-bench/: webgrad-gpu-bench.mjs ${mb(`${out}/webgrad-gpu-bench.mjs`)} MiB, node_modules/webgpu/dist/linux-x64/dawn.node ${mb(`${out}/node_modules/webgpu/dist/linux-x64/dawn.node`)} MiB`);
