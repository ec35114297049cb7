// TensorFlow.js as the peer: tfjs-backend-webgpu (on the adapter webgrad found),
// tfjs-backend-wasm (XNNPACK, SIMD, one thread) and tfjs-backend-cpu, each running
// the same workloads on the same data as webgrad. Loaded by packages names at run
// time, so a build of webgrad never contains TensorFlow.js; a bundle that wants the
// peers (the self-contained GPU benchmark) passes the modules in instead.
//
// tfjs-core's Node build does not register gradients, and its ESM tree (which does,
// in register_all_gradients.js) uses extensionless imports that Node's ESM loader
// refuses. In Node a resolve hook that tries '.js' and '/index.js' for relative
// imports inside @tensorflow packages lets that file load; the gradients land in the
// registry that every copy of tfjs-core shares (a global), so training steps run.

import type * as TfCore from '@tensorflow/tfjs-core';
import type { GpuHandle } from './contenders.js';
import type { LoadedPeers, Peer, PeerName, TfjsModules } from './peers.js';
import { tfjsDevice } from './tfjs-device.js';
import type { ContenderInfo } from './report.js';
import { ADAM, type Case, convOperands, parameterShapes, type WorkloadData, type WorkloadSpec } from './workloads.js';
import type { ModelSpec } from './model-workloads.js';
import { tfjsGptCase } from './peer-tfjs-gpt.js';
import { tfjsLayersCase } from './peer-tfjs-models.js';
import { tfjsStepCase } from './tfjs-step-case.js';

type Tf = typeof TfCore;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Imports a package by a name bundlers cannot see (so that they never pull TensorFlow.js in). */
async function importByName<T>(name: string, probe: string): Promise<T> {
  const m = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as Record<string, unknown>;
  return (probe in m ? m : (m['default'] as Record<string, unknown>)) as T;
}

type NodeModule = { register(specifier: string, parentURL?: string): void };

/** Node only: lets tfjs-core's ESM files resolve their extensionless relative imports. */
function installResolveHook(): boolean {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const mod = get?.('node:module') as NodeModule | undefined;
  if (!mod?.register) return false;
  const hook = `export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); } catch (error) {
    const retry = (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_UNSUPPORTED_DIR_IMPORT')
      && /^\\.\\.?\\//.test(specifier) && String(context.parentURL).includes('/@tensorflow/');
    if (!retry) throw error;
    try { return await next(specifier + '.js', context); } catch { return next(specifier + '/index.js', context); }
  }
}`;
  mod.register(`data:text/javascript,${encodeURIComponent(hook)}`);
  return true;
}

let gradientsLoaded: Promise<boolean> | undefined;

/** Whether tfjs' gradients are (or could be made) registered. */
function registerGradients(tf: Tf): Promise<boolean> {
  gradientsLoaded ??= (async () => {
    // the kernels whose gradients the training step needs (fused matmul and the loss bring their own)
    const has = () => Boolean(tf.getGradient('BatchMatMul') && tf.getGradient('Relu') && tf.getGradient('Mean'));
    if (has()) return true;
    const file = '@tensorflow/tfjs-core/dist/register_all_gradients.js';
    // The hook goes in before the first try: a failed import stays failed (Node caches it).
    installResolveHook();
    try {
      await import(/* @vite-ignore */ /* webpackIgnore: true */ file);
    } catch {
      return false;
    }
    return has();
  })();
  return gradientsLoaded;
}

