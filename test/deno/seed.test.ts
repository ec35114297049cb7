// Deno runs the built package (dist/): the seed example trains on each backend and
// ends where Node's cpu run ends, within float32 tolerance. Run by `npm test`
// (npm run test:deno). To test another backend in Deno, add it to DENO_BACKENDS.
// deno.json maps papaparse (the package's one dependency, imported by the lazily
// loaded CSV chunk) to node_modules, where an installed webgrad would find it.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
import { trainSeed } from './seed-example.js';
import { assertClose, DENO_BACKENDS, nodeReference, startBackend } from './node-parity.ts';

type SeedResult = Awaited<ReturnType<typeof trainSeed>>;

const reference = nodeReference<SeedResult>('./seed-node.mjs');

for (const backend of DENO_BACKENDS) {
  Deno.test(`seed example on ${backend} in Deno matches Node`, async () => {
    if (!(await startBackend(backend))) return;
    const [ours, node] = await Promise.all([trainSeed(wg, backend), reference]);
    if (ours.backend !== backend) throw new Error(`expected to train on ${backend}, trained on ${ours.backend}`);
    // same code, same seed: the same numbers up to float32 rounding (cpu is bit-identical)
    const tolerance = backend === 'cpu' ? 0 : 1e-4;
    assertClose(ours.losses, node.losses, tolerance, 'loss curve');
    assertClose(ours.prediction, node.prediction, tolerance, 'prediction');
    assertClose(ours.weights.flat(), node.weights.flat(), tolerance, 'weights');
    if (!(ours.losses[ours.losses.length - 1]! < ours.losses[0]! / 2)) throw new Error(`loss did not fall: ${ours.losses[0]} → ${ours.losses.at(-1)}`);
  });
}

Deno.test('the lazily loaded CSV reader works in Deno (papaparse from node_modules)', async () => {
  const table = await wg.data.readCsv({ text: 'a,b\n1,2\n3,4\n' });
  if (JSON.stringify([table.columns, table.rows]) !== JSON.stringify([['a', 'b'], [['1', '2'], ['3', '4']]])) {
    throw new Error(`unexpected table: ${JSON.stringify(table)}`);
  }
});
