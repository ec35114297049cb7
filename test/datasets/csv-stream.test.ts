// wg.data.csvStream: batches read in chunks against the rows written here; fit on the
// stream takes the same steps as fit on the same rows as tensors.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';

const cases = await backendCases();

function table(n: number) {
  const rng = new wg.Random(3);
  const rows = Array.from({ length: n }, () => [rng.normal(), rng.normal()].map((v) => Math.round(v * 1000) / 1000));
  const targets = rows.map((r) => Math.round((r[0]! * 2 - r[1]!) * 1000) / 1000);
  const labels = rows.map((r) => (r[0]! > 0 ? 1 : 0));
  const csv = `a,"b",y,label\r\n${rows.map((r, i) => `${r[0]},"${r[1]}",${targets[i]},${labels[i]}`).join('\r\n')}\r\n\r\n`;
  return { rows, targets, labels, bytes: new TextEncoder().encode(csv) };
}

describe.each(cases)('data.csvStream ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('deals the rows in order in batches, across chunk boundaries', async () => {
    await wg.setBackend(name);
    const { rows, targets, labels, bytes } = table(23);
    const ds = wg.data.csvStream(bytes, { target: 'y', features: ['a', 'b'], batchSize: 5, chunkBytes: 13 });
    const xs: number[][] = [];
    const ys: number[] = [];
    for await (const { x, y } of ds) {
      expect(y.shape).toEqual([x.shape[0], 1]);
      xs.push(...((await x.array()) as number[][]));
      ys.push(...((await y.data()) as Float32Array));
      x.dispose();
      y.dispose();
    }
    rows.forEach((r, i) => r.forEach((v, j) => expect(xs[i]![j]).toBeCloseTo(v, 5)));
    targets.forEach((v, i) => expect(ys[i]).toBeCloseTo(v, 5));
    // int32 class labels, shuffled in a buffer: the same rows in another order
    const classes = wg.data.csvStream(bytes, { target: 'label', features: ['a'], targetDtype: 'int32', batchSize: 4, shuffle: true, shuffleBuffer: 6, seed: 1 });
    const pairs: string[] = [];
    for await (const { x, y } of classes) {
      expect(y.dtype).toBe('int32');
      const [xa, ya] = [(await x.data()) as Float32Array, (await y.data()) as Int32Array];
      xa.forEach((v, i) => pairs.push(`${v.toFixed(3)}:${ya[i]}`));
      x.dispose();
      y.dispose();
    }
    const expected = rows.map((r, i) => `${r[0]!.toFixed(3)}:${labels[i]}`);
    expect(pairs).not.toEqual(expected);
    expect([...pairs].sort()).toEqual([...expected].sort());
  });

  run('fit on the stream equals fit on the same rows as tensors', async () => {
    await wg.setBackend(name);
    const { rows, targets, bytes } = table(24);
    const build = () => {
      wg.setSeed(2);
      const m = wg.sequential([wg.layers.dense({ units: 4, inputDim: 2, activation: 'tanh' }), wg.layers.dense({ units: 1 })]);
      m.compile({ optimizer: 'adam', loss: 'mse' });
      return m;
    };
    const a = build();
    const x = wg.tensor(rows);
    const y = wg.tensor(targets.map((t) => [t]));
    await a.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    const b = build();
    await b.fit(wg.data.csvStream(bytes, { target: 'y', features: ['a', 'b'], batchSize: 8, chunkBytes: 50 }), { epochs: 2, verbose: 0 });
    for (let i = 0; i < a.weights.length; i++) {
      const [wa, wb] = [await a.weights[i]!.data(), await b.weights[i]!.data()];
      wa.forEach((v, j) => expect(wb[j]).toBeCloseTo(v, 5));
    }
    x.dispose();
    y.dispose();
  });

  run('names the line and column of a bad cell, and refuses wrong calls', async () => {
    await wg.setBackend(name);
    const enc = (s: string) => new TextEncoder().encode(s);
    const drain = async (ds: AsyncIterable<wg.Batch>) => {
      for await (const b of ds) {
        b.x.dispose();
        b.y.dispose();
      }
    };
    await expect(drain(wg.data.csvStream(enc('a,y\n1,2\nx,3\n'), { target: 'y' }))).rejects.toThrow(/csvStream: line 3, column 'a': expected a number, got "x"/);
    await expect(drain(wg.data.csvStream(enc('a,y\n1,2\n1\n'), { target: 'y' }))).rejects.toThrow(/csvStream: line 3 has 1 cells but the header has 2 columns \(a, y\)/);
    await expect(drain(wg.data.csvStream(enc('a,y\n1,2\n'), { target: 'z' }))).rejects.toThrow(/csvStream: the target column 'z' is not in the header \(a, y\)/);
    await expect(drain(wg.data.csvStream(enc('a,y\n1,2.5\n'), { target: 'y', targetDtype: 'int32' }))).rejects.toThrow(/a class index should be a non-negative integer, got 2.5/);
    await expect(drain(wg.data.csvStream(enc(''), { target: 'y' }))).rejects.toThrow(/csvStream: the file is empty/);
    expect(() => wg.data.csvStream(enc('a'), {} as never)).toThrow(/csvStream: target \(the column to predict\) is required, got undefined/);
    expect(() => wg.data.csvStream(enc('a'), { target: 'a', delimiter: '"' })).toThrow(/csvStream: delimiter should be one character other than a quote/);
  });
});
