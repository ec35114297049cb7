// `webgrad train --model cnn`: the image shape of a table's pixel columns, and the
// small convolutional network trained on it (the one examples/cnn-digits.ts and the
// demo page train): reshape → conv 3×3 → batch norm → relu → max pool → conv 3×3 →
// batch norm → relu → max pool → flatten → dense. The reshape is the model's first layer, so a saved CNN takes the same flat
// rows as an MLP, and `webgrad evaluate` / `predict` need nothing new.

import { InvalidArgumentError } from 'commander';
import * as wg from '../index.js';

export type ImageShape = readonly [number, number, number];

/** --image-shape h,w,c (three positive integers). */
export function imageShapeArg(value: string): ImageShape {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new InvalidArgumentError('expected height,width,channels as three positive integers, e.g. 8,8,1.');
  }
  return parts.map(Number) as unknown as ImageShape;
}

/** The given image shape (checked against the row width), or a square one-channel image when the width is a square. */
export function imageShapeFor(inputWidth: number, given: ImageShape | undefined): ImageShape {
  if (given) {
    const size = given[0] * given[1] * given[2];
    if (size !== inputWidth) throw new Error(`--image-shape ${given.join(',')} holds ${size} values, but the rows have ${inputWidth} inputs`);
    return given;
  }
  const side = Math.round(Math.sqrt(inputWidth));
  if (side * side !== inputWidth) {
    throw new Error(`--model cnn: the rows have ${inputWidth} inputs, not a square number of pixels; give the image shape with --image-shape height,width,channels`);
  }
  return [side, side, 1];
}

/** The small CNN, taking flat rows of `inputWidth` pixels, ending in `outputs` units. */
export function cnnLayers(shape: ImageShape, outputs: number, outputActivation: wg.ActivationName): wg.Layer[] {
  const [h, w, c] = shape;
  // no conv bias: batch normalization's beta takes its place
  const block = (i: number, filters: number): wg.Layer[] => [
    wg.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `conv${i}` }),
    wg.layers.batchNormalization({ name: `norm${i}` }),
    wg.layers.activation({ activation: 'relu', name: `relu${i}` }),
    wg.layers.maxPooling2d({ poolSize: 2, padding: 'same', name: `pool${i}` }),
  ];
  return [
    wg.layers.reshape({ targetShape: [h, w, c], inputShape: [h * w * c], name: 'image' }),
    ...block(1, 16),
    ...block(2, 32),
    wg.layers.flatten({ name: 'flatten' }),
    wg.layers.dense({ units: outputs, activation: outputActivation, name: 'output' }),
  ];
}
