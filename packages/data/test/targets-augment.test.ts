import { SeededRandom } from '@cat/frontend';
import { describe, expect, it } from 'vitest';
import { addNoiseAndRoll, randomCrop, roll, rollWithRandomGain } from '../src/clip-augment.js';
import { applyMixup, mixupBatch, mixupLambda } from '../src/mixup.js';
import { maskSpan, specAugment } from '../src/spec-augment.js';
import { batchTargets, multiHot, smoothedOneHot } from '../src/targets.js';

describe('targets', () => {
  it('builds multi-hot and smoothed one-hot targets', () => {
    expect([...multiHot([0, 2], 4)]).toEqual([1, 0, 1, 0]);
    // s = 0.1, C = 4: (1 − s) + s/C = 0.925 on the label, s/C = 0.025 elsewhere.
    expect([...smoothedOneHot(1, 4, 0.1)]).toEqual([0.025, 0.925, 0.025, 0.025].map(Math.fround));
    expect([...smoothedOneHot(3, 4)]).toEqual([0, 0, 0, 1]);
    expect([...batchTargets([{ labels: [1] }, { labels: [0, 1] }], 2)]).toEqual([0, 1, 1, 1]);
    expect([
      ...batchTargets([{ labels: [1] }, { labels: [0] }], 2, { singleLabel: true, smoothing: 0.2 }),
    ]).toEqual([0.1, 0.9, 0.9, 0.1].map(Math.fround));
    expect(() => batchTargets([{ id: 'clip7', labels: [0, 1] }], 2, { singleLabel: true })).toThrow(
      'clip7: expected exactly one label, got 2',
    );
    expect(() => multiHot([4], 4)).toThrow(/outside \[0, 4\)/);
  });
});

describe('mixup', () => {
  it('mixes each example with its mirror in the batch, labels alike', () => {
    const inputs = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const targets = Float32Array.from([1, 0, 0, 1, 0, 1]);
    applyMixup(inputs, targets, 3, 0.25);
    // Row 0 pairs with row 2: 0.25·[1,2] + 0.75·[5,6] = [4,5]; row 2: 0.25·[5,6] + 0.75·[1,2] = [2,3].
    expect([...inputs]).toEqual([4, 5, 3, 4, 2, 3]);
    expect([...targets]).toEqual([0.25, 0.75, 0, 1, 0.75, 0.25]);
  });

  it('draws λ ~ Beta(α, α) with probability p, else 1', () => {
    const random = new SeededRandom(5);
    expect(mixupLambda({ alpha: 0, probability: 1 }, random)).toBe(1);
    const lambdas = Array.from({ length: 20000 }, () =>
      mixupLambda({ alpha: 0.8, probability: 0.9 }, random),
    );
    const mixed = lambdas.filter((l) => l !== 1);
    expect(Math.abs(mixed.length / lambdas.length - 0.9)).toBeLessThan(5 * Math.sqrt((0.9 * 0.1) / 20000));
    const mean = mixed.reduce((a, b) => a + b, 0) / mixed.length;
    const variance = mixed.reduce((a, b) => a + (b - mean) ** 2, 0) / mixed.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance - 0.64 / (2.56 * 2.6))).toBeLessThan(0.005); // Beta(0.8, 0.8) variance
    const inputs = Float32Array.from([1, 2]);
    const targets = Float32Array.from([1, 0]);
    expect(mixupBatch(inputs, targets, 2, { alpha: 0.8, probability: 0 }, random)).toBe(1);
    expect([...inputs, ...targets]).toEqual([1, 2, 1, 0]);
  });
});

describe('SpecAugment', () => {
  it('computes mask spans as torchaudio mask_along_axis_iid', () => {
    // value = 0.5·25.6 = 12.8; min = 0.5·(128 − 12.8) = 57.6 → [57, 57 + 12).
    expect(maskSpan(25.6, 128, 0.5, 0.5)).toEqual([57, 69]);
    expect(maskSpan(204.8, 1024, 0.999, 0)).toEqual([0, 204]);
    expect(maskSpan(204.8, 1024, 0.999, 0.99999)).toEqual([819, 1023]);
    expect(maskSpan(25.6, 128, 0, 0.7)).toEqual([89, 89]);
  });

  it('masks one frequency band and one time band per example, draws in the reference order', () => {
    const [batchSize, frames, bins] = [3, 10, 8];
    const batch = Float32Array.from({ length: batchSize * frames * bins }, (_, i) => i + 1);
    const options = { freqMaskParam: 5, timeMaskParam: 6 };
    specAugment(batch, batchSize, frames, bins, options, new SeededRandom(17));
    // Expected spans from the same stream: frequency widths, frequency starts, time widths, time starts.
    const random = new SeededRandom(17);
    const u = Array.from({ length: 4 * batchSize }, () => random.next());
    for (let b = 0; b < batchSize; b++) {
      const [f0, f1] = maskSpan(5, bins, u[b], u[batchSize + b]);
      const [t0, t1] = maskSpan(6, frames, u[2 * batchSize + b], u[3 * batchSize + b]);
      for (let t = 0; t < frames; t++) {
        for (let f = 0; f < bins; f++) {
          const i = (b * frames + t) * bins + f;
          const masked = (f >= f0 && f < f1) || (t >= t0 && t < t1);
          expect(batch[i]).toBe(masked ? 0 : i + 1);
        }
      }
    }
    const untouched = Float32Array.from([1, 2, 3, 4]);
    specAugment(untouched, 1, 2, 2, { freqMaskParam: 0.5, timeMaskParam: 0 }, new SeededRandom(1));
    expect([...untouched]).toEqual([1, 2, 3, 4]);
  });
});

