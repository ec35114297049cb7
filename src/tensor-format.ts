// How a tensor shows itself: `String(t)`, `console.log(t)` in Node and Deno, and
// `t.print()`. The header names dtype and shape; the values follow as nested rows,
// with long dimensions elided to their first and last three entries as TF.js does
// (more than 20 entries), so printing a large tensor stays short.
//
// Values need a read. cpu and wasm read synchronously, so String(t) shows them; on
// webgpu a read is asynchronous, so String(t) shows the header and a note instead,
// and `await t.print()` reads and prints the values on every backend.

import type { Tensor } from './tensor.js';

/** Dimensions longer than this are elided. */
const ELIDE_OVER = 20;
/** Entries kept at each end of an elided dimension. */
const EDGE = 3;

function formatNumber(v: number, dtype: string): string {
  if (dtype === 'bool') return v !== 0 ? 'true' : 'false';
  if (dtype === 'int32' || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e7 || (a > 0 && a < 1e-6)) return v.toExponential(4);
  // float32 holds about 7 significant digits: round there so 0.1 shows as 0.1, as TF.js does
  return String(parseFloat(v.toFixed(7)));
}

/** The indices shown along a dimension of `size`: all, or the first and last EDGE with -1 for the gap. */
function shown(size: number): number[] {
  if (size <= ELIDE_OVER) return Array.from({ length: size }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), -1, ...Array.from({ length: EDGE }, (_, i) => size - EDGE + i)];
}

/** The values of a row-major array of `shape` as nested, elided, aligned rows. */
export function formatValues(values: ArrayLike<number>, shape: readonly number[], dtype: string): string {
  if (shape.length === 0) return formatNumber(values[0]!, dtype);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  // Pad every shown number to one width so that columns line up.
  const cells: string[] = [];
  const collect = (dim: number, offset: number): void => {
    for (const i of shown(shape[dim]!)) {
      if (i < 0) continue;
      if (dim === shape.length - 1) cells.push(formatNumber(values[offset + i]!, dtype));
      else collect(dim + 1, offset + i * strides[dim]!);
    }
  };
  collect(0, 0);
  const width = Math.max(0, ...cells.map((c) => c.length));
  const render = (dim: number, offset: number, indent: string): string => {
    const parts = shown(shape[dim]!).map((i) => {
      if (i < 0) return '...';
      if (dim === shape.length - 1) return formatNumber(values[offset + i]!, dtype).padStart(width);
      return render(dim + 1, offset + i * strides[dim]!, `${indent} `);
    });
    if (dim === shape.length - 1) return `[${parts.join(', ')}]`;
    const gap = `,${'\n'.repeat(shape.length - 1 - dim)}${indent} `;
    return `[${parts.join(gap)}]`;
  };
  return render(0, 0, '');
}

/** The one-line header: `Tensor float32 [2,3]`. */
export function tensorHeader(t: Tensor): string {
  return `Tensor ${t.dtype} [${t.shape.join(',')}]`;
}

/** The text String(t) and Node's inspect show; values only where the backend reads synchronously. */
export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return `Tensor (disposed) ${t.dtype} [${t.shape.join(',')}]`;
  if (!t.backend.readSync) return `${tensorHeader(t)} on ${t.backend.name} (values not read: await t.print() or t.array())`;
  return `${tensorHeader(t)}\n${formatValues(t.dataSync(), t.shape, t.dtype)}`;
}

/** The text t.print() shows: read (asynchronously where needed) and formatted. */
export async function formatTensorAsync(t: Tensor): Promise<string> {
  t.assertAlive('print');
  if (t.backend.readSync) return formatTensor(t);
  return `${tensorHeader(t)}\n${formatValues(await t.data(), t.shape, t.dtype)}`;
}
