// The module's one entry point. JS writes a job descriptor (see abi.ts) into linear
// memory and calls dispatch; worker threads call it too. A job is split into
// `parts` that write disjoint outputs; any thread may run any part, and `thread`
// picks the per-thread scratch.

import {
  KIND_ATTENTION, KIND_ATTENTION_GRAD, KIND_ELEMENTWISE, KIND_GATHER, KIND_LAYER_NORM, KIND_LAYER_NORM_AFFINE, KIND_LAYER_NORM_GRAD,
  KIND_MATMUL, KIND_REDUCE, KIND_SCATTER_ADD, KIND_STEP, KIND_XENT, KIND_XENT_GRAD,
} from './abi';
import { attention, attentionGrad } from './attention';
import { crossEntropy, crossEntropyGrad } from './cross-entropy';
import { layerNorm, layerNormAffine, layerNormGrad } from './norm';
import { elementwise } from './elementwise';
import { gather, scatterAdd } from './gather';
import { matmul } from './matmul';
import { reduce } from './reduce';
import { step } from './step';
import { setThread } from './thread';

export function dispatch(kind: i32, desc: usize, part: i32, parts: i32, thread: i32): void {
  setThread(thread);
  switch (kind) {
    case KIND_ELEMENTWISE: elementwise(desc, part, parts); break;
    case KIND_REDUCE: reduce(desc, part, parts); break;
    case KIND_MATMUL: matmul(desc, part, parts); break;
    case KIND_GATHER: gather(desc, part, parts); break;
    case KIND_SCATTER_ADD: scatterAdd(desc, part, parts); break;
    case KIND_STEP: step(desc, part, parts); break;
    case KIND_LAYER_NORM: layerNorm(desc, part, parts); break;
    case KIND_LAYER_NORM_GRAD: layerNormGrad(desc, part, parts); break;
    case KIND_LAYER_NORM_AFFINE: layerNormAffine(desc, part, parts); break;
    case KIND_ATTENTION: attention(desc, part, parts); break;
    case KIND_ATTENTION_GRAD: attentionGrad(desc, part, parts); break;
    case KIND_XENT: crossEntropy(desc, part, parts); break;
    case KIND_XENT_GRAD: crossEntropyGrad(desc, part, parts); break;
  }
}

/** First byte after the module's static data; JS places its heap above it. */
export function heapBase(): usize {
  return __heap_base;
}
