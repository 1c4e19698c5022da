import { describe, expect, it } from 'vitest';
import { normalisePeak, peakOf } from '../src/level.js';

describe('normalisePeak', () => {
  it('scales the largest magnitude to the target and leaves silence alone', () => {
    const samples = normalisePeak(new Float32Array([0.1, -0.2, 0.05]), 0.5);
    expect(Array.from(samples).map((v) => Number(v.toFixed(6)))).toEqual([0.25, -0.5, 0.125]);
    expect(peakOf(samples)).toBeCloseTo(0.5, 6);
    expect(Array.from(normalisePeak(new Float32Array(3), 0.5))).toEqual([0, 0, 0]);
  });
});
