// Loading the kernels: the module bytes are embedded (base64) in generated modules,
// one per flavour, each imported only when chosen, so nothing is fetched or read
// from disk in any runtime. Relaxed SIMD is used where WebAssembly.validate accepts it.

export type Flavour = 'simd' | 'relaxed';

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function moduleBytes(flavour: Flavour, shared: boolean): Promise<Uint8Array<ArrayBuffer>> {
  // Literal import paths, so bundlers split each flavour into its own chunk.
  if (flavour === 'relaxed') {
    return decode(shared ? (await import('../../generated/wasm-relaxed-shared.js')).base64 : (await import('../../generated/wasm-relaxed.js')).base64);
  }
  return decode(shared ? (await import('../../generated/wasm-simd-shared.js')).base64 : (await import('../../generated/wasm-simd.js')).base64);
}

export interface LoadedModule {
  readonly flavour: Flavour;
  readonly shared: boolean;
  readonly module: WebAssembly.Module;
}

/**
 * Compiles the kernels. `flavour` 'auto' picks relaxed SIMD where the runtime
 * validates it (Deno, Chromium, Node with --experimental-wasm-relaxed-simd) and
 * plain SIMD elsewhere; naming a flavour the runtime cannot run is an error.
 */
export async function loadModule(flavour: Flavour | 'auto', shared: boolean): Promise<LoadedModule> {
  if (typeof WebAssembly === 'undefined') throw new Error('WebAssembly is not available in this runtime');
  if (flavour !== 'simd') {
    const bytes = await moduleBytes('relaxed', shared);
    if (WebAssembly.validate(bytes)) return { flavour: 'relaxed', shared, module: await WebAssembly.compile(bytes) };
    if (flavour === 'relaxed') {
      throw new Error('relaxed SIMD is not supported by this runtime (Node 20 needs --experimental-wasm-relaxed-simd)');
    }
  }
  const bytes = await moduleBytes('simd', shared);
  if (!WebAssembly.validate(bytes)) throw new Error('WebAssembly SIMD is not supported by this runtime');
  return { flavour: 'simd', shared, module: await WebAssembly.compile(bytes) };
}
