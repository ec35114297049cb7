// Deno runs the built package's convolution and pooling ops (dist/): a small
// conv → transposed conv → max pool → avg pool chain and its gradients give the same
// numbers on wasm and webgpu as on the cpu reference (Deno's own WebGPU adapter
// compiles the WGSL kernels here, not Dawn's).
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';

const strict = ['1', 'true'].includes(Deno.env.get('CI') ?? '');

async function chain(backend: wg.BackendName): Promise<number[][]> {
  await wg.setBackend(backend);
  const start = wg.memory().numTensors;
  const x = wg.tensor(Float32Array.from({ length: 2 * 7 * 6 * 4 }, (_, i) => Math.sin(i)), [2, 7, 6, 4]);
  const f = wg.tensor(Float32Array.from({ length: 3 * 3 * 2 * 6 }, (_, i) => Math.cos(i) / 2), [3, 3, 2, 6]);
  const t = wg.tensor(Float32Array.from({ length: 2 * 2 * 3 * 6 }, (_, i) => Math.sin(i * 0.7) / 2), [2, 2, 3, 6]);
  const bias = wg.tensor([0.1, -0.2, 0.3, 0, 0.5, -0.1]);
  const { value, grads } = wg.valueAndGrad(() => {
    const y = wg.conv2d(x, f, { strides: [2, 1], padding: 'same', groups: 2, bias, activation: 'tanh' });
    const up = wg.conv2dTranspose(y, t, { strides: 2, padding: 'same' });
    const pooled = wg.avgPool2d(wg.maxPool2d(up, { poolSize: 3, strides: 1, padding: 'same' }), { poolSize: 2, padding: 'same' });
    return wg.sum(wg.square(pooled));
  }, [x, f, t, bias]);
  const out = [Array.from(await value.data()), ...(await Promise.all(grads.map(async (g) => Array.from(await g.data()))))];
  wg.dispose([x, f, t, bias, value, grads]);
  if (wg.memory().numTensors !== start) throw new Error(`${backend}: ${wg.memory().numTensors - start} tensors left alive`);
  return out;
}

const reference = chain('cpu');

for (const backend of ['wasm', 'webgpu'] as const) {
  Deno.test(`conv2d, conv2dTranspose and pooling with gradients on ${backend} in Deno match cpu`, async () => {
    const expected = await reference;
    let actual: number[][];
    try {
      actual = await chain(backend);
    } catch (error) {
      if (strict || !/could not|no adapter|not available|unavailable/i.test((error as Error).message)) throw error;
      console.warn(`[webgrad deno tests] skipping backend ${backend}: ${(error as Error).message}`);
      return;
    }
    actual.forEach((values, k) => {
      values.forEach((a, i) => {
        const e = expected[k]![i]!;
        if (!(Math.abs(a - e) <= 1e-4 * Math.max(1, Math.abs(e)))) throw new Error(`${backend}: output ${k}[${i}]: expected ${e}, got ${a}`);
      });
    });
  });
}
