// What this runtime offers webgrad: the runtime and its version, the backends that
// start, the WebGPU adapter (name, software or not, limits, features), and the
// WebAssembly features the wasm backend uses. Runs the same in Node, Deno and a
// browser (Node's built-ins are reached at run time only). `webgrad info` prints it;
// the benchmark names the machine from it.

import * as wg from '../index.js';
import { coreCount, threadsAvailable } from '../backends/wasm/pool.js';

export interface RuntimeInfo {
  readonly name: 'node' | 'deno' | 'bun' | 'browser' | 'unknown';
  /** e.g. "Node 20.20.2 (V8 11.3.244.8-node.35)", "Deno 2.1.4", the browser's user agent. */
  readonly description: string;
  readonly version: string;
  readonly os?: string;
  readonly cpu?: string;
  readonly cores: number;
}

export interface WasmFeatures {
  readonly webAssembly: boolean;
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly sharedArrayBuffer: boolean;
  /** In a page: whether it is cross-origin isolated (threads need it); undefined outside pages. */
  readonly crossOriginIsolated?: boolean;
  readonly workers: 'worker_threads' | 'Web Workers' | 'none';
  /** Whether the wasm backend can run kernels on several threads here. */
  readonly threads: boolean;
  /** What to do where a feature is missing. */
  readonly notes: readonly string[];
}

export interface BackendPresence {
  readonly name: wg.BackendName;
  readonly present: boolean;
  /** backendInfo().description when present, else why it did not start. */
  readonly detail: string;
}

export interface AdapterReport {
  readonly name: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU implementation (llvmpipe, SwiftShader, WARP...) rather than a GPU. */
  readonly software: boolean;
  readonly fallbackAdapter: boolean;
  readonly featureLevel: string;
  readonly via: string;
  readonly features: readonly string[];
  readonly shaderF16: boolean;
  readonly limits: Readonly<Record<string, number>>;
}

export interface EnvironmentReport {
  readonly runtime: RuntimeInfo;
  readonly backends: readonly BackendPresence[];
  readonly adapter?: AdapterReport;
  /** How the WebGPU device was searched for (every attempt and its outcome). */
  readonly adapterSearch: readonly string[];
  readonly wasm: WasmFeatures & { readonly backendThreads?: number; readonly workerCount?: number; readonly flavour?: string };
  /** What setBackend('auto') picks here, and why. */
  readonly auto: { readonly backend: wg.BackendName; readonly reason: string };
}

type Process = { versions?: Record<string, string | undefined>; platform?: string; arch?: string; getBuiltinModule?: (id: string) => unknown };
const proc = (): Process | undefined => (globalThis as { process?: Process }).process;

export async function runtimeInfo(): Promise<RuntimeInfo> {
  const cores = await coreCount();
  const deno = (globalThis as { Deno?: { version: { deno: string; v8: string }; build: { os: string; arch: string } } }).Deno;
  if (deno) {
    return { name: 'deno', version: deno.version.deno, description: `Deno ${deno.version.deno} (V8 ${deno.version.v8})`, os: `${deno.build.os} ${deno.build.arch}`, cores };
  }
  const p = proc();
  if (p?.versions?.['bun']) return { name: 'bun', version: p.versions['bun'], description: `Bun ${p.versions['bun']}`, cores };
  if (p?.versions?.node) {
    const os = p.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined;
    const cpu = os?.cpus()[0]?.model.trim();
    return {
      name: 'node',
      version: p.versions.node,
      description: `Node ${p.versions.node} (V8 ${p.versions['v8']})`,
      os: `${p.platform} ${p.arch}${os ? ` (${os.release()})` : ''}`,
      ...(cpu ? { cpu } : {}),
      cores,
    };
  }
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  if (nav?.userAgent) {
    const m = /(Firefox|Edg|Chrome|Chromium|Version)\/([\d.]+)/.exec(nav.userAgent);
    const name = m ? (m[1] === 'Version' ? 'Safari' : m[1] === 'Edg' ? 'Edge' : m[1]!) : 'a browser';
    return { name: 'browser', version: m?.[2] ?? '', description: `${name} ${m?.[2] ?? ''} (${nav.userAgent})`.trim(), cores };
  }
  return { name: 'unknown', version: '', description: 'an unknown JavaScript runtime', cores };
}

// Smallest modules that use each feature (hand-assembled): a function returning a
// v128 constant, and one returning f32x4.relaxed_madd of three constants.
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const V128_FN_TYPE = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];
const V128_CONST = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const SIMD_MODULE = [...HEADER, ...V128_FN_TYPE, 0x0a, 0x16, 0x01, 0x14, 0x00, ...V128_CONST, 0x0b];
const RELAXED_MODULE = [...HEADER, ...V128_FN_TYPE, 0x0a, 0x3d, 0x01, 0x3b, 0x00, ...V128_CONST, ...V128_CONST, ...V128_CONST, 0xfd, 0x85, 0x02, 0x0b];

