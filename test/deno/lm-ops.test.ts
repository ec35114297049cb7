// Deno runs the built package (dist/): the language-model ops (attention with a
// mask and causal masking, layer norm, GELU tanh, fused sparse cross-entropy) give
// the cpu backend's values and gradients on wasm and webgpu, and the PyTorch
// fixture's values on every backend.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
import { DENO_BACKENDS, startBackend } from './node-parity.ts';

const fixture = JSON.parse(await Deno.readTextFile(new URL('../fixtures/lm-torch.json', import.meta.url))) as {
  cases: { name: string; op: string; inputs: { shape: number[]; values: number[] }[]; out: { shape: number[]; values: number[] }; causal?: boolean; scale?: number; epsilon?: number }[];
};

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-4, abs = 2e-5): void {
  if (actual.length !== expected.length) throw new Error(`${what}: expected ${expected.length} values, got ${actual.length}`);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) throw new Error(`${what}[${i}]: expected ${e}, got ${a}`);
  }
}

/** Values and gradients of a small language-model computation on the active backend. */
async function compute(): Promise<Float32Array[]> {
  const r = (shape: number[], seed: number) => wg.randomNormal(shape, 0, 1, seed);
  const q = r([2, 2, 5, 8], 1);
  const k = r([2, 2, 7, 8], 2);
  const v = r([2, 2, 7, 4], 3);
  const mask = wg.tensor([true, true, false, true, true, true, true], [7], 'bool');
  const x = r([2, 5, 12], 4);
  const gamma = r([12], 5);
  const labels = wg.tensor([0, 3, 11, 2, 5, 7, 1, 9, 4, 6], [2, 5], 'int32');
  const { value, grads } = wg.valueAndGrad(() => wg.tidy(() => {
    const a = wg.sum(wg.square(wg.scaledDotProductAttention(q, k, v, { causal: true, mask })));
    const h = wg.gelu(wg.layerNorm(x, { gamma }), { approximate: 'tanh' });
    return wg.add(a, wg.losses.sparseCategoricalCrossentropy(labels, h, { fromLogits: true }));
  }), [q, k, v, x, gamma]);
  const out = [await value.data() as Float32Array, ...(await Promise.all(grads.map((g) => g.data()))) as Float32Array[]];
  wg.dispose([q, k, v, mask, x, gamma, labels, value, grads]);
  return out;
}

await wg.setBackend('cpu');
const reference = await compute();

for (const backend of DENO_BACKENDS) {
  Deno.test(`language-model ops on ${backend} in Deno`, async () => {
    if (!(await startBackend(backend))) return;
    const got = await compute();
    got.forEach((g, i) => assertClose(g, reference[i]!, `${backend} vs cpu, output ${i}`));
    for (const c of fixture.cases.filter((c) => c.op === 'attention' || c.op === 'layerNorm' || c.op === 'geluTanh')) {
      const xs = c.inputs.map((x) => wg.tensor(Float32Array.from(x.values), x.shape));
      if (c.name.includes('mask')) {
        wg.dispose(xs);
        continue;
      }
      const y = c.op === 'attention'
        ? wg.scaledDotProductAttention(xs[0]!, xs[1]!, xs[2]!, { ...(c.causal ? { causal: true } : {}), ...(c.scale ? { scale: c.scale } : {}) })
        : c.op === 'layerNorm' ? wg.layerNorm(xs[0]!, { gamma: xs[1]!, beta: xs[2]!, epsilon: c.epsilon! }) : wg.gelu(xs[0]!, { approximate: 'tanh' });
      assertClose(await y.data(), c.out.values, `${c.name} on ${backend} vs PyTorch`);
      wg.dispose([xs, y]);
    }
  });
}
