// 'webgrad/bench': the throughput comparison (WebGPU vs WASM vs JS, and TensorFlow.js
// where installed) as a library, for `webgrad bench`, the demo page and apps that want
// to measure their users' machines. Runs in Node, Deno and browsers.

/**
 * The WebGPU / WASM / JS throughput comparison behind `webgrad bench`:
 * `await runBench(options)` measures every backend present (and TensorFlow.js where
 * installed), checking each result against the cpu backend before timing it, and
 * returns a plain-data report; `textReport`, `markdownReport` and `reportChart` (SVG)
 * show it; `report.crossovers` says from which size WebGPU beats WASM, per op.
 * `describeEnvironment()` is what `webgrad info` prints.
 * @module webgrad/bench
 */

export { runBench, type BenchOptions, type BenchProgress } from './run.js';
export {
  REPORT_SCHEMA, resultOf, seriesOf, workloadsOf, problems,
  type BenchReport, type BenchSettings, type Check, type ContenderInfo, type ContenderKind, type Crossover, type Family, type GroupInfo,
  type Machine, type Result, type ResultStatus, type WorkloadInfo,
} from './report.js';
export { crossoverSize, findCrossovers, bestOf } from './crossover.js';
export { renderChart, logScale, decadeDomain, decadeTicks, compactNumber, escapeXml, type ChartSpec, type ChartPanel, type ChartSeries, type ChartMarker, type ChartBar } from './svg.js';
export { chartSpec, reportChart, contenderName } from './chart.js';
export { textReport, markdownReport, cell, figure } from './format.js';
export { DEFAULT_SIZES, GROUP_NAMES, GROUP_ALIASES, type GroupName, type Sizes } from './workloads.js';
export {
  DEFAULT_MODEL_SIZES, QUICK_MODEL_SIZES, MODEL_GROUPS, isModelGroup, describeGpt, gptParameters,
  type ModelGroup, type ModelSizes, type GptBenchConfig,
} from './model-workloads.js';
export { PEER_NAMES, tfjsPeers, type PeerName, type PeerLoader, type TfjsModules } from './peers.js';
export { expandBackendNames, isBackendName } from './contenders.js';
export { describeEnvironment, runtimeInfo, wasmFeatures, type EnvironmentReport, type RuntimeInfo, type WasmFeatures, type AdapterReport, type BackendPresence } from './environment.js';
export { summarize, roundRatios, type Summary } from './timing.js';
