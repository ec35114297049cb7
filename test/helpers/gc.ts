// Garbage that earlier tests left for the FinalizationRegistry is freed whenever the
// engine collects, which changes wg.memory() at unpredictable times (often in
// Chromium, rarely in Node). Leak tests call this before taking their baseline.
// Both projects expose `gc` (vitest.config.ts: --expose-gc / --js-flags=--expose-gc).

export async function settleGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('settleGarbage: run with --expose-gc (node) or --js-flags=--expose-gc (chromium)');
  for (let i = 0; i < 3; i++) {
    gc();
    // finalization callbacks run as separate tasks after a collection
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
