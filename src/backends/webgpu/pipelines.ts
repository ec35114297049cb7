// Compute pipelines, created once per kernel variant and cached by its key.
// Creation is asynchronous (createComputePipelineAsync), so compiling a new
// kernel never blocks the thread; kernels are still recorded synchronously and
// the queue submits a batch once every pipeline it uses is ready.
// Bind group layouts are explicit (one per binding signature), so bind groups
// can be made without waiting for a pipeline.

import type { KernelSource } from './kernels.js';

export interface PipelineEntry {
  readonly key: string;
  readonly layout: GPUBindGroupLayout;
  /** Set once compiled. */
  pipeline: GPUComputePipeline | undefined;
  /** Set when compilation failed. */
  error: Error | undefined;
  /** Settles (never rejects) when the pipeline is ready or has failed. */
  readonly ready: Promise<void>;
}

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  private readonly entries = new Map<string, PipelineEntry>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.entries.size;
  }

  get(source: KernelSource): PipelineEntry {
    const existing = this.entries.get(source.key);
    if (existing) return existing;
    const layout = this.layout(source.bindings);
    const module = this.module(source.code);
    const entry: PipelineEntry = {
      key: source.key,
      layout: layout.group,
      pipeline: undefined,
      error: undefined,
      ready: this.device
        .createComputePipelineAsync({
          label: source.key,
          layout: layout.pipeline,
          compute: { module, entryPoint: source.entryPoint, constants: { ...source.constants } },
        })
        .then(
          (pipeline) => {
            entry.pipeline = pipeline;
          },
          async (error: unknown) => {
            entry.error = new Error(`webgpu: kernel ${source.key} failed to compile: ${await describeFailure(module, error)}`);
          },
        ),
    };
    this.entries.set(source.key, entry);
    return entry;
  }

  private module(code: string): GPUShaderModule {
    let module = this.modules.get(code);
    if (!module) {
      module = this.device.createShaderModule({ code });
      this.modules.set(code, module);
    }
    return module;
  }

  private layout(signature: string): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    let layout = this.layouts.get(signature);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [...signature].map((kind, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: kind === 'u' ? 'uniform' : kind === 'r' ? 'read-only-storage' : 'storage' },
      }));
      const group = this.device.createBindGroupLayout({ entries, label: `webgrad ${signature}` });
      layout = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(signature, layout);
    }
    return layout;
  }
}

async function describeFailure(module: GPUShaderModule, error: unknown): Promise<string> {
  const why = error instanceof Error ? error.message : String(error);
  try {
    const info = await module.getCompilationInfo();
    const lines = info.messages.filter((m) => m.type === 'error').map((m) => `line ${m.lineNum}: ${m.message}`);
    return lines.length ? `${why} (${lines.join('; ')})` : why;
  } catch {
    return why;
  }
}
