// The module's one entry point. JS writes a job descriptor (see abi.ts) into linear
// memory and calls dispatch; worker threads call it too. A job is split into
// `parts` that write disjoint outputs; any thread may run any part, and `thread`
// picks the per-thread scratch.

import {
  KIND_ATTENTION, KIND_ATTENTION_GRAD, KIND_COL2IM, KIND_CONV, KIND_ELEMENTWISE, KIND_GATHER, KIND_IM2COL, KIND_LAYER_NORM, KIND_LAYER_NORM_AFFINE,
  KIND_LAYER_NORM_GRAD, KIND_MATMUL, KIND_POOL, KIND_POOL_GRAD, KIND_RANDOM, KIND_REDUCE, KIND_SCATTER_ADD, KIND_STEP, KIND_XENT,
  KIND_XENT_GRAD,
} from './abi';
import { attention, attentionGrad } from './attention';
import { col2im, im2col, pool, poolGrad } from './conv';
import { conv } from './conv-gemm';
import { crossEntropy, crossEntropyGrad } from './cross-entropy';
import { layerNorm, layerNormAffine, layerNormGrad } from './norm';
import { elementwise } from './elementwise';
import { gather, scatterAdd } from './gather';
import { matmul } from './matmul';
import { random } from './random';
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
    case KIND_IM2COL: im2col(desc, part, parts); break;
    case KIND_COL2IM: col2im(desc, part, parts); break;
    case KIND_CONV: conv(desc, part, parts); break;
    case KIND_POOL: pool(desc, part, parts); break;
    case KIND_POOL_GRAD: poolGrad(desc, part, parts); break;
    case KIND_LAYER_NORM: layerNorm(desc, part, parts); break;
    case KIND_LAYER_NORM_GRAD: layerNormGrad(desc, part, parts); break;
    case KIND_LAYER_NORM_AFFINE: layerNormAffine(desc, part, parts); break;
    case KIND_ATTENTION: attention(desc, part, parts); break;
    case KIND_ATTENTION_GRAD: attentionGrad(desc, part, parts); break;
    case KIND_XENT: crossEntropy(desc, part, parts); break;
    case KIND_XENT_GRAD: crossEntropyGrad(desc, part, parts); break;
    case KIND_RANDOM: random(desc, part, parts); break;
  }
}

/** First byte after the module's static data; JS places its heap above it. */
export function heapBase(): usize {
  return __heap_base;
}
