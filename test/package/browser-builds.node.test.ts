// The built package in Chromium as users load it: the minified build from a plain
// <script type="module"> page, and an app built by Vite with no configuration. Both
// train the seed example on every backend of this build and must agree with Node.
// Also: what Vite ships for an app that imports 'webgrad/core' plus one backend.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build as viteBuild } from 'vite';
import * as wg from '../../src/index.js';
import { ALL_BACKENDS } from '../helpers/backends.js';
import { IN_CI, chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { type StaticServer, serveStatic } from '../helpers/static-server.js';
import { runSeedOnEveryBackend } from './fixtures/seed-app.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = `${root}test/package/fixtures`;

interface SeedResult { unavailable?: string; backend?: string; losses?: number[]; prediction?: number }
type Results = Record<string, SeedResult> & { error?: string; csv?: { columns: string[]; rows: string[][] } };

/** A directory laid out like a user's project that installed webgrad. */
function userProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'webgrad-app-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'webgrad'), 'dir');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function viteBuildApp(main: string): Promise<string> {
  const dir = userProject({
    'index.html': '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>\n',
    'main.js': main,
  });
  await viteBuild({ root: dir, logLevel: 'silent', configFile: false, build: { outDir: join(dir, 'dist'), minify: true } });
  return join(dir, 'dist');
}

function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(js|wasm)$/.test(e.name))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'latin1'))
    .join('\n');
}

/** Code that only a backend's own module contains. */
const MARKERS: Record<string, RegExp> = {
  webgpu: /@compute|@workgroup_size|requestAdapter/,
  wasm: /WebAssembly\.(instantiate|compile|Module)|AGFzbQ/, // AGFzbQ: base64 of the "\0asm" magic
};

const missing = chromiumMissing();

describe.skipIf(missing)('the built package in Chromium', () => {
  let browser: Browser;
  let server: StaticServer | undefined;
  let node: Results;
  beforeAll(async () => {
    browser = await launchChromium();
    node = (await runSeedOnEveryBackend(wg)) as Results;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function resultsOf(url: string): Promise<Results> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => 'webgradResults' in window, undefined, { timeout: 90_000 });
    const results = (await page.evaluate(() => (window as unknown as { webgradResults: unknown }).webgradResults)) as Results;
    await page.close();
    expect(errors).toEqual([]);
    expect(results.error).toBeUndefined();
    return results;
  }

  function expectSameAsNode(results: Results): void {
    expect(results.csv).toEqual({ columns: ['a', 'b'], rows: [['1', '2'], ['3', '4']] });
    for (const name of ALL_BACKENDS) {
      const r = results[name]!;
      if (r.unavailable) {
        if (IN_CI) throw new Error(`backend ${name} must run in CI but is unavailable in Chromium: ${r.unavailable}`);
        console.warn(`[webgrad tests] skipping backend ${name} in Chromium: ${r.unavailable}`);
        continue;
      }
      expect(r.backend).toBe(name);
      const tolerance = name === 'cpu' ? 1e-6 : 1e-4;
      r.losses!.forEach((l, i) => expect(Math.abs(l - node.cpu!.losses![i]!)).toBeLessThanOrEqual(tolerance));
      expect(Math.abs(r.prediction! - node.cpu!.prediction!)).toBeLessThanOrEqual(tolerance);
    }
  }

  it('runs from a plain <script type="module"> page (dist/browser, no bundler)', async () => {
    server = await serveStatic(root);
    expectSameAsNode(await resultsOf(`${server.url}/test/package/fixtures/plain.html`));
  });

  it('runs from an app that Vite builds with no configuration', async () => {
    const seedApp = readFileSync(`${fixtures}/seed-app.js`, 'utf8');
    const out = await viteBuildApp(`import * as wg from 'webgrad';\n${seedApp}\nwindow.webgradResults = await runSeedOnEveryBackend(wg);\n`);
    const appServer = await serveStatic(out);
    try {
      expectSameAsNode(await resultsOf(`${appServer.url}/index.html`));
    } finally {
      await appServer.close();
    }
  });
});

describe('tree shaking', () => {
  const entries = ALL_BACKENDS.filter((name) => name !== 'cpu');

  it("an app on 'webgrad/core' ships no backend besides cpu, and 'webgrad' ships them all", async () => {
    const core = allText(await viteBuildApp("import * as wg from 'webgrad/core';\nwindow.wg = wg;\n"));
    const full = allText(await viteBuildApp("import * as wg from 'webgrad';\nwindow.wg = wg;\n"));
    for (const name of entries) {
      expect(core, `webgrad/core contains ${name} code`).not.toMatch(MARKERS[name]!);
      expect(full, `webgrad lacks ${name} code`).toMatch(MARKERS[name]!);
    }
    expect(core.length).toBeLessThanOrEqual(full.length);
  });

  it.each(entries)("an app on 'webgrad/core' + 'webgrad/%s' ships that backend and no other", async (name) => {
    const text = allText(await viteBuildApp(`import * as wg from 'webgrad/core';\nimport 'webgrad/${name}';\nwindow.wg = wg;\n`));
    expect(text).toMatch(MARKERS[name]!);
    for (const other of entries.filter((o) => o !== name)) expect(text, `the ${name}-only app contains ${other} code`).not.toMatch(MARKERS[other]!);
  });
});
