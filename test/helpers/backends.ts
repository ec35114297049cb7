// Which backends the suites run on. Every suite is written once and run for each
// backend listed here. In CI (CI=true) a backend that cannot start is a failure;
// on a developer's machine it is skipped with a one-line reason.
// WEBGRAD_REQUIRE_WEBGPU=1 makes a missing WebGPU adapter a failure anywhere.

import * as wg from '../../src/index.js';

export type Name = wg.BackendName;

/** Backends that exist in this build, in the order suites run them. */
export const ALL_BACKENDS: readonly Name[] = ['cpu', 'wasm', 'webgpu'];

const truthy = (v: string | undefined): boolean => v === 'true' || v === '1';
const strict = truthy(process.env.CI);

/** Whether a backend that cannot start here fails the run (CI, or WEBGRAD_REQUIRE_WEBGPU for webgpu). */
export function mustRun(name: Name): boolean {
  return strict || (name === 'webgpu' && truthy(process.env.WEBGRAD_REQUIRE_WEBGPU));
}

export interface BackendCase {
  readonly name: Name;
  /** Why it is skipped here, or undefined when it runs. */
  readonly skip?: string;
}

/** Probes each backend once; throws in CI when one cannot start. */
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