interface TfjsWebGPUBackend {
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** tfjs-layers, for the small models' peers, where it is installed. */
let layersModule: unknown;

/** Why this peer has no result for a model workload (see model-workloads.ts), or undefined. */
function whyNotModel(id: PeerName, spec: ModelSpec, training: boolean): string | undefined {
  const trains = spec.kind !== 'gpt-generate';
  if (trains && !training) return "tfjs' gradients are not registered in this runtime";
  if (spec.kind === 'gpt-generate' && spec.cache) return 'the hand-written TF.js GPT has no KV cache (its uncached generation is measured)';
  if (spec.kind === 'gpt-train' && id === 'tfjs-wasm') return WASM_GPT;
  if (spec.kind === 'cnn-train' && id === 'tfjs-wasm') return WASM_CNN;
  if ((spec.kind === 'cnn-train' || spec.kind === 'mlp-fit' || spec.kind === 'seed') && !layersModule) return '@tensorflow/tfjs-layers is not installed (or not passed in)';
  return undefined;
}

function peer(tf: Tf, id: PeerName, backendName: string, description: string, training: boolean, sync: () => Promise<void>, dispose: () => void): Peer {
  const family: ContenderInfo['family'] = id === 'tfjs-webgpu' ? 'webgpu' : id === 'tfjs-wasm' ? 'wasm' : 'cpu';
  return {
    whyNotModel: (spec) => whyNotModel(id, spec, training),
    buildModel: (spec, data) => {
      if (whyNotModel(id, spec, training)) return undefined;
      return spec.kind === 'gpt-train' || spec.kind === 'gpt-generate' ? tfjsGptCase(tf, spec, data) : tfjsLayersCase(tf, layersModule as never, spec, data);
    },
    info: { id, kind: 'peer', family, description },
    async activate() {
      if (tf.getBackend() !== backendName && !(await tf.setBackend(backendName))) throw new Error(`${id}: tf.setBackend('${backendName}') failed`);
    },
    sync,
    whyNot: (spec) => (spec.kind === 'train' && !training ? "tfjs' gradients are not registered in this runtime" : undefined),
    build: (spec, data) => (spec.kind === 'train' && !training ? undefined : tfjsCase(tf, spec, data)),
    dispose,
  };
}

async function webgpuPeer(tf: Tf, webgpuModule: unknown, gpu: GpuHandle, training: boolean): Promise<Peer> {
  // tfjs checks navigator.gpu before it starts; Node has no navigator (20) or one without gpu (22)
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (!nav?.gpu) Object.defineProperty(globalThis, 'navigator', { value: { ...(nav ?? {}), gpu: gpu.gpu }, configurable: true, writable: true });
  const { WebGPUBackend } = webgpuModule as { WebGPUBackend: new (device: GPUDevice, info: unknown) => unknown };
  const { adapter, device } = await tfjsDevice(gpu.gpu, gpu.adapterOptions);
  // Its kernels are registered for the backend named 'webgpu': replace tfjs' own
  // factory (which would pick an adapter itself) with one on webgrad's adapter.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info) as TfCore.KernelBackend);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend(webgpu) failed');
  await tf.ready();
  const backend = tf.backend() as unknown as TfjsWebGPUBackend;
  const name = adapter.info.description || adapter.info.device || adapter.info.vendor || 'an adapter';
  return peer(tf, 'tfjs-webgpu', 'webgpu', `@tensorflow/tfjs-backend-webgpu ${tf.version_core} on ${name}, same adapter`, training, async () => {
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.submitQueue();
    await device.queue.onSubmittedWorkDone();
  }, () => {
    tf.removeBackend('webgpu');
    device.destroy();
  });
}

async function wasmPeer(tf: Tf, wasmModule: unknown, training: boolean): Promise<Peer> {
  (wasmModule as { setThreadsCount(n: number): void }).setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend(wasm) failed');
  await tf.ready();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  return peer(tf, 'tfjs-wasm', 'wasm', `@tensorflow/tfjs-backend-wasm ${tf.version_core} (XNNPACK${simd ? ', SIMD' : ', no SIMD'}, 1 thread)`, training, async () => {}, () => tf.removeBackend('wasm'));
}

async function cpuPeer(tf: Tf, training: boolean): Promise<Peer> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend(cpu) failed');
  return peer(tf, 'tfjs-cpu', 'cpu', `@tensorflow/tfjs-backend-cpu ${tf.version_core} (plain JS)`, training, async () => {}, () => tf.removeBackend('cpu'));
}

/** Starts the asked-for tfjs backends; says why the others could not start. */
export async function loadTfjs(names: readonly PeerName[], gpu: GpuHandle | undefined, modules?: TfjsModules): Promise<LoadedPeers> {
  const peers: Peer[] = [];
  const unavailable: LoadedPeers['unavailable'] = [];
  if (names.length === 0) return { peers, unavailable };
  let tf: Tf;
  try {
    tf = (modules?.core as Tf | undefined) ?? (await importByName<Tf>('@tensorflow/tfjs-core', 'matMul'));
  } catch (error) {
    return { peers, unavailable: names.map((id) => ({ id, reason: `@tensorflow/tfjs-core could not be loaded here: not installed, or not resolvable by name in this page (${message(error)})` })) };
  }
  const training = await registerGradients(tf);
  try {
    layersModule = modules ? modules.layers : await importByName('@tensorflow/tfjs-layers', 'sequential');
  } catch {
    layersModule = undefined;
  }
  for (const id of names) {
    try {
      if (id === 'tfjs-webgpu') {
        if (!gpu) throw new Error("it runs on webgrad's WebGPU adapter, and webgrad found none here");
        const m = modules ? modules.webgpu : await importByName('@tensorflow/tfjs-backend-webgpu', 'WebGPUBackend');
        if (!m) throw new Error('@tensorflow/tfjs-backend-webgpu was not passed in');
        peers.push(await webgpuPeer(tf, m, gpu, training));
      } else if (id === 'tfjs-wasm') {
        const m = modules ? modules.wasm : await importByName('@tensorflow/tfjs-backend-wasm', 'setThreadsCount');
        if (!m) throw new Error('@tensorflow/tfjs-backend-wasm was not passed in');
        peers.push(await wasmPeer(tf, m, training));
      } else {
        if (modules ? !modules.cpu : !(await importByName('@tensorflow/tfjs-backend-cpu', 'MathBackendCPU'))) throw new Error('@tensorflow/tfjs-backend-cpu was not passed in');
        peers.push(await cpuPeer(tf, training));
      }
    } catch (error) {
      unavailable.push({ id, reason: message(error) });
    }
  }
  return { peers, unavailable };
}

