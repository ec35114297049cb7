// docs/from-tfjs.md stays true: every ```ts block in it is tagged `ts run`, and each
// runs here (its `import * as wg from 'webgrad'` bound to the sources) on every
// backend, in a fresh folder (one snippet saves a model), without an error.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();
const doc = readFileSync(fileURLToPath(new URL('../../docs/from-tfjs.md', import.meta.url)), 'utf8');
const IMPORT = "import * as wg from 'webgrad';\n";
const snippets = [...doc.matchAll(/^```ts run\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

type Snippet = (lib: typeof wg) => Promise<void>;
const AsyncFunction = (async () => {}).constructor as new (arg: string, body: string) => Snippet;

/** The snippet as a function of `wg`: its import removed, its types stripped. */
function compile(source: string): Snippet {
  expect(source.startsWith(IMPORT), 'each snippet starts with the import a user writes').toBe(true);
  const { code } = transformSync(source.slice(IMPORT.length), { loader: 'ts' });
  return new AsyncFunction('wg', code);
}

const dir = mkdtempSync(join(tmpdir(), 'webgrad-from-tfjs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/from-tfjs.md', () => {
  it('has snippets, every one of them tagged to run', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
    expect((doc.match(/^```ts\b/gm) ?? []).length).toBe(snippets.length);
  });

  describe.each(cases)('on $name', ({ name, skip }) => {
    it.skipIf(skip)('every snippet runs', async () => {
      const cwd = process.cwd();
      const printed: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
      process.chdir(dir);
      try {
        for (const [i, source] of snippets.entries()) {
          await wg.setBackend(name);
          wg.setSeed(1);
          await expect(compile(source)(wg), `snippet ${i + 1}:\n${source}`).resolves.toBeUndefined();
        }
      } finally {
        process.chdir(cwd);
        log.mockRestore();
      }
      // what the snippets print is what their comments say where it is exact
      expect(printed).toContain('4 float32 2,2');
      expect(printed).toContain(name === 'webgpu' ? 'Tensor float32 [2,2] on webgpu (values not read: await t.print() or t.array())' : 'Tensor float32 [2,2]\n[[  1, 2.5],\n [  3,   4]]');
      expect(printed).toContain('number number');
      expect(printed).toContain('1');
      expect(printed).toContain('1e-8 0.9');
      expect(printed).toContain('cpu cpu');
      expect(printed.some((l) => /^fit: x holds NaN at row 1, column 1;/.test(l))).toBe(true);
      expect(printed).toContain('loss,acc,val_loss,val_acc');
    });
  });
});
