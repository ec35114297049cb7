// Optimizers against torch.optim's documented algorithms, re-derived here in float64
// independently of src/backends/step-rules.ts, over several steps.
import { describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';
import { backendCases } from './helpers/backends.js';

const cases = await backendCases();

/** The gradient of loss(p) = sum(0.5 p² + c p) is p + c: simple, varying, known. */
const C = [0.3, -0.7, 1.1, 0.05, -2.0];
const P0 = [0.5, -1.5, 2.0, 0.0, 3.0];

type Update = (p: number[], g: number[], t: number) => number[];

/** Runs `steps` steps of a float64 reference update from P0. */
function reference(update: Update, steps: number): number[] {
  let p = [...P0];
  for (let t = 1; t <= steps; t++) {
    const g = p.map((v, i) => v + C[i]!);
    p = update(p, g, t);
  }
  return p;
}

// torch.optim.SGD
function sgdRef(lr: number, momentum = 0, dampening = 0, nesterov = false, wd = 0): Update {
  let buf: number[] | undefined;
  return (p, g0) => {
    const g = g0.map((v, i) => v + wd * p[i]!);
    if (momentum === 0) return p.map((v, i) => v - lr * g[i]!);
    buf = buf === undefined ? [...g] : buf.map((b, i) => momentum * b + (1 - dampening) * g[i]!);
    const d = nesterov ? g.map((v, i) => v + momentum * buf![i]!) : buf;
    return p.map((v, i) => v - lr * d[i]!);
  };
}

// torch.optim.Adagrad
function adagradRef(lr: number, lrDecay = 0, wd = 0, init = 0, eps = 1e-10): Update {
  const sum = P0.map(() => init);
  return (p, g0, t) => {
    const g = g0.map((v, i) => v + wd * p[i]!);
    const clr = lr / (1 + (t - 1) * lrDecay);
    g.forEach((v, i) => (sum[i]! += v * v));
    return p.map((v, i) => v - (clr * g[i]!) / (Math.sqrt(sum[i]!) + eps));
  };
}

// torch.optim.RMSprop
function rmspropRef(lr: number, alpha = 0.99, eps = 1e-8, wd = 0, momentum = 0, centered = false): Update {
  const sq = P0.map(() => 0);
  const ga = P0.map(() => 0);
  const buf = P0.map(() => 0);
  return (p, g0) => {
    const g = g0.map((v, i) => v + wd * p[i]!);
    return p.map((v, i) => {
      sq[i] = alpha * sq[i]! + (1 - alpha) * g[i]! * g[i]!;
      let avg: number;
      if (centered) {
        ga[i] = alpha * ga[i]! + (1 - alpha) * g[i]!;
        avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + eps;
      } else {
        avg = Math.sqrt(sq[i]!) + eps;
      }
      if (momentum > 0) {
        buf[i] = momentum * buf[i]! + g[i]! / avg;
        return v - lr * buf[i]!;
      }
      return v - (lr * g[i]!) / avg;
    });
  };
}

// torch.optim.Adam / AdamW
function adamRef(lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0, decoupled = false): Update {
  const m = P0.map(() => 0);
  const v = P0.map(() => 0);
  return (p, g0, t) => {
    const decayed = decoupled ? p.map((x) => x * (1 - lr * wd)) : p;
    const g = decoupled ? g0 : g0.map((x, i) => x + wd * p[i]!);
    return decayed.map((x, i) => {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = v[i]! / (1 - b2 ** t);
      return x - (lr * mHat) / (Math.sqrt(vHat) + eps);
    });
  };
}

interface Row {
  name: string;
  make: () => wg.Optimizer;
  update: () => Update;
}

const ROWS: Row[] = [
  { name: 'sgd', make: () => wg.optimizers.sgd({ learningRate: 0.1 }), update: () => sgdRef(0.1) },
  { name: 'sgd + weight decay', make: () => wg.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.01 }), update: () => sgdRef(0.1, 0, 0, false, 0.01) },
  { name: 'sgd momentum', make: () => wg.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), update: () => sgdRef(0.05, 0.9) },
  { name: 'sgd momentum + dampening', make: () => wg.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, dampening: 0.3 }), update: () => sgdRef(0.05, 0.9, 0.3) },
  { name: 'sgd nesterov', make: () => wg.optimizers.sgd({ learningRate: 0.05, momentum: 0.8, nesterov: true }), update: () => sgdRef(0.05, 0.8, 0, true) },
  { name: 'adagrad', make: () => wg.optimizers.adagrad(), update: () => adagradRef(0.01) },
  { name: 'adagrad, decay and initial sum', make: () => wg.optimizers.adagrad({ learningRate: 0.2, lrDecay: 0.1, initialAccumulatorValue: 0.5, weightDecay: 0.02 }), update: () => adagradRef(0.2, 0.1, 0.02, 0.5) },
  { name: 'rmsprop', make: () => wg.optimizers.rmsprop(), update: () => rmspropRef(0.01) },
  { name: 'rmsprop centered + momentum', make: () => wg.optimizers.rmsprop({ learningRate: 0.02, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.01 }), update: () => rmspropRef(0.02, 0.9, 1e-8, 0.01, 0.5, true) },
  { name: 'rmsprop momentum', make: () => wg.optimizers.rmsprop({ learningRate: 0.02, momentum: 0.7 }), update: () => rmspropRef(0.02, 0.99, 1e-8, 0, 0.7) },
  { name: 'adam', make: () => wg.optimizers.adam(), update: () => adamRef(0.001) },
  { name: 'adam, own betas and L2', make: () => wg.optimizers.adam({ learningRate: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 }), update: () => adamRef(0.05, 0.8, 0.99, 1e-6, 0.1) },
  { name: 'adamw (default weight decay 0.01)', make: () => wg.optimizers.adamw({ learningRate: 0.05 }), update: () => adamRef(0.05, 0.9, 0.999, 1e-8, 0.01, true) },
];

