// Reverse-mode autodiff on a tape. While `valueAndGrad` runs its function, every op
// whose inputs depend on a watched tensor appends a node: its inputs, its output, and
// a closure that maps the output's gradient to the inputs' gradients. Backward walks
// the tape in reverse, summing gradients per tensor. Nodes keep their own references
// to the tensors their gradient needs, so a `tidy` inside the function cannot free them.

import { currentScope, tidy } from './scope.js';
import { Tensor, Variable } from './tensor.js';

/**
 * A gradient that is zero outside one box of its input: `part` placed at `starts` in a
 * tensor of `shape` (a slice's gradient). Backward gathers an input's boxes and writes
 * those that do not overlap into one gradient, with a fill only where they leave gaps,
 * instead of padding each to the full shape and adding them: the gradient of unstack or
 * split is one copy per part.
 */
export class RegionGrad {
  constructor(readonly shape: readonly number[], readonly starts: readonly number[], readonly part: Tensor) {}

  /** Whether the two boxes share an element (or cannot be written into one tensor). */
  clashes(other: RegionGrad): boolean {
    if (other.part.dtype !== this.part.dtype) return true;
    return this.starts.every((s, d) => s < other.starts[d]! + other.part.shape[d]! && other.starts[d]! < s + this.part.shape[d]!);
  }
}

/**
 * For each input, a function computing its gradient (called only for inputs that need
 * one, so a matmul with a data input skips that half), or `undefined` where an input
 * takes no gradient (indices, masks).
 */
export type Backward = (dy: Tensor, saved: readonly Tensor[]) => readonly ((() => Tensor | RegionGrad) | undefined)[];

interface Node {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly saved: readonly Tensor[];
  readonly backward: Backward;
}

class Tape {
  readonly nodes: Node[] = [];
  /** Ids of tensors that depend on a watched tensor. */
  readonly live = new Set<number>();
  /**
   * A probe (activation checkpointing's forward) keeps no nodes and saves nothing: it
   * only finds which of its parent's live tensors the function reads (`captured`).
   */
  constructor(readonly parent?: Tape, readonly captured?: Map<number, Tensor>) {}
  isLive(id: number): boolean {
    return this.live.has(id) || (this.parent?.isLive(id) ?? false);
  }
}

let activeTape: Tape | undefined;

/** True while recording and some input depends on a watched tensor. */
export function needsGradient(inputs: readonly Tensor[]): boolean {
  if (!activeTape) return false;
  for (const t of inputs) if (activeTape.isLive(t.id)) return true;
  return false;
}

/**
 * Called by every differentiable op after it queued its forward kernel. `saved` are
 * the tensors the backward closure reads (inputs or output); the tape holds them.
 */
export function record(inputs: readonly Tensor[], output: Tensor, saved: readonly Tensor[], backward: Backward): void {
  const tape = activeTape;
  if (!tape || !needsGradient(inputs)) return;
  tape.live.add(output.id);
  if (tape.captured) {
    for (const t of inputs) if (!tape.live.has(t.id) && tape.parent!.isLive(t.id)) tape.captured.set(t.id, t);
    return;
  }
  tape.nodes.push({ inputs, output, saved: saved.map((t) => t.share(t.shape, t.strides, t.offset, 'internal')), backward });
}

/**
 * @internal activation checkpointing (see recompute.ts). Runs `forward` recording
 * nothing but which watched tensors it reads, and records one node whose backward
 * runs `again` (the same computation on the saved `args`) under a fresh tape and
 * back-propagates `dy` through it. Without a tape it is just `forward()`.
 */
export function recordRecomputed(args: readonly Tensor[], forward: () => Tensor, again: (args: readonly Tensor[]) => Tensor): Tensor {
  const outer = activeTape;
  if (!outer) return forward();
  const probe = new Tape(outer, new Map());
  // the arguments count as read even when the function ignores one
  for (const t of args) if (outer.isLive(t.id)) probe.captured!.set(t.id, t);
  activeTape = probe;
  let y: Tensor;
  try {
    y = forward();
  } finally {
    activeTape = outer;
  }
  const inputs = [...probe.captured!.values()];
  if (inputs.length === 0) return y;
  // Only the arguments are saved (the block's boundary activations); the variables it
  // reads stay alive on their own, and everything in between is recomputed.
  record(inputs, y, args, (dy, kept) => {
    let grads: Tensor[] | undefined;
    const all = (): Tensor[] => (grads ??= backwardThrough(() => again(kept), inputs.map((t) => {
      const i = args.indexOf(t);
      return i >= 0 ? kept[i]! : t;
    }), dy));
    return inputs.map((_, j) => () => all()[j]!);
  });
  return y;
}

