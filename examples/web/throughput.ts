// Matmul throughput of one backend, as GFLOP/s per square size: the demo's stand-in
// for the benchmark module (src/bench, issue 6), which can replace this function as a
// whole: same signature, same points. Each size: one warm-up, then rounds of queued
// matmuls closed by a small read, until 300 ms have passed; the median round counts.
import type * as webgrad from 'webgrad';

export interface ThroughputPoint {
  readonly backend: webgrad.BackendName;
  readonly size: number;
  readonly gflops: number;
  readonly msPerMatmul: number;
}

export type MatmulThroughput = (
  wg: typeof webgrad,
  backend: webgrad.BackendName,
  sizes: readonly number[],
  onPoint?: (point: ThroughputPoint) => void,
) => Promise<ThroughputPoint[]>;

const BUDGET_MS = 300;

export const measureMatmulThroughput: MatmulThroughput = async (wg, backend, sizes, onPoint) => {
  await wg.setBackend(backend);
  const points: ThroughputPoint[] = [];
  for (const size of sizes) {
    const a = wg.randomNormal([size, size], 0, 1, 1);
    const b = wg.randomNormal([size, size], 0, 1, 2);
    // enough matmuls per round that a round is not dominated by the final read
    const perRound = Math.max(1, Math.round(2 ** 24 / size ** 3));
    const round = async (): Promise<number> => {
      const started = performance.now();
      await wg.tidy(async () => {
        let c = wg.matmul(a, b);
        for (let i = 1; i < perRound; i++) c = wg.matmul(a, b);
        await wg.slice(c, [0, 0], [1, 1]).data();
      });
      return (performance.now() - started) / perRound;
    };
    await round(); // warm-up: compiles kernels, fills pools
    const times: number[] = [];
    const deadline = performance.now() + BUDGET_MS;
    while (times.length < 3 || (performance.now() < deadline && times.length < 50)) times.push(await round());
    times.sort((x, y) => x - y);
    const ms = times[Math.floor(times.length / 2)]!;
    const point = { backend, size, gflops: (2 * size ** 3) / (ms * 1e6), msPerMatmul: ms };
    points.push(point);
    onPoint?.(point);
    wg.dispose([a, b]);
  }
  return points;
};
