// Which backend runs the ops: a lazy registry (so a bundle only pulls in the
// backends it uses), `setBackend`, and the active instance.

import type { Backend, BackendInfo, BackendName } from './backend.js';
import { checkNumber, checkOptions, closest, given } from '../options.js';
import { CpuBackend } from './cpu.js';

export type BackendChoice = BackendName | 'auto';

/**
 * Creates a backend from the options given to setBackend (undefined for the
 * defaults), or throws an error that says why it is not available here.
 */
export type BackendFactory = (options?: Readonly<Record<string, unknown>>) => Promise<Backend>;

/** Options setBackend passes to a backend (see each backend's create function). */
export interface BackendOptions {
  /** wasm: threads to split large kernels across (default: one per core). */
  readonly threads?: number;
  /** wasm: the 'relaxed' SIMD module or the plain 'simd' one (default 'auto': relaxed where the runtime validates it). */
  readonly flavour?: 'relaxed' | 'simd' | 'auto';
  readonly [option: string]: unknown;
}

/** Options of setBackend('auto'). */
export interface AutoOptions {
  /**
   * Time a few training steps of the model at hand on every backend that starts
   * (a software GPU included) and pick the fastest, instead of the fixed order.
   */
  readonly probe?: ProbeOptions;
}

export interface ProbeOptions {
  /**
   * The model whose dense layers give the widths (it must be built: call build() or
   * fit once). Only its shape is read: its weights stay on the backend that made them,
   * so build the model to train after choosing, or probe with `layers` instead.
   */
  readonly model?: { readonly weights: readonly { readonly shape: readonly number[] }[] };
  /** Layer widths, input first (e.g. [784, 128, 10]), when there is no model yet. */
  readonly layers?: readonly number[];
  /** Rows per step (default 32). */
  readonly batchSize?: number;
  /** Timed steps per backend after three warm-up steps (default 5). */
  readonly steps?: number;
}

interface Registration {
  readonly factory: BackendFactory;
  /** Higher wins under 'auto'. */
  readonly priority: number;
}

const KNOWN: readonly BackendName[] = ['cpu', 'wasm', 'webgpu'];
const registry = new Map<BackendName, Registration>();
const instances = new Map<BackendName, Backend>();
const failures = new Map<BackendName, string>();
let active: Backend | undefined;
let autoReason = '';

registry.set('cpu', { factory: async () => new CpuBackend(), priority: 0 });
// wasm and webgpu register themselves from entry-wasm.ts / entry-webgpu.ts (imported by
// builtin.ts for the full 'webgrad' entry), so 'webgrad/core' carries neither.

/**
 * Makes a backend selectable by name. A later registration of a name replaces the
 * earlier one: the next setBackend of that name creates a new instance (tensors on
 * the old one stay valid until disposed).
 */
export function registerBackend(name: BackendName, factory: BackendFactory, priority: number): void {
  if (!KNOWN.includes(name)) throw new Error(`registerBackend: name should be 'cpu', 'wasm' or 'webgpu', got ${JSON.stringify(name) ?? String(name)}`);
  if (typeof factory !== 'function') throw new TypeError(`registerBackend: factory should be a function returning a Promise of a backend, got ${given(factory)}`);
  if (typeof priority !== 'number' || !Number.isFinite(priority)) throw new TypeError(`registerBackend: priority should be a finite number, got ${JSON.stringify(priority) ?? String(priority)}`);
  registry.set(name, { factory, priority });
  instances.delete(name);
  failures.delete(name);
}

/** A backend whose device was lost (WebGPU) or that was disposed cannot run anything again. */
function isDead(backend: Backend): boolean {
  const details = backend.info().details;
  return isLost(backend) || details?.['disposed'] === true;
}

/** True once a backend's device is lost (only WebGPU devices can be). */
export function isLost(backend: Backend): boolean {
  return Boolean(backend.info().details?.['lost']);
}

/**
 * After `lost`'s device is gone: the first registered backend ranked below it under
 * 'auto' that starts (wasm, then cpu), which becomes the active backend. Returns it
 * with the reasons the ones before it could not start.
 */
export async function fallBackFrom(lost: Backend): Promise<{ backend: Backend; tried: string[] }> {
  const rank = registry.get(lost.name)?.priority ?? Infinity;
  const below = [...registry.entries()].filter(([name, r]) => name !== lost.name && r.priority < rank).sort((a, b) => b[1].priority - a[1].priority);
  const tried: string[] = [];
  for (const [name] of below) {
    try {
      active = await instantiate(name);
      return { backend: active, tried };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      failures.set(name, why);
      tried.push(`${name}: ${why}`);
    }
  }
  // cpu is always registered with the lowest priority; only a replaced registry gets here
  active = new CpuBackend();
  instances.set('cpu', active);
  return { backend: active, tried };
}

