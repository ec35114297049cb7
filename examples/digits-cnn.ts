// The small CNN that examples/cnn-digits.ts and the demo page's training worker
// (examples/web/train.worker.ts) both train, kept in one place so the two stay the
// same model. `webgrad train --model cnn` builds the same layers (src/cli/cnn.ts), with
// names and any image shape; the examples use only the published package, so they
// keep their own copy of the eleven layers here.
import * as wg from 'webgrad';

/**
 * The 64 pixels as an 8×8×1 image → conv 16 → batch norm → relu → pool → conv 32 →
 * batch norm → relu → pool → dense 10. It takes the same flat rows as the MLP, so
 * drawing and predicting need nothing else. The convolutions have no bias: batch
 * normalization's beta takes its place.
 */
export function digitsCnn(): wg.Sequential {
  return wg.sequential([
    wg.layers.reshape({ targetShape: [8, 8, 1], inputShape: [64] }),
    wg.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false }),
    wg.layers.batchNormalization(),
    wg.layers.activation({ activation: 'relu' }),
    wg.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
    wg.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', useBias: false }),
    wg.layers.batchNormalization(),
    wg.layers.activation({ activation: 'relu' }),
    wg.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
    wg.layers.flatten(),
    wg.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}
