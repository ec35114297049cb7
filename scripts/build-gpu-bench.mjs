// Builds the self-contained GPU benchmark: dist-bench/webgrad-gpu-bench.mjs, which is
// `webgrad bench` (src/cli/gpu-bench.ts: the same command and options) with webgrad,
// tfjs-core, tfjs-backend-webgpu and tfjs-layers in one ESM file, and, beside it,
// node_modules/webgpu with only what Node needs to load Dawn on linux-x64
// (index.js, package.json, dist/linux-x64/dawn.node). Copy dist-bench/ to a
// machine that has a GPU and a `node` binary (>= 18), nothing else:
//   node dist-bench/webgrad-gpu-bench.mjs --backends webgpu --ops matmul,models --sizes 256,1024,2048,4096
// With --pack it also writes dist-bench-pack/webgrad-gpu-bench.tar.gz: the same
// files plus this machine's `node` binary (stripped when `strip` is available),
// about 40 MiB, for a machine that has no Node at all:
//   tar xzf webgrad-gpu-bench.tar.gz && ./webgrad-gpu-bench/node webgrad-gpu-bench/webgrad-gpu-bench.mjs --backends webgpu
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist-bench`;
rmSync(out, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/gpu-bench.ts'],
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
  'webgrad bench, self-contained (webgrad + TensorFlow.js + Dawn). Needs only a node binary (>= 18) and a GPU driver (Vulkan on Linux).\n' +
    '  node webgrad-gpu-bench.mjs --backends webgpu --ops matmul,models --sizes 256,1024,2048,4096\n' +
    '  node webgrad-gpu-bench.mjs --help            every option of `webgrad bench` (--tiles, --main-tile, --dawn-flag, --json, --chart)\n' +
    'Dawn flags: --dawn-flag backend=vulkan, or WEBGRAD_DAWN_FLAGS=backend=vulkan (comma-separated).\n',
);
const mb = (f) => (statSync(f).size / 2 ** 20).toFixed(1);
console.log(`built dist-bench/: webgrad-gpu-bench.mjs ${mb(`${out}/webgrad-gpu-bench.mjs`)} MiB, node_modules/webgpu/dist/linux-x64/dawn.node ${mb(`${out}/node_modules/webgpu/dist/linux-x64/dawn.node`)} MiB`);

if (process.argv.includes('--pack')) {
  const pack = `${root}dist-bench-pack`;
  const stage = `${pack}/webgrad-gpu-bench`;
  rmSync(pack, { recursive: true, force: true });
  mkdirSync(pack, { recursive: true });
  execFileSync('cp', ['-r', out, stage]);
  try {
    execFileSync('strip', ['-o', `${stage}/node`, process.execPath]);
  } catch {
    copyFileSync(process.execPath, `${stage}/node`);
  }
  execFileSync('chmod', ['+x', `${stage}/node`]);
  execFileSync('tar', ['czf', 'webgrad-gpu-bench.tar.gz', 'webgrad-gpu-bench'], { cwd: pack });
  rmSync(stage, { recursive: true, force: true });
  console.log(`packed dist-bench-pack/webgrad-gpu-bench.tar.gz (${mb(`${pack}/webgrad-gpu-bench.tar.gz`)} MiB, node ${process.version} included)`);
}
