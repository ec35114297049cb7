// Preloaded (node --import) by cli-quiet.node.test.ts: writes what Dawn's native code
// writes to file descriptor 2 when it starts without Vulkan, straight to the fd as
// native code does. Only where the CLI does its work (the quiet child, or --verbose).
import { writeSync } from 'node:fs';

if (process.env.WEBGRAD_CLI_CHILD === '1' || process.argv.includes('--verbose')) {
  writeSync(2, "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n"
    + '    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)\n\n'
    + 'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 90 to 16 to fit dynamic offset allocation limit.\n');
}
