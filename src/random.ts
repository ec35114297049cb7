// Seeded randomness for initializers, shuffling and dropout, so that runs reproduce.
// xoshiro128** (Blackman & Vigna): small state, fast, good statistical quality.

/** A generator's full state (four 32-bit words and a cached normal draw), for checkpoints. */
export interface RandomState {
  readonly words: readonly [number, number, number, number];
  readonly spareNormal: number | null;
}

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Random: seed should be a finite number, got ${seed}`);
    // splitmix32 expands one seed into four well-mixed state words.
    let x = Math.trunc(seed) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The state, to continue this exact stream later with setState. */
  getState(): RandomState {
    return { words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spareNormal ?? null };
  }

  /** Continues the stream saved by getState (the next draws are the ones that would have followed). */
  setState(state: RandomState): void {
    const words: unknown = state?.words;
    if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new Error(`Random.setState: expected { words: four unsigned 32-bit integers, spareNormal }, got ${JSON.stringify(state)}`);
    }
    if (words.every((w) => w === 0)) throw new Error('Random.setState: an all-zero state is not a valid xoshiro128** state');
    const spare = state.spareNormal;
    if (spare !== null && spare !== undefined && !Number.isFinite(spare)) {
      throw new Error(`Random.setState: spareNormal should be a finite number or null, got ${String(spare)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = (words as number[]).map((w) => w | 0) as [number, number, number, number];
    this.spareNormal = spare ?? undefined;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Standard normal, by the Box–Muller transform. */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A new seed drawn from this stream, for child generators. */
  fork(): number {
    return this.nextUint32();
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let globalSeed = 42;
let globalRandom = new Random(globalSeed);

/** Seeds the generator used when an API is given no seed of its own. */
export function setSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new Error(`setSeed: seed should be a finite number, got ${String(seed)}`);
  globalSeed = seed;
  globalRandom = new Random(seed);
}

/** A generator for `seed`, or a fresh one forked from the global stream. */
export function randomFor(seed?: number): Random {
  return new Random(seed ?? globalRandom.fork());
}

/**
 * Runs `fn` and then puts the global stream back where it was, so that work whose
 * random draws are thrown away (rebuilding a saved model before its weights are
 * copied in) does not shift the user's later unseeded draws.
 */
export function preservingGlobalStream<T>(fn: () => T): T {
  const saved = globalRandom.getState();
  try {
    return fn();
  } finally {
    globalRandom.setState(saved);
  }
}

export function currentSeed(): number {
  return globalSeed;
}
