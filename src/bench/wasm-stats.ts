// Timing helpers for the benchmarks: medians and spread of interleaved samples.

export interface Summary {
  readonly median: number;
  /** 10th and 90th percentiles. */
  readonly p10: number;
  readonly p90: number;
  readonly samples: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function summarize(times: readonly number[]): Summary {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9), samples: sorted.length };
}

/**
 * The speed-up of `ours` over `peer`, round by round: samples of the same round
 * ran milliseconds apart, so load from other processes hits both alike. The
 * median and spread of these ratios are steadier than a ratio of medians on a
 * busy machine.
 */
export function roundRatios(peer: readonly number[], ours: readonly number[]): Summary {
  return summarize(peer.map((p, i) => p / ours[i]!));
}

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
