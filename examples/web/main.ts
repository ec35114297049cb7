// The demo page: picks a backend, trains in a worker with live curves, predicts
// drawn digits, and charts matmul throughput per backend. The library runs only in
// the workers; this page imports just webgrad/worker's `connect`.
import { connect } from 'webgrad/worker';
import type { handlers as benchHandlers } from './bench.worker.js';
import { type BarGroup, barChart, lineChart } from './charts.js';
import { SketchPad } from './sketch.js';
import type { ThroughputPoint } from './throughput.js';
import type { BackendStatus, EpochReport, handlers as trainHandlers } from './train.worker.js';

type BackendName = BackendStatus['name'];

const LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', wasm: 'WebAssembly SIMD', cpu: 'JavaScript' };
const COLORS: Record<BackendName, string> = { webgpu: '#4f46e5', wasm: '#f59e0b', cpu: '#64748b' };
const BENCH_SIZES: Record<BackendName, number[]> = { webgpu: [64, 128, 256, 512], wasm: [64, 128, 256, 512], cpu: [64, 128, 256] };

const $ = <T extends HTMLElement | SVGSVGElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

const trainer = connect<typeof trainHandlers>(new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' }));
const bencher = connect<typeof benchHandlers>(new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' }));

let statuses: BackendStatus[] = [];
let selected: BackendName | undefined;
let training: AbortController | undefined;
let reports: EpochReport[] = [];
let epochsPlanned = 20;
let trained = false;

function setState(state: 'idle' | 'training' | 'trained'): void {
  document.body.dataset.state = state;
}

function setStatus(text: string, error = false): void {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

// ---- backends ------------------------------------------------------------------

function renderBackends(): void {
  const list = $('backends');
  list.replaceChildren(...statuses.map((s) => {
    const button = document.createElement('button');
    button.className = 'backend';
    button.dataset.backend = s.name;
    button.setAttribute('role', 'radio');
    button.setAttribute('aria-checked', String(s.name === selected));
    button.disabled = !s.available || training !== undefined;
    button.title = s.detail;
    button.innerHTML = '<span class="dot"></span><span class="name"></span><span class="detail"></span>';
    button.querySelector('.name')!.textContent = LABELS[s.name];
    button.querySelector('.detail')!.textContent = s.available ? s.detail : `Unavailable: ${s.detail}`;
    button.addEventListener('click', () => {
      selected = s.name;
      renderBackends();
    });
    return button;
  }));
}

// ---- training ------------------------------------------------------------------

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

function renderCurves(): void {
  const train = (key: 'loss' | 'accuracy') => reports.map((r) => [r.epoch + 1, r[key]] as const);
  const test = (key: 'testLoss' | 'testAccuracy') => reports.map((r) => [r.epoch + 1, r[key]] as const);
  lineChart($<SVGSVGElement>('loss-chart'), [
    { name: 'training', color: '#4f46e5', points: train('loss') },
    { name: 'test', color: '#0d9488', points: test('testLoss') },
  ], { xMax: epochsPlanned, xLabel: 'epoch' });
  lineChart($<SVGSVGElement>('accuracy-chart'), [
    { name: 'training', color: '#4f46e5', points: train('accuracy') },
    { name: 'test', color: '#0d9488', points: test('testAccuracy') },
  ], { xMax: epochsPlanned, yMax: 1, xLabel: 'epoch', format: (v) => `${Math.round(v * 100)}%` });
}

function showReport(r: EpochReport): void {
  const accuracy = $('test-accuracy');
  accuracy.textContent = percent(r.testAccuracy);
  accuracy.dataset.value = String(r.testAccuracy);
  $('epoch').textContent = `${r.epoch + 1} / ${epochsPlanned}`;
  $('speed').textContent = r.msPerEpoch < 1000 ? `${r.msPerEpoch.toFixed(0)} ms` : `${(r.msPerEpoch / 1000).toFixed(1)} s`;
}

async function train(): Promise<void> {
  if (training) {
    training.abort(new DOMException('stopped by the user', 'AbortError'));
    return;
  }
  if (!selected) return;
  const backend = selected;
  training = new AbortController();
  epochsPlanned = Number(($('epochs') as HTMLSelectElement).value);
  reports = [];
  renderCurves();
  const button = $('train') as HTMLButtonElement;
  button.textContent = 'Stop';
  button.classList.add('stop');
  for (const id of ['hidden', 'epochs', 'rate']) ($(id) as HTMLSelectElement).disabled = true;
  renderBackends();
  setState('training');
  setStatus(`Training on ${LABELS[backend]}…`);
  try {
    const result = await trainer.train({
      backend,
      hiddenUnits: Number(($('hidden') as HTMLSelectElement).value),
      epochs: epochsPlanned,
      learningRate: Number(($('rate') as HTMLSelectElement).value),
      batchSize: 32,
    }, {
      signal: training.signal,
      onProgress: (r) => {
        reports.push(r);
        trained = true;
        showReport(r);
        renderCurves();
        void predict();
      },
    });
    setStatus(`Done: ${percent(result.testAccuracy)} of the 450 held-out digits right, trained on ${LABELS[backend]}. Now draw one.`);
  } catch (error) {
    const e = error as Error;
    if (e.name === 'AbortError') setStatus(`Stopped after ${reports.length} epochs. The model keeps what it learnt.`);
    else setStatus(`Training failed: ${e.message}`, true);
  } finally {
    training = undefined;
    button.textContent = 'Train again';
    button.classList.remove('stop');
    for (const id of ['hidden', 'epochs', 'rate']) ($(id) as HTMLSelectElement).disabled = false;
    renderBackends();
    setState(trained ? 'trained' : 'idle');
  }
}

// ---- drawing and prediction ----------------------------------------------------

const pad = new SketchPad($('pad') as HTMLCanvasElement);
const pixelCells = Array.from({ length: 64 }, () => document.createElement('span'));
$('pixels').replaceChildren(...pixelCells);
const probabilityItems = Array.from({ length: 10 }, (_, digit) => {
  const item = document.createElement('li');
  item.innerHTML = '<span class="track"><span class="bar"></span></span><span class="name"></span>';
  item.querySelector('.name')!.textContent = String(digit);
  return item;
});
$('probabilities').replaceChildren(...probabilityItems);

const bar = (item: HTMLElement): HTMLElement => item.querySelector('.bar')!;

let predicting: Promise<void> | undefined;
let again = false;

async function predict(): Promise<void> {
  const pixels = pad.pixels();
  pixels.forEach((v, i) => (pixelCells[i]!.style.background = v ? `rgba(79, 70, 229, ${(0.12 + (v / 16) * 0.88).toFixed(2)})` : ''));
  ($('pad-hint') as HTMLElement).hidden = !pad.isEmpty;
  if (!trained) return;
  if (pad.isEmpty) {
    $('prediction').textContent = '–';
    $('prediction').dataset.digit = '';
    $('confidence').textContent = 'draw a digit';
    for (const item of probabilityItems) (bar(item).style.height = '0', item.classList.remove('best'));
    return;
  }
  if (predicting) {
    again = true; // one more round after the current one, with the newest strokes
    return;
  }
  predicting = (async () => {
    const probabilities = await trainer.predict(pixels);
    const best = probabilities.indexOf(Math.max(...probabilities));
    $('prediction').textContent = String(best);
    $('prediction').dataset.digit = String(best);
    $('confidence').textContent = `${percent(probabilities[best]!)} sure`;
    probabilities.forEach((p, i) => {
      const item = probabilityItems[i]!;
      bar(item).style.height = `${(p * 100).toFixed(1)}%`;
      item.classList.toggle('best', i === best);
      item.title = `${i}: ${percent(p)}`;
    });
  })().catch((error: Error) => setStatus(`Prediction failed: ${error.message}`, true)).finally(() => {
    predicting = undefined;
    if (again) {
      again = false;
      void predict();
    }
  });
}

pad.onChange(() => void predict());
$('clear').addEventListener('click', () => pad.clear());

// ---- throughput ----------------------------------------------------------------

async function bench(): Promise<void> {
  const button = $('bench') as HTMLButtonElement;
  button.disabled = true;
  button.textContent = 'Running…';
  const available = statuses.filter((s) => s.available).map((s) => s.name);
  const points: ThroughputPoint[] = [];
  const sizes = [...new Set(available.flatMap((b) => BENCH_SIZES[b]))].sort((a, b) => a - b);
  const draw = () => {
    const groups: BarGroup[] = sizes.map((size) => ({
      label: `n = ${size}`,
      values: available.map((b) => ({ name: b, color: COLORS[b], value: points.find((p) => p.backend === b && p.size === size)?.gflops })),
    }));
    barChart($<SVGSVGElement>('bench-chart'), groups, (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(1)));
  };
  $('bench-legend').replaceChildren(...available.map((b) => {
    const key = document.createElement('span');
    key.className = 'key';
    key.style.setProperty('--c', COLORS[b]);
    key.textContent = LABELS[b];
    key.title = statuses.find((s) => s.name === b)!.detail;
    return key;
  }));
  try {
    for (const backend of available) {
      await bencher.matmul({ backend, sizes: BENCH_SIZES[backend] }, { onProgress: (p) => (points.push(p), draw()) });
    }
    showTakeaway(points);
    document.body.dataset.bench = 'done';
  } catch (error) {
    setStatus(`Benchmark failed: ${(error as Error).message}`, true);
  } finally {
    button.disabled = false;
    button.textContent = 'Run again';
  }
}

/** One sentence on the largest size both GPU and WASM ran: who wins here, and why it may differ elsewhere. */
function showTakeaway(points: readonly ThroughputPoint[]): void {
  const at = (backend: BackendName, size: number) => points.find((p) => p.backend === backend && p.size === size)?.gflops;
  const size = Math.max(...points.filter((p) => p.backend === 'webgpu' && at('wasm', p.size) !== undefined).map((p) => p.size));
  const gpu = at('webgpu', size);
  const wasm = at('wasm', size);
  const takeaway = $('bench-takeaway');
  if (gpu === undefined || wasm === undefined) return;
  const [fast, slow, ratio] = gpu >= wasm ? ['WebGPU', 'WebAssembly', gpu / wasm] : ['WebAssembly SIMD', 'WebGPU', wasm / gpu];
  const software = statuses.find((s) => s.name === 'webgpu')?.software;
  takeaway.textContent = `At n = ${size}, ${fast} is ${ratio.toFixed(ratio < 10 ? 1 : 0)}× faster than ${slow} in this browser.`
    + (software ? ' Its WebGPU adapter is a software fallback, so webgrad’s auto backend picks WebAssembly here; on a real GPU the order flips for large matrices.' : '');
  takeaway.hidden = false;
}

// ---- start ---------------------------------------------------------------------

$('train').addEventListener('click', () => void train());
$('bench').addEventListener('click', () => void bench());
window.addEventListener('resize', () => {
  renderCurves();
});

statuses = await trainer.backends(null);
// what 'auto' would pick: a software GPU adapter is slower than WebAssembly
selected = (statuses.find((s) => s.available && !s.software) ?? statuses.find((s) => s.available))?.name;
renderBackends();
renderCurves();
barChart($<SVGSVGElement>('bench-chart'), [], (v) => v.toFixed(1));
($('train') as HTMLButtonElement).disabled = selected === undefined;
($('bench') as HTMLButtonElement).disabled = selected === undefined;
setStatus(selected ? 'Pick a backend and press Train.' : 'No backend could start in this browser.', !selected);
setState('idle');
