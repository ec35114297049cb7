// The bundled digits data set (examples/data/digits.csv): 1,797 hand-written digits
// as 8×8 images with values 0–16, one row per image, the label last.
import digitsUrl from '../data/digits.csv?url';

export interface Digits {
  readonly pixels: Float32Array; // rows × 64
  readonly labels: Int32Array;
  readonly count: number;
}

export async function loadDigits(): Promise<Digits> {
  const response = await fetch(digitsUrl);
  if (!response.ok) throw new Error(`could not load ${digitsUrl}: HTTP ${response.status}`);
  const rows = (await response.text()).trim().split('\n').slice(1);
  const pixels = new Float32Array(rows.length * 64);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, r) => {
    const values = row.split(',');
    for (let i = 0; i < 64; i++) pixels[r * 64 + i] = Number(values[i]);
    labels[r] = Number(values[64]);
  });
  return { pixels, labels, count: rows.length };
}
