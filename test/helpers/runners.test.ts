// The conformance and gradient runners must catch a wrong backend. Only cpu exists in
// this build, so a second cpu instance posing as 'webgpu', with one kernel broken on
// purpose, stands in for a backend under test.

import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import type { BinaryOp, UnaryOp, View } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu.js';
import { checkRow, type OpCase } from './conformance.js';
import { checkGradRow, type GradCase } from './gradcheck.js';
import * as ref from './reference.js';
import { f32 } from './values.js';

/** exp computes expm1 (off by one) and sigmoid's gradient kernel forgets the (1 - y) factor. */
function brokenBackend(): CpuBackend {
  const backend = Object.defineProperty(new CpuBackend(), 'name', { value: 'webgpu' });
  const unary = backend.unary.bind(backend);
  const binary = backend.binary.bind(backend);
  backend.unary = (op: UnaryOp, x: View, out: View, args?: readonly number[]) => unary(op === 'exp' ? 'expm1' : op, x, out, args);
  backend.binary = (op: BinaryOp, a: View, b: View, out: View, args?: readonly number[]) => binary(op === 'sigmoidGrad' ? 'mul' : op, a, b, out, args);
  return backend;
}

wg.registerBackend('webgpu', async () => brokenBackend(), -1);

describe('the runners against a deliberately broken backend', () => {
  const exp: OpCase = { inputs: [f32([17])], run: (x) => wg.exp(x), oracle: (x) => ref.map(x, Math.exp) };
  const neg: OpCase = { inputs: [f32([17])], run: (x) => wg.neg(x), oracle: (x) => ref.map(x, (v) => -v) };
  const sigmoid: GradCase = { inputs: [f32([5])], f: (x) => wg.sigmoid(x), oracle: (x) => ref.map(x, ref.sigmoid) };
  const tanh: GradCase = { inputs: [f32([5])], f: (x) => wg.tanh(x), oracle: (x) => ref.map(x, Math.tanh) };

  it('checkRow passes a correct op and fails a wrong one, comparing with cpu', async () => {
    await expect(checkRow('neg', neg, 'runner/neg', 'webgpu')).resolves.toBeUndefined();
    await expect(checkRow('exp', exp, 'runner/exp', 'webgpu')).rejects.toThrow(/exp on webgpu vs cpu: 17 of 17 elements differ/);
  });

  it('checkGradRow passes a correct gradient and fails a wrong one, against finite differences', async () => {
    await expect(checkGradRow('tanh', tanh, 'runner/tanh', 'webgpu')).resolves.toBeUndefined();
    await expect(checkGradRow('sigmoid', sigmoid, 'runner/sigmoid', 'webgpu')).rejects.toThrow(/sigmoid on webgpu: d\/d\(input 0\) vs float64 finite differences/);
  });

  it('the cpu backend itself passes the same rows', async () => {
    await expect(checkRow('exp', exp, 'runner/exp', 'cpu')).resolves.toBeUndefined();
    await expect(checkGradRow('sigmoid', sigmoid, 'runner/sigmoid', 'cpu')).resolves.toBeUndefined();
    await wg.setBackend('cpu');
  });
});
