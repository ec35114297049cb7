// The demo page: picks a backend, trains in a worker with live curves, predicts
// drawn digits, and runs the throughput benchmark (webgrad/bench, as the CLI does) in
// another worker. The library runs only in the workers; this page imports just
// webgrad/worker's `connect`.
import type { BenchReport } from 'webgrad/bench';
import { connect } from 'webgrad/worker';
import { isPresetName, PRESETS, type PresetName } from './bench-presets.js';
import type { BenchUpdate, handlers as benchHandlers } from './bench.worker.js';
import { lineChart } from './charts.js';
import { SketchPad } from './sketch.js';
import type { BackendStatus, EpochReport, handlers as trainHandlers } from './train.worker.js';
import type { WriteReport, handlers as writeHandlers } from './shakespeare.worker.js';

type BackendName = BackendStatus['name'];

const LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', wasm: 'WebAssembly SIMD', cpu: 'JavaScript' };

const $ = <T extends HTMLElement | SVGSVGElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

const trainer = connect<typeof trainHandlers>(new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' }));
const bencher = connect<typeof benchHandlers>(new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' }));
const writer = connect<typeof writeHandlers>(new Worker(new URL('./shakespeare.worker.ts', import.meta.url), { type: 'module' }));

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
  for (const id of ['model', 'hidden', 'epochs', 'rate']) ($(id) as HTMLSelectElement).disabled = true;
  renderBackends();
  setState('training');
  setStatus(`Training on ${LABELS[backend]}…`);
  try {
    const result = await trainer.train({
      backend,
      model: ($('model') as HTMLSelectElement).value as 'mlp' | 'cnn',
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
    for (const id of ['model', 'hidden', 'epochs', 'rate']) ($(id) as HTMLSelectElement).disabled = false;
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

let benchmarking: AbortController | undefined;
let reportUrl: string | undefined;

function setBenchStatus(text: string, error = false): void {
  const status = $('bench-status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

/** The chart the CLI writes, scaled to the card by its viewBox. */
function showChart(svg: string): void {
  const box = $('bench-chart');
  box.innerHTML = svg;
  const chart = box.querySelector('svg');
  chart?.removeAttribute('width');
  chart?.removeAttribute('height');
}

function showProgress(u: BenchUpdate): void {
  const bar = $('bench-bar');
  bar.setAttribute('aria-valuemax', String(u.total));
  bar.setAttribute('aria-valuenow', String(u.done));
  (bar.querySelector('.fill') as HTMLElement).style.width = `${((u.done / Math.max(1, u.total)) * 100).toFixed(1)}%`;
  if (u.running) $('bench-step').textContent = `Workload ${u.done + 1} of ${u.total}: ${u.running}`;
  if (u.chart) showChart(u.chart);
}

const item = (html: string, data: Record<string, string> = {}): HTMLLIElement => {
  const li = document.createElement('li');
  li.innerHTML = html;
  Object.assign(li.dataset, data);
  return li;
};
const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The crossovers (as the CLI words them), who ran on what, and who could not run here and why. */
function showResults(report: BenchReport, text: string): void {
  const title = (group: string) => report.groups.find((g) => g.id === group)?.title ?? group;
  $('bench-crossovers').replaceChildren(...(report.crossovers.length
    ? report.crossovers.map((x) => item(`<strong>${escape(title(x.group))}</strong>: ${escape(x.note)}`, { group: x.group, ...(x.size !== undefined ? { size: String(x.size) } : {}) }))
    : [item('<span class="muted">Needs both WebGPU and WebAssembly figures; one of them did not run here.</span>')]));
  const takeaway = $('bench-takeaway');
  takeaway.hidden = !report.machine.softwareAdapter;
  takeaway.textContent = `This browser's WebGPU adapter (${report.machine.adapter ?? 'unknown'}) is a software fallback running on the CPU, so WebAssembly wins here and webgrad's auto backend picks it. On a real GPU, WebGPU pulls ahead as the sizes grow.`;
  // the peers usually share one reason (TensorFlow.js is not loaded in this page): one line for them
  const unavailable = new Map<string, string[]>();
  for (const u of report.unavailable) unavailable.set(u.reason, [...(unavailable.get(u.reason) ?? []), u.id]);
  $('bench-contenders').replaceChildren(
    ...report.contenders.map((c) => item(`<span class="name">${escape(c.kind === 'webgrad' ? `webgrad ${c.id}` : c.id)}</span><span class="detail">${escape(c.description)}</span>`, { contender: c.id, kind: c.kind, state: 'measured' })),
    ...[...unavailable].map(([reason, ids]) => item(`<span class="name">${escape(ids.join(', '))}</span><span class="detail">not measured: ${escape(reason)}</span>`, { contender: ids.join(' '), state: 'unavailable' })),
  );
  $('bench-results').hidden = false;
  $('bench-text').textContent = text;
  if (reportUrl) URL.revokeObjectURL(reportUrl);
  reportUrl = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
  ($('bench-json') as HTMLAnchorElement).href = reportUrl;
  $('bench-details').hidden = false;
}

async function bench(): Promise<void> {
  if (benchmarking) {
    benchmarking.abort(new DOMException('cancelled by the user', 'AbortError'));
    return;
  }
  const preset = ($('bench-preset') as HTMLSelectElement).value as PresetName;
  benchmarking = new AbortController();
  const button = $('bench') as HTMLButtonElement;
  const select = $('bench-preset') as HTMLSelectElement;
  button.textContent = 'Cancel';
  button.classList.add('stop');
  select.disabled = true;
  document.body.dataset.bench = 'running';
  $('bench-progress').hidden = false;
  showProgress({ done: 0, total: 1 });
  $('bench-step').textContent = 'Starting the backends…';
  setBenchStatus('');
  const started = performance.now();
  try {
    const outcome = await bencher.run({ preset }, { signal: benchmarking.signal, onProgress: showProgress });
    showChart(outcome.chart);
    showResults(outcome.report, outcome.text);
    const ok = outcome.report.results.filter((r) => r.status === 'ok').length;
    setBenchStatus(`Done in ${((performance.now() - started) / 1000).toFixed(0)} s: ${ok} figures, each checked against the reference.`);
    document.body.dataset.bench = 'done';
  } catch (error) {
    const e = error as Error;
    if (e.name === 'AbortError') {
      setBenchStatus('Cancelled. The chart shows what was measured until then.');
      document.body.dataset.bench = 'cancelled';
    } else {
      setBenchStatus(`Benchmark failed: ${e.message}`, true);
      document.body.dataset.bench = 'failed';
    }
  } finally {
    benchmarking = undefined;
    $('bench-progress').hidden = true;
    button.textContent = 'Run again';
    button.classList.remove('stop');
    select.disabled = false;
  }
}

function renderPresets(): void {
  // ?bench=tiny (or quick, full) preselects a preset, including the unlisted test one
  const asked = new URLSearchParams(location.search).get('bench');
  const select = $('bench-preset') as HTMLSelectElement;
  select.replaceChildren(...Object.entries(PRESETS).filter(([name, p]) => p.listed || name === asked).map(([name, p]) => new Option(p.label, name)));
  select.value = isPresetName(asked) ? asked : 'quick';
}

// ---- write like Shakespeare ----------------------------------------------------

let writing: AbortController | undefined;
let writeReports: WriteReport[] = [];

function renderWriting(): void {
  const points = writeReports.map((r, i) => [i + 1, r.loss] as const);
  lineChart($<SVGSVGElement>('lm-chart'), [{ name: 'training loss', color: '#4f46e5', points }], { xMax: Math.max(10, points.length), yMax: 4.5, xLabel: 'reports' });
}

async function write(): Promise<void> {
  const button = $('write') as HTMLButtonElement;
  if (writing) {
    writing.abort();
    return;
  }
  const backend = selected;
  if (!backend) return;
  writing = new AbortController();
  writeReports = [];
  renderWriting();
  button.textContent = 'Stop';
  button.classList.add('stop');
  try {
    // a software GPU draws samples slowly: report less often there
    const slow = statuses.find((s) => s.name === backend)?.software === true || backend === 'cpu';
    await writer.write({ backend, stepsPerReport: slow ? 5 : 20, reportsPerSample: slow ? 2 : 5 }, {
      signal: writing.signal,
      onProgress: (r) => {
        writeReports.push(r);
        const loss = $('lm-loss');
        loss.textContent = r.loss.toFixed(3);
        loss.dataset.value = String(r.loss);
        $('lm-step').textContent = String(r.step);
        const speed = $('lm-speed');
        speed.textContent = Math.round(r.tokensPerSecond).toLocaleString('en-US');
        speed.dataset.value = String(r.tokensPerSecond);
        if (r.sample !== undefined) $('lm-sample').textContent = r.sample;
        renderWriting();
      },
    });
  } catch (error) {
    const e = error as Error;
    if (e.name !== 'AbortError') $('lm-sample').textContent = `Training failed: ${e.message}`;
  } finally {
    writing = undefined;
    button.textContent = 'Train again';
    button.classList.remove('stop');
  }
}

// ---- start ---------------------------------------------------------------------

$('train').addEventListener('click', () => void train());
$('bench').addEventListener('click', () => void bench());
$('write').addEventListener('click', () => void write());
window.addEventListener('resize', () => {
  renderCurves();
  renderWriting();
});

statuses = await trainer.backends(null);
// what 'auto' would pick: a software GPU adapter is slower than WebAssembly
selected = (statuses.find((s) => s.available && !s.software) ?? statuses.find((s) => s.available))?.name;
renderBackends();
renderCurves();
renderPresets();
($('train') as HTMLButtonElement).disabled = selected === undefined;
($('bench') as HTMLButtonElement).disabled = selected === undefined;
($('write') as HTMLButtonElement).disabled = selected === undefined;
renderWriting();
setStatus(selected ? 'Pick a backend and press Train.' : 'No backend could start in this browser.', !selected);
setState('idle');
