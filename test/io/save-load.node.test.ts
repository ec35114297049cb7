// model.save / wg.loadModel: a loaded model predicts bit for bit what the saved one
// did, from every kind of target and source; model.json and the weights must agree,
// and a file that disagrees is refused before anything it claims is allocated.
import 'fake-indexeddb/auto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveObjectURL } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { type FileServer, serveFiles, tempDir } from '../helpers/files.js';

const cases = await backendCases();
const IRIS = new URL('../../examples/data/iris.csv', import.meta.url);

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A small trained classifier on iris with its preprocessing. */
async function trainedIris(seed = 1) {
  const data = await wg.data.loadCsv(IRIS, { target: 'species', test: 0.2, seed });
  wg.setSeed(seed);
  const model = wg.sequential({
    name: 'iris_mlp',
    layers: [
      wg.layers.dense({ units: 8, inputDim: 4, activation: 'relu', name: 'hidden' }),
      wg.layers.dropout({ rate: 0.2, seed: 4, name: 'drop' }),
      wg.layers.dense({ units: 3, activation: 'softmax', name: 'output' }),
    ],
  });
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.02, beta2: 0.99 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  model.preprocessing = data.preprocessing;
  await model.fit(data.train.x, data.train.y, { epochs: 5, seed, verbose: 0 });
  return { model, data };
}

describe.each(cases)('save and load ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('a loaded model predicts bit for bit what the saved one did, with the same weight bytes', async () => {
    await wg.setBackend(name);
    const { model, data } = await trainedIris();
    const dir = tempDir();
    const result = await model.save(dir);
    expect(result).toEqual({ location: dir, files: ['model.json', 'model.safetensors'], weightsBytes: readFileSync(join(dir, 'model.safetensors')).length });
    const loaded = await wg.loadModel(dir);
    const before = await model.predict(data.test!.x).data<Float32Array>();
    const after = await loaded.predict(data.test!.x).data<Float32Array>();
    expect(bytesOf(after)).toEqual(bytesOf(before));
    const [saved, restored] = await Promise.all([model, loaded].map((m) => Promise.all(m.getWeights().map((w) => w.data<Float32Array>()))));
    restored!.forEach((w, i) => expect(bytesOf(w)).toEqual(bytesOf(saved![i]!)));
    expect(loaded.weights.map((w) => [w.name, w.shape])).toEqual(model.weights.map((w) => [w.name, w.shape]));
    expect(loaded.layers.map((l) => l.toConfig())).toEqual(model.layers.map((l) => l.toConfig()));
    // the weights file holds exactly the weights, readable as plain safetensors
    const file = wg.io.decodeSafetensors(readFileSync(join(dir, 'model.safetensors')));
    expect([...file.tensors.keys()].sort()).toEqual(['hidden/bias', 'hidden/kernel', 'output/bias', 'output/kernel']);
    expect(bytesOf(file.tensors.get('hidden/kernel')!.data as Float32Array)).toEqual(bytesOf(saved![0]!));
    // preprocessing and training configuration come back
    expect(loaded.preprocessing!.toJSON()).toEqual(data.preprocessing.toJSON());
    expect(loaded.optimizer!.name).toBe('adam');
    expect(loaded.optimizer!.getConfig()).toEqual({ learningRate: 0.02, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
    expect(Object.keys(await loaded.evaluate(data.test!.x, data.test!.y))).toEqual(['loss', 'accuracy']);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.training).toEqual({ optimizer: { className: 'adam', config: loaded.optimizer!.getConfig() }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    expect(json.model.inputShape).toEqual([4]);
    // saving again over the same folder replaces the files
    await loaded.save(dir);
    expect(bytesOf(await (await wg.loadModel(join(dir, 'model.json'))).predict(data.test!.x).data<Float32Array>())).toEqual(bytesOf(before));
    expect((await wg.loadModel(dir, { compile: false })).optimizer).toBeUndefined();
  });
});

