// Which backends the suites run on. Every suite is written once and run for each
// backend listed here, in Node and in Chromium alike. In CI (CI=true) a backend that
// cannot start is a failure; on a developer's machine it is skipped with a one-line
// reason. The flags come from vitest.config.ts (`provide`), so this file needs no
// `process` and runs in the browser too.

import { inject } from 'vitest';
import * as wg from '../../src/index.js';

export type Name = wg.BackendName;

/** Backends that exist in this build, in the order suites run them. */
export const ALL_BACKENDS: readonly Name[] = ['cpu', 'wasm', 'webgpu'];

declare module 'vitest' {
  export interface ProvidedContext {
    /** CI: a backend that cannot start fails the run. */
    strictBackends: boolean;
    /** WEBGRAD_REQUIRE_WEBGPU=1: a missing WebGPU adapter fails the run anywhere. */
    requireWebgpu: boolean;
  }
}

/** Whether a backend that cannot start here fails the run. */
export function mustRun(name: Name): boolean {
  return inject('strictBackends') || (name === 'webgpu' && inject('requireWebgpu'));
}

export interface BackendCase {
  readonly name: Name;
  /** Why it is skipped here, or undefined when it runs. */
  readonly skip?: string;
}

/** Probes each backend once; throws where it must run but cannot start. */
export async function backendCases(): Promise<BackendCase[]> {
  const cases: BackendCase[] = [];
  for (const name of ALL_BACKENDS) {
    try {
      await wg.setBackend(name);
      cases.push({ name });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (mustRun(name)) throw new Error(`backend ${name} must run here (CI or WEBGRAD_REQUIRE_WEBGPU) but could not start: ${reason}`);
      console.warn(`[webgrad tests] skipping backend ${name}: ${reason}`);
      cases.push({ name, skip: reason });
    }
  }
  await wg.setBackend('cpu');
  return cases;
}
