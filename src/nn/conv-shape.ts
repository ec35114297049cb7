// Shared by the convolution and pooling layers: [h, w] pairs from a number or a pair
// (Keras accepts both), and the output size of a window sliding over an image with
// TensorFlow's 'valid' / 'same' rules, worked out without running anything.

export type Pair = readonly [number, number];
export type PairArg = number | readonly [number, number];
export type LayerPadding = 'valid' | 'same';

/** [h, w] from a positive integer or a pair of them; the error names the layer and option. */
export function pairOf(fn: string, name: string, value: unknown, fallback: PairArg): Pair {
  const v = value === undefined ? fallback : value;
  if (Number.isInteger(v) && (v as number) > 0) return [v as number, v as number];
  if (Array.isArray(v) && v.length === 2 && v.every((d) => Number.isInteger(d) && d > 0)) return [v[0] as number, v[1] as number];
  throw new Error(`${fn}: ${name} should be a positive integer or a pair [height, width] of them, got ${JSON.stringify(v) ?? String(v)}`);
}

/** 'valid' (the default) or 'same'. */
export function paddingOf(fn: string, value: unknown): LayerPadding {
  if (value === undefined) return 'valid';
  if (value === 'valid' || value === 'same') return value;
  throw new Error(`${fn}: padding should be 'valid' or 'same', got ${JSON.stringify(value) ?? String(value)}`);
}

/**
 * Output length along one axis: 'same' gives ceil(size / stride); 'valid' fits the
 * (dilated) window wholly inside, floor((size − window) / stride) + 1, and throws when
 * it does not fit even once.
 */
export function windowOutput(layer: string, axis: string, size: number | null, window: number, stride: number, dilation: number, padding: LayerPadding): number | null {
  if (size === null) return null;
  if (padding === 'same') return Math.ceil(size / stride);
  const span = (window - 1) * dilation + 1;
  if (span > size) {
    throw new Error(`${layer}: the ${dilation > 1 ? `dilated window (${span})` : `window (${window})`} is larger than the input ${axis} ${size} with padding 'valid'`);
  }
  return Math.floor((size - span) / stride) + 1;
}

/** Checks that samples are images [height, width, channels] and returns them. */
export function imageShape(layer: string, inputShape: readonly (number | null)[]): [number | null, number | null, number | null] {
  if (inputShape.length !== 3) {
    throw new Error(`${layer}: expects images [batch, height, width, channels], got samples of shape [${inputShape.map((d) => d ?? '*').join(',')}] (add wg.layers.reshape({ targetShape: [h, w, c] }) first)`);
  }
  return [inputShape[0]!, inputShape[1]!, inputShape[2]!];
}