describe('per-clip augmentations', () => {
  it('rolls like np.roll / torch.roll', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5]);
    expect([...roll(x, 2)]).toEqual([4, 5, 1, 2, 3]);
    expect([...roll(x, -1)]).toEqual([2, 3, 4, 5, 1]);
    expect([...roll(x, 7)]).toEqual([4, 5, 1, 2, 3]);
    expect([...roll(Float32Array.from([1, 2, 3, 4, 5, 6]), 1, 2)]).toEqual([5, 6, 1, 2, 3, 4]);
    expect([...roll(Float32Array.from([1, 2, 3, 4, 5, 6]), -1, 2)]).toEqual([3, 4, 5, 6, 1, 2]);
  });

  it('rolls the waveform by a random shift and scales it by Beta(10,10) + 0.5', () => {
    const x = Float32Array.from({ length: 50 }, (_, i) => i + 1);
    const random = new SeededRandom(8);
    const gains: number[] = [];
    const shifts = new Set<number>();
    for (let trial = 0; trial < 2000; trial++) {
      const out = rollWithRandomGain(x, random);
      // x = 1..50, so the smallest output sits at the shift and equals the gain.
      const shift = out.indexOf(Math.min(...out));
      const gain = out[shift];
      expect(gain).toBeGreaterThan(0.5);
      expect(gain).toBeLessThan(1.5);
      roll(x, shift).forEach((v, i) => {
        expect(out[i]).toBeCloseTo(v * gain, 4);
      });
      shifts.add(shift);
      gains.push(gain);
    }
    const mean = gains.reduce((a, b) => a + b, 0) / gains.length;
    const variance = gains.reduce((a, b) => a + (b - mean) ** 2, 0) / gains.length;
    expect(Math.abs(mean - 1)).toBeLessThan(5 * Math.sqrt(100 / (400 * 21) / 2000));
    expect(Math.abs(variance - 100 / (400 * 21)) / (100 / (400 * 21))).toBeLessThan(0.15);
    expect(shifts.size).toBe(50);
  });

  it('adds U[0,1)·r/10 noise then rolls by randint(−10, 10) frames (SPC-2)', () => {
    const [frames, bins] = [30, 4];
    const fbank = Float32Array.from({ length: frames * bins }, (_, i) => 100 * Math.floor(i / bins));
    const shifts = new Set<number>();
    for (let seed = 0; seed < 300; seed++) {
      const out = addNoiseAndRoll(fbank, bins, new SeededRandom(seed));
      // Frame t of the output comes from frame round(value / 100): one shift for all frames.
      const shift = (((0 - Math.round(out[0] / 100)) % frames) + frames) % frames;
      shifts.add(shift > 15 ? shift - frames : shift);
      for (let t = 0; t < frames; t++) {
        const source = (((t - shift) % frames) + frames) % frames;
        for (let f = 0; f < bins; f++) {
          const noise = out[t * bins + f] - fbank[source * bins + f];
          expect(noise).toBeGreaterThanOrEqual(0);
          expect(noise).toBeLessThan(0.1);
        }
      }
    }
    expect(Math.min(...shifts)).toBe(-10);
    expect(Math.max(...shifts)).toBe(9);
    expect(shifts.size).toBe(20);
  });

  it('crops a random window, or zero-pads at the end', () => {
    const data = Float32Array.from({ length: 10 }, (_, i) => i);
    const starts = new Set<number>();
    const random = new SeededRandom(4);
    for (let trial = 0; trial < 200; trial++) {
      const out = randomCrop(data, 4, random);
      expect([...out]).toEqual([out[0], out[0] + 1, out[0] + 2, out[0] + 3]);
      starts.add(out[0]);
    }
    expect([...starts].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const frames = randomCrop(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, random, 2);
    expect(
      [
        [1, 2, 3, 4],
        [3, 4, 5, 6],
      ].map(String),
    ).toContain(String([...frames]));
    expect([...randomCrop(Float32Array.from([1, 2]), 2, random, 2)]).toEqual([1, 2, 0, 0]);
  });
});
