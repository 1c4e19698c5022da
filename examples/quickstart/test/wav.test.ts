import { decodeWav } from '@cat/frontend';
import { describe, expect, it } from 'vitest';
import { normalisePeak, peakOf } from '../src/level.js';
import { encodeWav16 } from '../src/wav.js';

describe('encodeWav16', () => {
  it('round-trips through the decoder at 1/32768 steps, clamping out-of-range samples', () => {
    const samples = new Float32Array([0, 0.5, -0.5, 1 / 32768, -1, 1.5, -2, 0.25]);
    const decoded = decodeWav(encodeWav16(samples, 16_000), 'round-trip.wav');
    expect(decoded.sampleRate).toBe(16_000);
    expect(decoded.channels).toBe(1);
    expect(Array.from(decoded.samples)).toEqual([0, 0.5, -0.5, 1 / 32768, -1, 32767 / 32768, -1, 0.25]);
  });
});

describe('normalisePeak', () => {
  it('scales the largest magnitude to the target and leaves silence alone', () => {
    const samples = normalisePeak(new Float32Array([0.1, -0.2, 0.05]), 0.5);
    expect(Array.from(samples).map((v) => Number(v.toFixed(6)))).toEqual([0.25, -0.5, 0.125]);
    expect(peakOf(samples)).toBeCloseTo(0.5, 6);
    expect(Array.from(normalisePeak(new Float32Array(3), 0.5))).toEqual([0, 0, 0]);
  });
});
