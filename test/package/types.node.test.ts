// The published declarations (dist/*.d.ts, from `npm run build`) compile in a
// consumer project under `strict` with `skipLibCheck: false`, both without
// @webgpu/types and the ESNext lib (a plain Node or ES2022 project) and with them;
// and the names with a fixed set (loss, optimizer, metric, activation, initializer,
// Keras' spellings included) are unions, so a typo is a compile error while custom
// functions stay accepted. No network: the consumer links to this repository.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/files.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const APP = `
import * as wg from 'webgrad';
import * as core from 'webgrad/core';
import { connect, expose } from 'webgrad/worker';
import 'webgrad/wasm';
import 'webgrad/webgpu';
import { runBench } from 'webgrad/bench';

const model = wg.sequential([wg.layers.dense({ units: 4, inputDim: 2, activation: 'relu', kernelInitializer: 'he_normal' }), wg.layers.dense({ units: 1, activation: 'sigmoid' })]);
model.compile({ optimizer: wg.optimizers.adam(0.01), loss: 'binary_crossentropy', metrics: ['acc', 'mse'] });
model.compile({ optimizer: 'Adam', loss: 'binaryCrossentropy', metrics: 'accuracy' });
model.compile({ optimizer: wg.optimizers.sgd(0.1, 0.9, true), loss: (y, p) => wg.losses.meanSquaredError(y, p), metrics: [(y, p) => wg.metrics.binaryAccuracy(y, p), 'mean_absolute_error'] });
wg.layers.dense({ units: 1, activation: wg.relu });
wg.layers.dense({ units: 1, activation: (x: wg.Tensor) => wg.mul(x, 2), biasInitializer: wg.initializers.constant({ value: 0.1 }) });
wg.layers.activation({ activation: 'leaky_relu' });
const t: wg.Tensor = wg.randomNormal([2, 2], 0, 1, 'float32', 7);
void t.print();
const text: string = String(t);

// @ts-expect-error a misspelt loss is a compile error
model.compile({ optimizer: 'adam', loss: 'meanSquaredErorr' });
// @ts-expect-error a misspelt optimizer
model.compile({ optimizer: 'adamm', loss: 'mse' });
// @ts-expect-error a misspelt metric
model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] });
// @ts-expect-error a misspelt activation
wg.layers.dense({ units: 1, activation: 'rellu' });
// @ts-expect-error a misspelt initializer
wg.layers.dense({ units: 1, kernelInitializer: 'glorot_unifrom' });
// @ts-expect-error an optimizer takes at most its known positionals
wg.optimizers.adamw(0.01, 0.1);

void core; void connect; void expose; void runBench; void text;
`;

function tsc(dir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, out: stdout + stderr }));
  });
}

function consumer(withGpuTypes: boolean): string {
  const dir = tempDir('webgrad-consumer-');
  mkdirSync(join(dir, 'node_modules', '@webgpu'), { recursive: true });
  // the package as installed: its own folder under node_modules (exports, dist/*.d.ts)
  symlinkSync(root, join(dir, 'node_modules', 'webgrad'), 'dir');
  if (withGpuTypes) symlinkSync(join(root, 'node_modules', '@webgpu', 'types'), join(dir, 'node_modules', '@webgpu', 'types'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
      lib: withGpuTypes ? ['ES2022', 'ESNext.Disposable', 'DOM'] : ['ES2022', 'DOM'],
      types: withGpuTypes ? ['@webgpu/types'] : [],
      typeRoots: [join(dir, 'node_modules')],
    },
    files: ['app.ts'],
  }));
  writeFileSync(join(dir, 'app.ts'), APP);
  return dir;
}

describe('the published types', () => {
  it.each([false, true])('compile strictly with skipLibCheck false (with @webgpu/types: %s), typos in names failing', async (withGpuTypes) => {
    expect(existsSync(join(root, 'dist', 'index.d.ts')), 'dist/ is missing: run npm run build').toBe(true);
    const { code, out } = await tsc(consumer(withGpuTypes));
    expect(out).toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it('a typo in a loss name fails to compile, with the error naming the allowed names', async () => {
    const dir = consumer(false);
    writeFileSync(join(dir, 'app.ts'), "import * as wg from 'webgrad';\nwg.sequential().compile({ optimizer: 'adam', loss: 'meanSquaredErorr' });\n");
    const { code, out } = await tsc(dir);
    expect(code).toBe(1);
    expect(out).toMatch(/app\.ts\(2,\d+\): error TS2820: Type '"meanSquaredErorr"' is not assignable to type .*Did you mean '"meanSquaredError"'\?/);
  }, 120_000);
});