describe.each(cases)('optimizers ($name)', ({ name, skip }) => {
  it.skipIf(skip).each(ROWS)('$name follows torch.optim for 5 steps', async (row) => {
    await wg.setBackend(name);
    const p = wg.variable(wg.tensor(P0));
    const c = wg.tensor(C);
    const optimizer = row.make();
    for (let step = 0; step < 5; step++) {
      const { value, grads } = wg.valueAndGrad(() => wg.add(wg.mul(wg.square(p), 0.5), wg.mul(c, p)).sum(), [p]);
      optimizer.applyGradients(grads, [p]);
      wg.dispose([value, grads]);
    }
    const expected = reference(row.update(), 5);
    const got = Array.from(await p.data());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(optimizer.iterations).toBe(5);
    optimizer.dispose();
    wg.dispose([p, c]);
  });

  it.skipIf(skip)('sgd momentum by hand: first step takes the gradient, then the running buffer', async () => {
    await wg.setBackend(name);
    // p = 1, g = 2 every step, lr 0.1, momentum 0.5: buf 2, 3, 3.5 → p 0.8, 0.5, 0.15
    const p = wg.variable(wg.tensor([1]));
    const optimizer = wg.optimizers.sgd({ learningRate: 0.1, momentum: 0.5 });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      optimizer.applyGradients([wg.tensor([2])], [p]);
      seen.push((await p.data())[0]!);
    }
    expect(seen[0]).toBeCloseTo(0.8, 6);
    expect(seen[1]).toBeCloseTo(0.5, 6);
    expect(seen[2]).toBeCloseTo(0.15, 6);
  });

  it.skipIf(skip)('adam by hand: the first step moves each weight by the learning rate against the gradient sign', async () => {
    await wg.setBackend(name);
    const p = wg.variable(wg.tensor([1, -1, 0.25]));
    const optimizer = wg.optimizers.adam({ learningRate: 0.01 });
    optimizer.applyGradients([wg.tensor([3, -0.5, 1e-3])], [p]);
    const got = await p.data();
    expect(got[0]).toBeCloseTo(0.99, 6);
    expect(got[1]).toBeCloseTo(-0.99, 6);
    expect(got[2]).toBeCloseTo(0.24, 4);
  });

  it.skipIf(skip)('applyGradients takes records keyed by name, and by variable name without params', async () => {
    await wg.setBackend(name);
    const a = wg.variable(wg.tensor([1, 2]), true, 'opt_test_a');
    const b = wg.variable(wg.tensor([3]), true, 'opt_test_b');
    const sgd = wg.optimizers.sgd({ learningRate: 1 });
    sgd.applyGradients({ x: wg.tensor([1, 1]), y: wg.tensor([1]) }, { x: a, y: b });
    expect(Array.from(await a.data())).toEqual([0, 1]);
    const { value, grads } = wg.valueAndGrad(() => wg.add(a.sum(), b.sum()));
    expect(Object.keys(grads).sort()).toEqual(['opt_test_a', 'opt_test_b']);
    sgd.applyGradients(grads);
    expect(Array.from(await a.data())).toEqual([-1, 0]);
    expect(Array.from(await b.data())).toEqual([1]);
    wg.dispose([value, grads, a, b]);
  });

  it.skipIf(skip)('minimize computes, applies and returns the cost', async () => {
    await wg.setBackend(name);
    const w = wg.variable(wg.tensor([4]));
    const sgd = wg.optimizers.sgd({ learningRate: 0.25 });
    const cost = sgd.minimize(() => wg.square(w).sum(), true, [w])!;
    expect((await cost.data())[0]).toBeCloseTo(16, 6);
    expect((await w.data())[0]).toBeCloseTo(2, 6); // 4 - 0.25 * 8
    wg.dispose([cost, w]);
  });

  it.skipIf(skip)('an update does not change a tensor that shares the variable’s storage', async () => {
    await wg.setBackend(name);
    const initial = wg.tensor([1, 2, 3]);
    const w = wg.variable(initial);
    wg.optimizers.sgd({ learningRate: 1 }).applyGradients([wg.ones([3])], [w]);
    expect(Array.from(await w.data())).toEqual([0, 1, 2]);
    expect(Array.from(await initial.data())).toEqual([1, 2, 3]);
  });
});

