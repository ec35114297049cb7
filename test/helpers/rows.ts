// Standard input layouts that every elementwise op is run on: the odd sizes (1, 3,
// 17, 129), scalars, empty tensors, higher ranks, and strided views (transposed,
// sliced, broadcast), and numpy broadcasting in every direction for two operands.

import type * as wg from '../../src/index.js';
import type { OpCase } from './conformance.js';
import type { Tolerance } from './compare.js';
import { binary, type DType, map, type Nd } from './reference.js';
import { describeInput, type Gen, type Input } from './values.js';

interface LayoutOptions {
  readonly dtype?: wg.DataType;
  readonly gen?: Gen;
}

/** Every layout a one-operand op must handle. */
export function unaryLayouts({ dtype = 'float32', gen }: LayoutOptions = {}): Input[] {
  const at = (shape: readonly number[], view?: Input['view']): Input => ({ shape, dtype, ...(gen ? { gen } : {}), ...(view ? { view } : {}) });
  return [
    at([]), at([1]), at([3]), at([17]), at([129]), at([0]), at([2, 0, 3]), at([3, 17]), at([2, 3, 4]),
    at([17, 3], 'transpose'), at([4, 5], 'slice'), at([3, 5], { broadcastFrom: [1, 5] }), at([2, 3, 4], { broadcastFrom: [3, 1] }),
    // Past the 256-thread workgroup and 4-lane SIMD edges.
    at([1031]),
  ];
}

/** A few layouts, for variants (other dtypes, other parameters) of an op already run on all. */
export function someLayouts(options: LayoutOptions = {}): Input[] {
  const all = unaryLayouts(options);
  return [all[0]!, all[4]!, all[5]!, all[9]!, all[10]!];
}

/** Pairs of operand shapes covering numpy broadcasting in every direction, empties and views. */
export function binaryLayouts(a: LayoutOptions = {}, b: LayoutOptions = a): [Input, Input][] {
  const x = (shape: readonly number[], view?: Input['view']): Input => ({ shape, dtype: a.dtype ?? 'float32', ...(a.gen ? { gen: a.gen } : {}), ...(view ? { view } : {}) });
  const y = (shape: readonly number[], view?: Input['view']): Input => ({ shape, dtype: b.dtype ?? 'float32', ...(b.gen ? { gen: b.gen } : {}), ...(view ? { view } : {}) });
  return [
    [x([]), y([])],
    [x([3]), y([3])],
    [x([]), y([4])],
    [x([4]), y([])],
    [x([1]), y([17])],
    [x([129]), y([129])],
    [x([129]), y([1])],
    [x([3, 1]), y([1, 4])],
    [x([1, 4]), y([3, 1])],
    [x([2, 3, 4]), y([4])],
    [x([4]), y([2, 3, 4])],
    [x([2, 1, 4]), y([3, 1])],
    [x([0]), y([0])],
    [x([0, 3]), y([1, 3])],
    [x([2, 0]), y([2, 1])],
    [x([3, 4], 'transpose'), y([3, 4], 'slice')],
    [x([3, 4], { broadcastFrom: [4] }), y([3, 1])],
    [x([17, 3], 'transpose'), y([3])],
    [x([1031]), y([1])],
  ];
}

/** Rows of a one-operand op on every layout; `method` adds one row through the tensor method. */
export function unaryRows(
  run: (x: wg.Tensor) => wg.Tensor, f: (v: number) => number,
  options: LayoutOptions & { outDtype?: DType; tol?: Tolerance; method?: (x: wg.Tensor) => wg.Tensor; layouts?: Input[] } = {},
): OpCase[] {
  const layouts = options.layouts ?? unaryLayouts(options);
  const oracle = (x: Nd): Nd => map(x, f, options.outDtype ?? x.dtype);
  const rows: OpCase[] = layouts.map((input) => ({ inputs: [input], run, oracle, ...(options.tol ? { tol: options.tol } : {}) }));
  if (options.method) {
    const input = layouts[Math.min(7, layouts.length - 1)]!;
    rows.push({ name: `tensor method, ${describeInput(input)}`, inputs: [input], run: options.method, oracle });
  }
  return rows;
}

/** Rows of a two-operand op on every broadcasting layout. */
export function binaryRows(
  run: (a: wg.Tensor, b: wg.Tensor) => wg.Tensor, f: (a: number, b: number) => number,
  options: { a?: LayoutOptions; b?: LayoutOptions; outDtype?: DType; tol?: Tolerance; method?: (a: wg.Tensor, b: wg.Tensor) => wg.Tensor } = {},
): OpCase[] {
  const oracle = (a: Nd, b: Nd): Nd => binary(a, b, f, options.outDtype);
  const rows: OpCase[] = binaryLayouts(options.a, options.b ?? options.a).map((inputs) => ({ inputs, run, oracle, ...(options.tol ? { tol: options.tol } : {}) }));
  if (options.method) rows.push({ name: 'tensor method, [3,1] and [1,4]', inputs: rows[7]!.inputs, run: options.method, oracle });
  return rows;
}
