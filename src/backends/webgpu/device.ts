// Finding a WebGPU device, in one place and in a fixed order:
//   1. `navigator.gpu` (browsers, Deno, or a GPU object a Node program installed);
//   2. in Node, the `webgpu` package (Dawn), loaded lazily: its default adapter
//      (Vulkan / Metal / D3D12 where a driver is present), then the same in
//      compatibility mode, then Dawn's OpenGL ES backend on Mesa (surfaceless EGL)
//      in compatibility mode, which works headless on a machine with no GPU.
// Every attempt is recorded, so the error (when nothing works) and `info()` (when
// something does) say what was tried and why each attempt failed.

export type FeatureLevel = 'core' | 'compatibility';

export interface AcquiredDevice {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  /** How the device was found, e.g. "node webgpu (Dawn), backend=opengles". */
  readonly via: string;
  readonly featureLevel: FeatureLevel;
  /** The adapter request that succeeded (so a peer library can ask for the same adapter). */
  readonly adapterOptions: GPURequestAdapterOptions;
  /** Every attempt, in order, with its outcome. */
  readonly tried: readonly string[];
}

export interface AcquireOptions {
  /** Dawn toggles for the first Node attempt, e.g. ['backend=vulkan']. Defaults to $WEBGRAD_DAWN_FLAGS (comma-separated). */
  readonly dawnFlags?: readonly string[];
}

/** Limits worth raising to what the adapter allows (compatibility mode starts low). */
const RAISED_LIMITS = [
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
] as const;

interface Attempt {
  readonly label: string;
  readonly gpu: () => Promise<GPU>;
  readonly options: GPURequestAdapterOptions;
  readonly featureLevel: FeatureLevel;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function env(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env?.[name];
}

type DawnModule = { create(flags: string[]): GPU; globals: Record<string, unknown> };

let dawn: Promise<DawnModule> | undefined;

/** The `webgpu` package, imported lazily so that bundles for browsers never see it. */
function loadDawn(): Promise<DawnModule> {
  // A computed specifier keeps bundlers from resolving the native addon.
  const specifier = 'webgpu';
  dawn ??= (import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<DawnModule>).then((m) => {
    // Dawn's GPUBufferUsage, GPUMapMode, ... are globals in browsers; install them in Node.
    for (const [name, value] of Object.entries(m.globals)) {
      if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
    return m;
  });
  return dawn;
}

function attempts(options: AcquireOptions): Attempt[] {
  const list: Attempt[] = [];
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) {
    const gpu = nav.gpu;
    list.push({ label: 'navigator.gpu', gpu: async () => gpu, options: { powerPreference: 'high-performance' }, featureLevel: 'core' });
    list.push({
      label: 'navigator.gpu, compatibility mode',
      gpu: async () => gpu,
      options: { featureLevel: 'compatibility' } as GPURequestAdapterOptions,
      featureLevel: 'compatibility',
    });
  }
  if (isNode()) {
    const flags = [...(options.dawnFlags ?? (env('WEBGRAD_DAWN_FLAGS') ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
    const label = `node webgpu (Dawn)${flags.length ? ` [${flags.join(', ')}]` : ''}`;
    let defaultGpu: Promise<GPU> | undefined;
    const dawnDefault = () => (defaultGpu ??= loadDawn().then((m) => m.create(flags)));
    list.push({ label: `${label}, default adapter`, gpu: dawnDefault, options: { powerPreference: 'high-performance' }, featureLevel: 'core' });
    list.push({
      label: `${label}, compatibility mode`,
      gpu: dawnDefault,
      options: { featureLevel: 'compatibility' } as GPURequestAdapterOptions,
      featureLevel: 'compatibility',
    });
    list.push({
      label: 'node webgpu (Dawn), backend=opengles (EGL surfaceless), compatibility mode',
      gpu: async () => {
        const m = await loadDawn();
        // Mesa's EGL needs a platform when there is no display; must be set before Dawn initializes EGL.
        const p = (globalThis as { process?: { env: Record<string, string | undefined> } }).process;
        if (p) p.env['EGL_PLATFORM'] ??= 'surfaceless';
        return m.create(['backend=opengles']);
      },
      options: { featureLevel: 'compatibility' } as GPURequestAdapterOptions,
      featureLevel: 'compatibility',
    });
  }
  return list;
}

async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = (adapter.limits as unknown as Record<string, number | undefined>)[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('shader-f16')) requiredFeatures.push('shader-f16');
  return adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'webgrad' });
}

/** Finds a device, or throws an error that lists every attempt and why it failed. */
export async function acquireDevice(options: AcquireOptions = {}): Promise<AcquiredDevice> {
  const tried: string[] = [];
  const list = attempts(options);
  if (list.length === 0) tried.push('no navigator.gpu in this runtime, and not Node (where the webgpu package would be tried)');
  for (const attempt of list) {
    let gpu: GPU;
    try {
      gpu = await attempt.gpu();
    } catch (error) {
      const why = /Cannot find (package|module)|ERR_MODULE_NOT_FOUND/.test(message(error))
        ? 'the webgpu package is not installed (npm install webgpu)'
        : message(error);
      tried.push(`${attempt.label}: ${why}`);
      continue;
    }
    let adapter: GPUAdapter | null;
    try {
      adapter = await gpu.requestAdapter(attempt.options);
    } catch (error) {
      tried.push(`${attempt.label}: requestAdapter failed: ${message(error)}`);
      continue;
    }
    if (!adapter) {
      tried.push(`${attempt.label}: no adapter`);
      continue;
    }
    try {
      const device = await requestDevice(adapter);
      tried.push(`${attempt.label}: ok`);
      return { gpu, adapter, device, via: attempt.label, featureLevel: attempt.featureLevel, adapterOptions: attempt.options, tried };
    } catch (error) {
      tried.push(`${attempt.label}: requestDevice failed: ${message(error)}`);
    }
  }
  throw new Error(`webgpu: no WebGPU device could be created; tried ${tried.join('; ')}`);
}

export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  /** A CPU implementation (llvmpipe, lavapipe, SwiftShader, WARP) rather than a GPU. */
  readonly software: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|basic render|\bwarp\b|software/i;

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const fallback = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const summary = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
  const software = fallback || SOFTWARE.test(`${summary.vendor} ${summary.architecture} ${summary.device} ${summary.description}`);
  return { ...summary, isFallbackAdapter: fallback, software };
}
