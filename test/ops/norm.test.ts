// wg.layerNorm (src/ops/norm.ts) on every backend: values against a float64 oracle,
// gradients for x, gamma and beta against float64 finite differences.

import * as wg from '../../src/index.js';
import { backendCases } from '../helpers/backends.js';
import { describeOps, type OpCase } from '../helpers/conformance.js';
import { describeGrads, type GradCase } from '../helpers/gradcheck.js';
import * as lm from '../helpers/lm-reference.js';
import { f32, gen, known } from '../helpers/values.js';

const backends = await backendCases();
const tol = { rel: 2e-5, abs: 2e-5 };

const forward: OpCase[] = [
  { name: '[5] no affine', inputs: [f32([5])], run: (x) => wg.layerNorm(x), oracle: (x) => lm.layerNorm(x, undefined, undefined, 1e-5), tol },
  { name: '[3,8] gamma and beta', inputs: [f32([3, 8]), f32([8]), f32([8])], run: (x, g, b) => wg.layerNorm(x, { gamma: g, beta: b }), oracle: (x, g, b) => lm.layerNorm(x, g, b, 1e-5), tol },
  { name: '[2,3,33] gamma only, epsilon 1e-3', inputs: [f32([2, 3, 33], { gen: gen.normal(3, 2) }), f32([33])], run: (x, g) => wg.layerNorm(x, { gamma: g, epsilon: 1e-3 }), oracle: (x, g) => lm.layerNorm(x, g, undefined, 1e-3), tol },
  { name: '[4,300] rows longer than a workgroup', inputs: [f32([4, 300], { gen: gen.normal(-1, 5) }), f32([300]), f32([300])], run: (x, g, b) => wg.layerNorm(x, { gamma: g, beta: b }), oracle: (x, g, b) => lm.layerNorm(x, g, b, 1e-5), tol },
  { name: '[1,1000] one long row with a large mean', inputs: [f32([1, 1000], { gen: gen.uniform(100, 101) })], run: (x) => wg.layerNorm(x), oracle: (x) => lm.layerNorm(x, undefined, undefined, 1e-5), tol: { rel: 1e-3, abs: 1e-3 } },
  { name: '[70,24] many rows (one thread per row on software adapters)', inputs: [f32([70, 24], { gen: gen.normal(2, 3) }), f32([24]), f32([24])], run: (x, g, b) => wg.layerNorm(x, { gamma: g, beta: b }), oracle: (x, g, b) => lm.layerNorm(x, g, b, 1e-5), tol },
  { name: '[5,4] transposed view', inputs: [f32([5, 4], { view: 'transpose' }), f32([4])], run: (x, b) => wg.layerNorm(x, { beta: b }), oracle: (x, b) => lm.layerNorm(x, undefined, b, 1e-5), tol },
  { name: 'constant row gives beta', inputs: [known([[2, 2, 2], [1, 2, 3]]), known([1, 2, 3]), known([0.5, -0.5, 0])], run: (x, g, b) => wg.layerNorm(x, { gamma: g, beta: b }), oracle: (x, g, b) => lm.layerNorm(x, g, b, 1e-5), tol },
  { name: '[0,4] empty', inputs: [f32([0, 4])], run: (x) => wg.layerNorm(x), oracle: (x) => lm.layerNorm(x, undefined, undefined, 1e-5) },
];

describeOps({ layerNorm: forward }, backends);

const gradTol = { rel: 2e-3, abs: 2e-4 };
const grads: GradCase[] = [
  { name: 'x [2,5]', inputs: [f32([2, 5])], f: (x) => wg.layerNorm(x), oracle: (x) => lm.layerNorm(x, undefined, undefined, 1e-5), tol: gradTol },
  { name: 'x, gamma, beta [3,7]', inputs: [f32([3, 7]), f32([7]), f32([7])], f: (x, g, b) => wg.layerNorm(x, { gamma: g, beta: b }), oracle: (x, g, b) => lm.layerNorm(x, g, b, 1e-5), tol: gradTol },
  { name: 'x, gamma [2,2,40]', inputs: [f32([2, 2, 40]), f32([40])], f: (x, g) => wg.layerNorm(x, { gamma: g, epsilon: 1e-3 }), oracle: (x, g) => lm.layerNorm(x, g, undefined, 1e-3), tol: gradTol },
  { name: 'x, gamma, beta [2,40,5] many rows', inputs: [f32([2, 40, 5]), f32([5]), f32([5])], f: (x, g, b) => wg.layerNorm(x, { gamma: g, beta: b }), oracle: (x, g, b) => lm.layerNorm(x, g, b, 1e-5), tol: gradTol },
  { name: 'x, beta [3,300]', inputs: [f32([3, 300]), f32([300])], f: (x, b) => wg.layerNorm(x, { beta: b }), oracle: (x, b) => lm.layerNorm(x, undefined, b, 1e-5), tol: gradTol },
];

describeGrads({ layerNorm: grads }, backends);
