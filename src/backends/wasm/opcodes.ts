// The contract's op names as the kernels' codes (assembly/abi.ts), and the default
// args of src/backends/scalar-ops.ts for ops whose args are optional.

import type { BinaryOp, DType, OptimizerRule, ReduceOp, UnaryOp } from '../backend.js';
import * as abi from '../../generated/wasm-abi.js';

export const UNARY: Readonly<Record<UnaryOp, number>> = {
  neg: abi.U_NEG, abs: abi.U_ABS, sign: abi.U_SIGN, step: abi.U_STEP, exp: abi.U_EXP, log: abi.U_LOG,
  log1p: abi.U_LOG1P, expm1: abi.U_EXPM1, sqrt: abi.U_SQRT, rsqrt: abi.U_RSQRT, square: abi.U_SQUARE,
  reciprocal: abi.U_RECIPROCAL, floor: abi.U_FLOOR, ceil: abi.U_CEIL, round: abi.U_ROUND, sin: abi.U_SIN,
  cos: abi.U_COS, relu: abi.U_RELU, leakyRelu: abi.U_LEAKY_RELU, elu: abi.U_ELU, gelu: abi.U_GELU, geluTanh: abi.U_GELU_TANH,
  sigmoid: abi.U_SIGMOID, tanh: abi.U_TANH, softplus: abi.U_SOFTPLUS, clip: abi.U_CLIP,
  powScalar: abi.U_POW_SCALAR, logicalNot: abi.U_LOGICAL_NOT,
};

/** The defaults of src/backends/scalar-ops.ts for ops whose args are optional. */
export const UNARY_DEFAULTS: Partial<Record<UnaryOp, readonly number[]>> = {
  leakyRelu: [0.2], elu: [1], clip: [-Infinity, Infinity], powScalar: [1],
};

export const BINARY: Readonly<Record<BinaryOp, number>> = {
  add: abi.B_ADD, sub: abi.B_SUB, mul: abi.B_MUL, div: abi.B_DIV, pow: abi.B_POW, max: abi.B_MAX,
  min: abi.B_MIN, mod: abi.B_MOD, eq: abi.B_EQ, ne: abi.B_NE, lt: abi.B_LT, le: abi.B_LE, gt: abi.B_GT,
  ge: abi.B_GE, and: abi.B_AND, or: abi.B_OR, reluGrad: abi.B_RELU_GRAD, sigmoidGrad: abi.B_SIGMOID_GRAD,
  tanhGrad: abi.B_TANH_GRAD, eluGrad: abi.B_ELU_GRAD, leakyReluGrad: abi.B_LEAKY_RELU_GRAD,
  geluGrad: abi.B_GELU_GRAD, geluTanhGrad: abi.B_GELU_TANH_GRAD, clipGrad: abi.B_CLIP_GRAD,
};

/**
 * Op codes whose kernels take a few vector instructions per element, so that memory,
 * not arithmetic, sets their speed (threads pay off for them only on larger jobs; see
 * PARALLEL_ELEMENTS_MEMORY_BOUND in backend.ts). Copy, fill and where are too.
 */
export const MEMORY_BOUND_UNARY: ReadonlySet<number> = new Set([
  abi.U_NEG, abi.U_ABS, abi.U_SIGN, abi.U_STEP, abi.U_SQUARE, abi.U_FLOOR, abi.U_CEIL, abi.U_ROUND, abi.U_RELU,
  abi.U_LEAKY_RELU, abi.U_CLIP, abi.U_LOGICAL_NOT,
]);
export const MEMORY_BOUND_BINARY: ReadonlySet<number> = new Set([
  abi.B_ADD, abi.B_SUB, abi.B_MUL, abi.B_MAX, abi.B_MIN, abi.B_EQ, abi.B_NE, abi.B_LT, abi.B_LE, abi.B_GT, abi.B_GE,
  abi.B_AND, abi.B_OR, abi.B_RELU_GRAD, abi.B_SIGMOID_GRAD, abi.B_TANH_GRAD, abi.B_LEAKY_RELU_GRAD, abi.B_CLIP_GRAD,
]);

export const BINARY_DEFAULTS: Partial<Record<BinaryOp, readonly number[]>> = {
  eluGrad: [1], leakyReluGrad: [0.2], clipGrad: [-Infinity, Infinity],
};

export const REDUCE: Readonly<Record<ReduceOp, number>> = {
  sum: abi.R_SUM, mean: abi.R_MEAN, max: abi.R_MAX, min: abi.R_MIN, prod: abi.R_PROD,
  argmax: abi.R_ARGMAX, argmin: abi.R_ARGMIN,
};

export const ACTIVATION = { linear: abi.ACT_LINEAR, relu: abi.ACT_RELU, sigmoid: abi.ACT_SIGMOID, tanh: abi.ACT_TANH, geluTanh: abi.ACT_GELU_TANH } as const;

export const RULE: Readonly<Record<OptimizerRule, number>> = {
  sgd: abi.S_SGD, momentum: abi.S_MOMENTUM, nesterov: abi.S_NESTEROV, adagrad: abi.S_ADAGRAD,
  rmsprop: abi.S_RMSPROP, rmspropCentered: abi.S_RMSPROP_CENTERED, adam: abi.S_ADAM, adamw: abi.S_ADAMW,
};

export const dt = (d: DType): number => (d === 'f32' ? abi.DT_F32 : abi.DT_I32);
