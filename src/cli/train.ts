// `webgrad train data.csv --target label`: load and split the table, train an MLP with
// a progress bar per epoch and early stopping on the validation loss, report on the
// test rows, and save the model with its preprocessing. With several backends
// (`--backend all` or a list) it trains on each and compares test metrics and speed.

import { Command, Option } from 'commander';
import * as wg from '../index.js';
import { cnnLayers, type ImageShape, imageShapeArg, imageShapeFor } from './cnn.js';
import { evaluateModel } from './evaluation.js';
import {
  action, backendOption, delimiter, expandBackends, fraction, integer, layerSizes, nameList, nonNegativeInteger, positiveInteger, positiveNumber,
} from './options.js';
import { EpochProgress, KeepBest } from './progress.js';
import { type EvaluationResult, evaluationLines, figure, headline, table } from './report.js';

interface TrainOptions {
  target: string;
  features?: string[];
  exclude?: string[];
  categorical?: string[];
  task?: wg.Task;
  layers: number[];
  activation: wg.ActivationName;
  model: 'mlp' | 'cnn';
  imageShape?: ImageShape;
  optimizer: Exclude<keyof typeof wg.optimizers, 'lossScale'>;
  lr: number;
  epochs: number;
  batchSize: number;
  validation: number;
  test: number;
  patience: number;
  earlyStopping: boolean;
  scale: wg.ScaleKind;
  backend: string[];
  seed: number;
  out?: string;
  dropMissing?: boolean;
  delimiter?: string;
  quiet?: boolean;
  json?: boolean;
}

interface BackendRun {
  readonly backend: string;
  readonly result?: EvaluationResult;
  readonly epochs?: number;
  readonly bestEpoch?: number;
  readonly msPerEpoch?: number;
  readonly samplesPerSecond?: number;
  readonly error?: string;
}

