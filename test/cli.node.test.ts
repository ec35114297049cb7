// The built CLI (dist/cli.js, made by `npm run build` before the tests) end to end on
// iris: train into a folder, evaluate, predict; --help documents every option; bad
// arguments exit non-zero with a message that says what was wrong.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, expectBuiltCli, root, webgrad } from './helpers/cli.js';
import { tempDir } from './helpers/files.js';

const IRIS = join(root, 'examples', 'data', 'iris.csv');

describe('the webgrad CLI', () => {
  const dir = tempDir('webgrad-cli-');
  const modelDir = join(dir, 'iris-model');
  let trained: CliResult;

  beforeAll(async () => {
    expectBuiltCli();
    trained = await webgrad('train', IRIS, '--target', 'species', '--epochs', '40', '--lr', '0.02', '--layers', '16', '--seed', '3', '--out', modelDir, '--json');
  });

  it('train: progress per epoch, a JSON report of test metrics, and a saved model', () => {
    expect(trained.code, trained.stderr).toBe(0);
    const report = JSON.parse(trained.stdout);
    expect(report.runs).toHaveLength(1);
    const run = report.runs[0];
    // --backend auto (the default) times this model's training step on each backend and takes the fastest
    const probe = /backend: picked (webgpu|wasm|cpu): the fastest at a training step of an MLP 4-16-3 at batch 32 in a probe \(webgpu [\d.]+ ms, wasm [\d.]+ ms, cpu [\d.]+ ms\)/.exec(trained.stderr);
    expect(probe, trained.stderr).not.toBeNull();
    expect(run.backend).toBe(probe![1]);
    expect(run.metrics.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(run.report.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(30);
    expect(run.report.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(run.msPerEpoch).toBeGreaterThan(0);
    expect(run.epochs).toBeLessThanOrEqual(40);
    // the narrative and one progress line per epoch go to stderr (not a terminal here)
    expect(trained.stderr).toContain("task: classification of 'species' into 3 classes");
    expect(trained.stderr).toContain('split: 105 train, 15 validation, 30 test (seed 3)');
    expect(trained.stderr.match(/^epoch \d+\/40 {2}loss [\d.]+ {2}accuracy [\d.]+ {2}val_loss [\d.]+ {2}val_accuracy [\d.]+ {2}\d+ samples\/s/gm)).toHaveLength(run.epochs);
    const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    expect(json.preprocessing.target).toBe('species');
    expect(json.model.layers.map((l: { config: { name: string } }) => l.config.name)).toEqual(['hidden1', 'output']);
    expect(existsSync(join(modelDir, 'model.safetensors'))).toBe(true);
  });

  it('train: the text report has the metrics, the per-class table and the confusion matrix', async () => {
    const { code, stdout } = await webgrad('train', IRIS, '--target', 'species', '--epochs', '3', '--quiet', '--backend', 'all');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^accuracy +\d\.\d{4}$/m);
    expect(stdout).toMatch(/^log loss +\d\.\d{4}$/m);
    expect(stdout).toContain('confusion matrix (rows: true class, columns: predicted class)');
    expect(stdout).toMatch(/^true \\ predicted +setosa +versicolor +virginica$/m);
    expect(stdout).toMatch(/^setosa +\d+ +\d+ +\d+$/m);
    // with more than one backend in the build, the one 'auto' picks is starred
    expect(stdout).toMatch(/^cpu(?: \*)? +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +3 +[\d.]+ +\d+$/m);
  });

  it('evaluate: the saved model scores the file, and agrees with predict', async () => {
    const evaluated = await webgrad('evaluate', modelDir, IRIS, '--json');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report.rows).toBe(150);
    expect(report.metrics.accuracy).toBeGreaterThanOrEqual(0.85);
    const predicted = await webgrad('predict', modelDir, IRIS, '--include', 'species', '--probabilities');
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = predicted.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('species,predicted_species,probability_setosa,probability_versicolor,probability_virginica');
    expect(lines).toHaveLength(151);
    const rows = lines.slice(1).map((l) => l.split(','));
    const accuracy = rows.filter((r) => r[0] === r[1]).length / rows.length;
    expect(accuracy).toBeCloseTo(report.metrics.accuracy, 12);
    for (const r of rows) expect(Number(r[2]) + Number(r[3]) + Number(r[4])).toBeCloseTo(1, 5);
    const text = await webgrad('evaluate', modelDir, IRIS);
    expect(text.stdout).toMatch(/^accuracy +\d\.\d{4}$/m);
  });

  it('predict: to a file; rows with missing values refused, or left unpredicted with --drop-missing', async () => {
    const out = join(dir, 'predictions.csv');
    const { code, stderr } = await webgrad('predict', modelDir, IRIS, '--output', out);
    expect(code).toBe(0);
    expect(stderr).toContain(`wrote 150 predictions to ${out}`);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('predicted_species');
    expect(new Set(lines.slice(1))).toEqual(new Set(['setosa', 'versicolor', 'virginica']));

    const gappy = join(dir, 'gappy.csv');
    writeFileSync(gappy, 'id,sepal_length,sepal_width,petal_length,petal_width\na,5.1,3.5,1.4,0.2\nb,6.3,,4.9,1.5\nc,6.5,3.0,5.8,2.2\n');
    const refused = await webgrad('predict', modelDir, gappy);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("gappy.csv has 1 missing value: row 3 column 'sepal_width'");
    const kept = await webgrad('predict', modelDir, gappy, '--drop-missing', '--include', 'id');
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout.trimEnd().split('\n').map((l) => l.split(',').length === 2 && l.split(',')[1] === '' ? 'empty' : l.split(',')[0])).toEqual(['id', 'a', 'empty', 'c']);
  });

  it('--help documents every option of every command', async () => {
    const [top, train, predict, evaluate, version] = await Promise.all([
      webgrad('--help'), webgrad('train', '--help'), webgrad('predict', '--help'), webgrad('evaluate', '--help'), webgrad('--version'),
    ]);
    expect(top.code).toBe(0);
    for (const command of ['train', 'evaluate', 'predict']) expect(top.stdout).toContain(command);
    for (const flag of ['--target', '--features', '--exclude', '--categorical', '--task', '--layers', '--activation', '--optimizer', '--lr', '--epochs',
      '--batch-size', '--validation', '--test', '--patience', '--no-early-stopping', '--scale', '--backend', '--seed', '--out', '--drop-missing', '--delimiter', '--quiet', '--json']) {
      expect(train.stdout).toContain(flag);
    }
    for (const flag of ['--output', '--probabilities', '--include', '--backend', '--batch-size', '--drop-missing', '--delimiter']) expect(predict.stdout).toContain(flag);
    for (const flag of ['--backend', '--batch-size', '--drop-missing', '--delimiter', '--json']) expect(evaluate.stdout).toContain(flag);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('bad arguments exit non-zero and say what was wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['train', IRIS], /required option '--target <column>' not specified/],
      [['train', IRIS, '--target', 'specis'], /webgrad train: .*iris\.csv has no column 'specis' \(the target\); did you mean 'species'\?/],
      [['train', IRIS, '--target', 'species', '--epochs', 'ten'], /option '--epochs <n>' argument 'ten' is invalid\. expected a positive integer/],
      [['train', IRIS, '--target', 'species', '--layers', '64,x'], /expected positive integers separated by commas/],
      [['train', IRIS, '--target', 'species', '--backend', 'tpu'], /expected auto, all, or a comma list of webgpu, wasm, cpu; got 'tpu'/],
      [['train', IRIS, '--target', 'species', '--optimizer', 'adamax'], /argument 'adamax' is invalid\. Allowed choices are sgd, adagrad, rmsprop, adam, adamw/],
      [['train', IRIS, '--target', 'species', '--test', '1.5'], /expected a fraction in \[0, 1\)/],
      [['train', join(dir, 'none.csv'), '--target', 'y'], /webgrad train: readCsv: cannot read .*none\.csv: ENOENT/],
      [['evaluate', dir, IRIS], /webgrad evaluate: loadModel: cannot read .*model\.json/],
      [['predict', modelDir, IRIS, '--include', 'colour'], /--include: .*iris\.csv has no column 'colour'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    const results = await Promise.all(cases.map(([args]) => webgrad(...args)));
    results.forEach(({ code, stderr }, i) => {
      const [args, message] = cases[i]!;
      expect(code, args.join(' ')).not.toBe(0);
      expect(stderr, args.join(' ')).toMatch(message);
    });
  });
});
