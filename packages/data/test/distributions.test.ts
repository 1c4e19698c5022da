import { SeededRandom } from '@cat/frontend';
import { describe, expect, it } from 'vitest';
import { beta, gamma, intBetween, streamSeed } from '../src/distributions.js';

/** Mean and (population) variance of `count` draws. */
function moments(count: number, draw: () => number): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / count;
  return { mean, variance: squares / count - mean * mean };
}

describe('distributions over SeededRandom', () => {
  it('derives distinct, reproducible stream seeds from several words', () => {
    expect(streamSeed(42, 0)).toBe(streamSeed(42, 0));
    const seeds = new Set<number>();
    for (let seed = 0; seed < 20; seed++)
      for (let epoch = 0; epoch < 50; epoch++) seeds.add(streamSeed(seed, epoch));
    expect(seeds.size).toBe(1000);
    // The high 32 bits of a word count too, and order matters.
    expect(streamSeed(2 ** 40)).not.toBe(streamSeed(0));
    expect(streamSeed(1, 2)).not.toBe(streamSeed(2, 1));
    expect(streamSeed(3)).not.toBe(streamSeed(3, 0));
    for (const seed of seeds) expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    expect(() => streamSeed(-1)).toThrow(/non-negative integers/);
    // Streams of neighbouring epochs are uncorrelated: the correlation of their uniforms is within noise.
    const a = new SeededRandom(streamSeed(7, 0));
    const b = new SeededRandom(streamSeed(7, 1));
    const n = 20000;
    let product = 0;
    for (let i = 0; i < n; i++) product += (a.next() - 0.5) * (b.next() - 0.5);
    expect(Math.abs((product / n) * 12)).toBeLessThan(5 / Math.sqrt(n));
  });

  it('draws uniform integers in [low, high) like numpy randint', () => {
    const random = new SeededRandom(1);
    const between = Array.from({ length: 4000 }, () => intBetween(random, -10, 10));
    expect(Math.min(...between)).toBe(-10);
    expect(Math.max(...between)).toBe(9);
    const counts = new Array(20).fill(0);
    for (const x of between) counts[x + 10]++;
    for (const count of counts) expect(Math.abs(count - 200)).toBeLessThan(5 * Math.sqrt(4000 * 0.05 * 0.95));
    expect(() => intBetween(random, 3, 3)).toThrow(/low < high/);
  });

  it('samples Gamma (Marsaglia–Tsang) and Beta with the right mean and variance', () => {
    const random = new SeededRandom(2024);
    const n = 40000;
    for (const shape of [0.3, 0.8, 1, 2.5, 10]) {
      const draws = moments(n, () => gamma(random, shape));
      // Gamma(k, 1): mean k, variance k, excess kurtosis 6/k (for the standard error of the variance).
      expect(Math.abs(draws.mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
      expect(Math.abs(draws.variance - shape)).toBeLessThan(5 * shape * Math.sqrt((2 + 6 / shape) / n));
    }
    for (const [a, b] of [
      [0.8, 0.8],
      [10, 10],
      [2, 5],
    ]) {
      const draws = moments(n, () => beta(random, a, b));
      const mean = a / (a + b);
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(draws.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(Math.abs(draws.variance - variance) / variance).toBeLessThan(0.05);
    }
    expect(() => gamma(random, 0)).toThrow(/shape must be > 0/);
  });

  it('continues identically from a saved generator state (Gamma keeps a spare normal)', () => {
    const random = new SeededRandom(5);
    gamma(random, 2.5);
    const saved = JSON.parse(JSON.stringify(random.getState()));
    const expected = [beta(random, 0.8, 0.8), gamma(random, 0.3)];
    const resumed = new SeededRandom(0);
    resumed.setState(saved);
    expect([beta(resumed, 0.8, 0.8), gamma(resumed, 0.3)]).toEqual(expected);
  });
});
