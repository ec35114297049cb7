// Deno runs the built package (dist/) through what docs/training-bigger-models.md adds:
// dropout masks drawn on the device are the same on every backend as on cpu, and a
// model with a checkpointed block, trained with warmup + cosine, global clipping and
// accumulation, ends where the cpu run ends (within float32 tolerance).
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
import { DENO_BACKENDS, startBackend } from './node-parity.ts';

async function run(): Promise<{ mask: number[]; weights: number[]; rates: number[] }> {
  const layer = wg.layers.dropout({ rate: 0.5, seed: 4 });
  const mask = Array.from(await layer.apply(wg.ones([8, 9]), true).data());
  wg.setSeed(2);
  const model = wg.sequential([
    wg.layers.checkpointed([wg.layers.dense({ units: 6, inputDim: 3, activation: 'tanh' }), wg.layers.dense({ units: 6, activation: 'relu' })]),
    wg.layers.dense({ units: 1 }),
  ]);
  const learningRate = wg.schedules.cosineDecay({ initialLearningRate: 0, warmupTarget: 0.05, warmupSteps: 2, decaySteps: 4 });
  model.compile({ optimizer: wg.optimizers.adam({ learningRate, globalClipNorm: 0.5, gradientAccumulationSteps: 2 }), loss: 'mse' });
  const rng = new wg.Random(1);
  const rows = Array.from({ length: 24 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const x = wg.tensor(rows);
  const y = wg.tensor(rows.map((r) => [r[0]! * r[1]! - r[2]!]));
  const history = await model.fit(x, y, { epochs: 3, batchSize: 6, shuffle: false, verbose: 0 });
  const weights = (await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())))).flat();
  model.dispose();
  wg.dispose([x, y]);
  return { mask, weights, rates: history.history.learningRate! };
}

await wg.setBackend('cpu');
const reference = await run();

for (const backend of DENO_BACKENDS) {
  Deno.test(`bigger-model features on ${backend} in Deno match cpu`, async () => {
    if (!(await startBackend(backend))) return;
    const got = await run();
    if (JSON.stringify(got.mask) !== JSON.stringify(reference.mask)) throw new Error(`${backend}: the dropout mask differs from cpu's`);
    if (JSON.stringify(got.rates) !== JSON.stringify(reference.rates)) throw new Error(`${backend}: learning rates ${got.rates} differ from cpu's ${reference.rates}`);
    got.weights.forEach((w, i) => {
      const e = reference.weights[i]!;
      if (!(Math.abs(w - e) <= 1e-4 * Math.max(1, Math.abs(e)))) throw new Error(`${backend}: weight ${i} is ${w}, cpu's ${e}`);
    });
  });
}
