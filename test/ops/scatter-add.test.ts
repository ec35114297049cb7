// The gather gradient (backend scatterAdd) at embedding size: a 50,000-row table and
// 8,192 token ids with heavy repetition, on every backend, against float64 sums on
// the host. On WebGPU each update is one atomic add (shaders/scatter-add.wgsl), so
// this costs 8,192 x 4 adds rather than 50,000 x 4 x 8,192 comparisons.

import { expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { Rng } from '../helpers/values.js';

const backends = await backendCases();
const V = 50000;
const D = 4;
const N = 8192;

for (const backend of backends) {
  it.skipIf(backend.skip !== undefined)(`${backend.name}: embedding gradient, V ${V}, ${N} ids with duplicates`, async () => {
    await wg.setBackend(backend.name);
    const rng = new Rng(7);
    // Half the ids from a hot set of 16 rows, so many rows collect hundreds of updates.
    const ids = Int32Array.from({ length: N }, () => (rng.next() < 0.5 ? Math.floor(rng.next() * 16) : Math.floor(rng.next() * V)));
    const up = Float32Array.from({ length: N * D }, () => rng.next() * 2 - 1);
    const expected = new Float64Array(V * D);
    for (let i = 0; i < N; i++) for (let c = 0; c < D; c++) expected[ids[i]! * D + c]! += up[i * D + c]!;
    const table = wg.zeros([V, D]);
    const idx = wg.tensor(ids, [N], 'int32');
    const w = wg.tensor(up, [N, D]);
    const { value, grads } = wg.valueAndGrad(() => wg.sum(wg.mul(wg.gather(table, idx), w)), [table]);
    expectClose(await grads[0]!.data(), expected, [V, D], { rel: 1e-5, abs: 1e-5 }, `scatterAdd on ${backend.name}`);
    expect(grads[0]!.shape).toEqual([V, D]);
    wg.dispose([table, idx, w, value, grads]);
  });
}
