// Types of cnn-parity.js (plain JS so that Deno runs it on the built package unchanged).
import type * as webgrad from '../../src/index.js';

export interface ParityResult {
  readonly backend: webgrad.BackendName;
  /** The loss of every training batch, in order. */
  readonly losses: number[];
  /** The model's weights after training, in Keras order. */
  readonly weights: number[][];
  /** Each weight's name after its layer's ('kernel', 'gamma', ...). */
  readonly names: string[];
}

export function parityImages(count: number): { pixels: Float32Array; labels: Int32Array };
export function trainParityCnn(wg: typeof webgrad, backend: webgrad.BackendName, epochs?: number): Promise<ParityResult>;
