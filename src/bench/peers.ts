// Peers: another library measured in the same process, beside webgrad, on the same
// workloads and data. TensorFlow.js (peer-tfjs.ts) is the incumbent; it is loaded
// only where it is installed (it is a devDependency, not a dependency).

import type { GpuHandle } from './contenders.js';
import type { ContenderInfo } from './report.js';
import type { ModelData, ModelSpec } from './model-workloads.js';
import type { Case, WorkloadData, WorkloadSpec } from './workloads.js';

export interface Peer {
  readonly info: ContenderInfo;
  /** Makes this peer's backend the one its library runs on. */
  activate(): Promise<void>;
  /** Resolves when the peer's queued work has finished. */
  sync(): Promise<void>;
  /** Undefined when the peer cannot run this workload here, with `whyNot` saying why. */
  build(spec: WorkloadSpec, data: WorkloadData): Case | undefined;
  whyNot(spec: WorkloadSpec): string | undefined;
  /** The model workloads (model-workloads.ts), where the peer has them; undefined with `whyNotModel` saying why. */
  buildModel?(spec: ModelSpec, data: ModelData): Case | undefined;
  whyNotModel?(spec: ModelSpec): string | undefined;
  dispose(): void;
}

export const PEER_NAMES = ['tfjs-webgpu', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** Which peer a webgrad contender of each family is compared with. */
export const INCUMBENT: Readonly<Record<ContenderInfo['family'], PeerName>> = {
  webgpu: 'tfjs-webgpu',
  wasm: 'tfjs-wasm',
  cpu: 'tfjs-cpu',
};

export interface LoadedPeers {
  readonly peers: Peer[];
  readonly unavailable: { id: string; reason: string }[];
}

/** Loads the asked-for peers; `gpu` is the WebGPU device webgrad found (tfjs-webgpu uses the same adapter). */
export type PeerLoader = (names: readonly PeerName[], gpu: GpuHandle | undefined) => Promise<LoadedPeers>;

/** TensorFlow.js modules a bundle passes in instead of having them loaded by name. */
export interface TfjsModules {
  /** The namespace of @tensorflow/tfjs-core (with its gradients registered, for training steps). */
  readonly core: unknown;
  readonly webgpu?: unknown;
  readonly wasm?: unknown;
  /** Whether @tensorflow/tfjs-backend-cpu is imported (it registers itself). */
  readonly cpu?: boolean;
  /** @tensorflow/tfjs-layers, for the peers of the CNN, the MLP's fit and the seed example. */
  readonly layers?: unknown;
}

/** TensorFlow.js from the installed packages (or from `modules`), loaded only when asked for. */
export function tfjsPeers(modules?: TfjsModules): PeerLoader {
  return async (names, gpu) => {
    if (names.length === 0) return { peers: [], unavailable: [] };
    try {
      const { loadTfjs } = await import('./peer-tfjs.js');
      return await loadTfjs(names, gpu, modules);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { peers: [], unavailable: names.map((id) => ({ id, reason })) };
    }
  };
}