/** Gradients of `f()`, seeded with `dy`, for `targets` (the tensors f reads). */
function backwardThrough(f: () => Tensor, targets: readonly Tensor[], dy: Tensor): Tensor[] {
  const tape = new Tape();
  for (const t of targets) tape.live.add(t.id);
  const previous = activeTape;
  return tidy(() => {
    activeTape = tape;
    let y: Tensor;
    try {
      y = f();
    } finally {
      activeTape = previous;
    }
    try {
      const found = backward(tape, y, targets, dy);
      return targets.map((t, i) => found[i] ?? zerosLikeOf(t));
    } finally {
      for (const node of tape.nodes) for (const t of node.saved) t.dispose();
    }
  });
}

/** Runs `fn` with recording paused: what it computes is treated as a constant. */
export function noGrad<T>(fn: () => T): T {
  const tape = activeTape;
  activeTape = undefined;
  try {
    return fn();
  } finally {
    activeTape = tape;
  }
}

export interface ValueAndGrads<G> {
  value: Tensor;
  grads: G;
}

type ParamList = readonly Tensor[] | Readonly<Record<string, Tensor>>;
type GradsOf<P> = P extends readonly Tensor[] ? Tensor[] : Record<string, Tensor>;

/**
 * Computes `f()` and the gradient of its (scalar) result with respect to `params`,
 * given as an array or a record of tensors; the gradients come back in the same form.
 * Without `params`, every trainable variable that `f` uses is differentiated and the
 * grads are keyed by variable name.
 */
export function valueAndGrad<P extends ParamList>(f: () => Tensor, params: P): ValueAndGrads<GradsOf<P>>;
export function valueAndGrad(f: () => Tensor): ValueAndGrads<Record<string, Tensor>>;
export function valueAndGrad(f: () => Tensor, params?: ParamList): ValueAndGrads<Tensor[] | Record<string, Tensor>> {
  if (typeof f !== 'function') throw new TypeError(`valueAndGrad: expected a function returning a scalar tensor, got ${typeof f}`);
  const entries = params === undefined ? undefined : Array.isArray(params) ? params.map((p, i) => [String(i), p] as const) : Object.entries(params);
  for (const [key, p] of entries ?? []) {
    if (!(p instanceof Tensor)) throw new TypeError(`valueAndGrad: params[${key}] should be a Tensor, got ${describe(p)}`);
    p.assertAlive('valueAndGrad', `params[${key}]`);
    if (p.dtype !== 'float32') throw new TypeError(`valueAndGrad: params[${key}] should be float32 to take a gradient, got ${p.dtype}`);
  }
  const tape = new Tape();
  const watchAll = entries === undefined;
  for (const [, p] of entries ?? []) tape.live.add(p.id);
  if (watchAll) watchVariables(tape);

  const previous = activeTape;
  return tidy(() => {
    const scope = currentScope();
    let value: Tensor;
    activeTape = tape;
    try {
      value = f();
    } finally {
      activeTape = previous;
    }
    try {
      if (!(value instanceof Tensor)) {
        throw new TypeError(`valueAndGrad: f should return a Tensor, got ${describe(value)}`);
      }
      if (value.size !== 1) {
        throw new Error(`valueAndGrad: f should return a scalar (one element), got shape [${value.shape.join(',')}]`);
      }
      const targets: (readonly [string, Tensor])[] = watchAll ? usedVariables(tape) : [...entries!];
      const found = backward(tape, value, targets.map(([, p]) => p));
      if (watchAll) {
        const names = new Set<string>();
        for (const [key] of targets) {
          if (names.has(key)) throw new Error(`valueAndGrad: two trainable variables used by f are named '${key}'; give them distinct names or pass params explicitly`);
          names.add(key);
        }
      }
      // A tensor listed twice gets two handles on its gradient, so each can be disposed.
      const handed = new Set<Tensor>();
      const grads = targets.map(([key, p], i) => {
        const g = found[i] ?? zerosLikeOf(p);
        const own = handed.has(g) ? g.share() : g;
        handed.add(g);
        return [key, own] as const;
      });
      const result = Array.isArray(params) ? grads.map(([, g]) => g) : Object.fromEntries(grads);
      // A value f did not make (a param, an outer tensor) comes back as a new handle, so
      // that disposing the result never disposes the caller's tensor.
      return { value: value.scope === scope ? value : value.share(), grads: result };
    } finally {
      for (const node of tape.nodes) for (const t of node.saved) t.dispose();
    }
  });
}

/** `grad(f)(x)` is df/dx for a function of one tensor with a scalar result. */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  if (typeof f !== 'function') throw new TypeError(`grad: expected a function, got ${typeof f}`);
  return (x: Tensor) => {
    const { value, grads } = valueAndGrad(() => f(x), [x]);
    value.dispose();
    return grads[0]!;
  };
}

