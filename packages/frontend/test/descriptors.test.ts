import Meyda from 'meyda';
import { describe, expect, it } from 'vitest';
import { pooledDescriptors, SPECTRAL_DESCRIPTOR_NAMES, spectralDescriptors } from '../src/descriptors.js';

const RATE = 16000;
const sine = (frequency: number, seconds: number, amplitude = 0.5, rate = RATE) =>
  Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate),
  );
/** Deterministic white noise in [-0.5, 0.5). */
function noise(length: number): Float32Array {
  let state = 7;
  return Float32Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  });
}
const column = (result: ReturnType<typeof spectralDescriptors>, name: string) => {
  const k = result.names.indexOf(name);
  return Array.from({ length: result.frameCount }, (_, t) => result.frames[t * result.names.length + k]);
};
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('spectralDescriptors', () => {
  it('uses the fbank framing: 25 ms frames every 10 ms, 98 frames for 1 s at 16 kHz', () => {
    const result = spectralDescriptors(sine(1000, 1), RATE);
    expect(result.names).toEqual(SPECTRAL_DESCRIPTOR_NAMES);
    expect(result.names).toHaveLength(23);
    expect(result.frameCount).toBe(98);
    expect(result.frames).toHaveLength(98 * 23);
    expect(spectralDescriptors(new Float32Array(399), RATE).frameCount).toBe(0);
    expect(spectralDescriptors(new Float32Array(400), RATE).frameCount).toBe(1);
  });

  it('puts a pure sine’s spectral centroid at its frequency and its RMS at amplitude/√2', () => {
    for (const frequency of [440, 1000, 3000]) {
      const result = spectralDescriptors(sine(frequency, 0.5), RATE);
      for (const value of column(result, 'spectralCentroid'))
        expect(Math.abs(value - frequency)).toBeLessThan(frequency * 0.03);
      for (const value of column(result, 'rms')) expect(value).toBeCloseTo(0.5 / Math.SQRT2, 2);
      // A sine crosses zero twice per period.
      expect(mean(column(result, 'zcr'))).toBeCloseTo((2 * frequency) / RATE, 2);
    }
  });

  it('tells noise from a tone: noise is flat and bright, a tone is peaky', () => {
    const tone = spectralDescriptors(sine(500, 0.5), RATE);
    const hiss = spectralDescriptors(noise(8000), RATE);
    expect(mean(column(hiss, 'spectralFlatness'))).toBeGreaterThan(0.5);
    expect(mean(column(tone, 'spectralFlatness'))).toBeLessThan(0.05);
    expect(mean(column(hiss, 'spectralCentroid'))).toBeGreaterThan(3000);
    expect(mean(column(tone, 'spectralCrest'))).toBeGreaterThan(mean(column(hiss, 'spectralCrest')));
  });

  it('gives white noise the moments of a flat spectrum (uniform over 0..8 kHz)', () => {
    const hiss = spectralDescriptors(noise(32000), RATE);
    // Uniform on [0, 8000): mean 4000, std 8000/√12, skewness 0, kurtosis 9/5. Meyda's spectrum stops one bin short of Nyquist.
    expect(mean(column(hiss, 'spectralCentroid'))).toBeCloseTo(4000 - 31.25 / 2, -2);
    expect(mean(column(hiss, 'spectralSpread'))).toBeCloseTo(8000 / Math.sqrt(12), -2);
    expect(Math.abs(mean(column(hiss, 'spectralSkewness')))).toBeLessThan(0.05);
    expect(mean(column(hiss, 'spectralKurtosis'))).toBeCloseTo(1.8, 1);
  });

  it('handles silence without NaN', () => {
    const result = spectralDescriptors(new Float32Array(4000), RATE);
    expect(result.frameCount).toBe(23);
    expect(result.frames.every((x) => x === 0)).toBe(true);
  });

  it('is deterministic and leaves meyda’s global settings as it found them', () => {
    const before = {
      bufferSize: Meyda.bufferSize,
      sampleRate: Meyda.sampleRate,
      windowingFunction: Meyda.windowingFunction,
    };
    const audio = noise(4000);
    const first = spectralDescriptors(audio, RATE);
    spectralDescriptors(sine(300, 0.3, 0.5, 22050), 22050); // a different rate in between must not leak
    const second = spectralDescriptors(audio, RATE);
    expect(second.frames).toEqual(first.frames);
    expect({
      bufferSize: Meyda.bufferSize,
      sampleRate: Meyda.sampleRate,
      windowingFunction: Meyda.windowingFunction,
    }).toEqual(before);
  });

  it('scales the framing with the sample rate (22.05 kHz: 551-sample frames in 1024-point FFTs)', () => {
    const result = spectralDescriptors(sine(2000, 0.5, 0.5, 22050), 22050);
    expect(result.frameCount).toBe(1 + Math.floor((11025 - 551) / 221));
    expect(Math.abs(mean(column(result, 'spectralCentroid')) - 2000)).toBeLessThan(60);
  });
});

describe('pooledDescriptors', () => {
  it('returns 46 values: the per-descriptor mean over frames, then the standard deviation', () => {
    const audio = Float32Array.from(noise(8000), (x, i) => x * (i / 8000)); // growing loudness
    const frames = spectralDescriptors(audio, RATE);
    const pooled = pooledDescriptors(audio, RATE);
    expect(pooled).toHaveLength(46);
    for (const name of ['rms', 'spectralCentroid', 'mfcc0', 'mfcc12']) {
      const k = SPECTRAL_DESCRIPTOR_NAMES.indexOf(name);
      const values = column(frames, name);
      const m = mean(values);
      const std = Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
      expect(pooled[k]).toBeCloseTo(m, 4);
      expect(pooled[23 + k]).toBeCloseTo(std, 4);
    }
    expect(pooled[23]).toBeGreaterThan(0.01); // rms varies over this clip
  });

  it('rejects a clip shorter than one frame', () => {
    expect(() => pooledDescriptors(new Float32Array(100), RATE)).toThrow(
      /100 samples at 16000 Hz is shorter than one frame/,
    );
  });
});
