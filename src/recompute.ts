// Activation checkpointing (gradient checkpointing, rematerialisation): trade compute
// for memory. `checkpoint(fn)` runs fn without keeping its intermediate activations on
// the tape; the backward pass runs fn again on the saved arguments and back-propagates
// through that second run. Memory for a stack of k checkpointed blocks falls from all
// their activations to the k block inputs plus one block's activations, at the cost of
// one more forward per block.

import { describe, recordRecomputed } from './autograd.js';
import { tidy } from './scope.js';
import { Tensor } from './tensor.js';

/**
 * Wraps `fn` (tensors in, one tensor out) so that, under `valueAndGrad` / `fit`, its
 * intermediate activations are recomputed during the backward pass instead of kept.
 * Gradients are those of `fn` itself, for its arguments and for every variable it
 * reads. `fn` must compute the same thing when run again: pass its tensor inputs as
 * arguments (they are the values saved), and keep randomness out of it or make it
 * repeat (`wg.layers.checkpointed` does this for dropout layers). Outside of a
 * gradient computation it is just `fn`.
 */
export function checkpoint<A extends Tensor[]>(fn: (...args: A) => Tensor): (...args: A) => Tensor {
  if (typeof fn !== 'function') throw new TypeError(`checkpoint: expected a function of tensors returning a tensor, got ${describe(fn)}`);
  return (...args: A) => {
    args.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`checkpoint: argument ${i} should be a Tensor, got ${describe(t)}`);
      t.assertAlive('checkpoint', `argument ${i}`);
    });
    const run = (xs: readonly Tensor[]): Tensor => {
      const y = fn(...(xs as A));
      if (!(y instanceof Tensor)) throw new TypeError(`checkpoint: the function should return a Tensor, got ${describe(y)}`);
      return y;
    };
    // tidy: the forward's intermediates are freed at once (nothing on the tape holds them)
    return recordRecomputed(args, () => tidy(() => run(args)), run);
  };
}