/** `grads(f)(xs)` gives df/dxs for a function of several tensors with a scalar result. */
export function grads(f: (...xs: Tensor[]) => Tensor): (xs: readonly Tensor[]) => Tensor[] {
  if (typeof f !== 'function') throw new TypeError(`grads: expected a function, got ${typeof f}`);
  return (xs) => {
    const { value, grads: g } = valueAndGrad(() => f(...xs), [...xs]);
    value.dispose();
    return g;
  };
}

function backward(tape: Tape, value: Tensor, targets: readonly Tensor[], seed?: Tensor): (Tensor | undefined)[] {
  const wanted = new Set(targets.map((t) => t.id));
  const grads = new Map<number, Tensor>();
  // Boxes gathered per tensor (RegionGrad), written into its gradient once no more can come.
  const boxes = new Map<number, RegionGrad[]>();
  const add = (id: number, g: Tensor): void => {
    const existing = grads.get(id);
    if (existing) {
      grads.set(id, accumulate(existing, g));
      existing.dispose();
      g.dispose();
    } else {
      grads.set(id, g);
    }
  };
  const settle = (id: number): void => {
    const gathered = boxes.get(id);
    if (!gathered) return;
    boxes.delete(id);
    add(id, assembleBoxes(gathered));
  };
  grads.set(value.id, seed ? seed.share() : onesLikeScalar(value));
  for (let i = tape.nodes.length - 1; i >= 0; i--) {
    const node = tape.nodes[i]!;
    // Every use of a tensor comes after the node that made it: its gradient is complete.
    settle(node.output.id);
    const dy = grads.get(node.output.id);
    if (!dy) continue;
    if (!wanted.has(node.output.id)) grads.delete(node.output.id);
    const inputGrads = node.backward(dy, node.saved);
    node.inputs.forEach((input, j) => {
      const gradFn = inputGrads[j];
      if (!gradFn || !tape.live.has(input.id)) return;
      const g = gradFn();
      if (!(g instanceof RegionGrad)) return add(input.id, g);
      if (boxes.get(input.id)?.some((b) => b.clashes(g))) settle(input.id);
      const gathered = boxes.get(input.id);
      if (gathered) gathered.push(g);
      else boxes.set(input.id, [g]);
    });
    if (!wanted.has(node.output.id)) dy.dispose();
  }
  for (const t of targets) settle(t.id);
  // boxes of tensors that are neither made by a node nor wanted
  for (const gathered of boxes.values()) for (const b of gathered) b.part.dispose();
  return targets.map((t) => grads.get(t.id));
}

// Filled by ops/ at import time; keeps this file free of op imports (no cycles).
const notLoaded = (): never => {
  throw new Error('autograd: ops not loaded');
};
let accumulate: (a: Tensor, b: Tensor) => Tensor = notLoaded;
let onesLikeScalar: (t: Tensor) => Tensor = notLoaded;
let zerosLikeOf: (t: Tensor) => Tensor = notLoaded;
let assembleBoxes: (boxes: readonly RegionGrad[]) => Tensor = notLoaded;

/** @internal wires the ops that backward itself needs */
export function setAutogradOps(ops: {
  add: (a: Tensor, b: Tensor) => Tensor;
  onesLike: (t: Tensor) => Tensor;
  zerosLike: (t: Tensor) => Tensor;
  /** One gradient from boxes that do not overlap (their parts are disposed). */
  assembleBoxes: (boxes: readonly RegionGrad[]) => Tensor;
}): void {
  accumulate = ops.add;
  onesLikeScalar = ops.onesLike;
  zerosLikeOf = ops.zerosLike;
  assembleBoxes = ops.assembleBoxes;
}

// --- watching every trainable variable -------------------------------------

const trainableVariables = new Map<number, WeakRef<Variable>>();

/** @internal variables register themselves so that valueAndGrad(f) can find them */
export function registerTrainable(v: Variable): void {
  trainableVariables.set(v.id, new WeakRef(v));
}

/** @internal the live trainable variable with this name, if any (for applyGradients by name) */
export function trainableByName(name: string): Variable | undefined {
  for (const [id, ref] of trainableVariables) {
    const v = ref.deref();
    if (!v || v.isDisposed) trainableVariables.delete(id);
    else if (v.name === name) return v;
  }
  return undefined;
}

function watchVariables(tape: Tape): void {
  for (const [id, ref] of trainableVariables) {
    const v = ref.deref();
    if (!v || v.isDisposed) trainableVariables.delete(id);
    else tape.live.add(id);
  }
}

function usedVariables(tape: Tape): (readonly [string, Tensor])[] {
  const used = new Map<number, Variable>();
  for (const node of tape.nodes) {
    for (const input of node.inputs) {
      if (input instanceof Variable && input.trainable) used.set(input.id, input);
    }
  }
  return [...used.values()].map((v) => [v.name, v] as const);
}

export function describe(value: unknown): string {
  if (value instanceof Tensor) return `a Tensor of shape [${value.shape.join(',')}] (${value.dtype})`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `${typeof value} ${String(value)}`;
}
