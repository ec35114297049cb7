// The names a user may write for a loss, metric, optimizer, activation or
// initializer: webgrad's own (TF.js' camelCase) and Keras' spellings (snake_case
// functions, CamelCase classes), so a Keras config or tutorial pastes in. Each table
// maps every accepted spelling to the one canonical name the code and model.json use;
// the unions below are the tables' keys, so a typo is a compile error with the
// editor's completion list.

import { closest } from './options.js';

/** Mean squared and mean absolute error: both a loss and a metric, under the same spellings. */
const ERROR_NAMES = {
  meanSquaredError: 'meanSquaredError',
  mse: 'meanSquaredError',
  MSE: 'meanSquaredError',
  mean_squared_error: 'meanSquaredError',
  MeanSquaredError: 'meanSquaredError',
  meanAbsoluteError: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  MAE: 'meanAbsoluteError',
  mean_absolute_error: 'meanAbsoluteError',
  MeanAbsoluteError: 'meanAbsoluteError',
} as const;

export const LOSS_NAMES = {
  ...ERROR_NAMES,
  huber: 'huber',
  huber_loss: 'huber',
  Huber: 'huber',
  binaryCrossentropy: 'binaryCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  BinaryCrossentropy: 'binaryCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  CategoricalCrossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  SparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
} as const;

/** A loss `compile` knows by name (webgrad's and Keras' spellings). */
export type LossName = keyof typeof LOSS_NAMES;

export const METRIC_NAMES = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  binaryAccuracy: 'binaryAccuracy',
  binary_accuracy: 'binaryAccuracy',
  BinaryAccuracy: 'binaryAccuracy',
  categoricalAccuracy: 'categoricalAccuracy',
  categorical_accuracy: 'categoricalAccuracy',
  CategoricalAccuracy: 'categoricalAccuracy',
  sparseCategoricalAccuracy: 'sparseCategoricalAccuracy',
  sparse_categorical_accuracy: 'sparseCategoricalAccuracy',
  SparseCategoricalAccuracy: 'sparseCategoricalAccuracy',
  ...ERROR_NAMES,
} as const;

/** A metric `compile` knows by name; logs and History use the name as given, as Keras does. */
export type MetricName = keyof typeof METRIC_NAMES;

export const OPTIMIZER_NAMES = {
  sgd: 'sgd',
  SGD: 'sgd',
  adagrad: 'adagrad',
  Adagrad: 'adagrad',
  rmsprop: 'rmsprop',
  RMSprop: 'rmsprop',
  adam: 'adam',
  Adam: 'adam',
  adamw: 'adamw',
  AdamW: 'adamw',
} as const;

/** An optimizer `compile` knows by name (created with its defaults). */
export type OptimizerName = keyof typeof OPTIMIZER_NAMES;

export const ACTIVATION_NAMES = {
  linear: 'linear',
  relu: 'relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  logSoftmax: 'logSoftmax',
  log_softmax: 'logSoftmax',
  elu: 'elu',
  gelu: 'gelu',
  geluTanh: 'geluTanh',
  gelu_tanh: 'geluTanh',
  softplus: 'softplus',
  leakyRelu: 'leakyRelu',
  leaky_relu: 'leakyRelu',
  swish: 'swish',
  silu: 'swish',
} as const;

/** An activation layers know by name (webgrad's and Keras' spellings). */
export type ActivationName = keyof typeof ACTIVATION_NAMES;
export type CanonicalActivation = (typeof ACTIVATION_NAMES)[ActivationName];

export const INITIALIZER_NAMES = {
  glorotUniform: 'glorotUniform',
  glorot_uniform: 'glorotUniform',
  GlorotUniform: 'glorotUniform',
  glorotNormal: 'glorotNormal',
  glorot_normal: 'glorotNormal',
  GlorotNormal: 'glorotNormal',
  heUniform: 'heUniform',
  he_uniform: 'heUniform',
  HeUniform: 'heUniform',
  heNormal: 'heNormal',
  he_normal: 'heNormal',
  HeNormal: 'heNormal',
  leCunNormal: 'leCunNormal',
  lecun_normal: 'leCunNormal',
  LecunNormal: 'leCunNormal',
  zeros: 'zeros',
  Zeros: 'zeros',
  ones: 'ones',
  Ones: 'ones',
  constant: 'constant',
  Constant: 'constant',
  randomNormal: 'randomNormal',
  random_normal: 'randomNormal',
  RandomNormal: 'randomNormal',
  randomUniform: 'randomUniform',
  random_uniform: 'randomUniform',
  RandomUniform: 'randomUniform',
} as const;

/** An initializer layers know by name (webgrad's and Keras' spellings). */
export type InitializerName = keyof typeof INITIALIZER_NAMES;

/** True when `name` is one of the table's spellings. */
export function isName<T extends Record<string, string>>(table: T, name: unknown): name is keyof T & string {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(table, name);
}

/**
 * The canonical name for any accepted spelling, or an error naming `fn`, what was
 * given, the closest spelling and the canonical names (Keras spellings are mentioned,
 * not listed, to keep the message short).
 */
export function canonical<T extends Record<string, string>>(fn: string, what: string, name: unknown, table: T): T[keyof T] {
  if (isName(table, name)) return table[name];
  const names = [...new Set(Object.values(table))];
  const suggestion = typeof name === 'string' ? closest(name, Object.keys(table)) : undefined;
  const shown = typeof name === 'function' ? 'a function' : JSON.stringify(name) ?? String(name);
  throw new Error(
    `${fn}: unknown ${what} ${shown}${suggestion ? `; did you mean '${suggestion}'?` : ''} (expected one of: ${names.join(', ')}, or Keras' spellings such as '${snake(names[0]!)}')`,
  );
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
