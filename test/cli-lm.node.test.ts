// The built CLI's language-model commands end to end with a tiny GPT on a tiny text:
// train-lm saves the model, its tokenizer and checkpoints and prints a sample;
// generate samples from the folder, greedily the same tokens as model.generate in-process.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { type CliResult, expectBuiltCli, webgrad } from './helpers/cli.js';
import { tempDir } from './helpers/files.js';


const TEXT = 'to be or not to be, that is the question:\nwhether tis nobler in the mind to suffer\n'.repeat(6);

describe('webgrad train-lm / generate', () => {
  const dir = tempDir('webgrad-cli-lm-');
  const data = join(dir, 'tiny.txt');
  const modelDir = join(dir, 'lm');
  let trained: CliResult;

  beforeAll(async () => {
    expectBuiltCli();
    writeFileSync(data, TEXT);
    trained = await webgrad('train-lm', data, '--context', '8', '--layers', '1', '--heads', '2', '--embed', '16', '--batch-size', '4', '--epochs', '2', '--steps', '6',
      '--lr', '0.01', '--backend', 'cpu', '--out', modelDir, '--sample-tokens', '12', '--prompt', 'to be', '--json');
  });

  it('train-lm: per-epoch progress with validation loss, a JSON report, the model, tokenizer and checkpoints saved', () => {
    expect(trained.code, trained.stderr).toBe(0);
    const report = JSON.parse(trained.stdout);
    expect(report.vocabSize).toBe(new Set(TEXT).size);
    expect(report.config).toMatchObject({ contextLength: 8, numLayers: 1, numHeads: 2, embedDim: 16, batchSize: 4 });
    expect(report.epochs).toBe(2);
    expect(report.stepsPerEpoch).toBe(6);
    expect(report.history.loss).toHaveLength(2);
    expect(report.history.val_loss).toHaveLength(2);
    expect(report.history.loss[0]).toBeLessThan(Math.log(report.vocabSize) + 0.5);
    expect(report.tokensPerSecond).toBeGreaterThan(0);
    expect(report.sample.startsWith('to be')).toBe(true);
    expect([...report.sample].length).toBe(5 + 12);
    expect(trained.stderr.match(/^epoch \d\/2 {2}loss [\d.]+ {2}val_loss [\d.]+/gm)).toHaveLength(2);
    expect(trained.stderr).toMatch(/model: GPT 1 layers × 2 heads, width 16, context 8: \d+ parameters/);
    for (const f of ['model.json', 'model.safetensors', 'config.json', 'tokenizer.json']) expect(existsSync(join(modelDir, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')).webgrad).toBe('charTokenizer');
    expect(readdirSync(join(modelDir, 'checkpoints')).length).toBeGreaterThan(0);
  });

  it('generate: greedy sampling from the folder gives model.generate\'s tokens; any backend samples', async () => {
    const greedy = await webgrad('generate', modelDir, '--prompt', 'whether', '--max-new-tokens', '10', '--temperature', '0', '--backend', 'cpu');
    expect(greedy.code, greedy.stderr).toBe(0);
    await wg.setBackend('cpu');
    const model = (await wg.loadModel(modelDir)) as wg.GPT;
    const tokenizer = await wg.text.loadTokenizer(modelDir);
    const out = await model.generate([Array.from(tokenizer.encode('whether'))], { maxNewTokens: 10, temperature: 0 });
    expect(greedy.stdout).toBe(`${tokenizer.decode((await out.data()) as Int32Array)}\n`);
    out.dispose();
    model.dispose();
    const sampled = await webgrad('generate', modelDir, '--prompt', 'the', '--max-new-tokens', '15', '--top-k', '5', '--seed', '3', '--backend', 'wasm');
    expect(sampled.code, sampled.stderr).toBe(0);
    const line = sampled.stdout.slice(0, -1);
    expect(line.startsWith('the')).toBe(true);
    expect([...line].length).toBe(3 + 15);
    for (const ch of line) expect(TEXT).toContain(ch);
  });

  it('bench-lm moved into webgrad bench: typing it says where its figures are', async () => {
    for (const args of [['bench-lm'], ['bench-lm', '--backends', 'wasm,cpu']]) {
      const moved = await webgrad(...args);
      expect(moved.code).toBe(1);
      expect(moved.stderr).toMatch(/^webgrad bench-lm: the GPT figures are now part of `webgrad bench`: run `webgrad bench --ops gpt`/);
    }
  });

  it('bad arguments and folders exit non-zero and say what was wrong', async () => {
    const heads = await webgrad('train-lm', data, '--embed', '10', '--heads', '4');
    expect(heads.code).not.toBe(0);
    expect(heads.stderr).toContain('webgrad train-lm: --embed 10 should be a multiple of --heads 4');
    const context = await webgrad('train-lm', data, '--context', '5000', '--backend', 'cpu');
    expect(context.code).not.toBe(0);
    expect(context.stderr).toMatch(/training tokens are too few for one sequence of --context 5000/);
    const notModel = await webgrad('generate', dir, '--prompt', 'x');
    expect(notModel.code).not.toBe(0);
    expect(notModel.stderr).toMatch(/webgrad generate: .*model.json/);
    const unknown = await webgrad('generate', modelDir, '--prompt', 'Zebra', '--backend', 'cpu');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('charTokenizer.encode: character "Z" at position 0 is not in the vocabulary');
    const temp = await webgrad('generate', modelDir, '--temperature', '-1');
    expect(temp.code).not.toBe(0);
    expect(temp.stderr).toMatch(/--temperature.*expected a number >= 0/);
    const help = await webgrad('--help');
    expect(help.stdout).toMatch(/train-lm \[options\] <data>/);
    expect(help.stdout).toMatch(/generate \[options\] <model>/);
    expect(help.stdout).not.toMatch(/bench-lm/);
    const [trainHelp, generateHelp] = await Promise.all([webgrad('train-lm', '--help'), webgrad('generate', '--help')]);
    for (const flag of ['--context', '--layers', '--heads', '--embed', '--dropout', '--batch-size', '--epochs', '--steps', '--val-steps', '--lr', '--validation',
      '--tokenizer', '--backend', '--seed', '--out', '--prompt', '--sample-tokens', '--temperature', '--quiet', '--json']) expect(trainHelp.stdout).toContain(flag);
    for (const flag of ['--prompt', '--max-new-tokens', '--temperature', '--top-k', '--top-p', '--seed', '--backend']) expect(generateHelp.stdout).toContain(flag);
  });
});
