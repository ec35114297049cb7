// Node 20 (V8 11.3) keeps WebAssembly relaxed SIMD behind a flag; Node 22 and later,
// Deno and Chromium ship it. The wasm backend's relaxed build (fused multiply-adds)
// runs matmuls about a third faster, so the CLI, which owns its process, turns the
// flag on before any module is compiled. A library cannot do this for its host app.

import { setFlagsFromString } from 'node:v8';

// the smallest module that uses f32x4.relaxed_madd
const V128_CONST = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const RELAXED_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3d, 0x01, 0x3b, 0x00, ...V128_CONST, ...V128_CONST, ...V128_CONST, 0xfd, 0x85, 0x02, 0x0b,
]);

/** Enables relaxed SIMD where the runtime has it behind a flag (unless WEBGRAD_NO_RELAXED_SIMD is set). */
export function enableRelaxedSimd(): void {
  if (process.env.WEBGRAD_NO_RELAXED_SIMD || WebAssembly.validate(RELAXED_MODULE)) return;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}