async function instantiate(name: BackendName, options?: BackendOptions): Promise<Backend> {
  const existing = instances.get(name);
  // After a lost GPU device, selecting the backend again starts a fresh one; new
  // options make a new instance too (tensors on the old one stay valid until disposed).
  if (existing && !isDead(existing) && options === undefined) return existing;
  const registration = registry.get(name);
  if (!registration) throw new Error(`backend '${name}' is not part of this build`);
  const backend = await registration.factory(options);
  instances.set(name, backend);
  return backend;
}

/**
 * Selects the backend for all following ops, optionally with options for it
 * (`setBackend('wasm', { threads: 1 })`). 'auto' tries the registered backends
 * from fastest to slowest, skipping a software GPU, and never fails where the cpu
 * backend would work; `setBackend('auto', { probe: { model, batchSize } })` instead
 * times a few training steps of the model's shape on each backend that starts and
 * picks the fastest. `backendInfo().reason` says why 'auto' chose what it chose.
 * Throws, listing what was tried and why it failed, when a named backend is not present.
 */
export async function setBackend(choice: 'auto', options?: AutoOptions): Promise<BackendName>;
export async function setBackend(choice: BackendChoice, options?: BackendOptions): Promise<BackendName>;
export async function setBackend(choice: BackendChoice, options?: BackendOptions | AutoOptions): Promise<BackendName> {
  if (choice !== 'auto' && !KNOWN.includes(choice)) {
    const suggestion = typeof choice === 'string' ? closest(choice, [...KNOWN, 'auto']) : undefined;
    throw new Error(`setBackend: expected 'cpu', 'wasm', 'webgpu' or 'auto', got ${JSON.stringify(choice) ?? String(choice)}${suggestion ? `; did you mean '${suggestion}'?` : ''}`);
  }
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError(`setBackend: options should be an object such as { threads: 2 }, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  if (choice !== 'auto') {
    try {
      active = await instantiate(choice, options as BackendOptions | undefined);
      autoReason = '';
      return active.name;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      failures.set(choice, why);
      throw new Error(`setBackend('${choice}'): backend is not available; tried ${choice}: ${why}`, { cause: error });
    }
  }
  const probe = checkAutoOptions(options as AutoOptions | undefined);
  const ordered = [...registry.entries()].sort((a, b) => b[1].priority - a[1].priority);
  const tried: string[] = [];
  if (probe) return probeAndPick(ordered.map(([name]) => name), probe, tried);
  for (const [name] of ordered) {
    try {
      const backend = await instantiate(name);
      // A software GPU (SwiftShader, llvmpipe) is slower than WASM: skip it when something else is left.
      if (backend.info().details?.software === true && ordered.some(([other]) => registry.get(other)!.priority < registry.get(name)!.priority)) {
        tried.push(`${name} skipped: its adapter is a software fallback (${backend.info().description})`);
        continue;
      }
      active = backend;
      autoReason = tried.length ? `picked ${name}; ${tried.join('; ')}` : `picked ${name}, the fastest registered backend`;
      return name;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      failures.set(name, why);
      tried.push(`${name} unavailable: ${why}`);
    }
  }
  // Unreachable while cpu is registered, but say so rather than fail silently.
  throw new Error(`setBackend('auto'): no backend could start; tried ${tried.join('; ')}`);
}

/** Checks setBackend('auto', options); returns the probe's widths and sizes, if one was asked for. */
function checkAutoOptions(options: AutoOptions | undefined): { widths: number[]; batch: number; steps: number } | undefined {
  for (const key of Object.keys(options ?? {})) {
    if (key !== 'probe') {
      throw new Error(`setBackend('auto'): unknown option '${key}' (expected probe); options for a backend apply to one named backend, e.g. setBackend('wasm', { threads: 2 })`);
    }
  }
  const probe = options?.probe;
  if (probe === undefined) return undefined;
  const fn = "setBackend('auto', { probe })";
  checkOptions(fn, probe, ['model', 'layers', 'batchSize', 'steps']);
  if ((probe.model === undefined) === (probe.layers === undefined)) {
    throw new Error(`${fn}: expected either model (a built model) or layers (widths such as [784, 128, 10]), got ${probe.model === undefined ? 'neither' : 'both'}`);
  }
  let widths: number[];
  if (probe.layers !== undefined) {
    const ok = Array.isArray(probe.layers) && probe.layers.length >= 2 && probe.layers.every((w) => Number.isInteger(w) && w >= 1);
    if (!ok) throw new Error(`${fn}: layers should be two or more positive integers, input width first (e.g. [784, 128, 10]), got ${Array.isArray(probe.layers) ? JSON.stringify(probe.layers) : given(probe.layers)}`);
    widths = [...probe.layers];
  } else {
    const model: unknown = probe.model;
    const weights = model !== null && typeof model === 'object' ? (model as { weights?: unknown }).weights : undefined;
    const kernels = Array.isArray(weights) ? (weights as { shape?: unknown }[]).filter((w): w is { shape: number[] } => Array.isArray(w?.shape) && w.shape.length === 2) : [];
    if (kernels.length === 0) throw new Error(`${fn}: model should be a built model with dense layers (call model.build(inputShape) first), got ${Array.isArray(weights) ? 'a model without weights yet' : given(model)}`);
    widths = [kernels[0]!.shape[0]!, ...kernels.map((k) => k.shape[1]!)];
  }
  const batch = checkNumber(fn, 'batchSize', probe.batchSize, 32, { integer: true, min: 1 });
  const steps = checkNumber(fn, 'steps', probe.steps, 5, { integer: true, min: 1, max: 1000 });
  return { widths, batch, steps };
}

/** 'auto' with a probe: every backend that starts is timed on the model's training step. */
async function probeAndPick(names: readonly BackendName[], probe: { widths: number[]; batch: number; steps: number }, tried: string[]): Promise<BackendName> {
  const candidates: { name: BackendName; backend: Backend }[] = [];
  for (const name of names) {
    try {
      candidates.push({ name, backend: await instantiate(name) });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      failures.set(name, why);
      tried.push(`${name} unavailable: ${why}`);
    }
  }
  const { probeTrainingStep } = await import('./probe.js');
  const timings = await probeTrainingStep(candidates, probe.widths, probe.batch, probe.steps);
  const timed = timings.filter((t) => t.ms !== undefined).sort((a, b) => a.ms! - b.ms!);
  const best = timed[0];
  const what = `a training step of an MLP ${probe.widths.join('-')} at batch ${probe.batch}`;
  const figures = timings.map((t) => (t.ms !== undefined ? `${t.name} ${t.ms < 10 ? t.ms.toFixed(2) : t.ms.toFixed(1)} ms` : `${t.name} failed (${t.error})`));
  if (!best) throw new Error(`setBackend('auto'): no backend could run the probe (${what}); ${[...tried, ...figures].join('; ')}`);
  active = candidates.find((c) => c.name === best.name)!.backend;
  autoReason = `picked ${best.name}: the fastest at ${what} in a probe (${figures.join(', ')})${tried.length ? `; ${tried.join('; ')}` : ''}`;
  return best.name;
}

/** The active backend; the cpu backend until `setBackend` chooses another. */
export function activeBackend(): Backend {
  if (!active) {
    active = new CpuBackend();
    instances.set('cpu', active);
  }
  return active;
}

/**
 * @internal Makes an instance the caller created and owns (a benchmark's wasm
 * backend on one thread, say) the active backend, outside the registry; returns the
 * previously active one so that the caller can put it back.
 */
export function useBackendInstance(backend: Backend | undefined): Backend | undefined {
  const previous = active;
  active = backend;
  return previous;
}

export function getBackend(): BackendName {
  return activeBackend().name;
}

export interface BackendReport extends BackendInfo {
  /** Why 'auto' chose this backend, when it did. */
  readonly reason?: string;
  /** Backends that failed to start in this process, with the reason. */
  readonly unavailable: Readonly<Record<string, string>>;
}

export function backendInfo(): BackendReport {
  const info = activeBackend().info();
  return { ...info, ...(autoReason ? { reason: autoReason } : {}), unavailable: Object.fromEntries(failures) };
}

/** Backends that are registered in this build (present or not). */
export function registeredBackends(): BackendName[] {
  return [...registry.keys()];
}

/**
 * Gives memory that backends keep for reuse back to the system: WebGPU destroys its
 * pooled and staging buffers, WASM returns what its allocator can; tensors stay valid.
 * Call it after a large job, or when the page needs memory for something else.
 */
export function releaseMemory(): void {
  for (const backend of instances.values()) backend.releaseMemory?.();
}

/** Frees a backend instance and all of its memory; the active one falls back to cpu. */
export function removeBackendInstance(name: BackendName): void {
  const backend = instances.get(name);
  if (!backend) return;
  instances.delete(name);
  if (active === backend) active = undefined;
  backend.dispose?.();
}
