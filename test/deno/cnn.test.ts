// Training parity in Deno: the parity CNN (test/helpers/cnn-parity.js: conv2d, batch
// normalization, pooling, depthwise conv) trained on each backend with the built
// package gives Node's cpu loss curve and weights, within float32 tolerance.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';
import { trainParityCnn } from '../helpers/cnn-parity.js';
import { assertClose, DENO_BACKENDS, nodeReference, startBackend } from './node-parity.ts';

type CnnResult = Awaited<ReturnType<typeof trainParityCnn>>;

const reference = nodeReference<CnnResult>('./cnn-node.mjs');

for (const backend of DENO_BACKENDS) {
  Deno.test(`CNN training on ${backend} in Deno matches Node's cpu loss curve`, async () => {
    if (!(await startBackend(backend))) return;
    const [ours, node] = await Promise.all([trainParityCnn(wg, backend), reference]);
    if (ours.backend !== backend) throw new Error(`expected to train on ${backend}, trained on ${ours.backend}`);
    // same code and seed: cpu gives Node's numbers exactly; the others up to float32 summation order
    const tolerance = backend === 'cpu' ? 0 : 1e-4;
    assertClose(ours.losses, node.losses, tolerance, 'loss curve');
    ours.weights.forEach((w, i) => assertClose(w, node.weights[i]!, tolerance, `weight ${node.names[i]}`));
    if (!(ours.losses.at(-1)! < ours.losses[0]! * 0.8)) throw new Error(`loss did not fall: ${ours.losses[0]} → ${ours.losses.at(-1)}`);
  });
}
