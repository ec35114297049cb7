// webgrad's public API: everything users import, and nothing else.

/**
 * Tensors, autodiff, layers, losses, optimizers and `fit` on WebGPU, WebAssembly
 * SIMD or plain JavaScript. Import it as `webgrad` (every backend, loaded on first
 * use) or as `webgrad/core` (the same API with only the cpu backend; add
 * `webgrad/wasm` or `webgrad/webgpu` to ship one more).
 * @module webgrad
 */

import './tensor-methods.js';
// Side effect: registers the wasm and webgpu backends (lazily). 'webgrad/core' is this file without it.
import './backends/builtin.js';

export { Tensor, Variable, memory, resetPeakMemory, type DataType, type NestedArray, type TypedArray, type MemoryInfo } from './tensor.js';
export { tidy, keep, dispose } from './scope.js';
export { valueAndGrad, grad, grads, noGrad, type ValueAndGrads } from './autograd.js';
export { checkpoint } from './recompute.js';
export { estimateTrainingMemory, type MemoryEstimate, type EstimateOptions } from './nn/memory-estimate.js';
export {
  setBackend, getBackend, backendInfo, registerBackend, registeredBackends, releaseMemory, type BackendChoice, type BackendReport, type BackendFactory, type BackendOptions, type AutoOptions, type ProbeOptions,
} from './backends/select.js';
export { AllocationError, type Backend, type BackendName, type BackendInfo } from './backends/backend.js';
export { toBackend } from './transfer.js';
export { setSeed, Random, type RandomState } from './random.js';
export * from './ops/index.js';
export { clipByValue as clip } from './ops/index.js';

export {
  layers, sequential, Sequential, Layer, Dense, ActivationLayer, Dropout, Flatten, Checkpointed, initializers, Initializer, type CheckpointedArgs,
  type LayerArgs, type DenseArgs, type ActivationArgs, type DropoutArgs, type Shape, type CompileArgs, type PredictOptions,
  type SequentialArgs, type SummaryOptions, type InitializerSpec, type ActivationName, type LayerConfig,
} from './nn/index.js';
export {
  optimizers, Optimizer, SGD, Adagrad, RMSprop, Adam, AdamW,
  type SgdOptions, type AdagradOptions, type RmspropOptions, type AdamOptions, type Gradients, type Params,
  type OptimizerBaseOptions, type OptimizerConfig, type OptimizerState, type LearningRate,
} from './optimizers.js';
export {
  schedules, type LearningRateSchedule, type SerializedSchedule, type ScheduleConfig, type CosineDecayOptions, type ExponentialDecayOptions,
  type PiecewiseConstantDecayOptions, type PolynomialDecayOptions, type LinearWarmupOptions,
} from './schedules.js';
export type { ClipOptions } from './clipping.js';
export { losses, type LossFunction, type CrossentropyOptions } from './losses.js';
export {
  metrics, type MetricFunction, type ScoreValues, type Probabilities, type ConfusionOptions, type ClassScores, type ClassificationReport,
  type ReportOptions, type Average, type RegressionReport,
} from './metrics.js';
export { callbacks, History, EarlyStopping, type Callback, type Logs, type EarlyStoppingOptions } from './callbacks.js';
export type { FitOptions } from './train.js';
export type { BackendSwitch } from './device-loss.js';
export { registerLayer, type LayerFactory } from './nn/registry.js';
export { loadModel, loadCheckpoint, type LoadModelOptions, type LoadedCheckpoint } from './io/load.js';
export type { SaveTarget, SaveResult, ModelSource, ModelFiles } from './io/store.js';
export type { CheckpointOptions, Checkpoint, CheckpointSource, CheckpointState } from './io/checkpoint.js';
export {
  Preprocessing, type PreprocessingState, type PreprocessingOptions, type FeatureSpec, type Task, type ScaleKind, type EncodeOptions, type EncodedRows,
} from './io/tabular.js';
export type { CsvTable, CsvSource, ReadCsvOptions } from './io/csv.js';
export type { LoadCsvOptions, TabularDataset, TabularPart } from './io/dataset.js';
export { io, type Safetensors, type SafetensorsTensor, type SafetensorsDType } from './io/index.js';
export {
  data, StandardScaler, MinMaxScaler, type ScalerState, type SplitOptions, type Split, type BatchOptions,
} from './data.js';
