// The report as text: aligned tables for a terminal, and a markdown section for
// docs/benchmarks.md. One table per op group: a row per size, a column per contender,
// each cell the median GFLOP/s, ± half its p10–p90 spread, and × its incumbent.

import { contenderName } from './chart.js';
import { checkOptions } from '../options.js';
import { type BenchReport, checkReport, type GroupInfo, type Result, problems, resultOf, workloadsOf } from './report.js';
import { compactNumber } from './svg.js';

/** 3 significant figures, no exponent for everyday magnitudes. */
export function figure(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v >= 1000) return v.toFixed(0);
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 0.01) return v.toFixed(2);
  return v.toExponential(1);
}

/** "12.3 ±4% 1.05×" */
export function cell(r: Result | undefined): string {
  if (!r) return '';
  if (r.status === 'skipped') return 'skipped';
  if (r.status === 'wrong') return 'WRONG';
  if (r.status === 'failed') return 'failed';
  // a model workload's figure is its rate (tokens/s, samples/s), not GFLOP/s
  const g = r.rate ?? r.gflops!;
  const [slow, fast] = r.rateRange ?? r.gflopsRange!;
  const spread = g > 0 ? Math.round(((fast - slow) / 2 / g) * 100) : 0;
  return `${figure(g)} ±${spread}%${r.ratio ? ` ${r.ratio.median.toFixed(2)}×` : ''}`;
}

/** Left-aligned first column, right-aligned others, two spaces between columns. */
export function aligned(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), `| ${header.map((_, j) => (j === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map(line)];
}

function groupRows(report: BenchReport, group: string): { header: string[]; rows: string[][] } {
  const workloads = workloadsOf(report, group);
  const contenders = report.contenders.filter((c) => workloads.some((w) => resultOf(report, w.id, c.id)));
  const info = report.groups.find((g) => g.id === group)!;
  const header = [info.xLabel, 'shapes', ...contenders.map(contenderName)];
  const rows = workloads.map((w) => [compactNumber(w.size), w.shape, ...contenders.map((c) => cell(resultOf(report, w.id, c.id)))]);
  return { header, rows };
}

/** Why results were skipped, each reason once with the contenders it applies to. */
/** One line per contender and group: from which size it was not run, and why. */
function skipNotes(report: BenchReport): string[] {
  const workloads = new Map(report.workloads.map((w, i) => [w.id, { ...w, order: i }]));
  const skipped = report.results
    .filter((r) => r.status === 'skipped' && r.reason && workloads.has(r.workload))
    .sort((a, b) => workloads.get(a.workload)!.order - workloads.get(b.workload)!.order);
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const r of skipped) {
    const w = workloads.get(r.workload)!;
    const key = `${r.contender}\n${w.group}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const group = report.groups.find((g) => g.id === w.group);
    const first = workloadsOf(report, w.group)[0]?.size === w.size;
    const where = `${group?.title ?? w.group}${first ? '' : ` from ${group?.xLabel ?? 'size'} ${compactNumber(w.size)}`}`;
    notes.push(`${r.contender}, ${where}: ${r.reason}`);
  }
  return notes;
}

function checkNote(report: BenchReport): string {
  const checked = report.results.filter((r) => r.status === 'ok' && r.check);
  const against = new Map<string, number>();
  let worst = 0;
  for (const r of checked) {
    against.set(r.check!.against, (against.get(r.check!.against) ?? 0) + 1);
    // an exact check (tolerance 0, e.g. generated tokens) that passed used none of it
    worst = Math.max(worst, r.check!.tolerance > 0 ? r.check!.error / r.check!.tolerance : 0);
  }
  const parts = [...against].map(([name, n]) => `${n} against ${name}`);
  return `Every result was checked before timing (${parts.join(', ') || 'none'}); the largest error used ${(worst * 100).toFixed(worst < 0.01 ? 3 : 1)}% of its tolerance.`;
}

/** A group's note under its title: how flops are counted, or a model's unit and config. */
function groupNote(g: GroupInfo): string {
  return g.unit ? `cells: ${g.unit}; ${g.config ?? ''}` : g.flopsNote;
}

