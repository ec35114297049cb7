// `webgrad train --model cnn` end to end with the built CLI (dist/cli.js): the small
// CNN on the bundled digits (8×8×1, inferred from the 64 pixel columns) with the usual
// progress, report and --out save; `webgrad evaluate` and `predict` on the saved CNN;
// and wrong image shapes refused with a message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, expectBuiltCli, root, webgrad } from './helpers/cli.js';
import { tempDir } from './helpers/files.js';

const DIGITS = join(root, 'examples', 'data', 'digits.csv');

describe('webgrad train --model cnn', () => {
  const dir = tempDir('webgrad-cli-cnn-');
  const modelDir = join(dir, 'digits-cnn');
  let trained: CliResult;

  beforeAll(async () => {
    expectBuiltCli();
    trained = await webgrad('train', DIGITS, '--target', 'label', '--model', 'cnn', '--epochs', '4', '--lr', '0.005', '--backend', 'wasm', '--out', modelDir, '--json');
  }, 120_000);

  it('trains the CNN on 8×8×1 images with progress per epoch, a JSON report and a saved model', () => {
    expect(trained.code, trained.stderr).toBe(0);
    const report = JSON.parse(trained.stdout);
    expect(report.runs).toHaveLength(1);
    const run = report.runs[0];
    expect(run.backend).toBe('wasm');
    expect(run.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(run.msPerEpoch).toBeGreaterThan(0);
    expect(trained.stderr).toMatch(/model: CNN on 8×8×1 images \(conv 16 → batch norm → pool → conv 32 → batch norm → pool → dense 10\), \d+ parameters; adam lr 0.005, batch 32/);
    expect(trained.stderr.match(/^epoch \d+\/4 {2}loss [\d.]+ {2}accuracy [\d.]+ {2}val_loss [\d.]+ {2}val_accuracy [\d.]+ {2}\d+ samples\/s/gm)).toHaveLength(run.epochs);
    const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    expect(json.model.layers.map((l: { className: string }) => l.className)).toEqual([
      'Reshape', 'Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D', 'Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D', 'Flatten', 'Dense',
    ]);
    expect(json.model.inputShape).toEqual([64]);
    expect(json.preprocessing.target).toBe('label');
  });

  it('evaluate and predict work on the saved CNN and agree', async () => {
    const evaluated = await webgrad('evaluate', modelDir, DIGITS, '--json', '--backend', 'cpu');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report.rows).toBe(1797);
    expect(report.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    const predicted = await webgrad('predict', modelDir, DIGITS, '--include', 'label', '--backend', 'cpu');
    expect(predicted.code, predicted.stderr).toBe(0);
    const rows = predicted.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(1797);
    expect(rows.filter((r) => r[0] === r[1]).length / rows.length).toBeCloseTo(report.metrics.accuracy, 12);
  });

  it('an image shape that does not fit the rows is refused with both sizes', async () => {
    const cases: [string[], RegExp][] = [
      [['--image-shape', '8,8,2'], /webgrad train: --image-shape 8,8,2 holds 128 values, but the rows have 64 inputs/],
      [['--image-shape', '8,x,1'], /option '--image-shape <h,w,c>' argument '8,x,1' is invalid\. expected height,width,channels as three positive integers/],
      [['--exclude', 'p0'], /webgrad train: --model cnn: the rows have 63 inputs, not a square number of pixels; give the image shape with --image-shape height,width,channels/],
    ];
    const results = await Promise.all(cases.map(([extra]) => webgrad('train', DIGITS, '--target', 'label', '--model', 'cnn', '--epochs', '1', '--backend', 'cpu', '--quiet', ...extra)));
    results.forEach(({ code, stderr }, i) => {
      expect(code, cases[i]![0].join(' ')).not.toBe(0);
      expect(stderr).toMatch(cases[i]![1]);
    });
  });
});
