// The demo's benchmark worker: matmul throughput per backend, off the page's thread.
import * as wg from 'webgrad';
import { type HandlerContext, expose } from 'webgrad/worker';
import { type ThroughputPoint, measureMatmulThroughput } from './throughput.js';

export const handlers = {
  async matmul({ backend, sizes }: { backend: wg.BackendName; sizes: number[] }, { progress }: HandlerContext<ThroughputPoint>) {
    return measureMatmulThroughput(wg, backend, sizes, (point) => progress(point));
  },
};

expose(handlers);
