// webgrad/worker: run training (or anything) in a Web Worker with typed calls,
// progress messages, errors that keep their name and message, cancellation through
// an AbortSignal, and transferable buffers. It does not import webgrad itself, so
// the page that only talks to a worker ships none of the library.
//
// In the worker:   expose({ async train(input, { progress, signal }) { ... } })
// On the page:     const w = connect<typeof handlers>(new Worker(url, { type: 'module' }));
//                  await w.train(input, { onProgress, signal })

/**
 * Training in a Web Worker: `expose(handlers)` inside the worker, `connect(worker)`
 * on the page; typed calls with progress, errors, cancellation and transfers.
 * @module webgrad/worker
 */

export { connect, type CallOptions, type WorkerClient } from './connect.js';
export { expose, type Handler, type HandlerContext, type Handlers } from './expose.js';
export { transfer, type Transferred } from './transfer.js';
export type { Endpoint, SerializedError } from './protocol.js';
export type { NodeEndpoint } from './node-port.js';
