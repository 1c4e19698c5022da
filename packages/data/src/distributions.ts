import type { SeededRandom } from '@cat/frontend';

// Draws that @cat/frontend's SeededRandom does not offer itself, as functions of a generator.

/** Uniform integer in [low, high) (numpy's `randint(low, high)`). */
export function intBetween(random: SeededRandom, low: number, high: number): number {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low)
    throw new Error(`intBetween: need integers low < high, got [${low}, ${high})`);
  return low + random.int(high - low);
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 via Gamma(shape + 1)·U^(1/shape). */
export function gamma(random: SeededRandom, shape: number): number {
  if (!(shape > 0)) throw new Error(`gamma: shape must be > 0, got ${shape}`);
  if (shape < 1) return gamma(random, shape + 1) * (1 - random.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.normal();
    const root = 1 + c * x;
    if (root <= 0) continue;
    const v = root * root * root;
    const u = 1 - random.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function beta(random: SeededRandom, a: number, b: number): number {
  const x = gamma(random, a);
  const y = gamma(random, b);
  // Both can underflow to 0 for tiny shapes; then the mass sits at the ends in proportion a : b.
  if (x + y === 0) return random.next() < a / (a + b) ? 1 : 0;
  return x / (x + y);
}

/**
 * One 32-bit seed from several non-negative integers (e.g. seed, epoch, position), so that each
 * (seed, epoch, …) gets its own independent stream: each word (split into 32-bit halves) goes through
 * MurmurHash3's finaliser in a chain, so nearby inputs give unrelated seeds.
 */
export function streamSeed(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const value of words) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`streamSeed: words must be non-negative integers, got ${value}`);
    h = fmix32((h ^ (value >>> 0)) + 0x9e3779b9);
    h = fmix32((h ^ Math.floor(value / 2 ** 32)) + 0x7f4a7c15);
  }
  return h;
}

/** MurmurHash3's 32-bit finaliser. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
