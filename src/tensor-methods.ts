// Chainable op methods on Tensor (`x.matmul(w).add(b).relu()`), each a thin call
// into the op of the same name so that ops live in one place only.

import type { DataType } from './tensor.js';
import { Tensor } from './tensor.js';
import * as ops from './ops/index.js';
import type { TensorLike } from './ops/index.js';

type Axis = number | readonly number[];

declare module './tensor.js' {
  interface Tensor {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    mod(b: TensorLike): Tensor;
    squaredDifference(b: TensorLike): Tensor;
    equal(b: TensorLike): Tensor;
    notEqual(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    lessEqual(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor;
    logicalAnd(b: TensorLike): Tensor;
    logicalOr(b: TensorLike): Tensor;
    logicalNot(): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    expm1(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    relu(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    elu(alpha?: number): Tensor;
    gelu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    softplus(): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    clipByValue(min: number, max: number): Tensor;
    clip(min: number, max: number): Tensor;
    matmul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
    sum(axis?: Axis, keepDims?: boolean): Tensor;
    mean(axis?: Axis, keepDims?: boolean): Tensor;
    max(axis?: Axis, keepDims?: boolean): Tensor;
    min(axis?: Axis, keepDims?: boolean): Tensor;
    prod(axis?: Axis, keepDims?: boolean): Tensor;
    logSumExp(axis?: Axis, keepDims?: boolean): Tensor;
    argMax(axis?: number): Tensor;
    argMin(axis?: number): Tensor;
    reshape(shape: readonly number[]): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    expandDims(axis?: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    flatten(): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor;
    pad(paddings: readonly (readonly [number, number])[], value?: number): Tensor;
    tile(reps: readonly number[]): Tensor;
    gather(indices: Tensor | readonly number[], axis?: number): Tensor;
    cast(dtype: DataType): Tensor;
    clone(): Tensor;
  }
}

const methods: { [K in keyof Tensor]?: (this: Tensor, ...args: never[]) => unknown } = {
  add(b: TensorLike) { return ops.add(this, b); },
  sub(b: TensorLike) { return ops.sub(this, b); },
  mul(b: TensorLike) { return ops.mul(this, b); },
  div(b: TensorLike) { return ops.div(this, b); },
  pow(e: TensorLike) { return ops.pow(this, e); },
  maximum(b: TensorLike) { return ops.maximum(this, b); },
  minimum(b: TensorLike) { return ops.minimum(this, b); },
  mod(b: TensorLike) { return ops.mod(this, b); },
  squaredDifference(b: TensorLike) { return ops.squaredDifference(this, b); },
  equal(b: TensorLike) { return ops.equal(this, b); },
  notEqual(b: TensorLike) { return ops.notEqual(this, b); },
  less(b: TensorLike) { return ops.less(this, b); },
  lessEqual(b: TensorLike) { return ops.lessEqual(this, b); },
  greater(b: TensorLike) { return ops.greater(this, b); },
  greaterEqual(b: TensorLike) { return ops.greaterEqual(this, b); },
  logicalAnd(b: TensorLike) { return ops.logicalAnd(this, b); },
  logicalOr(b: TensorLike) { return ops.logicalOr(this, b); },
  logicalNot() { return ops.logicalNot(this); },
  neg() { return ops.neg(this); },
  abs() { return ops.abs(this); },
  sign() { return ops.sign(this); },
  sqrt() { return ops.sqrt(this); },
  rsqrt() { return ops.rsqrt(this); },
  exp() { return ops.exp(this); },
  log() { return ops.log(this); },
  log1p() { return ops.log1p(this); },
  expm1() { return ops.expm1(this); },
  square() { return ops.square(this); },
  reciprocal() { return ops.reciprocal(this); },
  floor() { return ops.floor(this); },
  ceil() { return ops.ceil(this); },
  round() { return ops.round(this); },
  sin() { return ops.sin(this); },
  cos() { return ops.cos(this); },
  relu() { return ops.relu(this); },
  leakyRelu(alpha?: number) { return ops.leakyRelu(this, alpha); },
  elu(alpha?: number) { return ops.elu(this, alpha); },
  gelu() { return ops.gelu(this); },
  sigmoid() { return ops.sigmoid(this); },
  tanh() { return ops.tanh(this); },
  softplus() { return ops.softplus(this); },
  softmax(axis?: number) { return ops.softmax(this, axis); },
  logSoftmax(axis?: number) { return ops.logSoftmax(this, axis); },
  clipByValue(min: number, max: number) { return ops.clipByValue(this, min, max); },
  clip(min: number, max: number) { return ops.clipByValue(this, min, max); },
  matmul(b: TensorLike, ta?: boolean, tb?: boolean) { return ops.matmul(this, b, ta, tb); },
  sum(axis?: Axis, keepDims?: boolean) { return ops.sum(this, axis, keepDims); },
  mean(axis?: Axis, keepDims?: boolean) { return ops.mean(this, axis, keepDims); },
  max(axis?: Axis, keepDims?: boolean) { return ops.max(this, axis, keepDims); },
  min(axis?: Axis, keepDims?: boolean) { return ops.min(this, axis, keepDims); },
  prod(axis?: Axis, keepDims?: boolean) { return ops.prod(this, axis, keepDims); },
  logSumExp(axis?: Axis, keepDims?: boolean) { return ops.logSumExp(this, axis, keepDims); },
  argMax(axis?: number) { return ops.argMax(this, axis); },
  argMin(axis?: number) { return ops.argMin(this, axis); },
  reshape(shape: readonly number[]) { return ops.reshape(this, shape); },
  transpose(perm?: readonly number[]) { return ops.transpose(this, perm); },
  expandDims(axis?: number) { return ops.expandDims(this, axis); },
  squeeze(axis?: number | readonly number[]) { return ops.squeeze(this, axis); },
  flatten() { return ops.flatten(this); },
  broadcastTo(shape: readonly number[]) { return ops.broadcastTo(this, shape); },
  slice(begin: number | readonly number[], size?: number | readonly number[]) { return ops.slice(this, begin, size); },
  pad(paddings: readonly (readonly [number, number])[], value?: number) { return ops.pad(this, paddings, value); },
  tile(reps: readonly number[]) { return ops.tile(this, reps); },
  gather(indices: Tensor | readonly number[], axis?: number) { return ops.gather(this, indices, axis); },
  cast(dtype: DataType) { return ops.cast(this, dtype); },
  clone() { return ops.clone(this); },
};

Object.assign(Tensor.prototype, methods);
