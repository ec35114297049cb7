// `webgrad predict model/ data.csv`: predictions as CSV, one line per input row, to
// stdout or --output.

import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import Papa from 'papaparse';
import * as wg from '../index.js';
import { argMaxRows, outputs } from './evaluation.js';
import { action, backendOption, delimiter, expandBackends, nameList, positiveInteger } from './options.js';
import { loadTrained } from './saved-model.js';

/** Float32 outputs carry about 7 significant digits; printing more only adds noise. */
const significant = (v: number): string => String(Number(v.toPrecision(7)));

interface PredictOptions {
  backend: string[];
  batchSize: number;
  output?: string;
  probabilities?: boolean;
  include?: string[];
  dropMissing?: boolean;
  delimiter?: string;
}

export function predictCommand(): Command {
  return new Command('predict')
    .description('predict with a saved model: CSV in, CSV out (one line per input row)')
    .argument('<model>', 'folder (or model.json) written by webgrad train --out')
    .argument('<data>', 'CSV file (path or URL) with the feature columns (a target column is ignored)')
    .option('-o, --output <file>', 'write the CSV here instead of stdout')
    .option('--probabilities', 'add one probability column per class (classification)')
    .option('--include <columns>', 'copy these input columns into the output (an id, say)', nameList)
    .addOption(backendOption(false))
    .option('--batch-size <n>', 'rows per forward pass', positiveInteger, 256)
    .option('--drop-missing', 'leave rows with missing values unpredicted (empty cells) instead of stopping')
    .option('--delimiter <char>', "field separator of the input (default ','; 'tab' for tabs)", delimiter)
    .action(action('predict', predict));
}

async function predict(modelPath: string, data: string, options: PredictOptions): Promise<void> {
  if (options.backend.length > 1 || options.backend[0] === 'all') throw new Error('predict runs on one backend; pass auto, webgpu, wasm or cpu');
  const [backend] = await expandBackends(options.backend);
  await wg.setBackend(backend!);
  const { model, preprocessing } = await loadTrained(modelPath, 'predict');
  const table = await wg.data.readCsv(data, options.delimiter ? { delimiter: options.delimiter } : {});
  const include = options.include ?? [];
  const missingColumn = include.find((c) => !table.columns.includes(c));
  if (missingColumn) throw new Error(`--include: ${table.source} has no column '${missingColumn}'; its columns are: ${table.columns.join(', ')}`);
  const { x, encoded } = preprocessing.tensors(table, { target: false, dropMissing: options.dropMissing ?? false });
  try {
    const values = await outputs(model, x, options.batchSize);
    const classes = preprocessing.classes;
    const header = [...include, `predicted_${preprocessing.target}`, ...(classes && options.probabilities ? classes.map((c) => `probability_${c}`) : [])];
    const predicted = new Map<number, (string | number)[]>();
    if (classes) {
      const k = classes.length;
      argMaxRows(values, k).forEach((c, i) => {
        const row: (string | number)[] = [classes[c]!];
        if (options.probabilities) for (let j = 0; j < k; j++) row.push(significant(values[i * k + j]!));
        predicted.set(encoded.rowNumbers[i]!, row);
      });
    } else {
      preprocessing.unscaleTarget(values).forEach((v, i) => predicted.set(encoded.rowNumbers[i]!, [significant(v)]));
    }
    const width = header.length - include.length;
    const includeAt = include.map((c) => table.columns.indexOf(c));
    const rows = table.rows.map((row, i) => [...includeAt.map((j) => row[j]!), ...(predicted.get(table.rowNumbers[i]!) ?? new Array<string>(width).fill(''))]);
    const text = `${Papa.unparse({ fields: header, data: rows }, { newline: '\n' })}\n`;
    if (options.output) {
      await writeFile(options.output, text);
      process.stderr.write(`wrote ${rows.length} predictions to ${options.output}\n`);
    } else {
      process.stdout.write(text);
    }
  } finally {
    x.dispose();
    model.dispose();
  }
}
