// A bar panel for the chart: one horizontal bar per contender on a linear axis from 0,
// its value written beside it, and the model's config under the title. The model
// workloads have one configuration each, so a line over sizes would be a lone dot.

export interface ChartBar {
  readonly name: string;
  readonly color: string;
  /** A peer's bar is hatched lighter, like a peer's line is dashed. */
  readonly dashed?: boolean;
  readonly value: number;
  /** Text after the value, e.g. '1.52×'. */
  readonly note?: string;
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toString();
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
const label = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(2));

/** Splits `text` into lines of at most `chars` characters, at spaces. */
function wrap(text: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > chars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The panel's SVG inside the box (x0, y0, width, height). */
export function barPanelSvg(
  title: string, unit: string, config: string | undefined, bars: readonly ChartBar[], x0: number, y0: number, width: number, height: number, index: number,
): string {
  const out: string[] = [`<g class="panel bars" data-panel="${index}">`];
  out.push(`<text x="${f1(x0 + 12)}" y="${f1(y0 + 16)}" class="panel-title" font-weight="600" font-size="13">${escape(`${title} (${unit})`)}</text>`);
  const notes = config ? wrap(config, Math.floor((width - 24) / 5.6)).slice(0, 3) : [];
  notes.forEach((n, i) => out.push(`<text x="${f1(x0 + 12)}" y="${f1(y0 + 31 + i * 12)}" class="panel-config" font-size="10" fill="#475569">${escape(n)}</text>`));
  const top = y0 + 38 + notes.length * 12;
  const bottom = y0 + height - 16;
  const nameWidth = Math.min(130, Math.max(...bars.map((b) => b.name.length * 6.2), 40));
  const left = x0 + 12 + nameWidth + 6;
  const right = x0 + width - 70;
  const max = Math.max(...bars.map((b) => b.value), 1e-30);
  const step = bars.length ? Math.min(26, (bottom - top) / bars.length) : 0;
  const barHeight = Math.max(6, step - 6);
  bars.forEach((b, i) => {
    const y = top + i * step;
    const w = Math.max(1, ((right - left) * b.value) / max);
    out.push(`<text x="${f1(left - 6)}" y="${f1(y + barHeight / 2 + 4)}" text-anchor="end" font-size="11" fill="#1e293b">${escape(b.name)}</text>`);
    out.push(`<rect class="bar" data-series="${escape(b.name)}" x="${f1(left)}" y="${f1(y)}" width="${f1(w)}" height="${f1(barHeight)}" fill="${escape(b.color)}"${b.dashed ? ' fill-opacity="0.45" stroke-dasharray="4 3"' : ''} stroke="${escape(b.color)}"><title>${escape(`${b.name}: ${label(b.value)} ${unit}`)}</title></rect>`);
    out.push(`<text x="${f1(left + w + 4)}" y="${f1(y + barHeight / 2 + 4)}" font-size="11" fill="#334155">${escape(`${label(b.value)}${b.note ? ` ${b.note}` : ''}`)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}