describe('optimizer argument checks', () => {
  it('a misspelt option is refused with a suggestion', () => {
    expect(() => wg.optimizers.sgd({ learningrate: 0.1 } as never)).toThrow(/sgd: unknown option 'learningrate'; did you mean 'learningRate'\?/);
    expect(() => wg.optimizers.adam({ beta_1: 0.9 } as never)).toThrow(/adam: unknown option 'beta_1'; did you mean 'beta1'\?/);
  });
  it('out-of-range values name the option, the rule and the value', () => {
    expect(() => wg.optimizers.sgd({ learningRate: -1 })).toThrow(/sgd: learningRate should be a finite number >= 0, got -1/);
    expect(() => wg.optimizers.rmsprop({ alpha: 1.5 })).toThrow(/rmsprop: alpha should be a finite number >= 0 <= 1, got 1.5/);
    expect(() => wg.optimizers.sgd({ nesterov: true })).toThrow(/nesterov needs momentum > 0/);
  });
  it('gradients of the wrong shape or count are refused before anything changes', async () => {
    const w = wg.variable(wg.tensor([[1, 2, 3]]));
    const sgd = wg.optimizers.sgd();
    expect(() => sgd.applyGradients([wg.zeros([3, 1])], [w])).toThrow(/gradient for '0' has shape \[3,1\], expected \[1,3\]/);
    expect(() => sgd.applyGradients([wg.zeros([1, 3]), wg.zeros([1])], [w])).toThrow(/got 2 gradients for 1 params/);
    expect(() => sgd.applyGradients([wg.zeros([1, 3])], [wg.tensor([[1, 2, 3]]) as wg.Variable])).toThrow(/should be a Variable/);
    expect(Array.from(await w.data())).toEqual([1, 2, 3]);
  });
});
