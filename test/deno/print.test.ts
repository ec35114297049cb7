// Deno shows tensors as Node does: console.log and Deno.inspect use the tensor's
// Deno.customInspect hook (dtype, shape, values), and print() logs the same text.
// @ts-types="../../dist/index.d.ts"
import * as wg from '../../dist/index.js';

function assertEquals(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

Deno.test('Deno.inspect and print show dtype, shape and values', async () => {
  await wg.setBackend('cpu');
  const t = wg.tensor([[1, 2], [3, 4.5]]);
  const text = 'Tensor float32 [2,2]\n[[  1,   2],\n [  3, 4.5]]';
  assertEquals(Deno.inspect(t), text, 'Deno.inspect');
  assertEquals(Deno.inspect({ t }).includes('[[  1,   2],'), true, 'nested inspect');
  const logged: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logged.push(...args);
  try {
    await t.print();
  } finally {
    console.log = log;
  }
  assertEquals(logged[0], text, 'print');
  t.dispose();
});
