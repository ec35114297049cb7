// End to end: the demo page (examples/web, as `npm run demo` serves it) in Chromium.
// On every backend the page offers, training in the worker passes 90% test accuracy
// while the page keeps drawing frames; a digit drawn with mouse strokes is read
// correctly; the benchmark (webgrad/bench in a worker) can be cancelled, then runs to
// the end and draws the CLI's chart: a line per backend in every panel, finite
// positive figures, the crossovers. The benchmark is the tiny preset (?bench=tiny, a
// few seconds), or the quick one (about 30 s) when the screenshot is being updated.
// The Shakespeare card trains its char GPT in a worker until its loss is below a
// uniform guess and it has written a sample.
// The final state is saved as a screenshot: build/demo.png always, docs/demo.png
// (shown by the README) when it is missing or WEBGRAD_UPDATE_SCREENSHOT=1
// (npm run screenshot).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright';
import { type ViteDevServer, createServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_BACKENDS } from '../helpers/backends.js';
import { IN_CI, chromiumMissing, launchChromium } from '../helpers/chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const missing = chromiumMissing();
const updateScreenshot = process.env.WEBGRAD_UPDATE_SCREENSHOT === '1';

/** Mouse strokes for a "0": an upright ellipse, as fractions of the pad. */
const ZERO = Array.from({ length: 41 }, (_, i) => {
  const t = (i / 40) * 2 * Math.PI;
  return [0.5 + 0.2 * Math.sin(t), 0.5 - 0.34 * Math.cos(t)] as const;
});

