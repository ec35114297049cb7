// A TF.js peer's training step as a benchmark case: one step per run, and as the result
// the losses of the first three steps (what every training workload compares).

import type * as TfCore from '@tensorflow/tfjs-core';
import type { Case } from './workloads.js';

/** `step` runs one training step and returns its loss; `dispose` frees what the case made. */
export function tfjsStepCase(step: () => TfCore.Scalar, dispose: () => void): Case {
  return {
    run: () => step().dispose(),
    async result() {
      const losses = new Float32Array(3);
      for (let i = 0; i < 3; i++) {
        const v = step();
        losses[i] = (await v.data())[0]!;
        v.dispose();
      }
      return losses;
    },
    dispose,
  };
}
