// Vitest global setup: runs the asset steps that write src/generated/ (git-ignored),
// so `npx vitest run` works on a fresh checkout without `npm run build` first.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default function setup(): void {
  execFileSync(process.execPath, [`${root}scripts/build-shaders.mjs`], { stdio: 'inherit', cwd: root });
}
