// What the Deno parity tests share: the backends they try, a Node run of the same
// training as the reference, the comparison within a tolerance, and the rule for a
// backend Deno cannot start (skipped locally, a failure in CI).
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';

export const DENO_BACKENDS: wg.BackendName[] = ['cpu', 'wasm', 'webgpu'];

const strict = ['1', 'true'].includes(Deno.env.get('CI') ?? '');

/** Runs `script` (beside this file) with Node and parses what it prints as JSON. */
export async function nodeReference<T>(script: string): Promise<T> {
  const node = Deno.env.get('npm_node_execpath') ?? 'node';
  const path = new URL(script, import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(node, { args: [path] }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (code !== 0) throw new Error(`node ${path} failed (${code}): ${decode(stderr)}`);
  return JSON.parse(decode(stdout)) as T;
}

/** Throws at the first value further than `tolerance` (relative above 1) from `expected`. */
export function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: expected ${expected.length} values, got ${actual.length}`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) throw new Error(`${what}[${i}]: expected ${e}, got ${a} (tolerance ${tolerance})`);
  });
}

/** Selects `backend`; false (with a warning) when Deno cannot start it, outside CI, where that fails the test. */
export async function startBackend(backend: wg.BackendName): Promise<boolean> {
  try {
    await wg.setBackend(backend);
    return true;
  } catch (error) {
    if (strict) throw error;
    console.warn(`[webgrad deno tests] skipping backend ${backend}: ${(error as Error).message}`);
    return false;
  }
}
