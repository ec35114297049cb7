// Backend instances created directly (not through setBackend) for the kernel tests that
// call primitives: the cpu reference where asked, wasm on one thread, webgpu. In CI a
// backend that cannot start fails the file; elsewhere it is skipped with a one-line reason.

import { afterAll } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu.js';
import { createWasmBackend } from '../../src/backends/wasm.js';
import { createWebGPUBackend } from '../../src/backends/webgpu.js';
import { mustRun } from '../helpers/backends.js';

export interface StartedBackend {
  readonly name: 'cpu' | 'wasm' | 'webgpu';
  /** undefined where it could not start here (and need not). */
  readonly backend: Backend | undefined;
}

/** Starts the backends (disposed after the file); `what` names the kernels in a skip message. */
export async function startBackends(what: string, options: { withCpu: boolean }): Promise<StartedBackend[]> {
  const started: StartedBackend[] = options.withCpu ? [{ name: 'cpu', backend: new CpuBackend() }] : [];
  for (const [name, create] of [['wasm', () => createWasmBackend({ threads: 1 })], ['webgpu', () => createWebGPUBackend()]] as const) {
    const backend = await create().catch((error: unknown) => {
      if (mustRun(name)) throw error;
      console.warn(`[webgrad tests] skipping ${name} ${what}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    started.push({ name, backend });
  }
  afterAll(() => started.forEach((s) => s.backend?.dispose?.()));
  return started;
}
