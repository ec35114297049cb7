// A second device on the adapter webgrad uses, with the limits that
// tfjs-backend-webgpu's own registration asks for, so that TensorFlow.js runs on the
// same GPU as webgrad in a benchmark (both benches: src/bench/peer-tfjs.ts and the
// GPU bundle).

export async function tfjsDevice(gpu: GPU, adapterOptions: GPURequestAdapterOptions | undefined): Promise<{ adapter: GPUAdapter; device: GPUDevice }> {
  const adapter = await gpu.requestAdapter(adapterOptions);
  if (!adapter) throw new Error(`the adapter webgrad uses (${JSON.stringify(adapterOptions)}) is not available a second time`);
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  return { adapter, device };
}
