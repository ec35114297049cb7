// Types of cnn-parity.js (plain JS so that Deno runs it on the built package unchanged).
// No import of src/ here: Deno reads this file too and would type-check src/ with it.

export interface ParityResult {
  /** The backend the run trained on. */
  readonly backend: string;
  /** The loss of every training batch, in order. */
  readonly losses: number[];
  /** The model's weights after training, in Keras order. */
  readonly weights: number[][];
  /** Each weight's name after its layer's ('kernel', 'gamma', ...). */
  readonly names: string[];
}

export function parityImages(count: number): { pixels: Float32Array; labels: Int32Array };
/** `wg` is the webgrad module (src/ under Vitest, dist/ under Deno). */
export function trainParityCnn(wg: object, backend: string, epochs?: number): Promise<ParityResult>;
