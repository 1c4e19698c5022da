import { describe, expect, it } from 'vitest';
import { Random } from '../src/random.js';

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

describe('Random (xoshiro128**)', () => {
  it('reproduces published xoshiro128** outputs for given states', () => {
    // From the C reference via rand_xoshiro's tests (state 1,2,3,4) and xoshiro-6502's test data.
    const small = Random.fromState([1, 2, 3, 4]);
    expect([0, 1, 2, 3].map(() => small.nextUint32())).toEqual([11520, 0, 5927040, 70819200]);
    const other = Random.fromState([0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0]);
    expect([0, 1, 2, 3].map(() => other.nextUint32())).toEqual([
      0xf1391922, 0x6fe53806, 0xa5be2840, 0xf510ee70,
    ]);
  });

  it('is reproducible per seed, distinct across seeds and seed words, and resumes from a saved state', () => {
    const draw = (random: Random) => Array.from({ length: 5 }, () => random.nextUint32());
    expect(draw(new Random(42))).toEqual(draw(new Random(42)));
    expect(draw(new Random(42))).not.toEqual(draw(new Random(43)));
    expect(draw(new Random([42, 0]))).not.toEqual(draw(new Random([42, 1])));
    expect(draw(new Random(2 ** 40))).not.toEqual(draw(new Random(0)));
    const random = new Random(7);
    draw(random);
    const saved = JSON.parse(JSON.stringify(random.state));
    expect(draw(Random.fromState(saved))).toEqual(draw(random));
    expect(() => new Random(-1)).toThrow(/non-negative integer/);
    expect(() => Random.fromState([0, 0, 0, 0])).toThrow(/not all 0/);
  });

  it('draws uniform floats in [0, 1) and unbiased integers', () => {
    const random = new Random(1);
    let low = 1;
    let high = 0;
    const uniform = moments(100000, () => {
      const x = random.float();
      low = Math.min(low, x);
      high = Math.max(high, x);
      return x;
    });
    expect(low).toBeGreaterThanOrEqual(0);
    expect(high).toBeLessThan(1);
    expect(Math.abs(uniform.mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / 100000));
    expect(Math.abs(uniform.variance - 1 / 12)).toBeLessThan(0.002);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[random.int(6)]++;
    for (const count of counts)
      expect(Math.abs(count - 10000)).toBeLessThan(5 * Math.sqrt(60000 * (1 / 6) * (5 / 6)));
    const between = Array.from({ length: 2000 }, () => random.intBetween(-10, 10));
    expect(Math.min(...between)).toBe(-10);
    expect(Math.max(...between)).toBe(9);
  });

  it('samples normal, Gamma (Marsaglia–Tsang) and Beta with the right mean and variance', () => {
    const random = new Random(2024);
    const n = 40000;
    const normal = moments(n, () => random.normal());
    expect(Math.abs(normal.mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(normal.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    for (const shape of [0.3, 0.8, 1, 2.5, 10]) {
      const gamma = moments(n, () => random.gamma(shape));
      // Gamma(k, 1): mean k, variance k, excess kurtosis 6/k (for the standard error of the variance).
      expect(Math.abs(gamma.mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
      expect(Math.abs(gamma.variance - shape)).toBeLessThan(5 * shape * Math.sqrt((2 + 6 / shape) / n));
    }
    for (const [a, b] of [
      [0.8, 0.8],
      [10, 10],
      [2, 5],
    ]) {
      const beta = moments(n, () => random.beta(a, b));
      const mean = a / (a + b);
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(beta.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(Math.abs(beta.variance - variance) / variance).toBeLessThan(0.05);
    }
    expect(() => random.gamma(0)).toThrow(/shape must be > 0/);
  });
});
