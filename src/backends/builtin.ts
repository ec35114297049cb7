// The backends that the full 'webgrad' entry makes selectable besides cpu. Each one
// registers a lazy factory (its own chunk, loaded by the first setBackend that needs
// it), so importing 'webgrad' costs nothing for backends a program never picks.
// 'webgrad/core' leaves this module out: an app that adds only 'webgrad/wasm' ships
// no WebGPU code at all (see scripts/build.mjs and test/package/bundle.node.test.ts).

import './entry-wasm.js';
import './entry-webgpu.js';
