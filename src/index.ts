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
export { setPrecision, getPrecision, type Precision } from './precision.js';
export * from './ops/index.js';
export { clipByValue as clip } from './ops/index.js';

export {
  layers, sequential, Sequential, Layer, Dense, ActivationLayer, Dropout, Flatten, Checkpointed, initializers, Initializer, type CheckpointedArgs,
  type LayerArgs, type DenseArgs, type ActivationArgs, type DropoutArgs, type Shape, type CompileArgs, type PredictOptions,
  type SequentialArgs, type SummaryOptions, type InitializerSpec, type ActivationName, type LayerConfig,
  registerActivation, type ActivationFunction, type ActivationSpec,
} from './nn/index.js';
export type { LossName, MetricName, OptimizerName, InitializerName } from './names.js';
export {
  BatchNormalization, Reshape, GlobalAveragePooling2D, GlobalMaxPooling2D, type BatchNormalizationArgs, type ReshapeArgs,
  Conv2D, DepthwiseConv2D, MaxPooling2D, AveragePooling2D, type Conv2DArgs, type DepthwiseConv2DArgs, type Pooling2DArgs,
} from './nn/index.js';
export {
  input, model, Model, LayersModel, SymbolicTensor, MultiInputLayer, Embedding, Add, Concatenate, LayerNormalization, MultiHeadAttention,
  type InputArgs, type ModelArgs, type ApplyOptions, type EmbeddingArgs, type ConcatenateArgs, type LayerNormalizationArgs, type MultiHeadAttentionArgs,
} from './nn/index.js';
export { models, GPT, type GPTConfig, type KVCache, type GenerateOptions } from './models/index.js';
export {
  optimizers, Optimizer, SGD, Adagrad, RMSprop, Adam, AdamW,
  type SgdOptions, type AdagradOptions, type RmspropOptions, type AdamOptions, type Gradients, type Params,
  type OptimizerBaseOptions, type OptimizerConfig, type OptimizerState, type LearningRate,
} from './optimizers.js';
export { LossScaleOptimizer, type LossScaleOptions } from './loss-scaling.js';
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
export type { FitDatasetOptions } from './train-dataset.js';
export type { Batch, Dataset } from './datasets/dataset.js';
export { TextDataset, StreamingTextDataset, type TextDatasetOptions, type StreamingTextDatasetOptions } from './datasets/text.js';
export { TextFile, type TextFileOptions, type StreamSource } from './datasets/stream.js';
export { CsvStreamDataset, type CsvStreamOptions } from './datasets/csv-stream.js';
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
export { text, CharTokenizer, HuggingFaceTokenizer, type CharTokenizerJson, type Tokenizer, type TokenIds, type TokenizerSource } from './text/index.js';
