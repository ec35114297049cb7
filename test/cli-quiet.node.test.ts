// The CLI says only what the user can act on: predict and evaluate describe the one
// backend they run on (no 'all', no lists), and the GPU driver's native warnings
// (Dawn writing to fd 2) stay out of the terminal unless --verbose.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NativeWarningFilter } from '../src/cli/quiet-native.js';
import { type CliResult, root, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/files.js';

const IRIS = join(root, 'examples', 'data', 'iris.csv');
const FAKE_DAWN = join(root, 'test', 'helpers', 'fake-dawn-warnings.mjs');

/** The CLI as a user starts it: not a child of another webgrad, not verbose. */
function webgrad(args: string[], nodeArgs: string[] = []): Promise<CliResult> {
  return runCli(args, { nodeArgs, env: { WEBGRAD_CLI_CHILD: '', WEBGRAD_VERBOSE: '' } });
}

const DAWN = "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n"
  + '    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)\n\n'
  + 'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 90 to 16 to fit dynamic offset allocation limit.\n'
  + 'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 80 to 16 to fit dynamic offset allocation limit.\n';

describe('the native-warning filter', () => {
  it("drops Dawn's warning blocks and keeps everything else, however the text is split", () => {
    const text = `epoch 1/2 loss 0.5\n${DAWN}webgrad predict: something the user must read\n\rbar 50%\rbar 100%`;
    const want = 'epoch 1/2 loss 0.5\nwebgrad predict: something the user must read\n\rbar 50%\rbar 100%';
    for (const size of [1, 3, 7, 64, text.length]) {
      let out = '';
      const filter = new NativeWarningFilter((t) => (out += t));
      for (let i = 0; i < text.length; i += size) filter.push(text.slice(i, i + size));
      filter.end();
      expect(out, `chunks of ${size}`).toBe(want);
    }
  });
});

describe('the CLI', () => {
  const dir = tempDir('webgrad-cli-quiet-');
  const model = join(dir, 'iris');

  beforeAll(async () => {
    const trained = await webgrad(['train', IRIS, '--target', 'species', '--epochs', '2', '--seed', '1', '--backend', 'cpu', '--out', model, '--quiet']);
    expect(trained.code, trained.stderr).toBe(0);
  });

  it('predict --help and evaluate --help offer one backend, not all or a list; predict refuses all', async () => {
    for (const command of ['predict', 'evaluate']) {
      const { stdout } = await webgrad([command, '--help']);
      expect(stdout).toMatch(/--backend <name>\s+where to compute: auto \(the fastest present\), webgpu,\s+wasm\s+or cpu/);
      expect(stdout).not.toMatch(/\ball\b|comma list/);
      expect(stdout).toContain('--verbose');
    }
    const train = await webgrad(['train', '--help']);
    expect(train.stdout).toMatch(/or all \(train on each/);
    const refused = await webgrad(['predict', model, IRIS, '--backend', 'all']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/option '--backend <name>' argument 'all' is invalid\. expected one of auto, webgpu, wasm, cpu; got 'all' \(this command runs on one backend\)/);
  });

  it("keeps native warnings written to fd 2 out of predict's output unless --verbose", async () => {
    const quiet = await webgrad(['predict', model, IRIS, '--backend', 'cpu'], ['--import', FAKE_DAWN]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout.split('\n').length).toBeGreaterThan(150);
    expect(quiet.stderr).not.toMatch(/Warning|BackendVk|artificially/);
    const verbose = await webgrad(['predict', model, IRIS, '--backend', 'cpu', '--verbose'], ['--import', FAKE_DAWN]);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stdout).toBe(quiet.stdout);
    expect(verbose.stderr).toContain("Warning: Couldn't load Vulkan");
    // and with the real Dawn, where this machine has it: no warning line from a webgpu run
    const gpu = await webgrad(['predict', model, IRIS, '--backend', 'auto']);
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(gpu.stderr).not.toMatch(/^Warning: /m);
  });
});
