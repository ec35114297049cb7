// The built package (dist/, made by `npm run build` before the tests) is importable
// as 'webgrad' from a script in the repo (self-reference) and from a bundler.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const APP = `
import * as wg from 'webgrad';
const model = wg.sequential([wg.layers.dense({ units: 2, inputDim: 2, kernelInitializer: 'ones' })]);
const y = await model.predict(wg.tensor([[1, 2]])).data();
console.log(JSON.stringify({ backend: wg.getBackend(), y: Array.from(y) }));
`;

describe('the package', () => {
  it("resolves 'webgrad' from a script inside the repo (package self-reference)", () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', APP], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ backend: 'cpu', y: [3, 3] });
  });

  it('bundles with esbuild for the browser with no configuration, and the bundle runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webgrad-bundle-'));
    writeFileSync(join(dir, 'app.mjs'), APP);
    await build({
      entryPoints: [join(dir, 'app.mjs')],
      outfile: join(dir, 'bundle.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      alias: { webgrad: root },
      logLevel: 'silent',
    });
    const out = execFileSync(process.execPath, [join(dir, 'bundle.mjs')], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ backend: 'cpu', y: [3, 3] });
  });
});
