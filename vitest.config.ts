import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser.test.ts'],
          environment: 'node',
          pool: 'forks',
          globalSetup: ['test/setup/assets.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
