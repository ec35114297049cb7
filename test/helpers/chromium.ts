// Debian's Chromium, for the vitest browser project (vitest.config.ts) and for the
// tests that drive whole pages with Playwright (plain page, Vite app, demo). Never a
// downloaded browser. In CI a missing Chromium is a failure; elsewhere those tests
// are skipped with a one-line reason.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright';

export const CHROMIUM_PATH = process.env.WEBGRAD_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', // WebGPU (SwiftShader where there is no GPU)
  '--no-sandbox', // CI runs as root
  '--js-flags=--expose-gc', // leak tests settle garbage first (test/helpers/gc.ts)
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const truthy = (v: string | undefined): boolean => v === 'true' || v === '1';
export const IN_CI = truthy(process.env.CI);

/** Why Chromium tests cannot run here, or undefined when they can (throws in CI instead). */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set WEBGRAD_CHROMIUM)`;
  if (IN_CI) throw new Error(`CI runs the browser tests in Chromium, but there is ${reason}`);
  console.warn(`[webgrad tests] skipping Chromium tests: ${reason}`);
  return reason;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
