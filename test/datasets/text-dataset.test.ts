// wg.data.textDataset: windows of a token sequence checked against the sequence itself
// (ids 0..N-1, so a window's content names its start); the streamed form against the
// in-memory one; wg.data.textFile against the text it reads.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { settleGarbage } from '../helpers/gc.js';

const cases = await backendCases();

async function rowsOf(batch: wg.Batch): Promise<{ x: number[][]; y: number[][] }> {
  const out = { x: (await batch.x.array()) as number[][], y: (await batch.y.array()) as number[][] };
  batch.x.dispose();
  batch.y.dispose();
  return out;
}

async function collect(ds: wg.Dataset): Promise<{ x: number[][]; y: number[][]; sizes: number[] }> {
  const all = { x: [] as number[][], y: [] as number[][], sizes: [] as number[] };
  for await (const batch of ds as AsyncIterable<wg.Batch>) {
    expect(batch.x.dtype).toBe('int32');
    expect(batch.y.dtype).toBe('int32');
    const { x, y } = await rowsOf(batch);
    all.sizes.push(x.length);
    all.x.push(...x);
    all.y.push(...y);
  }
  return all;
}

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe.each(cases)('data.textDataset ($name)', ({ name, skip }) => {
  const run = it.skipIf(skip);

  run('cuts non-overlapping windows, y is x shifted by one, each window once per pass', async () => {
    await wg.setBackend(name);
    const T = 4;
    const ds = wg.data.textDataset(range(23), { contextLength: T, batchSize: 2, seed: 7 });
    // starts 0, 4, ..., 16 (16 + 4 + 1 = 21 <= 23; 20 + 5 > 23)
    expect(ds.samples).toBe(5);
    expect(ds.size).toBe(3);
    expect(ds.maxId).toBe(22);
    const pass = await collect(ds);
    expect(pass.sizes).toEqual([2, 2, 1]);
    for (let r = 0; r < pass.x.length; r++) {
      const s = pass.x[r]![0]!;
      expect(pass.x[r]).toEqual([s, s + 1, s + 2, s + 3]);
      expect(pass.y[r]).toEqual([s + 1, s + 2, s + 3, s + 4]);
    }
    expect(pass.x.map((r) => r[0]).sort((a, b) => a! - b!)).toEqual([0, 4, 8, 12, 16]);
  });

  run('is deterministic with a seed, reshuffles each pass, keeps order without shuffle', async () => {
    await wg.setBackend(name);
    const starts = async (ds: wg.Dataset) => (await collect(ds)).x.map((r) => r[0]);
    const ids = range(200);
    const a = wg.data.textDataset(ids, { contextLength: 3, batchSize: 5, seed: 1 });
    const b = wg.data.textDataset(ids, { contextLength: 3, batchSize: 5, seed: 1 });
    const a1 = await starts(a);
    expect(await starts(b)).toEqual(a1);
    const a2 = await starts(a);
    expect(a2).not.toEqual(a1);
    expect([...a2].sort((p, q) => p! - q!)).toEqual([...a1].sort((p, q) => p! - q!));
    const inOrder = await starts(wg.data.textDataset(ids, { contextLength: 3, batchSize: 5, shuffle: false, stride: 2 }));
    expect(inOrder).toEqual(Array.from({ length: Math.floor((200 - 4) / 2) + 1 }, (_, i) => i * 2));
    const dropped = await collect(wg.data.textDataset(range(23), { contextLength: 4, batchSize: 2, shuffle: false, dropRemainder: true }));
    expect(dropped.sizes).toEqual([2, 2]);
  });

  run('streams text through a tokenizer to the same batches as the ids in memory', async () => {
    await wg.setBackend(name);
    const text = 'ab\ncd é😀\n'.repeat(13) + 'tail';
    const tok = wg.text.charTokenizer(text);
    const options = { contextLength: 5, batchSize: 3, shuffle: false, stride: 4 };
    const memory = await collect(wg.data.textDataset(tok.encode(text), options));
    const file = wg.data.textFile(new TextEncoder().encode(text), { chunkBytes: 7 });
    expect(await file.text()).toBe(text);
    const streamed = await collect(wg.data.textDataset(file, { ...options, tokenizer: tok }));
    expect(streamed).toEqual(memory);
    // shuffled: the same windows in another order, the same with the same seed
    const shuffled = wg.data.textDataset(file, { ...options, shuffle: true, shuffleBuffer: 8, seed: 3, tokenizer: tok });
    const s1 = await collect(shuffled);
    expect(s1.x).not.toEqual(memory.x);
    expect([...s1.x].sort()).toEqual([...memory.x].sort());
    const again = await collect(wg.data.textDataset(file, { ...options, shuffle: true, shuffleBuffer: 8, seed: 3, tokenizer: tok }));
    expect(again).toEqual(s1);
  });

  run('reads a Blob and a ReadableStream in chunks; a stream only once', async () => {
    await wg.setBackend(name);
    const text = 'the quick brown fox\n'.repeat(20);
    expect(await wg.data.textFile(new Blob([text]), { chunkBytes: 16 }).text()).toBe(text);
    const bytes = new TextEncoder().encode(text);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 10) controller.enqueue(bytes.slice(i, i + 10));
        controller.close();
      },
    });
    const file = wg.data.textFile(stream);
    expect(await file.text()).toBe(text);
    await expect(file.text()).rejects.toThrow(/textFile: a ReadableStream can be read once/);
  });

  run('refuses wrong calls with clear messages', async () => {
    await wg.setBackend(name);
    expect(() => wg.data.textDataset(range(10), {} as never)).toThrow(/textDataset: contextLength is required/);
    expect(() => wg.data.textDataset(range(4), { contextLength: 4 })).toThrow(/textDataset: 4 tokens are too few for one sample of contextLength 4 \(it needs contextLength \+ 1 = 5\)/);
    expect(() => wg.data.textDataset([0, 1, -1, 2], { contextLength: 1 })).toThrow(/textDataset: token ids should be non-negative integers, got number -1 at position 2/);
    expect(() => wg.data.textDataset(range(10), { contextLength: 2, batchSize: 0 })).toThrow(/textDataset: batchSize should be an integer >= 1, got 0/);
    expect(() => wg.data.textDataset(range(10), { contextLength: 2, batch: 3 } as never)).toThrow(/textDataset: unknown option 'batch'/);
    const t = wg.tensor([1, 2, 3], [3], 'int32');
    expect(() => wg.data.textDataset(t as never, { contextLength: 1 })).toThrow(/read a tensor first/);
    t.dispose();
    expect(() => wg.data.textDataset(wg.data.textFile(new Uint8Array(4)), { contextLength: 2 } as never)).toThrow(/textDataset: a text stream needs options.tokenizer/);
    expect(() => wg.data.textFile(42 as never)).toThrow(/textFile: expected a path, a URL, a File \/ Blob, a ReadableStream of bytes or bytes, got number 42/);
    expect(() => wg.data.textFile(new Uint8Array(1), { chunkBytes: 0 })).toThrow(/textFile: chunkBytes should be an integer >= 1, got 0/);
    await expect(wg.data.textFile(new Uint8Array([0x61, 0xff, 0x62]), { chunkBytes: 2 }).text()).rejects.toThrow(/textFile: the file is not UTF-8 text/);
    await settleGarbage(); // what earlier tests forgot is reclaimed at awaits: settle it before the baseline
    const before = wg.memory().numTensors;
    const tok = wg.text.charTokenizer('ab');
    await expect(collect(wg.data.textDataset(wg.data.textFile(new TextEncoder().encode('abcabc')), { contextLength: 2, tokenizer: tok }))).rejects.toThrow(/charTokenizer.encode: character "c"/);
    expect(wg.memory().numTensors).toBe(before);
  });
});