function legendLines(report: BenchReport): string[] {
  return report.contenders.map((c) => `${contenderName(c)}: ${c.description}${c.incumbent ? ` (× against ${c.incumbent})` : ''}`);
}

/** The report for a terminal. */
export function textReport(report: BenchReport): string {
  checkReport('textReport', report);
  const out: string[] = [`webgrad bench on ${report.machine.label}`, `${report.machine.runtime}; ${report.machine.cores} cores${report.machine.cpu ? `, ${report.machine.cpu}` : ''}`, ''];
  out.push(...legendLines(report));
  for (const u of report.unavailable) out.push(`${u.id}: not measured (${u.reason})`);
  out.push('', 'Cells: GFLOP/s (median; for a model, its unit: tokens/s, samples/s, steps/s) ±half the p10–p90 spread, then × the incumbent (its time over ours, round by round; > 1 is faster).');
  for (const g of report.groups) {
    const { header, rows } = groupRows(report, g.id);
    if (rows.length === 0) continue;
    out.push('', `${g.title}  (${groupNote(g)})`, ...aligned(header, rows));
    const x = report.crossovers.find((c) => c.group === g.id);
    if (x) out.push(`crossover: ${x.note}`);
  }
  out.push('', checkNote(report));
  for (const p of problems(report)) out.push(`PROBLEM: ${p.contender} on ${p.workload}: ${p.reason}`);
  const notes = skipNotes(report);
  if (notes.length) out.push('', 'Skipped:', ...notes.map((n) => `  ${n}`));
  out.push('', `${report.results.filter((r) => r.status === 'ok').length} results in ${report.seconds.toFixed(0)} s.`);
  return out.join('\n');
}

/** A section for docs/benchmarks.md; `chart` is the SVG's path relative to the markdown file. */
export function markdownReport(report: BenchReport, options: { chart?: string; command?: string } = {}): string {
  checkReport('markdownReport', report);
  checkOptions('markdownReport', options, ['chart', 'command']);
  const out: string[] = [`## Throughput: ${report.machine.label} (${report.started.slice(0, 10)})`, ''];
  out.push(`Measured with \`${options.command ?? 'webgrad bench'}\` (src/bench/, ${report.seconds.toFixed(0)} s): ${report.machine.runtime}, ${report.machine.cores} cores${report.machine.cpu ? ` (${report.machine.cpu})` : ''}${report.machine.adapter ? `, WebGPU adapter: ${report.machine.adapter}${report.machine.softwareAdapter ? ' (a software adapter)' : ''}` : ', no WebGPU adapter'}.`);
  out.push(`Samples of all contenders interleaved round by round; ${report.settings.reps} samples per figure at most (fewer where the time budget of ${report.settings.budgetSeconds} s ran short), runs longer than ${(report.settings.maxRunMs / 1000).toFixed(1)} s skipped.`);
  out.push('', ...legendLines(report).map((l) => `- ${l}`));
  for (const u of report.unavailable) out.push(`- ${u.id}: not measured (${u.reason})`);
  if (options.chart) out.push('', `![GFLOP/s against size on ${report.machine.label}](${options.chart})`);
  out.push('', 'Cells: GFLOP/s (median; for a model, its unit: tokens/s, samples/s, steps/s) ±half the p10–p90 spread, then × the incumbent (its time over ours, round by round; > 1 is faster).');
  for (const g of report.groups) {
    const { header, rows } = groupRows(report, g.id);
    if (rows.length === 0) continue;
    out.push('', `**${g.title}** (${groupNote(g)})`, '', ...markdownTable(header, rows));
  }
  if (report.crossovers.length) {
    out.push('', 'Crossover (from which size WebGPU beats the faster WASM configuration, at every larger size measured):', '');
    for (const x of report.crossovers) out.push(`- ${report.groups.find((g) => g.id === x.group)!.title}: ${x.note}`);
  }
  out.push('', checkNote(report));
  const notes = skipNotes(report);
  if (notes.length) out.push('', 'Skipped:', '', ...notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}
