// Makes the published declarations self-contained. The sources are type-checked
// against @webgpu/types and ESNext's disposable lib, but a project that uses webgrad
// may have neither (a Node program, a browser app on the ES2022 lib). tsc emits the
// names as they are (`device?: GPUDevice`, `[Symbol.dispose]()`), so a consumer with
// `skipLibCheck: false` would fail with "Cannot find name 'GPUDevice'". This writes
// dist/ambient.d.ts, which declares each such global name as an empty interface, and
// points every declaration file that uses one at it. Empty interfaces merge with the
// real declarations where a project has them (@webgpu/types, lib.esnext.disposable),
// so they change nothing there; elsewhere the GPU handles are opaque objects.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';

const AMBIENT = 'ambient.d.ts';

function declarationFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return declarationFiles(path);
    return name.endsWith('.d.ts') && name !== AMBIENT ? [path] : [];
  });
}

/** The code of a declaration file without its comments (TSDoc mentions "GPU" in prose). */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

export function addAmbientStubs(dist) {
  const gpuNames = new Set();
  const users = [];
  for (const file of declarationFiles(dist)) {
    const text = readFileSync(file, 'utf8');
    const body = code(text);
    const names = [...body.matchAll(/\bGPU(?:[A-Z]\w*)?\b/g)].map((m) => m[0]);
    const disposable = /\bSymbol\.(?:asyncD|d)ispose\b/.test(body);
    if (names.length === 0 && !disposable) continue;
    for (const n of names) gpuNames.add(n);
    users.push(file);
  }
  const lines = [
    '// Written by scripts/dts-stubs.mjs: global names the declarations use, as empty interfaces that',
    '// merge with @webgpu/types and lib.esnext.disposable where a project has them.',
    'export {};',
    'declare global {',
    ...[...gpuNames].sort().map((n) => `  interface ${n} {}`),
    '  interface SymbolConstructor {',
    '    readonly dispose: unique symbol;',
    '  }',
    '}',
    '',
  ];
  writeFileSync(join(dist, AMBIENT), lines.join('\n'));
  for (const file of users) {
    let rel = relative(dirname(file), join(dist, AMBIENT)).split('\\').join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    writeFileSync(file, `/// <reference path="${rel}" />\n${readFileSync(file, 'utf8')}`);
  }
  return { names: [...gpuNames], files: users.length };
}
