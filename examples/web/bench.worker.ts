// The demo's benchmark worker: runs the same benchmark as `webgrad bench` off the
// page's thread, and hands back the report with the chart and the text table already
// rendered, so that the page itself never loads the library.
import { type BenchReport, compactNumber, findCrossovers, reportChart, runBench, textReport } from 'webgrad/bench';
import { type HandlerContext, expose } from 'webgrad/worker';
import { PRESETS, type PresetName } from './bench-presets.js';

export interface BenchUpdate {
  /** Workloads finished, and how many there are. */
  readonly done: number;
  readonly total: number;
  /** The workload running now, e.g. "matmul n×n · n×n, n = 256". */
  readonly running?: string;
  /** The chart of what has been measured so far (after each workload). */
  readonly chart?: string;
}

export interface BenchOutcome {
  readonly report: BenchReport;
  /** The SVG the CLI writes (reportChart). */
  readonly chart: string;
  /** The table the CLI prints (textReport). */
  readonly text: string;
}

/** The run in progress: a new one waits until a cancelled one has stopped. */
let current: Promise<unknown> = Promise.resolve();

export const handlers = {
  async run({ preset }: { preset: PresetName }, { progress, signal }: HandlerContext<BenchUpdate>): Promise<BenchOutcome> {
    const previous = current;
    const run = (async () => {
      await previous.catch(() => undefined);
      const report = await runBench({
        ...PRESETS[preset].options,
        signal,
        onProgress: ({ done, total, workload, phase, report: sofar }) => {
          if (phase === 'start') {
            const group = sofar.groups.find((g) => g.id === workload.group);
            progress({ done, total, running: `${group?.title ?? workload.group}, ${group?.xLabel ?? 'size'} = ${compactNumber(workload.size)}` });
          } else {
            progress({ done, total, chart: reportChart({ ...sofar, crossovers: findCrossovers(sofar) }) });
          }
        },
      });
      return { report, chart: reportChart(report), text: textReport(report) };
    })();
    current = run;
    return run;
  },
};

expose(handlers);
