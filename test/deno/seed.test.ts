// Deno runs the built package (dist/): the seed example trains on each backend and
// ends where Node's cpu run ends, within float32 tolerance. Run by `npm test`
// (npm run test:deno). To test another backend in Deno, add it to DENO_BACKENDS.
// deno.json maps papaparse (the package's one dependency, imported by the lazily
// loaded CSV chunk) to node_modules, where an installed webgrad would find it.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
import { trainSeed } from './seed-example.js';

const DENO_BACKENDS: wg.BackendName[] = ['cpu', 'wasm', 'webgpu'];

const strict = ['1', 'true'].includes(Deno.env.get('CI') ?? '');

type SeedResult = Awaited<ReturnType<typeof trainSeed>>;

async function nodeReference(): Promise<SeedResult> {
  const node = Deno.env.get('npm_node_execpath') ?? 'node';
  const script = new URL('./seed-node.mjs', import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(node, { args: [script] }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (code !== 0) throw new Error(`node ${script} failed (${code}): ${decode(stderr)}`);
  return JSON.parse(decode(stdout)) as SeedResult;
}

function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: expected ${expected.length} values, got ${actual.length}`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) throw new Error(`${what}[${i}]: expected ${e}, got ${a} (tolerance ${tolerance})`);
  });
}

const reference = nodeReference();

for (const backend of DENO_BACKENDS) {
  Deno.test(`seed example on ${backend} in Deno matches Node`, async () => {
    try {
      await wg.setBackend(backend);
    } catch (error) {
      if (strict) throw error;
      console.warn(`[webgrad deno tests] skipping backend ${backend}: ${(error as Error).message}`);
      return;
    }
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
