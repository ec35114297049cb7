// Save / load round-trips every image layer: a trained CNN with conv2d (grouped),
// batch normalization, both poolings, depthwise conv, global pooling and reshape comes
// back from model.json + safetensors with the same configs, the same weight bytes
// (moving statistics included) and bit-identical predictions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { parityImages } from '../helpers/cnn-parity.js';
import { tempDir } from '../helpers/files.js';

const cases = await backendCases();
const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(cases)('saving and loading image layers ($name)', ({ name, skip }) => {
  it.skipIf(skip)('a trained CNN with every image layer loads back bit for bit', async () => {
    await wg.setBackend(name);
    wg.setSeed(2);
    const model = wg.sequential({ name: 'every_image_layer', layers: [
      wg.layers.reshape({ targetShape: [8, 8, 1], inputShape: [64], name: 'image' }),
      wg.layers.conv2d({ filters: 4, kernelSize: [3, 2], padding: 'same', activation: 'relu', name: 'conv', kernelInitializer: 'heNormal' }),
      wg.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-2, name: 'bn' }),
      wg.layers.maxPooling2d({ poolSize: 2, name: 'max' }),
      wg.layers.conv2d({ filters: 4, kernelSize: 1, groups: 2, useBias: false, name: 'grouped' }),
      wg.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', strides: 2, activation: 'tanh', name: 'depthwise' }),
      wg.layers.averagePooling2d({ poolSize: 2, padding: 'same', name: 'avg' }),
      wg.layers.globalAveragePooling2d({ name: 'gap' }),
      wg.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ] });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const { pixels, labels } = parityImages(30);
    const x = wg.tensor(pixels, [30, 64]);
    await model.fit(x, wg.tensor(labels, [30], 'int32'), { epochs: 2, batchSize: 10, verbose: 0 });
    const dir = tempDir();
    await model.save(dir);
    const file = wg.io.decodeSafetensors(readFileSync(join(dir, 'model.safetensors')));
    expect([...file.tensors.keys()].sort()).toEqual([
      'bn/beta', 'bn/gamma', 'bn/moving_mean', 'bn/moving_variance', 'conv/bias', 'conv/kernel',
      'depthwise/bias', 'depthwise/depthwise_kernel', 'grouped/kernel', 'out/bias', 'out/kernel',
    ]);
    expect(file.tensors.get('grouped/kernel')!.shape).toEqual([1, 1, 2, 4]);
    expect(file.tensors.get('depthwise/depthwise_kernel')!.shape).toEqual([3, 3, 4, 2]);
    const loaded = await wg.loadModel(dir);
    expect(loaded.layers.map((l) => l.toConfig())).toEqual(model.layers.map((l) => l.toConfig()));
    expect(loaded.trainableWeights.map((w) => w.name)).toEqual(model.trainableWeights.map((w) => w.name));
    const [saved, restored] = await Promise.all([model, loaded].map((m) => Promise.all(m.weights.map((w) => w.data<Float32Array>()))));
    restored!.forEach((w, i) => expect(bytesOf(w), model.weights[i]!.name).toEqual(bytesOf(saved![i]!)));
    // the moving statistics moved during training and came back as saved
    expect(Array.from(saved![4]!).some((v) => v !== 0)).toBe(true);
    const [before, after] = await Promise.all([model, loaded].map((m) => m.predict(x).data<Float32Array>()));
    expect(bytesOf(after!)).toEqual(bytesOf(before!));
    model.dispose();
    loaded.dispose();
  });
});
