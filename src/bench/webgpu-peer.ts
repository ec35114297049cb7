// The peer we measure against: TensorFlow.js' WebGPU backend, on the same
// adapter (a second device from the same GPU object and adapter options) in the
// same process. tfjs is a devDependency: this file is only loaded by benchmarks.

import type * as TfCore from '@tensorflow/tfjs-core';
import { tfjsDevice } from './tfjs-device.js';

export interface TfjsPeer {
  readonly tf: typeof TfCore;
  /** Submits tfjs' queued commands and resolves when the GPU is idle. */
  sync(): Promise<void>;
  readonly description: string;
  /** Whether tfjs' gradients are registered (needed for the training step). */
  readonly gradients: boolean;
  dispose(): void;
}

interface TfjsWebGPUBackend {
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  device: GPUDevice;
}

export async function createTfjsPeer(gpu: GPU, adapterOptions: GPURequestAdapterOptions): Promise<TfjsPeer> {
  // tfjs checks navigator.gpu before it starts; Node has no navigator (20) or one without gpu (22)
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (!nav?.gpu) Object.defineProperty(globalThis, 'navigator', { value: { ...(nav ?? {}), gpu }, configurable: true, writable: true });
  const tf = (await import('@tensorflow/tfjs-core')) as typeof TfCore;
  // Gradients are registered by a separate ESM entry point (the @tensorflow/tfjs
  // umbrella does it); it resolves in the esbuild bench bundle, not in plain Node.
  let gradients = true;
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  } catch {
    gradients = false;
  }
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const { adapter, device } = await tfjsDevice(gpu, adapterOptions).catch((error: Error) => {
    throw new Error(`tfjs peer: ${error.message}`);
  });
  // Its kernels are registered for the backend named 'webgpu': replace tfjs' own
  // factory (which would pick an adapter itself) with one on our adapter.
  const name = 'webgpu';
  if (tf.findBackendFactory(name)) tf.removeBackend(name);
  tf.registerBackend(name, () => new WebGPUBackend(device, adapter.info as never) as unknown as TfCore.KernelBackend);
  if (!(await tf.setBackend(name))) throw new Error('tfjs peer: tf.setBackend failed');
  await tf.ready();
  const backend = tf.backend() as unknown as TfjsWebGPUBackend;
  return {
    tf,
    description: `@tensorflow/tfjs-backend-webgpu ${tf.version_core} on ${adapter.info.description || adapter.info.device || adapter.info.vendor}`,
    gradients,
    async sync() {
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
      await device.queue.onSubmittedWorkDone();
    },
    dispose() {
      tf.removeBackend(name);
      device.destroy();
    },
  };
}
