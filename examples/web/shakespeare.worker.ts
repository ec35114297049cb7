// The demo's language-model worker: trains a small character-level GPT on Shakespeare
// (examples/data/tinyshakespeare.txt, streamed from the server in chunks), reporting the
// training loss and tokens/s every few steps and a sample of generated text as it learns.
import * as wg from 'webgrad';
import { type HandlerContext, expose } from 'webgrad/worker';
import textUrl from '../data/tinyshakespeare.txt?url';

export interface WriteSettings {
  readonly backend: wg.BackendName;
  /** Steps between reports (each report has the mean loss of its steps). */
  readonly stepsPerReport: number;
  /** Reports between samples. */
  readonly reportsPerSample: number;
}

export interface WriteReport {
  readonly step: number;
  readonly loss: number;
  readonly tokensPerSecond: number;
  /** Generated text, on the reports that carry one. */
  readonly sample?: string;
}

const CONFIG = { contextLength: 32, numLayers: 2, numHeads: 4, embedDim: 64 };
const BATCH = 16;

export const handlers = {
  /** Trains until aborted; resolves with the steps taken when the signal stops it. */
  async write(settings: WriteSettings, { progress, signal }: HandlerContext<WriteReport>): Promise<{ steps: number }> {
    await wg.setBackend(settings.backend);
    // the vocabulary needs every character: read the text (1.1 MB) once, in chunks
    const text = await wg.data.textFile(new URL(textUrl, location.href)).text();
    const tokenizer = wg.text.charTokenizer(text);
    const ids = tokenizer.encode(text);
    wg.setSeed(1);
    const model = wg.models.gpt({ vocabSize: tokenizer.vocabSize, ...CONFIG });
    model.compile({ optimizer: wg.optimizers.adam({ learningRate: 3e-3 }), loss: 'sparseCategoricalCrossentropy' });
    const dataset = wg.data.textDataset(ids.subarray(0, Math.floor(ids.length * 0.9)), { contextLength: CONFIG.contextLength, batchSize: BATCH, seed: 1 });
    let steps = 0;
    let started = performance.now();
    const sample = async (): Promise<string> => {
      const prompt = Array.from(tokenizer.encode('\n'));
      const out = await model.generate([prompt], { maxNewTokens: 120, temperature: 0.8, seed: steps });
      const ids = (await out.data()) as Int32Array;
      out.dispose();
      return tokenizer.decode(ids.subarray(prompt.length));
    };
    try {
      await model.fit(dataset, {
        epochs: Number.MAX_SAFE_INTEGER, // until stopped
        stepsPerEpoch: settings.stepsPerReport,
        verbose: 0,
        signal,
        callbacks: {
          onEpochEnd: async (epoch, logs = {}) => {
            steps = (epoch + 1) * settings.stepsPerReport;
            const seconds = (performance.now() - started) / 1000;
            const tokensPerSecond = (settings.stepsPerReport * BATCH * CONFIG.contextLength) / seconds;
            const withSample = (epoch + 1) % settings.reportsPerSample === 0;
            progress({ step: steps, loss: logs.loss!, tokensPerSecond, ...(withSample ? { sample: await sample() } : {}) });
            started = performance.now();
          },
        },
      });
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    } finally {
      model.dispose();
    }
    return { steps };
  },
};

expose(handlers);
