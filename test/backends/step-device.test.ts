// Backend.step with device scalars (loss scaling): scalar i is read from the device
// view where bit i of the mask is set, and a nonzero entry 7 skips the update. The
// oracle is the same backend's step with those scalars given on the host; the values
// are exact in float32 (powers of two and their sums), so the two agree bit for bit.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import type { OptimizerRule } from '../../src/backends/backend.js';
import { STATE_SLOTS } from '../../src/backends/step-rules.js';
import { activeBackend } from '../../src/backends/select.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();

/** Each rule's scalars (float32-exact), and which of them a loss-scale wrapper takes from the device. */
const RULES: Record<OptimizerRule, { hyper: number[]; device: number[] }> = {
  sgd: { hyper: [0.125, 0.5], device: [] },
  momentum: { hyper: [0.125, 0.25, 0.5, 0.25, 0], device: [4] },
  nesterov: { hyper: [0.125, 0, 0.5, 0, 1], device: [4] },
  adagrad: { hyper: [0.0625, 0.25, 0.5], device: [0] },
  rmsprop: { hyper: [0.125, 0.25, 0.75, 0.5, 0.5], device: [] },
  rmspropCentered: { hyper: [0.125, 0.25, 0.75, 0.5, 0.5], device: [] },
  adam: { hyper: [0.125, 0.25, 0.5, 0.75, 0.5, 0.75, 0.4375], device: [5, 6] },
  adamw: { hyper: [0.125, 0.25, 0.5, 0.75, 0.5, 0.75, 0.4375], device: [5, 6] },
};

describe.each(cases)('Backend.step with device scalars ($name)', ({ name, skip }) => {
  it.skipIf(skip).each(Object.keys(RULES) as OptimizerRule[])('%s: device scalars act as the host ones; the skip flag leaves everything as it was', async (rule) => {
    await wg.setBackend(name);
    const backend = activeBackend();
    const { hyper, device } = RULES[rule];
    const n = 70; // more than one workgroup
    const start = Array.from({ length: n }, (_, i) => (i % 7) - 3 + 0.5);
    const grad = wg.tensor(Array.from({ length: n }, (_, i) => ((i * 5) % 11) / 4 - 1));
    const run = async (how: 'host' | 'device' | 'skipped'): Promise<number[]> => {
      const p = wg.tensor(start);
      const slots = Array.from({ length: STATE_SLOTS[rule] }, (_, j) => wg.fill([n], j === 0 ? 0.25 : 0.5));
      // the host values at the masked positions are garbage the kernel must not read
      const host = how === 'host' ? hyper : hyper.map((h, i) => (device.includes(i) ? 1000 + i : h));
      const values = Array.from({ length: 8 }, (_, i) => (i === 7 ? (how === 'skipped' ? 1 : 0) : device.includes(i) ? hyper[i]! : -777));
      const onDevice = wg.tensor(values);
      const mask = device.reduce((m, i) => m | (1 << i), 0);
      backend.step(rule, p.view(), grad.view(), slots.map((s) => s.view()), host, how === 'host' ? undefined : { view: onDevice.view(), mask });
      const out = [...(await p.data())];
      for (const s of slots) out.push(...(await s.data()));
      wg.dispose([p, onDevice, ...slots]);
      return out;
    };
    const viaHost = await run('host');
    expect(await run('device')).toEqual(viaHost);
    const before = [...start];
    for (let j = 0; j < STATE_SLOTS[rule]; j++) before.push(...Array.from({ length: n }, () => (j === 0 ? 0.25 : 0.5)));
    expect(await run('skipped')).toEqual(before);
    // and the update did change something, so the comparison above means something
    expect(viaHost).not.toEqual(before);
    grad.dispose();
  });
});
