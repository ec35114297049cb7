// Training parity in Deno: the parity CNN (test/helpers/cnn-parity.js: conv2d, batch
// normalization, pooling, depthwise conv) trained on each backend with the built
// package gives Node's cpu loss curve and weights, within float32 tolerance.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
import { trainParityCnn } from '../helpers/cnn-parity.js';

const DENO_BACKENDS: wg.BackendName[] = ['cpu', 'wasm', 'webgpu'];

const strict = ['1', 'true'].includes(Deno.env.get('CI') ?? '');

type CnnResult = Awaited<ReturnType<typeof trainParityCnn>>;

async function nodeReference(): Promise<CnnResult> {
  const node = Deno.env.get('npm_node_execpath') ?? 'node';
  const script = new URL('./cnn-node.mjs', import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(node, { args: [script] }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (code !== 0) throw new Error(`node ${script} failed (${code}): ${decode(stderr)}`);
  return JSON.parse(decode(stdout)) as CnnResult;
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
  Deno.test(`CNN training on ${backend} in Deno matches Node's cpu loss curve`, async () => {
    try {
      await wg.setBackend(backend);
    } catch (error) {
      if (strict) throw error;
      console.warn(`[webgrad deno tests] skipping backend ${backend}: ${(error as Error).message}`);
      return;
    }
    const [ours, node] = await Promise.all([trainParityCnn(wg, backend), reference]);
    if (ours.backend !== backend) throw new Error(`expected to train on ${backend}, trained on ${ours.backend}`);
    // same code and seed: cpu gives Node's numbers exactly; the others up to float32 summation order
    const tolerance = backend === 'cpu' ? 0 : 1e-4;
    assertClose(ours.losses, node.losses, tolerance, 'loss curve');
    ours.weights.forEach((w, i) => assertClose(w, node.weights[i]!, tolerance, `weight ${node.names[i]}`));
    if (!(ours.losses.at(-1)! < ours.losses[0]! * 0.8)) throw new Error(`loss did not fall: ${ours.losses[0]} → ${ours.losses.at(-1)}`);
  });
}
