// Every wrong call throws before any work is queued, with a message that names the
// function, what it expected and what it was given — and leaves no tensor behind.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { CpuBackend } from '../../src/backends/cpu.js';
import { allocate, Tensor } from '../../src/tensor.js';
import { backendCases } from '../helpers/backends.js';

const backends = await backendCases();

/** Operands the calls below use, made fresh on the backend under test. */
interface Operands {
  m23: wg.Tensor; // [2,3]
  m33: wg.Tensor; // [3,3]
  m45: wg.Tensor; // [4,5]
  v3: wg.Tensor; // [3]
  v4: wg.Tensor; // [4]
  s: wg.Tensor; // scalar
  i3: wg.Tensor; // [3] int32
  e03: wg.Tensor; // [0,3]
  dead: wg.Tensor; // [2], disposed
  foreign: wg.Tensor; // [2] on another backend instance
}

interface WrongCall {
  readonly name: string;
  readonly call: (o: Operands) => unknown;
  /** Each must match the message: the function, what was expected, what was given. */
  readonly says: readonly RegExp[];
  /** The backends where the call is wrong (all when absent). */
  readonly on?: readonly string[];
}

const rows: WrongCall[] = [
  // --- broadcasting
  { name: 'add of unbroadcastable shapes', call: (o) => wg.add(o.m23, o.v4), says: [/^add: /, /shapes \[2,3\] and \[4\] cannot be broadcast together/, /3 vs 4/] },
  { name: 'mul of unbroadcastable shapes (method)', call: (o) => o.m33.mul(o.m23), says: [/^mul: /, /\[3,3\] and \[2,3\]/] },
  { name: 'maximum of unbroadcastable shapes', call: (o) => wg.maximum(o.v3, o.v4), says: [/^maximum: /, /\[3\] and \[4\]/] },
  { name: 'squaredDifference of unbroadcastable shapes', call: (o) => wg.squaredDifference(o.v3, o.v4), says: [/^squaredDifference: /, /\[3\] and \[4\]/] },
  { name: 'equal of unbroadcastable shapes', call: (o) => wg.equal(o.v3, o.v4), says: [/^equal: /, /\[3\] and \[4\]/] },
  { name: 'logicalAnd of unbroadcastable shapes', call: (o) => wg.logicalAnd(o.v3, o.v4), says: [/^logicalAnd: /, /\[3\] and \[4\]/] },
  { name: 'where with a condition of the wrong shape', call: (o) => wg.where(o.v4, o.v3, o.v3), says: [/^where: /, /\[4\] and \[3\]/] },
  { name: 'broadcastTo an incompatible shape', call: (o) => wg.broadcastTo(o.v3, [2, 4]), says: [/^broadcastTo: /, /\[3\]/, /\[2,4\]/] },
  { name: 'broadcastTo a lower rank', call: (o) => wg.broadcastTo(o.m23, [3]), says: [/^broadcastTo: cannot broadcast \[2,3\] to \[3\]/] },
  // --- matmul and dense
  { name: 'matmul with different inner dimensions', call: (o) => wg.matmul(o.m23, o.m45), says: [/^matmul: inner dimensions differ/, /a is \[2,3\], b is \[4,5\] \(3 vs 4\)/] },
  { name: 'matmul transposed, inner dimensions differ', call: (o) => wg.matmul(o.m23, o.m45, true), says: [/^matmul: /, /aᵀ is \[3,2\], b is \[4,5\] \(2 vs 4\)/] },
  { name: 'matmul of a 1-D vector with a mismatched matrix', call: (o) => wg.matmul(o.v3, o.m45), says: [/^matmul: inner dimensions differ/, /\(3 vs 4\)/] },
  { name: 'matmul with unbroadcastable batch dims', call: () => wg.tidy(() => wg.matmul(wg.zeros([2, 3, 4]), wg.zeros([3, 4, 5]))), says: [/^matmul \(batch dimensions\): shapes \[2\] and \[3\] cannot be broadcast/] },
  { name: 'matmul of a scalar', call: (o) => wg.matmul(o.s, o.m23), says: [/^matmul: operands should have at least one dimension, got a \[\] and b \[2,3\]/] },
  { name: 'matmul of a number', call: (o) => wg.matmul(2, o.m23), says: [/^matmul: operands should have at least one dimension, got a \[\] and b \[2,3\]/] },
  { name: 'gather from a number', call: () => wg.gather(2, [0]), says: [/^gather: x should have at least one dimension, got a scalar/] },
  { name: 'matmul of int32', call: (o) => wg.matmul(o.i3, o.v3), says: [/^matmul: a should be float32 or float16, got int32/] },
  { name: 'matmul with a non-boolean transpose flag', call: (o) => wg.matmul(o.m23, o.m33, 1 as unknown as boolean), says: [/^matmul: transposeA and transposeB should be booleans, got number 1 and boolean false/] },
  { name: 'dense with a 1-D kernel', call: (o) => wg.dense(o.m23, o.v3), says: [/^dense: kernel should be 2-D \[inputs, units\], got \[3\]/] },
  { name: 'dense with the wrong input size', call: (o) => wg.dense(o.m45, o.m33), says: [/^dense: x's last dimension should be 3 \(the kernel's inputs\), got x \[4,5\]/] },
  { name: 'dense with a bias of the wrong size', call: (o) => wg.dense(o.m23, o.m33, { bias: o.v4 }), says: [/^dense: bias should be \[3\] to match the kernel \[3,3\], got \[4\]/] },
  { name: 'dense with an unknown activation', call: (o) => wg.dense(o.m23, o.m33, { activation: 'swish' as 'relu' }), says: [/^dense: activation should be one of linear, relu, sigmoid, tanh, geluTanh, got "swish"/] },
  // --- conv2d and pooling (4-D operands made inside tidy, so a failed call frees them)
  ...convRows(),
  // --- concat, stack, split
  { name: 'concat of shapes differing outside the axis', call: (o) => wg.concat([o.m23, o.m33], 1), says: [/^concat: tensors\[1\] has shape \[3,3\], which differs from tensors\[0\]'s \[2,3\] outside axis 1/] },
  { name: 'concat of different ranks', call: (o) => wg.concat([o.v3, o.m33]), says: [/^concat: tensors\[1\] has shape \[3,3\]/] },
  { name: 'concat of nothing', call: () => wg.concat([]), says: [/^concat: expected a non-empty array of tensors, got an array of length 0/] },
  { name: 'concat of different dtypes', call: (o) => wg.concat([o.v3, o.i3]), says: [/^concat: all tensors should have the same dtype, got float32, int32/] },
  { name: 'concat of scalars', call: (o) => wg.concat([o.s, o.s]), says: [/^concat: /, /scalar|rank-0/, /got 0/] },
  { name: 'stack of different shapes', call: (o) => wg.stack([o.v3, o.v4]), says: [/^stack: tensors\[1\] has shape \[4\], expected \[3\] like tensors\[0\]/] },
  { name: 'split into unequal parts', call: () => wg.tidy(() => wg.split(wg.zeros([5]), 2)), says: [/^split: dimension 0 of size 5 cannot be split into 2 equal parts/] },
  { name: 'split sizes that do not add up', call: () => wg.tidy(() => wg.split(wg.zeros([5]), [2, 2])), says: [/^split: sizes \[2,2\] should add up to 5, the size of dimension 0/] },
  { name: 'split with a negative size', call: () => wg.tidy(() => wg.split(wg.zeros([5]), [-1, 6])), says: [/^split: sizes should be non-negative integers, got \[-1,6\]/] },
  // --- reshape and friends
  { name: 'reshape to a different element count', call: (o) => wg.reshape(o.m23, [4]), says: [/^reshape: cannot reshape \[2,3\] \(6 elements\) into \[4\] \(4 elements\)/] },
  { name: 'reshape with two -1', call: (o) => wg.reshape(o.m23, [-1, -1]), says: [/^reshape: only one dimension may be -1, got \[-1,-1\]/] },
  { name: 'reshape with -1 that does not divide', call: (o) => wg.reshape(o.m23, [4, -1]), says: [/^reshape: cannot reshape \[2,3\] \(6 elements\) into \[4,-1\]/] },
  { name: 'reshape to a fractional shape', call: (o) => wg.reshape(o.m23, [1.5, 4]), says: [/^reshape: shape should be an array of non-negative integers \(one may be -1\), got \[1.5,4\]/] },
  { name: 'transpose with a bad permutation', call: (o) => wg.transpose(o.m23, [0, 0]), says: [/^transpose: perm should be a permutation of \[0..1\] for shape \[2,3\], got \[0,0\]/] },
  { name: 'squeeze of a dimension that is not 1', call: (o) => wg.squeeze(o.m23, [1]), says: [/^squeeze: dimension 1 of shape \[2,3\] is 3, expected 1/] },
  { name: 'slice past the end', call: (o) => wg.slice(o.v4, 2, 3), says: [/^slice: begin 2 and size 3 on dimension 0 do not fit shape \[4\]/] },
  { name: 'slice with too many entries', call: (o) => wg.slice(o.v4, [0, 0]), says: [/^slice: begin \[0,0\] and size undefined should have at most 1 entries for shape \[4\]/] },
  { name: 'pad with too few pairs', call: (o) => wg.pad(o.m23, [[1, 1]]), says: [/^pad: paddings should be 2 pairs of non-negative integers for shape \[2,3\], got \[\[1,1\]\]/] },
  { name: 'tile with too few reps', call: (o) => wg.tile(o.m23, [2]), says: [/^tile: reps should be 2 non-negative integers for shape \[2,3\], got \[2\]/] },
  // --- axes
  { name: 'sum over an axis past the rank', call: (o) => wg.sum(o.m23, 2), says: [/^sum: axis should be an integer in \[-2, 1\] for a rank-2 tensor, got 2/] },
  { name: 'mean over a negative axis past the rank', call: (o) => wg.mean(o.m23, -3), says: [/^mean: axis should be an integer in \[-2, 1\] for a rank-2 tensor, got -3/] },
  { name: 'max over a fractional axis', call: (o) => wg.max(o.m23, 0.5), says: [/^max: axis should be an integer/, /got 0.5/] },
  { name: 'sum over the same axis twice', call: (o) => wg.sum(o.m23, [1, -1]), says: [/^sum: axis lists a dimension twice: \[1,-1\]/] },
  { name: 'sum of a scalar over axis 0', call: (o) => wg.sum(o.s, 0), says: [/^sum: /, /scalar|rank-0/, /got 0/] },
  { name: 'max over an empty dimension', call: (o) => wg.max(o.e03, 0), says: [/^max: cannot reduce an empty dimension \(shape \[0,3\], axes \[0\]\)/] },
  { name: 'argMax over an axis past the rank', call: (o) => wg.argMax(o.m23, 2), says: [/^argMax: axis should be an integer in \[-2, 1\] for a rank-2 tensor, got 2/] },
  { name: 'argMin over an empty dimension', call: (o) => wg.argMin(o.e03), says: [/^argMin: cannot reduce an empty dimension \(shape \[0,3\], axis 0\)/] },
  { name: 'softmax over an axis past the rank', call: (o) => wg.softmax(o.m23, 2), says: [/^softmax: axis should be an integer in \[-2, 1\]/, /got 2/] },
  { name: 'softmax of a scalar', call: (o) => wg.softmax(o.s), says: [/^softmax: logits should have at least one dimension, got a scalar/] },
  { name: 'expandDims past the rank', call: (o) => wg.expandDims(o.v3, 2), says: [/^expandDims: axis should be an integer in \[-2, 1\] to add a dimension to rank-1 tensors, got 2/] },
  { name: 'stack along an axis past the rank', call: (o) => wg.stack([o.v3, o.v3], -3), says: [/^stack: axis should be an integer in \[-2, 1\] to add a dimension to rank-1 tensors, got -3/] },
  { name: 'concat of a tensor instead of an array', call: (o) => wg.concat(o.m23 as unknown as wg.Tensor[]), says: [/^concat: expected a non-empty array of tensors, got a Tensor of shape \[2,3\] \(float32\)$/] },
  { name: 'stack of nothing', call: () => wg.stack([]), says: [/^stack: expected a non-empty array of tensors, got an array of length 0$/] },
  { name: 'tensor of undefined', call: () => wg.tensor(undefined as unknown as number), says: [/^tensor: values should be a number, a \(nested\) array or a typed array, got undefined$/] },
  { name: 'gather along an axis past the rank', call: (o) => wg.gather(o.m23, [0], 2), says: [/^gather: axis should be an integer in \[-2, 1\]/, /got 2/] },
  { name: 'gather from a scalar', call: (o) => wg.gather(o.s, [0]), says: [/^gather: x should have at least one dimension, got a scalar/] },
  { name: 'unstack along an axis past the rank', call: (o) => wg.unstack(o.m23, 5), says: [/^unstack: axis should be an integer in \[-2, 1\]/, /got 5/] },
  // --- dtypes
  { name: 'exp of int32', call: (o) => wg.exp(o.i3), says: [/^exp: expected a float32 tensor, got int32/] },
  { name: 'sigmoid of int32 (method)', call: (o) => o.i3.sigmoid(), says: [/^sigmoid: expected a float32 tensor, got int32/] },
  { name: 'logSumExp of int32', call: (o) => wg.logSumExp(o.i3), says: [/^logSumExp: expected a float32 tensor, got int32/] },
  { name: 'softmax of int32', call: (o) => wg.softmax(o.i3), says: [/^softmax: expected float32 logits, got int32/] },
  { name: 'tensor with an unknown dtype', call: () => wg.tensor([1], undefined, 'float64' as wg.DataType), says: [/^tensor: dtype should be 'float32', 'int32', 'bool' or 'float16', got "float64"/] },
  { name: "randomNormal with TF.js' order and a bool dtype", call: () => wg.randomNormal([2], 0, 1, 'bool' as 'int32', 3), says: [/^randomNormal: dtype should be 'float32' or 'int32', got "bool"$/] },
  { name: 'randomUniform with a seed given twice', call: () => wg.randomUniform([2], 0, 1, 3, 4), says: [/^randomUniform: a seed was given twice \(3 and 4\); pass \(shape, …, seed\) or TF.js' \(shape, …, dtype, seed\)$/] },
  { name: 'truncatedNormal with a string seed after the dtype', call: () => wg.truncatedNormal([2], 0, 1, 'float32', '7' as unknown as number), says: [/^truncatedNormal: seed \(after the dtype\) should be a number, got string 7$/] },
  { name: 'randomNormal with a dtype in the place of stddev', call: () => wg.randomNormal([2], 0, 'float32' as unknown as number), says: [/^randomNormal: stddev should be a finite number >= 0, got string float32$/] },
  { name: 'randomUniform with an object as seed', call: () => wg.randomUniform([2], 0, 1, {} as unknown as number), says: [/^randomUniform: expected a seed \(number\) or a dtype \('float32', 'int32'\) after the distribution's parameters, got an object \(Object\)$/] },
  { name: 'zeros with an unknown dtype', call: () => wg.zeros([1], 'float64' as wg.DataType), says: [/^zeros: dtype should be 'float32', 'int32', 'bool' or 'float16', got "float64"/] },
  { name: 'cast to an unknown dtype', call: (o) => wg.cast(o.v3, 'uint8' as wg.DataType), says: [/^cast: dtype should be 'float32', 'int32', 'bool' or 'float16', got "uint8"/] },
  // float16 is WebGPU storage (mixed precision): elsewhere it is refused before anything is made
  { name: 'a float16 tensor off WebGPU', on: ['cpu', 'wasm'], call: () => wg.tensor([1, 2], [2], 'float16'), says: [/^tensor: float16 tensors need the webgpu backend; mixed precision runs on WebGPU only \(the active backend is (cpu|wasm)\)/] },
  { name: 'float16 zeros off WebGPU', on: ['cpu', 'wasm'], call: () => wg.zeros([3], 'float16'), says: [/^zeros: float16 tensors need the webgpu backend/] },
  { name: 'a cast to float16 off WebGPU', on: ['cpu', 'wasm'], call: (o) => wg.cast(o.v3, 'float16'), says: [/^cast: float16 tensors need the webgpu backend; mixed precision runs on WebGPU only \(x lives on (cpu|wasm)\)/] },
  { name: 'gather with float32 indices', call: (o) => wg.gather(o.m23, o.v3), says: [/^gather: indices should be int32, got float32/] },
  { name: 'oneHot with float32 indices', call: (o) => wg.oneHot(o.v3, 3), says: [/^oneHot: indices should be int32, got float32 of shape \[3\]/] },
  // --- values
  { name: 'gather with fractional indices', call: (o) => wg.gather(o.m23, [1.5]), says: [/^gather: indices should be integers, got \[1.5\]/] },
  { name: 'oneHot with fractional indices', call: () => wg.oneHot([0, 1.5], 3), says: [/^oneHot: indices should be integers, got \[0,1.5\]/] },
  { name: 'oneHot with depth 0', call: (o) => wg.oneHot(o.i3, 0), says: [/^oneHot: depth should be a positive integer, got 0/] },
  { name: 'ragged nested array', call: () => wg.tensor([[1, 2], [3, 4, 5]]), says: [/^tensor: ragged nested array: element \[1\] has shape \[3\], expected \[2\] like \[0\]/] },
  { name: 'ragged deeper down', call: () => wg.tensor([[[1], [2]], [[3], [4, 5]]]), says: [/^tensor: ragged nested array: element \[1\]\[1\] has shape \[2\], expected \[1\] like \[1\]\[0\]/] },
  { name: 'number mixed with an array', call: () => wg.tensor([1, [2]]), says: [/^tensor: ragged nested array: element \[1\] has shape \[1\], expected \[\]/] },
  { name: 'strings in the values', call: () => wg.tensor(['a', 'b'] as unknown as number[]), says: [/^tensor: values should be numbers or booleans, got string a/] },
  { name: 'values that do not fill the shape', call: () => wg.tensor([1, 2, 3], [2, 2]), says: [/^tensor: shape \[2,2\] needs 4 values, got 3/] },
  { name: 'negative dimension', call: () => wg.tensor([], [-1]), says: [/^tensor: shape should be an array of non-negative integers, got \[-1\]/] },
  { name: 'unsupported typed array', call: () => wg.tensor(new Uint16Array(2) as unknown as Float32Array), says: [/^tensor: typed arrays should be Float32Array, Int32Array, Uint8Array or Float64Array, got Uint16Array/] },
  { name: 'zeros with a fractional shape', call: () => wg.zeros([2.5]), says: [/^zeros: shape should be an array of non-negative integers, got \[2.5\]/] },
  { name: 'fill with a string', call: () => wg.fill([2], '1' as unknown as number), says: [/^fill: value should be a number, got string 1/] },
  { name: 'range with step 0', call: () => wg.range(0, 5, 0), says: [/^range: step should not be 0/] },
  { name: 'range to NaN', call: () => wg.range(0, NaN), says: [/^range: start, stop and step should be finite numbers, got 0, NaN, 1/] },
  { name: 'eye of negative size', call: () => wg.eye(-1), says: [/^eye: size should be an array of non-negative integers, got \[-1,-1\]/] },
  { name: 'clipByValue with min > max', call: (o) => wg.clipByValue(o.v3, 2, 1), says: [/^clipByValue: min should be <= max, got min 2 and max 1/] },
  { name: 'leakyRelu with a string alpha', call: (o) => wg.leakyRelu(o.v3, 'x' as unknown as number), says: [/^leakyRelu: alpha should be a number, got x/] },
  { name: 'add with null', call: (o) => wg.add(o.v3, null as unknown as number), says: [/^add: b should be a Tensor or a number, got null/] },
  { name: 'add with a string', call: (o) => wg.add('1' as unknown as number, o.v3), says: [/^add: a should be a Tensor or a number, got string 1/] },
  { name: 'relu of an array', call: () => wg.relu([1, 2] as unknown as number), says: [/^relu: x should be a Tensor or a number, got an array of length 2/] },
  // --- language-model ops
  { name: 'layerNorm with gamma of the wrong shape', call: (o) => wg.layerNorm(o.m23, { gamma: o.v4 }), says: [/^layerNorm: gamma should have shape \[3\] \(x's last dimension; x is \[2,3\]\), got \[4\]/] },
  { name: 'layerNorm with a 2-D beta', call: (o) => wg.layerNorm(o.m33, { beta: o.m33 }), says: [/^layerNorm: beta should have shape \[3\]/, /got \[3,3\]/] },
  { name: 'layerNorm of int32', call: (o) => wg.layerNorm(o.i3), says: [/^layerNorm: x should be float32, got int32/] },
  { name: 'layerNorm of a scalar', call: (o) => wg.layerNorm(o.s), says: [/^layerNorm: x should have at least one dimension/, /got a scalar/] },
  { name: 'layerNorm with a negative epsilon', call: (o) => wg.layerNorm(o.m23, { epsilon: -1 }), says: [/^layerNorm: epsilon should be a finite number >= 0, got number -1/] },
  { name: 'layerNorm with int32 gamma', call: (o) => wg.layerNorm(o.m23, { gamma: o.i3 }), says: [/^layerNorm: gamma should be float32, got int32/] },
  { name: 'attention with different q and k feature sizes', call: (o) => wg.scaledDotProductAttention(o.m23, o.m45, o.m45), says: [/^scaledDotProductAttention: q and k should have the same last dimension \(d\), got q \[2,3\] and k \[4,5\] \(3 vs 5\)/] },
  { name: 'attention with k and v of different lengths', call: (o) => wg.scaledDotProductAttention(o.m33, o.m33, o.m45), says: [/^scaledDotProductAttention: k and v should have the same length \(dimension -2\), got k \[3,3\] and v \[4,5\] \(3 vs 4\)/] },
  { name: 'attention with a float mask', call: (o) => wg.scaledDotProductAttention(o.m23, o.m33, o.m33, { mask: o.m23 }), says: [/^scaledDotProductAttention: mask should be a bool tensor \(true = attend\), got float32 of shape \[2,3\]/] },
  { name: 'attention with a mask of the wrong shape', call: (o) => wg.tidy(() => wg.scaledDotProductAttention(o.m23, o.m33, o.m33, { mask: wg.greater(o.m45, 0) })), says: [/^scaledDotProductAttention: mask should be broadcastable to \[2,3\] \(\[\.\.\., Lq, Lk\]\), got \[4,5\]/] },
  { name: 'attention of int32', call: (o) => wg.scaledDotProductAttention(o.i3, o.m33, o.m33), says: [/^scaledDotProductAttention: q should be float32 or float16, got int32 of shape \[3\]/] },
  { name: 'attention of a vector', call: (o) => wg.scaledDotProductAttention(o.v3, o.m33, o.m33), says: [/^scaledDotProductAttention: q should have at least 2 dimensions \(\[\.\.\., length, features\]\), got \[3\]/] },
  { name: 'attention with unbroadcastable batch dims', call: () => wg.tidy(() => wg.scaledDotProductAttention(wg.zeros([2, 3, 4]), wg.zeros([3, 3, 4]), wg.zeros([3, 3, 4]))), says: [/^scaledDotProductAttention \(batch dimensions of q, k\): shapes \[2\] and \[3\] cannot be broadcast/] },
  { name: 'attention with dropout 1', call: (o) => wg.scaledDotProductAttention(o.m33, o.m33, o.m33, { dropout: 1 }), says: [/^scaledDotProductAttention: dropout should be a number in \[0, 1\), got number 1/] },
  { name: 'attention with a fractional seed', call: (o) => wg.scaledDotProductAttention(o.m33, o.m33, o.m33, { dropout: 0.1, seed: 1.5 }), says: [/^scaledDotProductAttention: seed should be an unsigned 32-bit integer, got number 1.5/] },
  { name: 'attention with an unknown option', call: (o) => wg.scaledDotProductAttention(o.m33, o.m33, o.m33, { isCausal: true } as wg.AttentionOptions), says: [/^scaledDotProductAttention: unknown option 'isCausal' \(expected causal, mask, scale, dropout, seed\)/] },
  { name: 'gelu with an unknown approximation', call: (o) => wg.gelu(o.v3, { approximate: 'fast' as 'tanh' }), says: [/^gelu: approximate should be 'none' or 'tanh', got "fast"/] },
  // --- lifetimes and backends
  { name: 'add of a disposed tensor', call: (o) => wg.add(o.dead, o.v3), says: [/^add: a \(tensor \d+, shape \[2\]\) was used after dispose\(\)/] },
  { name: 'matmul of a disposed tensor', call: (o) => wg.matmul(o.m23, o.dead), says: [/^matmul: b \(tensor \d+, shape \[2\]\) was used after dispose\(\)/] },
  { name: 'sum of a disposed tensor (method)', call: (o) => o.dead.sum(), says: [/^sum: x \(tensor \d+, shape \[2\]\) was used after dispose\(\)/] },
  { name: 'concat with a disposed tensor', call: (o) => wg.concat([o.v3, o.dead]), says: [/^concat: tensors\[1\] \(tensor \d+, shape \[2\]\) was used after dispose\(\)/] },
  { name: 'reshape of a disposed tensor', call: (o) => wg.reshape(o.dead, [2]), says: [/^reshape: x \(tensor \d+, shape \[2\]\) was used after dispose\(\)/] },
  { name: 'variable from a disposed tensor', call: (o) => wg.variable(o.dead), says: [/^variable: initial \(tensor \d+, shape \[2\]\) was used after dispose\(\)/] },
  { name: 'add of a tensor from another backend', call: (o) => wg.add(o.foreign, o.v3), says: [/^add: a lives on the wasm backend but the active backend is \w+/, /toBackend|setBackend/] },
  { name: 'matmul with a tensor from another backend', call: (o) => wg.matmul(o.m23, o.foreign), says: [/^matmul: b lives on the wasm backend/] },
  // --- autodiff and scopes
  { name: 'valueAndGrad of a non-function', call: () => wg.valueAndGrad(3 as unknown as () => wg.Tensor), says: [/^valueAndGrad: expected a function returning a scalar tensor, got number/] },
  { name: 'valueAndGrad of a non-scalar result', call: (o) => wg.valueAndGrad(() => wg.mul(o.m23, 2), [o.m23]), says: [/^valueAndGrad: f should return a scalar \(one element\), got shape \[2,3\]/] },
  { name: 'grad of a non-function', call: () => wg.grad(null as unknown as (x: wg.Tensor) => wg.Tensor), says: [/^grad: expected a function, got object/] },
];

/** Wrong calls of conv2d, conv2dTranspose, maxPool2d and avgPool2d: x is [1,5,5,4] unless a row says otherwise. */
function convRows(): WrongCall[] {
  const conv = (x: number[], f: number[], options: wg.Conv2dOptions = {}) => () => wg.tidy(() => wg.conv2d(wg.zeros(x), wg.zeros(f), options));
  const withBias = (bias: number[], options: wg.Conv2dOptions = {}) => () =>
    wg.tidy(() => wg.conv2d(wg.zeros([1, 5, 5, 4]), wg.zeros([3, 3, 4, 2]), { ...options, bias: wg.zeros(bias) }));
  const pool = (which: 'maxPool2d' | 'avgPool2d', x: number[], options: wg.Pool2dOptions) => () => wg.tidy(() => wg[which](wg.zeros(x), options));
  return [
    { name: 'conv2d of a 3-D x', call: conv([5, 5, 4], [3, 3, 4, 2]), says: [/^conv2d: x should be 4-D \[batch, height, width, channels\], got \[5,5,4\]/] },
    { name: 'conv2d with a 3-D filter', call: conv([1, 5, 5, 4], [3, 3, 4]), says: [/^conv2d: filter should be 4-D \[kernelHeight, kernelWidth, inChannels \/ groups, outChannels\], got \[3,3,4\]/] },
    { name: 'conv2d with a channel mismatch', call: conv([1, 5, 5, 4], [3, 3, 3, 2]), says: [/^conv2d: filter expects 3 input channels, x has 4/] },
    { name: 'conv2d with a grouped channel mismatch', call: conv([1, 5, 5, 4], [3, 3, 1, 2], { groups: 2 }), says: [/^conv2d: filter expects 2 input channels \(1 per group x 2 groups\), x has 4/] },
    { name: 'conv2d with groups that do not divide the input channels', call: conv([1, 5, 5, 4], [3, 3, 1, 3], { groups: 3 }), says: [/^conv2d: groups \(3\) should divide x's 4 input channels/] },
    { name: 'conv2d with groups that do not divide the output channels', call: conv([1, 5, 5, 4], [3, 3, 2, 3], { groups: 2 }), says: [/^conv2d: groups \(2\) should divide the filter's 3 output channels/] },
    { name: 'conv2d with zero groups', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { groups: 0 }), says: [/^conv2d: groups should be a positive integer, got 0/] },
    { name: 'conv2d with a zero stride', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { strides: 0 }), says: [/^conv2d: strides should be a positive integer or a pair \[height, width\] of them, got 0/] },
    { name: 'conv2d with a negative stride in a pair', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { strides: [1, -2] }), says: [/^conv2d: strides should be .*, got \[1,-2\]/] },
    { name: 'conv2d with a fractional dilation', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { dilation: 1.5 }), says: [/^conv2d: dilation should be a positive integer or a pair \[height, width\] of them, got 1.5/] },
    { name: 'conv2d with a kernel larger than the padded input', call: conv([1, 5, 5, 4], [7, 3, 4, 2], { padding: [[0, 1], [0, 0]] }), says: [/^conv2d: the kernel 7x3 is larger than the padded input 6x5/] },
    { name: 'conv2d whose dilated kernel outgrows the input', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { dilation: 3 }), says: [/^conv2d: the kernel 7x7 \(3x3 dilated to 7x7\) is larger than the padded input 5x5/] },
    { name: 'conv2d with padding pairs of the wrong shape', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { padding: [[1, 1]] as unknown as wg.Padding }), says: [/^conv2d: padding should be 'valid', 'same', a non-negative integer or \[\[top, bottom\], \[left, right\]\] of them, got \[\[1,1\]\]/] },
    { name: 'conv2d with an unknown padding name', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { padding: 'full' as 'same' }), says: [/^conv2d: padding should be .*, got "full"/] },
    { name: 'conv2d with negative padding', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { padding: -1 }), says: [/^conv2d: padding should be .*, got -1/] },
    { name: 'conv2d of an int32 x', call: () => wg.tidy(() => wg.conv2d(wg.zeros([1, 5, 5, 4], 'int32'), wg.zeros([3, 3, 4, 2]))), says: [/^conv2d: x should be float32, got int32/] },
    { name: 'conv2d with an int32 filter', call: () => wg.tidy(() => wg.conv2d(wg.zeros([1, 5, 5, 4]), wg.zeros([3, 3, 4, 2], 'int32'))), says: [/^conv2d: filter should be float32, got int32/] },
    { name: 'conv2d with a bias of the wrong length', call: withBias([3]), says: [/^conv2d: bias should be \[2\] \(the filter's output channels\), got \[3\]/] },
    { name: 'conv2d with a 2-D bias', call: withBias([1, 2]), says: [/^conv2d: bias should be \[2\] .*, got \[1,2\]/] },
    { name: 'conv2d with an unknown activation', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { activation: 'gelu' as 'relu' }), says: [/^conv2d: activation should be one of linear, relu, sigmoid, tanh, got "gelu"/] },
    { name: 'conv2d with an unknown option', call: conv([1, 5, 5, 4], [3, 3, 4, 2], { stride: 2 } as wg.Conv2dOptions), says: [/^conv2d: unknown option 'stride' \(expected strides, padding, dilation, groups, bias, activation\)/] },
    { name: 'conv2d with a dead filter', call: (o) => wg.tidy(() => wg.conv2d(wg.zeros([1, 5, 5, 4]), o.dead)), says: [/^conv2d: filter \(tensor \d+, shape \[2\]\) was used after dispose\(\)/] },
    { name: 'conv2dTranspose with a channel mismatch', call: () => wg.tidy(() => wg.conv2dTranspose(wg.zeros([1, 3, 3, 4]), wg.zeros([3, 3, 2, 3]))), says: [/^conv2dTranspose: filter expects 3 input channels \(its last dimension\), x has 4/] },
    { name: 'conv2dTranspose with an output shape that does not convolve back', call: () => wg.tidy(() => wg.conv2dTranspose(wg.zeros([1, 3, 3, 2]), wg.zeros([3, 3, 2, 2]), { strides: 2, padding: 'same', outputShape: [1, 8, 6, 2] })), says: [/^conv2dTranspose: an output of 8x6 does not convolve back to x's 3x3/] },
    { name: 'conv2dTranspose with an output shape of the wrong channels', call: () => wg.tidy(() => wg.conv2dTranspose(wg.zeros([1, 3, 3, 2]), wg.zeros([3, 3, 2, 2]), { outputShape: [1, 5, 5, 3] })), says: [/^conv2dTranspose: outputShape should be \[1, height, width, 2\] .*, got \[1,5,5,3\]/] },
    { name: 'conv2dTranspose with a zero stride', call: () => wg.tidy(() => wg.conv2dTranspose(wg.zeros([1, 3, 3, 2]), wg.zeros([3, 3, 2, 2]), { strides: 0 })), says: [/^conv2dTranspose: strides should be a positive integer/] },
    { name: 'conv2dTranspose of a 3-D x', call: () => wg.tidy(() => wg.conv2dTranspose(wg.zeros([3, 3, 2]), wg.zeros([3, 3, 2, 2]))), says: [/^conv2dTranspose: x should be 4-D/] },
    { name: 'maxPool2d of a 2-D x', call: (o) => wg.maxPool2d(o.m23, { poolSize: 2 }), says: [/^maxPool2d: x should be 4-D \[batch, height, width, channels\], got \[2,3\]/] },
    { name: 'maxPool2d of an int32 x', call: () => wg.tidy(() => wg.maxPool2d(wg.zeros([1, 4, 4, 1], 'int32'), { poolSize: 2 })), says: [/^maxPool2d: x should be float32, got int32/] },
    { name: 'maxPool2d with a zero pool size', call: pool('maxPool2d', [1, 4, 4, 1], { poolSize: 0 }), says: [/^maxPool2d: poolSize should be a positive integer or a pair \[height, width\] of them, got 0/] },
    { name: 'avgPool2d with a negative stride', call: pool('avgPool2d', [1, 4, 4, 1], { poolSize: 2, strides: [-1, 1] }), says: [/^avgPool2d: strides should be .*, got \[-1,1\]/] },
    { name: 'avgPool2d without a pool size', call: pool('avgPool2d', [1, 4, 4, 1], {} as wg.Pool2dOptions), says: [/^avgPool2d: options.poolSize is required/] },
    { name: 'maxPool2d with a pool larger than the padded input', call: pool('maxPool2d', [1, 3, 4, 1], { poolSize: [2, 5] }), says: [/^maxPool2d: the pool 2x5 is larger than the padded input 3x4/] },
    { name: 'avgPool2d with padding as large as the pool', call: pool('avgPool2d', [1, 4, 4, 1], { poolSize: 2, padding: [[0, 2], [0, 0]] }), says: [/^avgPool2d: padding \[\[0,2\],\[0,0\]\] should be smaller than the pool 2x2 on every side/] },
    { name: 'maxPool2d with padding arrays of the wrong shape', call: pool('maxPool2d', [1, 4, 4, 1], { poolSize: 2, padding: [1, 1] as unknown as wg.Padding }), says: [/^maxPool2d: padding should be .*, got \[1,1\]/] },
  ];
}

/** A second cpu backend instance posing as 'wasm': its tensors are foreign to the active backend. */
function foreignTensor(): wg.Tensor {
  const other = Object.defineProperty(new CpuBackend(), 'name', { value: 'wasm' });
  return new Tensor(allocate(2, 'float32', other), [2], 'float32');
}

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`wrong calls on ${backend.name}`, () => {
    for (const row of rows.filter((r) => !r.on || r.on.includes(backend.name))) {
      it(row.name, async () => {
        await wg.setBackend(backend.name);
        const dead = wg.zeros([2]);
        dead.dispose();
        const o: Operands = {
          m23: wg.zeros([2, 3]), m33: wg.zeros([3, 3]), m45: wg.zeros([4, 5]), v3: wg.zeros([3]), v4: wg.zeros([4]),
          s: wg.scalar(1), i3: wg.zeros([3], 'int32'), e03: wg.zeros([0, 3]), dead, foreign: foreignTensor(),
        };
        const start = wg.memory().numTensors;
        let message = '';
        try {
          row.call(o);
        } catch (error) {
          message = error instanceof Error ? error.message : String(error);
        }
        expect(message, 'the call should throw').not.toBe('');
        for (const pattern of row.says) expect(message).toMatch(pattern);
        expect(wg.memory().numTensors, 'tensors left behind by the failed call').toBe(start);
        wg.dispose(o);
      });
    }
    it('setBackend with an unknown name rejects, naming the choices', async () => {
      await expect(wg.setBackend('tpu' as 'cpu')).rejects.toThrow(/^setBackend: expected 'cpu', 'wasm', 'webgpu' or 'auto', got "tpu"/);
    });
  });
}
