// Positional arguments for the optimizer factories, as TF.js (`tf.train.adam(0.01)`,
// `tf.train.momentum(0.1, 0.9)`) and Keras (`Adam(0.01)`) take them, turned into the
// options object the constructors check. Extra positionals follow the order TF.js and
// Keras share for that optimizer; where they disagree only the learning rate is taken.

import { given } from './options.js';

/**
 * The options for `fn` from `(first, ...rest)`: `first` is a learning rate (then
 * `rest` are the options named by `names`, in order) or an options object (then
 * `rest` must be empty).
 */
export function optimizerOptions<T extends object>(fn: string, first: unknown, rest: readonly unknown[], names: readonly string[]): T | undefined {
  const last = rest.reduce<number>((n, v, i) => (v === undefined ? n : i + 1), 0);
  if (typeof first === 'number') {
    if (last > names.length) {
      const order = ['learningRate', ...names].join(', ');
      throw new Error(`${fn}: takes at most ${names.length + 1} positional argument${names.length === 0 ? '' : 's'} (${order}), got ${last + 1}; pass an options object for the others`);
    }
    const options: Record<string, unknown> = { learningRate: first };
    rest.forEach((v, i) => {
      if (v !== undefined) options[names[i]!] = v;
    });
    return options as T;
  }
  if (first !== undefined && (first === null || typeof first !== 'object' || Array.isArray(first))) {
    throw new TypeError(`${fn}: expected a learning rate (a number) or an options object such as { learningRate: 0.01 }, got ${given(first)}`);
  }
  if (last > 0) throw new Error(`${fn}: with an options object, give every option inside it (got ${last} more argument${last === 1 ? '' : 's'} after it)`);
  return first as T | undefined;
}
