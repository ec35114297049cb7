// webgrad's public API: everything users import, and nothing else.

import './tensor-methods.js';

export { Tensor, Variable, memory, type DataType, type NestedArray, type TypedArray, type MemoryInfo } from './tensor.js';
export { tidy, keep, dispose } from './scope.js';
export { valueAndGrad, grad, grads, noGrad, type ValueAndGrads } from './autograd.js';
export { setBackend, getBackend, backendInfo, registerBackend, type BackendChoice, type BackendReport, type BackendFactory } from './backends/select.js';
export type { Backend, BackendName, BackendInfo } from './backends/backend.js';
export { setSeed, Random } from './random.js';
export * from './ops/index.js';
export { clipByValue as clip } from './ops/index.js';
