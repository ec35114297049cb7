// Text reports: metrics, per-class scores, the confusion matrix as a table, and the
// per-backend comparison. Pure functions from numbers to lines.

import type * as wg from '../index.js';

/** Left-aligned first column, right-aligned numbers, two spaces between columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export const fixed = (v: number, digits = 4): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

/** Plain-language figure for a number in target units (keeps small and large values readable). */
export const figure = (v: number): string => (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : v.toFixed(4));

export interface ClassificationResult {
  readonly task: 'classification';
  readonly report: wg.ClassificationReport;
  readonly logLoss: number;
}

export interface RegressionResult {
  readonly task: 'regression';
  readonly report: wg.RegressionReport;
}

export type EvaluationResult = ClassificationResult | RegressionResult;

export function evaluationLines(result: EvaluationResult, title: string): string[] {
  if (result.task === 'regression') {
    const r = result.report;
    return [`${title} (${r.samples} rows)`, ...table(['metric', 'value'], [['mse', figure(r.mse)], ['rmse', figure(r.rmse)], ['mae', figure(r.mae)], ['r2', fixed(r.r2)]])];
  }
  const r = result.report;
  const names = r.classNames ?? r.perClass.map((_, i) => String(i));
  const lines = [
    `${title} (${r.samples} rows)`,
    ...table(['metric', 'value'], [
      ['accuracy', fixed(r.accuracy)],
      ['precision (macro)', fixed(r.macro.precision)],
      ['recall (macro)', fixed(r.macro.recall)],
      ['f1 (macro)', fixed(r.macro.f1)],
      ['f1 (weighted)', fixed(r.weighted.f1)],
      ['log loss', fixed(result.logLoss)],
    ]),
    '',
    'per class',
    ...table(['class', 'precision', 'recall', 'f1', 'support'], r.perClass.map((c, i) => [names[i]!, fixed(c.precision), fixed(c.recall), fixed(c.f1), String(c.support)])),
    '',
    'confusion matrix (rows: true class, columns: predicted class)',
    ...table(['true \\ predicted', ...names], r.confusionMatrix.map((row, i) => [names[i]!, ...row.map(String)])),
  ];
  return lines;
}

/** The headline numbers of a result, for the backend comparison and --json. */
export function headline(result: EvaluationResult): Record<string, number> {
  if (result.task === 'regression') {
    const { mse, rmse, mae, r2 } = result.report;
    return { mse, rmse, mae, r2 };
  }
  const r = result.report;
  return { accuracy: r.accuracy, precision: r.macro.precision, recall: r.macro.recall, f1: r.macro.f1, logLoss: result.logLoss };
}
