// The `wg.io` namespace: the file formats, for tools that read or write them directly.

import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

export const io = {
  /** Safetensors bytes for named float32 / int32 tensors (readable by Python's safetensors and others). */
  encodeSafetensors,
  /** Reads safetensors bytes, refusing malformed or hostile files with an error that names the problem. */
  decodeSafetensors,
};

export type { Safetensors, SafetensorsTensor, SafetensorsDType } from './safetensors.js';