const ACTIVATIONS: readonly wg.ActivationName[] = ['relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'swish', 'leakyRelu', 'softplus', 'linear'];

export function trainCommand(): Command {
  return new Command('train')
    .description('train an MLP (or a small CNN on image rows) on a CSV file, report test metrics, and save the model')
    .argument('<data>', 'CSV file (path or URL) with a header row')
    .requiredOption('--target <column>', 'the column to predict')
    .option('--features <columns>', 'feature columns, comma-separated (default: every column but the target)', nameList)
    .option('--exclude <columns>', 'columns to leave out of the default features (an id, say)', nameList)
    .option('--categorical <columns>', 'columns to one-hot encode even when they hold numbers (text columns are found automatically)', nameList)
    .addOption(new Option('--task <task>', 'what to predict; default: classification when the target has text or at most 20 distinct integers, else regression').choices(['classification', 'regression']))
    .addOption(new Option('--model <kind>', 'mlp, or cnn: a small convolutional network for rows of pixels (conv 16 → batch norm → pool → conv 32 → batch norm → pool → dense)').choices(['mlp', 'cnn']).default('mlp'))
    .option('--image-shape <h,w,c>', 'with --model cnn: the image each row holds (default: square, one channel, from the number of inputs)', imageShapeArg)
    .addOption(new Option('--layers <sizes>', "hidden layer sizes (mlp), comma-separated, or 'none'").argParser(layerSizes).default([64, 32], '64,32'))
    .addOption(new Option('--activation <name>', 'activation of the hidden layers (mlp)').choices(ACTIVATIONS).default('relu'))
    .addOption(new Option('--optimizer <name>', 'optimizer (torch.optim rules)').choices(Object.keys(wg.optimizers).filter((name) => name !== 'lossScale')).default('adam'))
    .option('--lr <rate>', 'learning rate', positiveNumber, 0.001)
    .option('--epochs <n>', 'most epochs to train', positiveInteger, 50)
    .option('--batch-size <n>', 'samples per step', positiveInteger, 32)
    .option('--validation <fraction>', 'share of rows for validation (early stopping watches its loss)', fraction, 0.1)
    .option('--test <fraction>', 'share of rows held out for the final report', fraction, 0.2)
    .option('--patience <n>', 'epochs without a better validation loss before stopping (the best weights are kept)', nonNegativeInteger, 10)
    .option('--no-early-stopping', 'train all epochs')
    .addOption(new Option('--scale <kind>', 'feature scaling fitted on the training rows').choices(['standard', 'minMax', 'none']).default('standard'))
    .addOption(backendOption())
    .option('--seed <n>', 'seed for the split, initial weights and shuffling', integer, 1)
    .option('--out <dir>', 'folder to save the model to (model.json + model.safetensors)')
    .option('--drop-missing', 'leave out rows with missing values instead of stopping')
    .option('--delimiter <char>', "field separator (default ','; 'tab' for tabs)", delimiter)
    .option('--quiet', 'no progress output')
    .option('--json', 'print the final report as JSON')
    .action(action('train', train));
}

function buildModel(preprocessing: wg.Preprocessing, options: TrainOptions): wg.Sequential {
  const classification = preprocessing.task === 'classification';
  const model = options.model === 'cnn'
    ? wg.sequential({ layers: cnnLayers(imageShapeFor(preprocessing.inputWidth, options.imageShape), preprocessing.outputWidth, classification ? 'softmax' : 'linear'), name: 'webgrad_cnn' })
    : mlp(preprocessing, options);
  model.compile({
    optimizer: wg.optimizers[options.optimizer]({ learningRate: options.lr }),
    loss: classification ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
    metrics: classification ? ['accuracy'] : ['mae'],
  });
  return model;
}

function mlp(preprocessing: wg.Preprocessing, options: TrainOptions): wg.Sequential {
  const hidden = options.layers.map((units, i) =>
    wg.layers.dense({ units, activation: options.activation, name: `hidden${i + 1}`, ...(i === 0 ? { inputDim: preprocessing.inputWidth } : {}) }));
  const classification = preprocessing.task === 'classification';
  const output = wg.layers.dense({
    units: preprocessing.outputWidth,
    activation: classification ? 'softmax' : 'linear',
    name: 'output',
    ...(hidden.length === 0 ? { inputDim: preprocessing.inputWidth } : {}),
  });
  return wg.sequential({ layers: [...hidden, output], name: 'webgrad_mlp' });
}

/** What the run trains, for the log. */
function describeModel(model: wg.Sequential, preprocessing: wg.Preprocessing, options: TrainOptions): string {
  const training = `${model.countParams()} parameters; ${options.optimizer} lr ${options.lr}, batch ${options.batchSize}`;
  if (options.model === 'cnn') {
    const [h, w, c] = imageShapeFor(preprocessing.inputWidth, options.imageShape);
    return `CNN on ${h}×${w}×${c} images (conv 16 → batch norm → pool → conv 32 → batch norm → pool → dense ${preprocessing.outputWidth}), ${training}`;
  }
  return `${[preprocessing.inputWidth, ...options.layers, preprocessing.outputWidth].join(' → ')} (${options.activation}), ${training}`;
}

async function trainOn(backend: wg.BackendName, table: wg.CsvTable, options: TrainOptions, first: boolean, log: (line: string) => void, label: string): Promise<BackendRun> {
  await wg.setBackend(backend);
  const data = await wg.data.loadCsv(table, loadOptions(options));
  const { preprocessing, train, validation, test } = data;
  if (first) {
    const p = preprocessing;
    const kinds = p.toJSON().features;
    const categorical = kinds.filter((f) => f.kind === 'categorical').map((f) => f.name);
    log(`data: ${table.source}, ${table.rows.length} rows${data.dropped.length ? ` (${data.dropped.length} with missing values left out)` : ''}; ` +
      `${kinds.length} features (${p.inputWidth} inputs${categorical.length ? `; one-hot: ${categorical.join(', ')}` : ''})`);
    log(`task: ${p.task} of '${p.target}'${p.classes ? ` into ${p.classes.length} classes (${p.classes.slice(0, 10).join(', ')}${p.classes.length > 10 ? ', ...' : ''})` : ''}${options.task ? '' : ' (pass --task to change)'}`);
    log(`split: ${train.rowNumbers.length} train, ${validation?.rowNumbers.length ?? 0} validation, ${test?.rowNumbers.length ?? 0} test (seed ${options.seed})`);
  }
  wg.setSeed(options.seed);
  const model = buildModel(preprocessing, options);
  model.preprocessing = preprocessing;
  if (first) log(`model: ${describeModel(model, preprocessing, options)}`);
  const steps = Math.ceil(train.rowNumbers.length / options.batchSize);
  const progress = new EpochProgress(options.epochs, steps, train.rowNumbers.length, options.batchSize, options.quiet ?? false, label);
  const callbacks: wg.Callback[] = [progress];
  const stopper = options.earlyStopping && validation ? wg.callbacks.earlyStopping({ monitor: 'val_loss', patience: options.patience }) : undefined;
  const best = stopper ? new KeepBest() : undefined;
  if (stopper && best) callbacks.push(best, stopper);
  if (first && options.earlyStopping && !validation) log('early stopping: off (no validation rows; set --validation)');
  try {
    const history = await model.fit(train.x, train.y, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      seed: options.seed,
      verbose: 0,
      callbacks,
      // A progress bar on a terminal redraws only when the event loop runs.
      yieldEvery: progress.live ? 'batch' : 'epoch',
      ...(validation ? { validationData: [validation.x, validation.y] as const } : {}),
    });
    const epochs = history.epoch.length;
    best?.restore(model);
    const scored = test ?? validation ?? train;
    const result = await evaluateModel(model, preprocessing, scored.x, scored.targets);
    const msPerEpoch = progress.medianEpochMs();
    if (first && options.out) {
      const saved = await model.save(options.out);
      log(`saved: ${saved.location} (${saved.files.join(', ')})`);
    }
    return {
      backend,
      result,
      epochs,
      ...(best && best.bestEpoch >= 0 ? { bestEpoch: best.bestEpoch + 1 } : {}),
      msPerEpoch,
      samplesPerSecond: train.rowNumbers.length / (msPerEpoch / 1000),
    };
  } finally {
    best?.release();
    model.dispose();
    for (const part of [train, validation, test]) if (part) wg.dispose([part.x, part.y]);
  }
}

