// wg.dense with activation 'geluTanh' (GPT-2's MLP): fused into the matmul when no
// gradient is recorded, product then activation under a gradient. Values against a
// float64 oracle on every backend, gradients against finite differences.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeOps } from '../helpers/conformance.js';
import { describeGrads } from '../helpers/gradcheck.js';
import * as ref from '../helpers/reference.js';
import { f32, gen } from '../helpers/values.js';

const backends = await backendCases();

const oracle = (x: ref.Nd, w: ref.Nd, b: ref.Nd) => ref.map(ref.binary(ref.matmul(x, w), b, (p, q) => p + q), ref.geluTanh);
const run = (x: wg.Tensor, w: wg.Tensor, b: wg.Tensor) => wg.dense(x, w, { bias: b, activation: 'geluTanh' });
const tol = { rel: 1e-4, abs: 1e-5 };

describeOps({
  denseGeluTanh: [
    { name: 'x [3,5] W [5,4] + b', inputs: [f32([3, 5]), f32([5, 4]), f32([4])], run, oracle, tol },
    { name: 'x [2,9,16] W [16,64] + b (tiled product)', inputs: [f32([2, 9, 16]), f32([16, 64], { gen: gen.uniform(-1, 1) }), f32([64])], run, oracle, tol },
    { name: 'x [40,130] W [130,140] + b, large negative pre-activations', inputs: [f32([40, 130]), f32([130, 140]), f32([140], { gen: gen.uniform(-20, -5) })], run, oracle, tol },
  ],
}, backends);

describeGrads({
  denseGeluTanh: [
    { name: 'x [3,4] W [4,5] + b', inputs: [f32([3, 4]), f32([4, 5]), f32([5])], f: run, oracle },
  ],
}, backends);
