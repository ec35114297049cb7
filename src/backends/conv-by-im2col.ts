// A convolution's forward as the backend contract's two older primitives: im2col into
// a temporary patch matrix, then one matmul with the filter (bias and activation in its
// epilogue). Backends without a direct convolution kernel implement `conv2d` with this,
// and it is the fallback of those that have one where their kernel does not apply.

import type { Backend, ConvGeometry, MatmulOptions, View } from './backend.js';

export function convByIm2col(
  backend: Pick<Backend, 'alloc' | 'free' | 'im2col' | 'matmul'>,
  x: View, filter: View, out: View, g: ConvGeometry, options?: MatmulOptions,
): void {
  const m = g.batch * g.outH * g.outW;
  const k = g.kernelH * g.kernelW * g.channels;
  const cout = out.shape[3]!;
  if (m * cout === 0) return;
  const storage = backend.alloc(Math.max(4, m * k * 4), 'conv2d patches');
  try {
    const cols: View = { storage, dtype: 'f32', shape: [1, m, k], strides: [m * k, k, 1], offset: 0 };
    if (m * k > 0) backend.im2col(x, cols, g);
    backend.matmul(
      { ...cols, shape: [m, k], strides: [k, 1] },
      { ...filter, shape: [k, cout], strides: [cout, 1] },
      { ...out, shape: [m, cout], strides: [cout, 1] },
      options,
    );
  } finally {
    backend.free(storage);
  }
}
