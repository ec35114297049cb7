// Helpers of the WASM bench (npm run bench:wasm): formatting, tables and interleaving.

import { roundRatios, summarize, type Summary } from './timing.js';

export { roundRatios, summarize, type Summary };

/** "2.01 (1.90–2.10)" */
export function formatRatio(s: Summary): string {
  return `${s.median.toFixed(2)} (${s.p10.toFixed(2)}–${s.p90.toFixed(2)})`;
}

/** "12.3 ms (11.9–13.0)" */
export function formatMs(s: Summary): string {
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return `${f(s.median)} (${f(s.p10)}–${f(s.p90)})`;
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Runs `contestants` in rounds, one timed sample each per round, in a rotating
 * order, so slow drift of the machine (clock, other load) hits all of them alike.
 */
export async function interleave(
  contestants: readonly { readonly name: string; readonly sample: () => number | Promise<number> }[],
  rounds: number,
): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(contestants.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contestants.length; i++) {
      const c = contestants[(i + r) % contestants.length]!;
      times.get(c.name)!.push(await c.sample());
    }
  }
  return times;
}