/** Why TF.js trains neither the GPT nor the CNN on WASM (measured with 4.22; see docs/benchmarks.md). */
const WASM_GPT = "TF.js cannot train this GPT on WASM: tfjs-backend-wasm has no 'UnsortedSegmentSum' kernel, which the gradient of the embeddings' gather needs";
const WASM_CNN = "TF.js cannot train this CNN on WASM: tfjs-backend-wasm has no 'Conv2DBackpropFilter' kernel";

// ---- the workloads in tfjs -------------------------------------------------------

function tfjsCase(tf: Tf, spec: WorkloadSpec, data: WorkloadData): Case {
  const read = async (t: TfCore.Tensor): Promise<Float32Array> => {
    try {
      return Float32Array.from((await t.data()) as Float32Array);
    } finally {
      t.dispose();
    }
  };
  const simple = (op: () => TfCore.Tensor, owned: TfCore.Tensor[]): Case => ({
    run: () => op().dispose(),
    result: () => read(op()),
    dispose: () => tf.dispose(owned),
  });
  switch (spec.kind) {
    case 'matmul': {
      const a = tf.tensor2d(data.inputs[0]!, [spec.a[0], spec.a[1]]);
      const b = tf.tensor2d(data.inputs[1]!, [spec.b[0], spec.b[1]]);
      return simple(() => tf.matMul(a, b, spec.transposeA, spec.transposeB), [a, b]);
    }
    case 'unary': {
      const x = tf.tensor1d(data.inputs[0]!);
      return simple(spec.op === 'relu' ? () => tf.relu(x) : () => tf.exp(x), [x]);
    }
    case 'binary': {
      const a = tf.tensor1d(data.inputs[0]!);
      const b = tf.tensor1d(data.inputs[1]!);
      return simple(() => tf.add(a, b), [a, b]);
    }
    case 'reduce': {
      const x = tf.tensor2d(data.inputs[0]!, [spec.rows, spec.cols]);
      return simple(spec.op === 'sum' ? () => tf.sum(x) : () => tf.max(x, -1), [x]);
    }
    case 'conv2d': {
      const [xs, fs] = convOperands(spec);
      const x = tf.tensor4d(data.inputs[0]!, xs as [number, number, number, number]);
      const filter = tf.tensor4d(data.inputs[1]!, fs as [number, number, number, number]);
      const bias = tf.tensor1d(data.inputs[2]!);
      return simple(() => tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' }), [x, filter, bias]);
    }
    case 'train':
      return tfjsTrainStep(tf, spec.widths, spec.batch, data);
  }
}

let variables = 0;

/** The same step as webgrad's: fused dense + relu, softmax cross-entropy (mean), Adam. */
function tfjsTrainStep(tf: Tf, widths: readonly number[], batch: number, data: WorkloadData): Case {
  const x = tf.tensor2d(data.inputs[0]!, [batch, widths[0]!]);
  const labels = tf.tensor1d(data.labels!, 'int32');
  const oneHot = tf.oneHot(labels, widths[widths.length - 1]!);
  const params = parameterShapes(widths).map((s, i) => tf.variable(tf.tensor(data.inputs[i + 1]!, s), true, `webgrad_bench_${variables++}_${i}`));
  const optimizer = tf.train.adam(ADAM.learningRate, ADAM.beta1, ADAM.beta2, ADAM.eps);
  const step = (): TfCore.Scalar =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        let h = x as TfCore.Tensor2D;
        for (let i = 0; i < params.length; i += 2) {
          h = tf.fused.matMul({ a: h, b: params[i] as TfCore.Tensor2D, bias: params[i + 1]!, activation: i + 2 < params.length ? 'relu' : 'linear' }) as TfCore.Tensor2D;
        }
        return tf.losses.softmaxCrossEntropy(oneHot, h) as TfCore.Scalar;
      }, params);
      optimizer.applyGradients(grads as never);
      return value;
    });
  return tfjsStepCase(step, () => {
    tf.dispose([x, labels, oneHot, ...params]);
    optimizer.dispose();
  });
}