describe('save and load: targets and sources', () => {
  let model: wg.Sequential;
  let x: wg.Tensor;
  let expected: Uint8Array;
  let server: FileServer;
  beforeAll(async () => {
    await wg.setBackend('cpu');
    const trained = await trainedIris(2);
    model = trained.model;
    x = trained.data.test!.x;
    expected = bytesOf(await model.predict(x).data<Float32Array>());
    const dir = tempDir();
    await model.save(dir);
    server = await serveFiles({
      'models/iris/model.json': readFileSync(join(dir, 'model.json')),
      'models/iris/model.safetensors': readFileSync(join(dir, 'model.safetensors')),
    });
  });
  afterAll(() => server.close());
  const predictions = async (m: wg.LayersModel) => bytesOf(await m.predict(x).data<Float32Array>());

  it('from a URL of the folder or of model.json (weights fetched beside it)', async () => {
    expect(await predictions(await wg.loadModel(`${server.url}models/iris/`))).toEqual(expected);
    expect(await predictions(await wg.loadModel(new URL(`${server.url}models/iris/model.json`)))).toEqual(expected);
    await expect(wg.loadModel(`${server.url}models/other/`)).rejects.toThrow(/fetching .*models\/other\/model\.json failed: HTTP 404/);
  });

  it('to and from IndexedDB', async () => {
    const result = await model.save('indexeddb://iris');
    expect(result.location).toBe('indexeddb://iris');
    expect(await predictions(await wg.loadModel('indexeddb://iris'))).toEqual(expected);
    await expect(wg.loadModel('indexeddb://nothing')).rejects.toThrow("no model named 'nothing' in IndexedDB");
    await expect(model.save('indexeddb://')).rejects.toThrow("'indexeddb://' needs a model name after it");
  });

  it('as a browser download (two files), loaded back as the File objects a user would pick', async () => {
    const clicked: { name: string; href: string }[] = [];
    const fakeDocument = {
      createElement: () => ({ style: {}, click(this: { download: string; href: string }) { clicked.push({ name: this.download, href: this.href }); }, remove() {} }),
      body: { appendChild() {} },
    };
    (globalThis as { document?: unknown }).document = fakeDocument;
    try {
      const result = await model.save('downloads://my-iris');
      expect(result.files).toEqual(['my-iris.json', 'my-iris.safetensors']);
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }
    expect(clicked.map((c) => c.name)).toEqual(['my-iris.json', 'my-iris.safetensors']);
    const files = await Promise.all(clicked.map(async (c) => new File([await resolveObjectURL(c.href)!.arrayBuffer()], c.name)));
    expect(JSON.parse(await files[0]!.text()).weightsFile).toBe('my-iris.safetensors');
    expect(await predictions(await wg.loadModel(files))).toEqual(expected);
    await expect(wg.loadModel([files[0]!])).rejects.toThrow("my-iris.json names the weights file 'my-iris.safetensors', which is not among the files (my-iris.json)");
    await expect(model.save('downloads://x')).rejects.toThrow("'downloads://' needs a browser page");
  });

  it('loading CSV files, saving and loading leave no tensors behind', async () => {
    const dir = tempDir();
    await model.save(dir);
    (await wg.loadModel(dir)).dispose();
    const before = wg.memory();
    await model.save(dir);
    (await wg.loadModel(dir)).dispose();
    await expect(wg.loadModel({ json: '{}', weights: new Uint8Array(0) })).rejects.toThrow();
    const data = await wg.data.loadCsv(IRIS, { target: 'species', validation: 0.1, test: 0.1 });
    for (const part of [data.train, data.validation!, data.test!]) wg.dispose([part.x, part.y]);
    const { x: px, y: py } = data.preprocessing.tensors(data.table);
    wg.dispose([px, py!]);
    expect(wg.memory().numTensors).toBe(before.numTensors);
    expect(wg.memory().numBytes).toBe(before.numBytes);
  });

  it('refuses targets it cannot write', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    await expect(model.save(join(dir, 'file'))).rejects.toThrow('is a file; the target should be a folder');
    await expect(model.save('https://example.com/models/')).rejects.toThrow('cannot save to a URL');
    const unbuilt = wg.sequential([wg.layers.dense({ units: 2 })]);
    await expect(unbuilt.save(dir)).rejects.toThrow('the model is not built yet');
    const twins = wg.sequential([wg.layers.dense({ units: 2, inputDim: 2, name: 'same' }), wg.layers.dense({ units: 1, name: 'same' })]);
    await expect(twins.save(dir)).rejects.toThrow("two weights are named 'same/kernel'; give the layers distinct names");
    await expect(wg.loadModel(join(dir, 'absent'))).rejects.toThrow(/cannot read .*absent\/model\.json/);
  });
});

