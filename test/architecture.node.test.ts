// The layering rules of docs/architecture.md, checked on the sources: each module's
// imports (static, re-exports and dynamic import()) are resolved to files and compared
// with what its place in the stack may use.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers/cli.js';

const SRC = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The src/-relative paths (with '/', '.ts') a file imports from, relative imports only. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'([^']+)'/gm)].map((m) => m[1]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(SRC, resolve(dirname(file), s)).split(sep).join('/').replace(/\.js$/, '.ts'));
}

const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path).split(sep).join('/'), imports: importsOf(path) }));
const isCli = (path: string) => path === 'cli.ts' || path.startsWith('cli/');

describe('architecture', () => {
  it('the scan sees the imports it checks (a file known to import the bench, ops, dynamic imports)', () => {
    const byPath = new Map(files.map((f) => [f.path, f.imports]));
    expect(files.length).toBeGreaterThan(100);
    expect(byPath.get('cli/bench.ts')).toContain('bench/index.ts');
    expect(byPath.get('nn/dense.ts')!.some((i) => i.startsWith('ops/'))).toBe(true);
    // setBackend('auto', { probe }) loads the probe with import()
    expect(byPath.get('backends/select.ts')).toContain('backends/probe.ts');
  });

  it('nothing outside src/bench/ imports from it, but the CLI its public entry (as webgrad/bench)', () => {
    const wrong = files.flatMap((f) => {
      if (f.path.startsWith('bench/')) return [];
      const allowed = isCli(f.path) ? ['bench/index.ts'] : [];
      return f.imports.filter((i) => i.startsWith('bench/') && !allowed.includes(i)).map((i) => `src/${f.path} imports src/${i}`);
    });
    expect(wrong).toEqual([]);
  });

  it('ops know nothing of layers, models or training', () => {
    const wrong = files.flatMap((f) => (f.path.startsWith('ops/') ? f.imports.filter((i) => /^(nn|models|train)/.test(i)).map((i) => `src/${f.path} imports src/${i}`) : []));
    expect(wrong).toEqual([]);
  });
});
