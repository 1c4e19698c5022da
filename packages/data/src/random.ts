/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018; 128-bit state, 32-bit outputs),
 * its state filled from the seed words by SplitMix32 (a golden-ratio Weyl sequence through MurmurHash3's
 * 32-bit finaliser). Identical sequences on every JS engine; the state can be saved and restored.
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed a non-negative integer up to 2^53, or several (e.g. `[seed, epoch]`) for independent
   *   streams derived from one seed.
   */
  constructor(seed: number | readonly number[]) {
    const words: number[] = [];
    for (const value of typeof seed === 'number' ? [seed] : seed) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new Error(`Random: seed must be a non-negative integer, got ${value}`);
      words.push(value >>> 0, Math.floor(value / 2 ** 32) >>> 0);
    }
    let weyl = 0;
    for (const word of words) weyl = fmix32((weyl ^ word) + 0x9e3779b9);
    const next = () => {
      weyl = (weyl + 0x9e3779b9) >>> 0;
      return fmix32(weyl);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A generator continuing from a saved `state`. */
  static fromState(state: readonly number[]): Random {
    if (state.length !== 4 || state.every((word) => word === 0))
      throw new Error('Random: state must be 4 words, not all 0');
    const random = new Random(0);
    [random.s0, random.s1, random.s2, random.s3] = state.map((word) => word >>> 0);
    return random;
  }

  /** The 4-word state, to save and restore with `Random.fromState`. */
  get state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Next 32-bit unsigned output. */
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

  /** Uniform in [0, 1) with 53 random bits (two outputs). */
  float(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection), for 1 ≤ n ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32)
      throw new Error(`Random.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform integer in [low, high) (numpy's `randint(low, high)`). */
  intBetween(low: number, high: number): number {
    return low + this.int(high - low);
  }

  /** Standard normal (Box–Muller, two uniforms per value, none cached so the state alone resumes). */
  normal(): number {
    const u = 1 - this.float(); // (0, 1]: log is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 via Gamma(shape + 1)·U^(1/shape). */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new Error(`Random.gamma: shape must be > 0, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * (1 - this.float()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const root = 1 + c * x;
      if (root <= 0) continue;
      const v = root * root * root;
      const u = 1 - this.float();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    // Both can underflow to 0 for tiny shapes; then the mass sits at the ends in proportion a : b.
    if (x + y === 0) return this.float() < a / (a + b) ? 1 : 0;
    return x / (x + y);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** MurmurHash3's 32-bit finaliser (the SplitMix32 output function). */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
