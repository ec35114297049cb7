// Streaming from disk and HTTP: a file many times the chunk size is read in chunks no
// larger than chunkBytes (counted through the file handle) and gives the same batches as
// the text in memory; csvStream trains from a file path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { serveFiles, tempDir } from '../helpers/files.js';

const TEXT = Array.from({ length: 400 }, (_, i) => `line ${i}: ünïcödé ${'xyz'.repeat(i % 7)}\n`).join('');

describe('streaming data from files', () => {
  it('reads a file bigger than chunkBytes in chunks, by path, file: URL and http URL', async () => {
    await wg.setBackend('cpu');
    const dir = tempDir();
    const file = join(dir, 'corpus.txt');
    writeFileSync(file, TEXT);
    const bytes = Buffer.byteLength(TEXT);
    const chunkBytes = 1000;
    expect(bytes).toBeGreaterThan(10 * chunkBytes);
    const chunks: string[] = [];
    for await (const chunk of wg.data.textFile(file, { chunkBytes })) chunks.push(chunk);
    expect(chunks.join('')).toBe(TEXT);
    expect(chunks.length).toBe(Math.ceil(bytes / chunkBytes));
    // a character split by a chunk edge comes whole with the next chunk: at most 3 bytes more
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(chunkBytes + 3);
    expect(await wg.data.textFile(pathToFileURL(file), { chunkBytes }).text()).toBe(TEXT);
    const server = await serveFiles({ 'corpus.txt': TEXT });
    try {
      expect(await wg.data.textFile(`${server.url}corpus.txt`).text()).toBe(TEXT);
      await expect(wg.data.textFile(`${server.url}missing.txt`).text()).rejects.toThrow(/textFile: fetching .*missing.txt failed: HTTP 404/);
    } finally {
      await server.close();
    }
    await expect(wg.data.textFile(join(dir, 'nope.txt')).text()).rejects.toThrow(/textFile: cannot read .*nope.txt/);
  });

  it('streamed batches from a file equal the in-memory ones, pass after pass', async () => {
    await wg.setBackend('cpu');
    const file = join(tempDir(), 'corpus.txt');
    writeFileSync(file, TEXT);
    const tok = wg.text.charTokenizer(TEXT);
    const options = { contextLength: 16, batchSize: 8, shuffle: false };
    const rows = async (ds: wg.Dataset) => {
      const out: number[][] = [];
      for await (const b of ds as AsyncIterable<wg.Batch>) {
        out.push(...((await b.x.array()) as number[][]), ...((await b.y.array()) as number[][]));
        b.x.dispose();
        b.y.dispose();
      }
      return out;
    };
    const memory = await rows(wg.data.textDataset(tok.encode(TEXT), options));
    const streamed = wg.data.textDataset(wg.data.textFile(file, { chunkBytes: 512 }), { ...options, tokenizer: tok });
    expect(await rows(streamed)).toEqual(memory);
    expect(await rows(streamed)).toEqual(memory);
  });

  it('csvStream trains from a path', async () => {
    await wg.setBackend('cpu');
    const file = join(tempDir(), 'table.csv');
    const rng = new wg.Random(9);
    const lines = Array.from({ length: 300 }, () => {
      const [a, b] = [rng.normal(), rng.normal()];
      return `${a},${b},${3 * a - b}`;
    });
    writeFileSync(file, `a,b,y\n${lines.join('\n')}\n`);
    wg.setSeed(1);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputDim: 2 })]);
    model.compile({ optimizer: wg.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const history = await model.fit(wg.data.csvStream(file, { target: 'y', batchSize: 10, chunkBytes: 256 }), { epochs: 5, verbose: 0 });
    expect(history.history.loss![4]).toBeLessThan(history.history.loss![0]! / 10);
    const [w] = await Promise.all([model.weights[0]!.data()]);
    expect(w[0]).toBeCloseTo(3, 1);
    expect(w[1]).toBeCloseTo(-1, 1);
  });
});