describe('model.json that does not match the weights', () => {
  let json: Record<string, any>;
  let weights: Uint8Array;
  beforeAll(async () => {
    await wg.setBackend('cpu');
    const { model } = await trainedIris(3);
    const dir = tempDir();
    await model.save(dir);
    json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    weights = readFileSync(join(dir, 'model.safetensors'));
  });
  const edited = (edit: (doc: Record<string, any>) => void) => {
    const doc = structuredClone(json);
    edit(doc);
    return doc;
  };
  const tensorsOf = () => Object.fromEntries([...wg.io.decodeSafetensors(weights).tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data }]));
  const load = (doc: object, w = weights) => wg.loadModel({ json: doc, weights: w });

  it('missing, extra, reshaped and mistyped tensors', async () => {
    const { 'output/bias': _gone, ...missing } = tensorsOf();
    await expect(load(json, wg.io.encodeSafetensors(missing))).rejects.toThrow("the weights file has no tensor 'output/bias' ([3]) that the architecture needs; it has: hidden/bias, hidden/kernel, output/kernel");
    await expect(load(json, wg.io.encodeSafetensors({ ...tensorsOf(), stray: { shape: [1], data: Float32Array.of(0) } }))).rejects.toThrow('the weights file has tensors the architecture does not use: stray');
    await expect(load(json, wg.io.encodeSafetensors({ ...tensorsOf(), 'output/bias': { shape: [1, 3], data: new Float32Array(3) } }))).rejects.toThrow("tensor 'output/bias' should have shape [3] for this architecture, the file has [1,3]");
    await expect(load(json, wg.io.encodeSafetensors({ ...tensorsOf(), 'output/bias': { shape: [3], data: new Int32Array(3) } }))).rejects.toThrow("tensor 'output/bias' should be F32, the file has I32");
    await expect(load(json, weights.subarray(0, weights.length - 4))).rejects.toThrow('model.safetensors: tensor');
  });

  it('an architecture that claims huge layers is refused before allocating them', async () => {
    // 64 × 2e9 floats would be 512 GB: allocating fails with a RangeError, not this message.
    const huge = edited((d) => { d.model.layers[0].config.units = 2_000_000_000; });
    await expect(load(huge)).rejects.toThrow("tensor 'hidden/kernel' should have shape [4,2000000000] for this architecture, the file has [4,8]");
    await expect(load(edited((d) => { d.model.inputShape = [5]; }))).rejects.toThrow('the preprocessing makes 4 input columns but the model takes samples of shape [5]');
    await expect(load(edited((d) => { d.preprocessing.classes = ['a', 'b']; }))).rejects.toThrow('the preprocessing expects 2 model outputs but the model gives [3]');
  });

  it('malformed documents', async () => {
    await expect(wg.loadModel({ json: '{"format":', weights })).rejects.toThrow('not valid JSON');
    await expect(load(edited((d) => { d.format = 'keras'; }))).rejects.toThrow("format should be 'webgrad-model', got \"keras\"");
    await expect(load(edited((d) => { d.formatVersion = 99; }))).rejects.toThrow('formatVersion 99 is not supported');
    await expect(load(edited((d) => { d.weightsFile = '../../etc/passwd'; }))).rejects.toThrow('weightsFile should be a plain file name next to model.json');
    await expect(load(edited((d) => { d.model.layers[1].className = 'Conv9D'; }))).rejects.toThrow('layer 1: unknown layer class "Conv9D"; known: Dense, Activation, Dropout, Flatten');
    await expect(load(edited((d) => { d.model.layers[0].config.units = -3; }))).rejects.toThrow('layer 0 (Dense): dense: units should be an integer >= 1, got -3');
    await expect(load(edited((d) => { d.model.layers[2].config.name = 'hidden'; }))).rejects.toThrow("two layers are named 'hidden'");
    await expect(load(edited((d) => { d.model.inputShape = [0]; }))).rejects.toThrow('model.inputShape should be a list of positive integers');
    await expect(load(edited((d) => { d.preprocessing.scaler.offset = [1]; }))).rejects.toThrow('preprocessing in model.json: scaler should be { kind, offset, scale } with 4 finite numbers each');
  });
});

describe('custom layers', () => {
  /** y = x * scale, with one weight per feature; it does not describe its weights up front. */
  class Scale extends wg.Layer {
    constructor(args: wg.LayerArgs = {}) {
      super('Scale', args, 'scale');
    }
    computeOutputShape(s: wg.Shape): wg.Shape {
      return s;
    }
    protected override createWeights(s: wg.Shape): void {
      this.addWeight('scale', [s[s.length - 1] as number], wg.initializers.ones());
    }
    protected call(x: wg.Tensor): wg.Tensor {
      return wg.mul(x, this.weights[0]!);
    }
    getConfig(): Record<string, unknown> {
      return this.declaredInputShape ? { inputShape: this.declaredInputShape } : {};
    }
  }

  it('load once registered by class name, and the weights are checked after building', async () => {
    await wg.setBackend('cpu');
    const model = wg.sequential([new Scale({ inputShape: [3], name: 'sc' }), wg.layers.dense({ units: 1, name: 'out' })]);
    model.layers[0]!.weights[0]!.assign(wg.tensor([2, 3, 4]));
    const dir = tempDir();
    await model.save(dir);
    await expect(wg.loadModel(dir)).rejects.toThrow('layer 0: unknown layer class "Scale"');
    wg.registerLayer('Scale', (config) => new Scale(config as wg.LayerArgs));
    const loaded = await wg.loadModel(dir);
    const x = wg.tensor([[1, 1, 1]]);
    expect(bytesOf(await loaded.predict(x).data<Float32Array>())).toEqual(bytesOf(await model.predict(x).data<Float32Array>()));
    const file = wg.io.decodeSafetensors(readFileSync(join(dir, 'model.safetensors')));
    const tensors = Object.fromEntries([...file.tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data }]));
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    await expect(wg.loadModel({ json: doc, weights: wg.io.encodeSafetensors({ ...tensors, 'sc/scale': { shape: [4], data: new Float32Array(4) } }) }))
      .rejects.toThrow("tensor 'sc/scale' should have shape [3] for this architecture, the file has [4]");
  });
});
