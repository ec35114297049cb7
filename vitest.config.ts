// Two projects run the same suites: `node` (Node 20) and `browser` (Debian's Chromium
// driven by Playwright; never a downloaded browser). Files named *.node.test.ts need
// Node (processes, the file system) and *.browser.test.ts need a page (Workers, DOM);
// everything else runs in both, except the host-side suites in HOST_ONLY (node only).
// In CI a missing Chromium fails the run; elsewhere the browser project is left out
// with a one-line reason. On CI's 2 cores each project runs one file at a time (Vitest
// takes cores - 1 workers; Chromium one tab) and the two run side by side, so the
// run takes as long as the slower of the two: keep their totals close.
// Time in the browser project goes mostly to compiling WGSL pipelines on SwiftShader
// (seconds each, for every new device): see test/helpers/runtime.ts.
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissing } from './test/helpers/chromium.js';

const truthy = (v: string | undefined): boolean => v === 'true' || v === '1';
const ci = truthy(process.env.CI);

/** What the suites read with `inject(...)` (see test/helpers/backends.ts). */
const provide = {
  // a backend that cannot start fails the run instead of being skipped
  strictBackends: ci,
  requireWebgpu: truthy(process.env.WEBGRAD_REQUIRE_WEBGPU),
};

/**
 * Suites of host-side logic only, run in the node project alone: argument checks that
 * throw before any work reaches a backend (the wrong-call tables), file formats, the
 * tokenizer, metrics on plain arrays, the seeded generator and the test helpers. The
 * same JavaScript runs in Chromium, which adds nothing to check there. Every backend
 * suite still runs in both projects (and in Deno, test/deno/).
 */
const HOST_ONLY = [
  'test/api/wrong-calls.test.ts',
  'test/ops/wrong-calls.test.ts',
  'test/io/safetensors.test.ts',
  'test/text/tokenizer.test.ts',
  'test/metrics.test.ts',
  'test/random.test.ts',
  'test/helpers/runners.test.ts',
];

const browserProject = () => {
  if (chromiumMissing()) return []; // said why; throws in CI
  return [{
    test: {
      name: 'browser',
      include: ['test/**/*.test.ts'],
      exclude: ['test/**/*.node.test.ts', 'test/deno/**', ...HOST_ONLY],
      provide: { ...provide, runtime: 'browser' as const }, // test/helpers/runtime.ts
      globalSetup: ['test/setup/assets.ts'],
      testTimeout: 120_000,
      browser: {
        enabled: true,
        headless: true,
        provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
        instances: [{ browser: 'chromium' as const }],
        screenshotFailures: false,
      },
    },
    optimizeDeps: { include: ['papaparse'] },
  }];
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser.test.ts', 'test/deno/**'],
          environment: 'node',
          pool: 'forks',
          execArgv: ['--expose-gc'], // leak tests settle garbage first (test/helpers/gc.ts)
          provide: { ...provide, runtime: 'node' as const }, // test/helpers/runtime.ts
          globalSetup: ['test/setup/assets.ts'],
          testTimeout: 60_000,
        },
      },
      ...browserProject(),
    ],
  },
});
