// The bundled data sets as tensors, for training tests. The CSV files are imported
// as text (Vite's ?raw), so the same helper works in Node and in the browser.
import Papa from 'papaparse';
import * as wg from '../../src/index.js';
import digitsCsv from '../../examples/data/digits.csv?raw';
import irisCsv from '../../examples/data/iris.csv?raw';

export interface Dataset {
  x: number[][];
  labels: number[];
  classes: string[];
}

/** Reads examples/data/<name>.csv; the last column is the class label. */
export function loadCsv(name: 'digits' | 'iris'): Dataset {
  const text = name === 'digits' ? digitsCsv : irisCsv;
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true });
  const rows = parsed.data.slice(1);
  const classes = [...new Set(rows.map((r) => r[r.length - 1]!))].sort((a, b) => (isNaN(+a) ? a.localeCompare(b) : +a - +b));
  return {
    x: rows.map((r) => r.slice(0, -1).map(Number)),
    labels: rows.map((r) => classes.indexOf(r[r.length - 1]!)),
    classes,
  };
}

/** Standardized 75/25 split as tensors (scaler fitted on the training part). */
export function splitTensors(data: Dataset, seed: number) {
  const x = wg.tensor(data.x);
  const y = wg.tensor(data.labels, [data.labels.length], 'int32');
  const split = wg.data.trainTestSplit(x, y, { testSize: 0.25, seed });
  const scaler = wg.data.standardScaler().fit(split.xTrain);
  const out = { xTrain: scaler.transform(split.xTrain), xTest: scaler.transform(split.xTest), yTrain: split.yTrain, yTest: split.yTest };
  wg.dispose([x, y, split.xTrain, split.xTest]);
  scaler.dispose();
  return out;
}
