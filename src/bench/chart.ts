// The report as a chart: one panel per op group, GFLOP/s against size on log axes,
// one line per webgrad backend (solid) and per peer (dashed), the WebGPU/WASM
// crossover marked, the machine in the title.

import type { BenchReport, ContenderInfo } from './report.js';
import { checkReport, resultOf, seriesOf, workloadsOf } from './report.js';
import { type ChartPanel, type ChartSpec, compactNumber, renderChart } from './svg.js';

const COLORS: Record<string, string> = {
  'webgpu': '#4f46e5',
  'tfjs-webgpu': '#818cf8',
  'wasm-1t': '#f59e0b',
  'tfjs-wasm': '#fbbf24',
  'cpu': '#475569',
  'tfjs-cpu': '#94a3b8',
};
const MORE = ['#c2410c', '#7c3aed', '#db2777', '#059669', '#0891b2', '#65a30d'];

/** How a contender is named in tables, legends and JSON readers' eyes. */
export function contenderName(c: Pick<ContenderInfo, 'id' | 'kind'>): string {
  return c.kind === 'webgrad' ? `webgrad ${c.id}` : c.id;
}

function colorOf(c: ContenderInfo, index: number): string {
  return COLORS[c.id] ?? MORE[index % MORE.length]!;
}

export function chartSpec(report: BenchReport): ChartSpec {
  checkReport('chartSpec', report);
  let extra = 0;
  const colors = new Map(report.contenders.map((c) => [c.id, COLORS[c.id] ? colorOf(c, 0) : colorOf(c, extra++)]));
  const panels: ChartPanel[] = [];
  for (const group of report.groups) {
    if (group.unit) {
      // a model workload: one bar per contender, its rate at the group's one configuration
      const w = workloadsOf(report, group.id)[0];
      const values = w ? report.contenders.flatMap((c) => {
        const r = resultOf(report, w.id, c.id);
        return r?.status === 'ok' && r.rate !== undefined
          ? [{ name: contenderName(c), color: colors.get(c.id)!, dashed: c.kind === 'peer', value: r.rate, ...(r.ratio ? { note: `${r.ratio.median.toFixed(2)}×` } : {}) }]
          : [];
      }) : [];
      if (values.length) panels.push({ title: group.title, xLabel: '', yLabel: '', series: [], bars: { unit: group.unit, ...(group.config ? { config: group.config } : {}), values } });
      continue;
    }
    const series = report.contenders
      .map((c) => ({ name: contenderName(c), color: colors.get(c.id)!, dashed: c.kind === 'peer', points: seriesOf(report, group.id, c.id) }))
      .filter((s) => s.points.length > 0);
    if (series.length === 0) continue;
    const crossover = report.crossovers.find((x) => x.group === group.id);
    panels.push({
      title: group.title,
      xLabel: `${group.xLabel} (log scale)`,
      yLabel: 'GFLOP/s (log scale)',
      series,
      ...(crossover?.size !== undefined ? { markers: [{ x: crossover.size, label: `WebGPU > WASM from ${compactNumber(crossover.size)}` }] } : {}),
    });
  }
  return {
    title: `webgrad throughput on ${report.machine.label}`,
    subtitle: `GFLOP/s (models: tokens/s, samples/s, steps/s, bars), median of interleaved samples, log axes${report.contenders.some((c) => c.kind === 'peer') ? '; dashed lines: TensorFlow.js in the same process' : ''}; ${report.started.slice(0, 10)}`,
    panels,
  };
}

export function reportChart(report: BenchReport): string {
  checkReport('reportChart', report);
  return renderChart(chartSpec(report));
}
