// The entry of the self-contained GPU benchmark (scripts/build-gpu-bench.mjs bundles it
// with TensorFlow.js and Dawn into dist-bench/): `webgrad bench` itself, the same
// command and options, with tfjs-core (its gradients registered), tfjs-backend-webgpu
// and tfjs-layers carried in the bundle instead of loaded by package name.
//   node dist-bench/webgrad-gpu-bench.mjs --backends webgpu --ops matmul,models --sizes 256,1024,2048,4096

import * as tfCore from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfWebgpu from '@tensorflow/tfjs-backend-webgpu';
import * as tfLayers from '@tensorflow/tfjs-layers';
import { tfjsPeers } from '../bench/index.js';
import { benchCommand } from './bench.js';

const command = benchCommand(tfjsPeers({ core: tfCore, webgpu: tfWebgpu, layers: tfLayers })).name('webgrad-gpu-bench');
await command.parseAsync(process.argv);
// Dawn keeps the event loop alive while a device exists.
process.exit(process.exitCode ?? 0);
