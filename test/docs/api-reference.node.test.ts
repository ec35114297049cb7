// docs/api/ (the API reference, Markdown made by TypeDoc from the TSDoc comments) is
// committed so that it reads on the web and the README's links work; this test keeps
// it equal to what `npm run docs` makes from the current source.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.set(relative(dir, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return out;
}

describe('the API reference', () => {
  it('docs/api is what `npm run docs` makes from the current source', () => {
    const out = mkdtempSync(join(tmpdir(), 'webgrad-api-'));
    execFileSync(process.execPath, [`${root}node_modules/typedoc/bin/typedoc`, '--out', out, '--logLevel', 'Error'], { cwd: root, stdio: 'pipe' });
    const fresh = files(out);
    const committed = files(`${root}docs/api`);
    const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter((f) => fresh.get(f) !== committed.get(f)).sort();
    expect(stale, `docs/api is out of date in ${stale.join(', ')}: run npm run docs and commit docs/api`).toEqual([]);
    expect(fresh.get('webgrad.md')).toContain('### Tensor');
  }, 120_000);
});
