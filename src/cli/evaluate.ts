// `webgrad evaluate model/ data.csv`: scores a saved model on a table with targets.

import { Command } from 'commander';
import * as wg from '../index.js';
import { evaluateModel } from './evaluation.js';
import { action, backendOption, delimiter, expandBackends, positiveInteger } from './options.js';
import { evaluationLines, headline } from './report.js';
import { loadTrained } from './saved-model.js';

interface EvaluateOptions {
  backend: string[];
  batchSize: number;
  dropMissing?: boolean;
  delimiter?: string;
  json?: boolean;
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('score a saved model on a CSV file that has the target column')
    .argument('<model>', 'folder (or model.json) written by webgrad train --out')
    .argument('<data>', 'CSV file (path or URL) with the feature and target columns')
    .addOption(backendOption(false))
    .option('--batch-size <n>', 'rows per forward pass', positiveInteger, 256)
    .option('--drop-missing', 'leave out rows with missing values instead of stopping')
    .option('--delimiter <char>', "field separator (default ','; 'tab' for tabs)", delimiter)
    .option('--json', 'print the report as JSON')
    .action(action('evaluate', evaluate));
}

async function evaluate(modelPath: string, data: string, options: EvaluateOptions): Promise<void> {
  if (options.backend.length > 1 || options.backend[0] === 'all') throw new Error('evaluate runs on one backend; pass auto, webgpu, wasm or cpu');
  const [backend] = await expandBackends(options.backend);
  await wg.setBackend(backend!);
  const { model, preprocessing } = await loadTrained(modelPath, 'evaluate');
  const table = await wg.data.readCsv(data, options.delimiter ? { delimiter: options.delimiter } : {});
  const { x, y, encoded } = preprocessing.tensors(table, { target: true, dropMissing: options.dropMissing ?? false });
  try {
    const result = await evaluateModel(model, preprocessing, x, encoded.y!, options.batchSize);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ model: modelPath, data: table.source, backend, rows: encoded.count, dropped: encoded.dropped.length, metrics: headline(result), report: result.report }, null, 2)}\n`);
      return;
    }
    const lines = evaluationLines(result, `${table.source} on backend ${backend}${encoded.dropped.length ? ` (${encoded.dropped.length} rows with missing values left out)` : ''}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    wg.dispose([x, ...(y ? [y] : [])]);
    model.dispose();
  }
}
