// A small SVG line-chart renderer: panels of series on log-log axes, a shared legend
// and a title, as one standalone SVG string. No DOM, so the same code writes the
// file in Node and draws the demo page in a browser (the page inserts the string).

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  /** [x, y] with x > 0 and y > 0 (log axes); other points are left out. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartMarker {
  readonly x: number;
  readonly label: string;
}

export interface ChartPanel {
  readonly title: string;
  /** A bar panel (one value per contender, a model workload) instead of lines over sizes. */
  readonly bars?: { readonly unit: string; readonly config?: string; readonly values: readonly ChartBar[] };
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Vertical lines, e.g. a crossover size. */
  readonly markers?: readonly ChartMarker[];
}

export interface ChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  readonly panels: readonly ChartPanel[];
  /** Panels per row (default: up to 3). */
  readonly columns?: number;
  readonly panelWidth?: number;
  readonly panelHeight?: number;
}

import { barPanelSvg, type ChartBar } from './svg-bars.js';

export type { ChartBar };

/** Where the plot area of a panel lies, and the frame around it. */
const PAD = { left: 58, right: 14, top: 28, bottom: 44 };
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';

/** A log-scale map from `domain` (both > 0) to `range`. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain.map(Math.log) as [number, number];
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((Math.log(v) - d0) / span) * (r1 - r0);
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** 1024 → "1K", 4194304 → "4M", 0.25 → "0.25". */
export function compactNumber(v: number): string {
  const units: [number, string][] = [[2 ** 30, 'G'], [2 ** 20, 'M'], [2 ** 10, 'K']];
  for (const [unit, suffix] of units) if (v >= unit && v % unit === 0) return `${v / unit}${suffix}`;
  if (v >= 1e4) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** The y-axis range: whole decades around the data, at least one decade. */
export function decadeDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [0.1, 10];
  let lo = 10 ** Math.floor(Math.log10(Math.min(...positive)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  if (hi / lo < 10) hi = lo * 10;
  if (hi === lo) [lo, hi] = [lo / 10, hi * 10];
  return [lo, hi];
}

/** Ticks on a log axis: 1-2-5 steps over up to two decades, powers of ten beyond. */
export function decadeTicks([lo, hi]: readonly [number, number]): number[] {
  const decades = Math.round(Math.log10(hi / lo));
  const steps = decades <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let p = Math.round(Math.log10(lo)); p <= Math.round(Math.log10(hi)); p++) {
    for (const s of steps) {
      const v = Number((s * 10 ** p).toPrecision(6));
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toString();

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
}

function text(x: number, y: number, content: string, extra: Record<string, string | number | undefined> = {}): string {
  return `<text${attrs({ x: f1(x), y: f1(y), ...extra })}>${escapeXml(content)}</text>`;
}

function panelSvg(panel: ChartPanel, x0: number, y0: number, width: number, height: number, index: number): string {
  if (panel.bars) return barPanelSvg(panel.title, panel.bars.unit, panel.bars.config, panel.bars.values, x0, y0, width, height, index);
  const out: string[] = [];
  const left = x0 + PAD.left;
  const right = x0 + width - PAD.right;
  const top = y0 + PAD.top;
  const bottom = y0 + height - PAD.bottom;
  const points = panel.series.flatMap((s) => s.points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y)));
  const xs = [...new Set(points.map(([x]) => x))].sort((a, b) => a - b);
  const xDomain: [number, number] = xs.length === 0 ? [1, 2] : xs.length === 1 ? [xs[0]! / 2, xs[0]! * 2] : [xs[0]!, xs[xs.length - 1]!];
  const yDomain = decadeDomain(points.map(([, y]) => y));
  // a little room inside the frame so that end points are not on it
  const inset = 8;
  const x = logScale(xDomain, [left + inset, right - inset]);
  const y = logScale(yDomain, [bottom, top]);
  out.push(`<g class="panel" data-panel="${index}">`);
  out.push(text(x0 + PAD.left, y0 + 16, panel.title, { class: 'panel-title', 'font-weight': 600, 'font-size': 13 }));
  out.push(`<rect class="plot" x="${f1(left)}" y="${f1(top)}" width="${f1(right - left)}" height="${f1(bottom - top)}" fill="none" stroke="#cbd5e1"/>`);
  for (const t of decadeTicks(yDomain)) {
    const ty = y(t);
    out.push(`<line class="grid y" x1="${f1(left)}" x2="${f1(right)}" y1="${f1(ty)}" y2="${f1(ty)}" stroke="#e2e8f0"/>`);
    out.push(text(left - 6, ty + 4, compactNumber(t), { class: 'tick y', 'text-anchor': 'end', 'font-size': 11, fill: '#475569' }));
  }
  const every = Math.ceil(xs.length / 8);
  xs.forEach((v, i) => {
    const tx = x(v);
    out.push(`<line class="grid x" x1="${f1(tx)}" x2="${f1(tx)}" y1="${f1(top)}" y2="${f1(bottom)}" stroke="#f1f5f9"/>`);
    if (i % every === 0) out.push(text(tx, bottom + 15, compactNumber(v), { class: 'tick x', 'text-anchor': 'middle', 'font-size': 11, fill: '#475569' }));
  });
  out.push(text((left + right) / 2, bottom + 33, panel.xLabel, { class: 'axis-label x', 'text-anchor': 'middle', 'font-size': 12, fill: '#1e293b' }));
  const ly = (top + bottom) / 2;
  out.push(text(x0 + 14, ly, panel.yLabel, { class: 'axis-label y', 'text-anchor': 'middle', 'font-size': 12, fill: '#1e293b', transform: `rotate(-90 ${f1(x0 + 14)} ${f1(ly)})` }));
  for (const m of panel.markers ?? []) {
    if (!(m.x >= xDomain[0] && m.x <= xDomain[1])) continue;
    const mx = x(m.x);
    out.push(`<line class="marker" x1="${f1(mx)}" x2="${f1(mx)}" y1="${f1(top)}" y2="${f1(bottom)}" stroke="#0f766e" stroke-dasharray="2 3"/>`);
    out.push(text(mx + 4, top + 12, m.label, { class: 'marker-label', 'font-size': 10, fill: '#0f766e' }));
  }
  for (const s of panel.series) {
    const valid = s.points.filter(([px, py]) => px > 0 && py > 0 && Number.isFinite(py)).sort((a, b) => a[0] - b[0]);
    if (valid.length === 0) continue;
    const d = valid.map(([px, py], i) => `${i ? 'L' : 'M'}${f1(x(px))},${f1(y(py))}`).join(' ');
    out.push(`<path${attrs({ class: 'series', 'data-series': s.name, d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '6 4' : undefined })}/>`);
    for (const [px, py] of valid) {
      out.push(`<circle${attrs({ class: 'point', 'data-series': s.name, cx: f1(x(px)), cy: f1(y(py)), r: 3, fill: s.color })}><title>${escapeXml(`${s.name}: ${compactNumber(px)} → ${py.toPrecision(3)}`)}</title></circle>`);
    }
  }
  out.push('</g>');
  return out.join('\n');
}

/** Approximate width of `s` at 12 px (for laying out the legend). */
const textWidth = (s: string) => s.length * 6.6;

/** The chart as a standalone SVG document. */
export function renderChart(spec: ChartSpec): string {
  const panelWidth = spec.panelWidth ?? 380;
  const panelHeight = spec.panelHeight ?? 270;
  const columns = Math.max(1, Math.min(spec.columns ?? 3, spec.panels.length || 1));
  const width = columns * panelWidth + 20;
  // one legend entry per series name, in first-seen order
  const legend = new Map<string, ChartSeries>();
  for (const p of spec.panels) for (const s of p.series) if (!legend.has(s.name)) legend.set(s.name, s);
  for (const p of spec.panels) for (const b of p.bars?.values ?? []) if (!legend.has(b.name)) legend.set(b.name, { ...b, points: [] });
  const legendItems: string[] = [];
  let lx = 20;
  let lyRow = 0;
  const headerTop = spec.subtitle ? 58 : 40;
  for (const s of legend.values()) {
    const w = 34 + textWidth(s.name) + 18;
    if (lx + w > width - 10 && lx > 20) {
      lx = 20;
      lyRow++;
    }
    const ly = headerTop + lyRow * 20;
    legendItems.push(
      `<g class="legend-item" data-series="${escapeXml(s.name)}">` +
        `<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${escapeXml(s.color)}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>` +
        text(lx + 32, ly + 4, s.name, { 'font-size': 12, fill: '#1e293b' }) + '</g>',
    );
    lx += w;
  }
  const panelsTop = headerTop + (legend.size ? (lyRow + 1) * 20 : 0) + 6;
  const rows = Math.ceil(spec.panels.length / columns);
  const height = panelsTop + rows * panelHeight + 10;
  const body = spec.panels.map((p, i) => panelSvg(p, 10 + (i % columns) * panelWidth, panelsTop + Math.floor(i / columns) * panelHeight, panelWidth, panelHeight, i));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${f1(height)}" viewBox="0 0 ${width} ${f1(height)}" role="img" aria-label="${escapeXml(spec.title)}" font-family="${FONT}">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(20, 24, spec.title, { class: 'title', 'font-size': 16, 'font-weight': 700, fill: '#0f172a' }),
    ...(spec.subtitle ? [text(20, 42, spec.subtitle, { class: 'subtitle', 'font-size': 12, fill: '#475569' })] : []),
    `<g class="legend">${legendItems.join('')}</g>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
