// The built CLI (dist/cli.js) as the CLI tests run it: a child Node process in the
// repository root, without colors, its exit code and both streams collected.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(root, 'dist', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node [nodeArgs] dist/cli.js args`, with `env` over the test's own environment; never rejects. */
export function runCli(args: readonly string[], options: { nodeArgs?: readonly string[]; env?: Readonly<Record<string, string>> } = {}): Promise<CliResult> {
  const { nodeArgs = [], env = {} } = options;
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, CLI, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `webgrad args...`. */
export function webgrad(...args: string[]): Promise<CliResult> {
  return runCli(args);
}

/** Fails the suite's setup with the fix when dist/ has not been built. */
export function expectBuiltCli(): void {
  expect(existsSync(CLI), 'dist/cli.js is missing: run npm run build').toBe(true);
}
