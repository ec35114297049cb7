// Text and streaming data in Deno, from the built package: a file bigger than the chunk
// size read in chunks through Deno's node:fs equals the whole file; streamed batches equal
// the in-memory ones; a Hugging Face tokenizer.json loads; a tiny GPT trains from a dataset.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';

const SHAKESPEARE = new URL('../../examples/data/tinyshakespeare.txt', import.meta.url).pathname;
const FIXTURE = new URL('../fixtures/tokenizer', import.meta.url).pathname;

Deno.test('textFile reads a file in chunks; textDataset streams the same batches as in memory', async () => {
  await wg.setBackend('cpu');
  const whole = await Deno.readTextFile(SHAKESPEARE);
  const chunks: string[] = [];
  for await (const chunk of wg.data.textFile(SHAKESPEARE, { chunkBytes: 1 << 16 })) chunks.push(chunk);
  if (chunks.length < 10) throw new Error(`expected the file in many chunks, got ${chunks.length}`);
  if (chunks.join('') !== whole) throw new Error('the chunks do not add up to the file');
  const head = whole.slice(0, 5000);
  const tok = wg.text.charTokenizer(whole);
  const options = { contextLength: 16, batchSize: 8, shuffle: false };
  const rows = async (ds: wg.Dataset) => {
    const out: number[] = [];
    for await (const b of ds as AsyncIterable<wg.Batch>) {
      out.push(...(await b.x.data()), ...(await b.y.data()));
      wg.dispose([b.x, b.y]);
    }
    return out;
  };
  const memory = await rows(wg.data.textDataset(tok.encode(head), options));
  const streamed = await rows(wg.data.textDataset(wg.data.textFile(new TextEncoder().encode(head), { chunkBytes: 300 }), { ...options, tokenizer: tok }));
  if (JSON.stringify(memory) !== JSON.stringify(streamed)) throw new Error('streamed batches differ from the in-memory ones');
});

Deno.test('loadTokenizer reads a Hugging Face tokenizer.json folder (ids derived by hand)', async () => {
  const tok = await wg.text.loadTokenizer(FIXTURE);
  const ids = Array.from(tok.encode('hello world'));
  if (JSON.stringify(ids) !== '[11,14,3,0]') throw new Error(`expected [11,14,3,0], got ${JSON.stringify(ids)}`);
  if (tok.decode(ids) !== 'hello world') throw new Error('decode did not give the text back');
});

Deno.test('a tiny GPT trains from a textDataset on wasm', async () => {
  await wg.setBackend('wasm');
  const text = (await Deno.readTextFile(SHAKESPEARE)).slice(0, 4000);
  const tok = wg.text.charTokenizer(text);
  wg.setSeed(1);
  const model = wg.models.gpt({ vocabSize: tok.vocabSize, contextLength: 16, numLayers: 1, numHeads: 2, embedDim: 16 });
  model.compile({ optimizer: wg.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  const history = await model.fit(wg.data.textDataset(tok.encode(text), { contextLength: 16, batchSize: 8, seed: 1 }), { epochs: 2, stepsPerEpoch: 10, verbose: 0 });
  const [first, last] = [history.history.loss![0]!, history.history.loss![1]!];
  if (!(last < first)) throw new Error(`the loss should fall: ${first} then ${last}`);
  model.dispose();
});