/** How the table becomes tensors: the same for every backend and for the probe. */
function loadOptions(options: TrainOptions): wg.LoadCsvOptions {
  return {
    target: options.target,
    ...(options.features ? { features: options.features } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.categorical ? { categorical: options.categorical } : {}),
    ...(options.task ? { task: options.task } : {}),
    validation: options.validation,
    test: options.test,
    seed: options.seed,
    scale: options.scale,
    dropMissing: options.dropMissing ?? false,
  };
}

/**
 * --backend auto: the widths of the model this run builds (from the table's encoding,
 * fitted on a throwaway cpu load) and its batch size go to setBackend('auto', { probe }),
 * which times a few training steps on every backend that starts and takes the fastest.
 */
async function probeBackend(table: wg.CsvTable, options: TrainOptions, log: (line: string) => void): Promise<wg.BackendName> {
  await wg.setBackend('cpu');
  const { preprocessing, train, validation, test } = await wg.data.loadCsv(table, loadOptions(options));
  for (const part of [train, validation, test]) if (part) wg.dispose([part.x, part.y]);
  if (options.model === 'cnn') {
    // The probe times MLP steps only: a CNN takes the first backend that starts, in the usual order.
    const backend = await wg.setBackend('auto');
    log(`backend: ${backend} (the first that starts; --backend all compares them)`);
    return backend;
  }
  const layers = [preprocessing.inputWidth, ...options.layers, preprocessing.outputWidth];
  const batchSize = Math.min(options.batchSize, train.rowNumbers.length);
  const backend = await wg.setBackend('auto', { probe: { layers, batchSize } });
  log(`backend: ${wg.backendInfo().reason ?? backend}`);
  return backend;
}

async function train(data: string, options: TrainOptions): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // With --json, stdout holds only the JSON document; the narrative goes to stderr.
  const log = options.json ? (line: string) => process.stderr.write(`${line}\n`) : out;
  const csv = await wg.data.readCsv(data, options.delimiter ? { delimiter: options.delimiter } : {});
  const backends = options.backend.length === 1 && options.backend[0] === 'auto'
    ? [await probeBackend(csv, options, log)]
    : await expandBackends(options.backend);
  const many = backends.length > 1;
  const runs: BackendRun[] = [];
  for (const backend of backends) {
    if (many) log(`\n== backend ${backend} ==`);
    const first = !runs.some((r) => r.result);
    let run: BackendRun;
    try {
      run = await trainOn(backend, csv, options, first, log, many ? `[${backend}] ` : '');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A backend that cannot start is skipped in a comparison; anything else is an error.
      if (!many || !/not available|not part of this build/.test(message)) throw error;
      log(`skipped: ${message}`);
      runs.push({ backend, error: message });
      continue;
    }
    runs.push(run);
    if (first) {
      const scoredOn = options.test > 0 ? 'test' : options.validation > 0 ? 'validation' : 'training';
      log('');
      for (const line of evaluationLines(run.result!, `${scoredOn} rows, backend ${backend}, ${run.epochs} epochs${run.bestEpoch ? ` (best ${run.bestEpoch})` : ''}`)) log(line);
      log('');
    }
  }
  const done = runs.filter((r) => r.result);
  if (done.length === 0) throw new Error(`no backend could train: ${runs.map((r) => `${r.backend}: ${r.error}`).join('; ')}`);
  const metricNames = Object.keys(headline(done[0]!.result!));
  log(many ? "\nbackend comparison (same seed, same split; * is the backend 'auto' picks)" : 'speed');
  const name = (r: BackendRun, i: number) => (many && i === 0 ? `${r.backend} *` : r.backend);
  for (const line of table(['backend', ...metricNames, 'epochs', 'ms/epoch', 'samples/s'], runs.map((r, i) => r.result
    ? [name(r, i), ...Object.values(headline(r.result)).map((v) => figure(v)), String(r.epochs), r.msPerEpoch!.toFixed(1), Math.round(r.samplesPerSecond!).toString()]
    : [name(r, i), ...metricNames.map(() => '-'), '-', '-', 'unavailable']))) log(line);
  if (!options.out && !options.json) log('\n(pass --out DIR to save the model)');
  if (options.json) {
    out(JSON.stringify({
      data: csv.source,
      target: options.target,
      runs: runs.map((r) => (r.result
        ? { backend: r.backend, epochs: r.epochs, bestEpoch: r.bestEpoch, msPerEpoch: r.msPerEpoch, samplesPerSecond: r.samplesPerSecond, metrics: headline(r.result), report: r.result.report }
        : { backend: r.backend, error: r.error })),
      ...(options.out ? { saved: options.out } : {}),
    }, null, 2));
  }
}
