// The worker pool must never keep a Node process alive once the user's work ends,
// and a process that ends while workers start must not hang either.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runScript(body: string): { out: string; ms: number } {
  const script = `import * as wg from './src/index.ts';\n${body}`;
  const started = Date.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, WEBGRAD_WASM_THREADS: '2' },
  });
  return { out, ms: Date.now() - started };
}

describe('wasm worker pool', () => {
  it('lets the process exit after parallel work', () => {
    const { out } = runScript(`
      await wg.setBackend('wasm');
      const a = wg.randomNormal([400, 400]); // 2·400³ flops: enough for two threads
      const s = wg.sum(wg.matmul(a, a));
      console.log(JSON.stringify({ info: wg.backendInfo().description, finite: Number.isFinite((await s.data())[0]) }));
    `);
    expect(JSON.parse(out.trim())).toEqual({ info: expect.stringMatching(/2 threads/), finite: true });
  });

  it('lets the process exit when the backend is never used', () => {
    const { out } = runScript(`await wg.setBackend('wasm'); console.log('ok');`);
    expect(out.trim()).toBe('ok');
  });
});
