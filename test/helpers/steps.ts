// The hand-written training step the memory tests repeat, and the loop that repeats it:
// one valueAndGrad + applyGradients on a model's trainable weights, returning the loss.
import * as wg from '../../src/index.js';

export function handWrittenStep(model: wg.Sequential, optimizer: wg.Optimizer, x: wg.Tensor, y: wg.Tensor): () => wg.Tensor {
  return () => {
    const { value, grads } = wg.valueAndGrad(() => wg.losses.meanSquaredError(y, model.apply(x, true)), model.trainableWeights);
    optimizer.applyGradients(grads, model.trainableWeights);
    wg.dispose(grads);
    return value;
  };
}

/** Runs `step` `count` times, keeping only the newest loss; returns the last loss's value. */
export async function repeatSteps(step: () => wg.Tensor, count: number): Promise<number> {
  let last: wg.Tensor | undefined;
  for (let i = 0; i < count; i++) {
    last?.dispose();
    last = step();
  }
  const loss = (await last!.data())[0]!;
  last!.dispose();
  return loss;
}
