// `webgrad info`: the runtime, which backends start here (and why the others do not),
// the WebGPU adapter (software or not, features, limits) and the WebAssembly features
// the wasm backend uses; what 'auto' picks and why. --json for machines.

import { Command } from 'commander';
import { describeEnvironment, type EnvironmentReport } from '../bench/index.js';
import { action } from './options.js';

const yesNo = (v: boolean | undefined) => (v ? 'yes' : 'no');

/** Limits worth a line each; the rest are in --json. */
const KEY_LIMITS = [
  'maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage',
];

const bytes = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : n >= 2 ** 10 ? `${(n / 2 ** 10).toFixed(0)} KiB` : `${n} B`);

export function environmentText(env: EnvironmentReport): string {
  const out: string[] = [];
  const r = env.runtime;
  out.push(`runtime   ${r.description}${r.os ? `, ${r.os}` : ''}`);
  out.push(`cpu       ${r.cpu ? `${r.cpu}, ` : ''}${r.cores} cores`);
  out.push('', 'backends');
  const width = Math.max(...env.backends.map((b) => b.name.length));
  for (const b of env.backends) out.push(`  ${b.name.padEnd(width)}  ${b.present ? 'present ' : 'missing '}  ${b.detail}`);
  out.push(`  'auto' picks ${env.auto.backend}: ${env.auto.reason}`);
  const a = env.adapter;
  if (a) {
    out.push('', 'WebGPU adapter');
    out.push(`  name              ${a.name}`);
    if (a.vendor || a.architecture) out.push(`  vendor            ${[a.vendor, a.architecture].filter(Boolean).join(', ')}`);
    if (a.device && a.device !== a.name) out.push(`  device            ${a.device}`);
    out.push(`  software          ${a.software ? 'yes: a CPU implementation, slower than the wasm backend' : 'no: a real GPU'}${a.fallbackAdapter ? ' (the fallback adapter)' : ''}`);
    out.push(`  feature level     ${a.featureLevel || 'core'}`);
    out.push(`  found via         ${a.via}`);
    out.push(`  shader-f16        ${yesNo(a.shaderF16)}`);
    out.push(`  features          ${a.features.length ? [...a.features].sort().join(', ') : 'none'}`);
    for (const key of KEY_LIMITS) {
      const v = a.limits[key];
      if (v !== undefined) out.push(`  ${key.padEnd(34)}${/Size$/.test(key) && key !== 'maxComputeWorkgroupSizeX' ? bytes(v) : String(v)}`);
    }
  } else {
    out.push('', 'WebGPU adapter: none');
  }
  if (env.adapterSearch.length) out.push('  adapters tried:', ...env.adapterSearch.map((t) => `    ${t}`));
  const w = env.wasm;
  out.push('', 'WebAssembly');
  out.push(`  SIMD              ${yesNo(w.simd)}`);
  out.push(`  relaxed SIMD      ${yesNo(w.relaxedSimd)}`);
  out.push(`  threads           ${w.threads ? `yes (${w.workers}, SharedArrayBuffer)` : 'no'}${w.backendThreads ? `; the wasm backend runs ${w.backendThreads} thread${w.backendThreads === 1 ? '' : 's'}` : ''}`);
  if (w.crossOriginIsolated !== undefined) out.push(`  cross-origin isolated  ${yesNo(w.crossOriginIsolated)}`);
  if (w.flavour) out.push(`  kernels           ${w.flavour}`);
  for (const note of w.notes) out.push(`  note: ${note}`);
  return out.join('\n');
}

async function info(options: { json?: boolean }): Promise<void> {
  const env = await describeEnvironment();
  process.stdout.write(options.json ? `${JSON.stringify(env, null, 2)}\n` : `${environmentText(env)}\n`);
}

export function infoCommand(): Command {
  return new Command('info')
    .description('print the runtime, the backends present, the WebGPU adapter and the WebAssembly features')
    .option('--json', 'the same as JSON')
    .action(action('info', info));
}