async function draw(page: Page, points: readonly (readonly [number, number])[]): Promise<void> {
  const pad = page.locator('#pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = ([x, y]: readonly [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
}

/** Frames the page paints in half a second: a blocked main thread paints none. */
const framesInHalfASecond = (page: Page) => page.evaluate(() => new Promise<number>((resolve) => {
  let frames = 0;
  const start = performance.now();
  const tick = () => (++frames, performance.now() - start < 500 ? requestAnimationFrame(tick) : resolve(frames));
  requestAnimationFrame(tick);
}));

describe.skipIf(missing)('the demo page', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await createServer({ configFile: `${root}examples/web/vite.config.ts`, server: { port: 0, strictPort: false }, logLevel: 'silent' });
    await server.listen();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.resolvedUrls!.local[0]!}?bench=${updateScreenshot ? 'quick' : 'tiny'}`);
    await page.waitForSelector('body[data-state="idle"]', { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains on every available backend past 90% test accuracy, reads a drawn digit, and benchmarks the backends', async () => {
    const offered = await page.$$eval('[data-backend]', (buttons) => buttons.map((b) => ({
      name: (b as HTMLElement).dataset.backend!, disabled: (b as HTMLButtonElement).disabled, detail: b.getAttribute('title') ?? '',
    })));
    expect(offered.map((b) => b.name).sort()).toEqual(['cpu', 'wasm', 'webgpu']);
    for (const name of ALL_BACKENDS) {
      const b = offered.find((o) => o.name === name)!;
      if (!b.disabled) continue;
      if (IN_CI) throw new Error(`the demo cannot use backend ${name} in CI: ${b.detail}`);
      console.warn(`[webgrad tests] the demo skips backend ${name}: ${b.detail}`);
    }
    const available = offered.filter((b) => !b.disabled).map((b) => b.name);
    expect(available.length).toBeGreaterThan(0);
    // the showcase backend last: it trains to the end for the screenshot
    const order = ['cpu', 'wasm', 'webgpu'].filter((n) => available.includes(n));

    // Stop works: pressed right after Train, it ends the run early and keeps the model
    await page.click(`[data-backend="${order[0]}"]`);
    await page.selectOption('#epochs', '40');
    await page.click('#train');
    await page.waitForSelector('body[data-state="training"]');
    await page.click('#train');
    await page.waitForSelector('#status:text-matches("^(Stopped|Done)")', { timeout: 60_000 });
    expect(await page.textContent('#status')).toMatch(/^Stopped after \d+ epochs/);

    for (const [i, name] of order.entries()) {
      const last = i === order.length - 1;
      await page.click(`[data-backend="${name}"]`);
      // the CNN learns too (on wasm, where it is quick); the showcase backend trains the MLP
      await page.selectOption('#model', name === 'wasm' && !last ? 'cnn' : 'mlp');
      await page.selectOption('#epochs', last ? '20' : '40');
      await page.click('#train');
      await page.waitForSelector('body[data-state="training"]');
      expect(await framesInHalfASecond(page)).toBeGreaterThan(5); // training runs in the worker
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#test-accuracy')!.dataset.value) > 0.9, undefined, { timeout: 240_000 });
      // this backend has shown that it learns: stop it (a fast one may have finished already)
      if (!last && (await page.getAttribute('body', 'data-state')) === 'training') await page.click('#train');
      await page.waitForSelector('#status:text-matches("^(Stopped|Done)")', { timeout: 240_000 });
      expect(await page.textContent('#status')).toMatch(last ? /^Done: / : /^(Stopped after \d+ epochs|Done: )/);
    }
    expect(Number(await page.getAttribute('#test-accuracy', 'data-value'))).toBeGreaterThan(0.9);

    await draw(page, ZERO);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#prediction')!.dataset.digit !== '', undefined, { timeout: 30_000 });
    expect(await page.getAttribute('#prediction', 'data-digit')).toBe('0');
    expect(await page.textContent('#confidence')).toMatch(/% sure$/);

    // the benchmark: Cancel stops a run (the worker finishes its workload first), a new run goes to the end
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true); // wasm threads need it
    await page.click('#bench');
    await page.waitForSelector('body[data-bench="running"]');
    await page.click('#bench');
    await page.waitForSelector('body[data-bench="cancelled"]', { timeout: 10_000 });
    await page.click('#bench');
    await page.waitForSelector('body[data-bench="running"]');
    expect(await framesInHalfASecond(page)).toBeGreaterThan(5); // the benchmark runs in its worker
    await page.waitForSelector('body[data-bench="done"], body[data-bench="failed"]', { timeout: 240_000 });
    expect(await page.textContent('#bench-status')).toMatch(/^Done in \d+ s: \d+ figures/);

    // who ran: every backend the page offers, wasm on 1 thread and on every core; the peers say why not
    const contenders = await page.$$eval('#bench-contenders li', (items) => items.map((li) => {
      const { state, kind, contender } = (li as HTMLElement).dataset;
      return { state, kind, contender, text: li.textContent ?? '' };
    }));
    const measured = contenders.filter((c) => c.state === 'measured' && c.kind === 'webgrad').map((c) => c.contender!);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const wasmIds = available.includes('wasm') ? ['wasm-1t', ...(cores > 1 ? [`wasm-${cores}t`] : [])] : [];
    expect(measured.sort()).toEqual([...available.filter((b) => b !== 'wasm'), ...wasmIds].sort());
    const peers = contenders.find((c) => c.state === 'unavailable' && c.contender!.includes('tfjs-'));
    expect(peers?.text).toMatch(/not measured: .*tensorflow/i); // TensorFlow.js is not loaded in the page: said, not thrown

    // the chart: one line per webgrad backend in every panel, each point a finite positive GFLOP/s
    const panels = await page.$$eval('#bench-chart g.panel', (gs) => gs.map((g) => ({
      title: g.querySelector('.panel-title')?.textContent ?? '',
      lines: Array.from(g.querySelectorAll('path.series')).map((p) => p.getAttribute('data-series')!),
      points: Array.from(g.querySelectorAll('circle.point title')).map((t) => t.textContent ?? ''),
    })));
    expect(panels.map((p) => p.title)).toEqual(['matmul n×n · n×n', 'add a + b', 'training step, MLP 784-128-10, Adam']);
    for (const panel of panels) {
      expect(panel.lines.sort()).toEqual(measured.map((id) => `webgrad ${id}`).sort());
      const sizes = updateScreenshot ? (panel.title.startsWith('matmul') ? 4 : 2) : 2;
      expect(panel.points).toHaveLength(measured.length * sizes);
      for (const point of panel.points) {
        const gflops = Number(/→ (\S+)$/.exec(point)?.[1]);
        expect(Number.isFinite(gflops) && gflops > 0, point).toBe(true);
      }
    }

    // the crossovers, worded as the CLI words them (one per op group when both WebGPU and WASM ran)
    const crossovers = await page.$$eval('#bench-crossovers li', (items) => items.map((li) => li.textContent ?? ''));
    if (measured.includes('webgpu') && measured.some((id) => id.startsWith('wasm'))) {
      expect(crossovers).toHaveLength(panels.length);
      for (const [i, line] of crossovers.entries()) expect(line).toMatch(new RegExp(`^${panels[i]!.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: WebGPU (beats|does not beat) WASM`));
    }
    expect(await page.textContent('#bench-text')).toMatch(/\d+ results in \d+ s\.$/);

    expect(pageErrors).toEqual([]);
    mkdirSync(`${root}build`, { recursive: true });
    await page.screenshot({ path: `${root}build/demo.png`, fullPage: true });
    if (!existsSync(`${root}docs/demo.png`) || process.env.WEBGRAD_UPDATE_SCREENSHOT === '1') copyFileSync(`${root}build/demo.png`, `${root}docs/demo.png`);
  }, 600_000);

  it('writes like Shakespeare: the char GPT trains in its worker, its loss falls below a uniform guess, and it samples text', async () => {
    const wasm = await page.$('[data-backend="wasm"]:not([disabled])');
    if (!wasm) {
      if (IN_CI) throw new Error('the demo cannot use the wasm backend in CI');
      return;
    }
    await wasm.click();
    await page.click('#write');
    expect(await framesInHalfASecond(page)).toBeGreaterThan(5); // training runs in the worker
    // a sample comes every 5 reports of 20 steps
    await page.waitForFunction(() => !document.querySelector('#lm-sample')!.textContent!.startsWith('Press'), undefined, { timeout: 300_000 });
    const sample = (await page.textContent('#lm-sample'))!;
    expect(sample).not.toMatch(/^Training failed/);
    expect(sample.length).toBeGreaterThan(50);
    expect(await page.$$eval('#lm-chart path.line', (paths) => paths.length)).toBe(1);
    const loss = Number(await page.getAttribute('#lm-loss', 'data-value'));
    expect(loss).toBeLessThan(Math.log(65)); // below a uniform guess over the 65 characters
    expect(Number(await page.textContent('#lm-step'))).toBeGreaterThanOrEqual(100);
    expect(Number(await page.getAttribute('#lm-speed', 'data-value'))).toBeGreaterThan(0);
    await page.click('#write'); // Stop
    await page.waitForSelector('#write:text("Train again")', { timeout: 60_000 });
    expect(pageErrors).toEqual([]);
  }, 400_000);
});
