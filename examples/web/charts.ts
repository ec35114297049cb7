// Small SVG charts for the demo's training curves. They redraw from data on every
// update; the data sets are tiny. (The throughput chart is webgrad/bench's own.)

const SVG = 'http://www.w3.org/2000/svg';

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

function frameOf(svg: SVGSVGElement): Frame {
  const width = svg.clientWidth || 480;
  const height = svg.clientHeight || 220;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  return { width, height, left: 44, right: 12, top: 12, bottom: 28 };
}

/** Formats a tick value; `step` is the distance between ticks. */
export type TickFormat = (value: number, step: number) => string;

/** As many decimals as the tick step needs (0.25 → 2, 0.5 → 1, 5 → 0). */
export const plainTicks: TickFormat = (value, step) => {
  let decimals = 0;
  while (decimals < 4 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-9) decimals++;
  return value.toFixed(decimals);
};

function yAxis(svg: SVGSVGElement, f: Frame, yMax: number, format: TickFormat): (v: number) => number {
  const y = (v: number) => f.top + (1 - v / yMax) * (f.height - f.top - f.bottom);
  const step = niceStep(yMax, 4);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    svg.append(el('line', { x1: f.left, x2: f.width - f.right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: f.left - 8, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, format(v, step)));
  }
  return y;
}

/** Draws line series over x = 1..xMax; `yMax` fixed or from the data. */
export function lineChart(svg: SVGSVGElement, series: readonly Series[], options: { xMax: number; yMax?: number; format?: TickFormat; xLabel?: string }): void {
  svg.replaceChildren();
  const f = frameOf(svg);
  const all = series.flatMap((s) => s.points.map((p) => p[1]));
  const yMax = options.yMax ?? Math.max(0.1, ...all) * 1.1;
  const y = yAxis(svg, f, yMax, options.format ?? plainTicks);
  const xMax = Math.max(2, options.xMax);
  const x = (v: number) => f.left + ((v - 1) / (xMax - 1)) * (f.width - f.left - f.right);
  const xStep = niceStep(xMax, 5);
  for (let v = xStep; v <= xMax; v += xStep) svg.append(el('text', { x: x(v), y: f.height - 8, class: 'tick', 'text-anchor': 'middle' }, String(v)));
  if (options.xLabel) svg.append(el('text', { x: f.left, y: f.height - 8, class: 'tick', 'text-anchor': 'start' }, options.xLabel));
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([px, py], i) => `${i ? 'L' : 'M'}${x(px).toFixed(1)},${y(Math.min(py, yMax)).toFixed(1)}`).join('');
    svg.append(el('path', { d, class: 'line', stroke: s.color, ...(s.dashed ? { 'stroke-dasharray': '5 4' } : {}) }));
    const [lx, ly] = s.points[s.points.length - 1]!;
    svg.append(el('circle', { cx: x(lx), cy: y(Math.min(ly, yMax)), r: 3.5, fill: s.color }));
  }
}
