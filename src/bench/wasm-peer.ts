// The peer: TensorFlow.js with its WebAssembly backend (XNNPACK, SIMD build, one
// thread), loaded in the same process as webgrad.

import * as tf from '@tensorflow/tfjs-core';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof tf;

let ready: Promise<Tf> | undefined;

export function loadTfjsWasm(): Promise<Tf> {
  ready ??= (async () => {
    tfWasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not start');
    await tf.ready();
    if (!tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) throw new Error('tfjs: the wasm backend runs without SIMD here');
    return tf;
  })();
  return ready;
}

export function tfjsVersion(): string {
  return tf.version_core;
}
