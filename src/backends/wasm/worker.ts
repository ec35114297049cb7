// A pool worker (bundled by scripts/build-wasm.mjs into a source string, so it needs
// no file or URL). It instantiates the shared module on the shared memory, then
// loops forever: wait for a new generation, claim and run parts until none is
// left (see control.ts).
// It never returns to its event loop; the pool terminates or unrefs it.

import { claim, CONTROL_BYTES, DESCRIPTOR, DONE, GENERATION, KIND, STOP, waitWhile, WORKER_SPIN_MS, type WorkerInit } from './control.js';

type Dispatch = (kind: number, desc: number, part: number, parts: number, thread: number) => void;

interface Port {
  on?(event: 'message', listener: (data: WorkerInit) => void): void;
  postMessage(message: unknown): void;
}

function serve(init: WorkerInit, port: Port): void {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const dispatch = instance.exports.dispatch as Dispatch;
  // The control block sits at a fixed low address, so this view stays valid when
  // memory grows.
  const ctl = new Int32Array(init.memory.buffer, init.control, CONTROL_BYTES / 4);
  let seen = Atomics.load(ctl, GENERATION);
  port.postMessage('ready');
  for (;;) {
    waitWhile(ctl, GENERATION, seen, WORKER_SPIN_MS, () => true);
    seen = Atomics.load(ctl, GENERATION);
    if (Atomics.load(ctl, STOP) !== 0) return;
    for (let part = claim(ctl); part; part = claim(ctl)) {
      try {
        dispatch(Atomics.load(ctl, KIND), Atomics.load(ctl, DESCRIPTOR), part[0], part[1], init.index);
      } catch (error) {
        port.postMessage(`error: ${error instanceof Error ? error.message : String(error)}`);
      }
      Atomics.add(ctl, DONE, 1);
    }
    Atomics.notify(ctl, DONE);
  }
}

declare const require: (id: string) => unknown;

type NodePort = Port & { once(event: 'message', listener: (data: WorkerInit) => void): void };

/** worker_threads when this is a Node or Deno worker thread (eval'd as a CommonJS script). */
function workerThreads(): { parentPort: NodePort | null } | undefined {
  try {
    const get = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
    return (get ? get('node:worker_threads') : require('node:worker_threads')) as { parentPort: NodePort | null };
  } catch {
    return undefined;
  }
}

const parentPort = workerThreads()?.parentPort;
if (parentPort) {
  parentPort.once('message', (init) => serve(init, parentPort));
} else {
  // Web Worker (browsers).
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WorkerInit>) => void) | null; postMessage(m: unknown): void };
  scope.onmessage = (event) => {
    scope.onmessage = null;
    serve(event.data, { postMessage: (m) => scope.postMessage(m) });
  };
}