function validates(bytes: readonly number[]): boolean {
  try {
    return WebAssembly.validate(new Uint8Array(bytes));
  } catch {
    return false;
  }
}

export function wasmFeatures(runtime: RuntimeInfo['name']): WasmFeatures {
  const webAssembly = typeof WebAssembly !== 'undefined';
  const simd = webAssembly && validates(SIMD_MODULE);
  const relaxedSimd = webAssembly && validates(RELAXED_MODULE);
  const sharedArrayBuffer = typeof SharedArrayBuffer !== 'undefined';
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  const workers = runtime === 'node' || runtime === 'deno' || runtime === 'bun' ? 'worker_threads' : typeof Worker !== 'undefined' ? 'Web Workers' : 'none';
  const threads = threadsAvailable();
  const notes: string[] = [];
  if (!webAssembly) notes.push('no WebAssembly: only the cpu backend can run');
  else if (!simd) notes.push('no WebAssembly SIMD: the wasm backend cannot start (it needs SIMD128)');
  if (simd && !relaxedSimd) {
    notes.push(runtime === 'node'
      ? 'relaxed SIMD is off: Node 20 needs --experimental-wasm-relaxed-simd (the wasm backend then uses fused multiply-adds)'
      : 'no relaxed SIMD: the wasm backend uses its plain SIMD build');
  }
  if (!threads) {
    notes.push(runtime === 'browser'
      ? 'one thread: threads need a cross-origin isolated page (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)'
      : 'one thread: this runtime has no SharedArrayBuffer or workers');
  }
  return { webAssembly, simd, relaxedSimd, sharedArrayBuffer, ...(isolated !== undefined ? { crossOriginIsolated: isolated } : {}), workers, threads, notes };
}

function adapterOf(details: Readonly<Record<string, unknown>>): AdapterReport {
  const a = (details['adapter'] ?? {}) as Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    name: a.description || a.device || a.vendor || 'unknown adapter',
    vendor: str(a.vendor),
    architecture: str(a.architecture),
    device: str(a.device),
    description: str(a.description),
    software: details['software'] === true,
    fallbackAdapter: details['fallbackAdapter'] === true,
    featureLevel: str(details['featureLevel']),
    via: str(details['via']),
    features: (details['features'] as string[] | undefined) ?? [],
    shaderF16: details['shaderF16'] === true,
    limits: (details['limits'] as Record<string, number> | undefined) ?? {},
  };
}

/** Starts every registered backend once (the active one changes: 'auto' is left active). */
export async function describeEnvironment(): Promise<EnvironmentReport> {
  const runtime = await runtimeInfo();
  const backends: BackendPresence[] = [];
  let adapter: AdapterReport | undefined;
  let adapterSearch: readonly string[] = [];
  let wasmDetails: { backendThreads?: number; workerCount?: number; flavour?: string } = {};
  const order: wg.BackendName[] = ['webgpu', 'wasm', 'cpu'];
  for (const name of order.filter((n) => wg.registeredBackends().includes(n))) {
    try {
      await wg.setBackend(name);
      const info = wg.backendInfo();
      backends.push({ name, present: true, detail: info.description });
      if (name === 'webgpu' && info.details) {
        adapter = adapterOf(info.details);
        adapterSearch = (info.details['tried'] as string[] | undefined) ?? [];
      }
      if (name === 'wasm' && info.details) {
        const threads = Number(info.details['threads']);
        wasmDetails = { backendThreads: threads, workerCount: threads - 1, flavour: String(info.details['flavour']) };
      }
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      // "setBackend('x'): backend is not available; tried x: <why>": keep the why
      const at = text.indexOf(`tried ${name}: `);
      const detail = at >= 0 ? text.slice(at + `tried ${name}: `.length) : text;
      backends.push({ name, present: false, detail });
      if (name === 'webgpu') adapterSearch = detail.replace(/^webgpu: no WebGPU device could be created; tried /, '').split('; ');
    }
  }
  const choice = await wg.setBackend('auto');
  return {
    runtime,
    backends,
    ...(adapter ? { adapter } : {}),
    adapterSearch,
    wasm: { ...wasmFeatures(runtime.name), ...wasmDetails },
    auto: { backend: choice, reason: wg.backendInfo().reason ?? '' },
  };
}

/** "Intel(R) Xeon(R) Processor" → "Intel Xeon". */
export function shortCpu(model: string): string {
  return model.replace(/\((R|TM|tm|r)\)/g, '').replace(/\b(CPU|Processor)\b/g, '').replace(/@.*$/, '').replace(/\s+/g, ' ').trim();
}
