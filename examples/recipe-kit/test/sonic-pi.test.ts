import { describe, expect, it } from 'vitest';
import { clip, sonicPiNames, sonicPiRecording } from '../src/sonic-pi.js';

describe('Sonic Pi recordings', () => {
  it('lists the FLAC recordings by name, sorted, without extension', () => {
    const names = sonicPiNames();
    expect(names.length).toBeGreaterThan(100);
    expect(names).toContain('bd_808');
    expect(names).toEqual([...names].sort());
    expect(names.every((n) => !n.includes('.'))).toBe(true);
  });

  it('reads a recording as mono samples at the rate asked for', async () => {
    const at16k = await sonicPiRecording('bd_808', 16_000);
    const at8k = await sonicPiRecording('bd_808', 8_000);
    expect(at16k.length).toBeGreaterThan(1000);
    // Half the rate, half the samples (to the resampler's rounding).
    expect(Math.abs(at8k.length - at16k.length / 2)).toBeLessThanOrEqual(1);
  });
});

describe('clip', () => {
  const close = (actual: Float32Array, expected: number[]) => {
    expect(actual.length).toBe(expected.length);
    actual.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  };

  it('cuts from the offset, pads with zeros and scales to the peak', () => {
    const samples = Float32Array.from([0.1, -0.4, 0.2, 0.05]);
    close(clip(samples, 6, 1, 0.8), [-0.8, 0.4, 0.1, 0, 0, 0]);
    close(clip(samples, 2), [0.125, -0.5]);
  });

  it('leaves silence silent', () => {
    close(clip(new Float32Array(3), 2), [0, 0]);
  });
});
