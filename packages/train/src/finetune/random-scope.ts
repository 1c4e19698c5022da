import { SeededRandom } from '@cat/frontend';

/**
 * Runs a synchronous `fn` with `Math.random` drawing from a generator seeded by `seed`, then restores it.
 * tfjs random ops without a seed (the encoder's stochastic depth) seed themselves from `Math.random`; deriving
 * that from (run seed, step) makes every step's drop pattern reproducible, so a resumed run repeats an
 * uninterrupted one. Safe because nothing else runs while `fn` (synchronous) does.
 */
export function withSeededMathRandom<T>(seed: number, fn: () => T): T {
  const random = new SeededRandom(seed);
  const original = Math.random;
  Math.random = () => random.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
