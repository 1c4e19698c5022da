import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FbankStatistics, NORMALIZATION_PRESETS, normalizeFbank, padOrCrop } from '../src/normalize.js';
import { decodeNpy } from '../src/npy.js';
import type { Fbank } from '../src/types.js';

/** Index of the first differing element (-1 if none); much faster than toEqual on 100k-element arrays. */
function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function readFbank(name: string): Fbank {
  const { data, shape } = decodeNpy(
    new Uint8Array(readFileSync(new URL(`./__fixtures__/audio/${name}`, import.meta.url))),
  );
  return { data: data as Float32Array, frames: shape[0], bins: shape[1] };
}

describe('padOrCrop + normalizeFbank against the reference', () => {
  const fbank = readFbank('audioset_clip_32k.fbank.npy');
  const expected = readFbank('audioset_clip_32k.fbank_norm1024.npy');

  it('reproduces the reference AudioSet input (998 frames → 1024, normalised) bit for bit', () => {
    expect([fbank.frames, fbank.bins, expected.frames, expected.bins]).toEqual([998, 128, 1024, 128]);
    const result = normalizeFbank(padOrCrop(fbank, 1024), NORMALIZATION_PRESETS.audioset);
    expect(result.frames).toBe(1024);
    expect(result.bins).toBe(128);
    expect(firstMismatch(result.data, expected.data)).toBe(-1);
  });

  it('pads at the end with zeros, which normalise to -mean / (2 std) ≈ +0.467', () => {
    const padded = padOrCrop(fbank, 1024);
    expect(firstMismatch(padded.data.subarray(0, 998 * 128), fbank.data)).toBe(-1);
    expect(padded.data.subarray(998 * 128).every((x) => x === 0)).toBe(true);
    const normalised = normalizeFbank(padded, NORMALIZATION_PRESETS.audioset);
    expect(normalised.data[1023 * 128 + 5]).toBeCloseTo(4.268 / (2 * 4.569), 6);
  });

  it('crops by keeping the first frames, and never aliases its input', () => {
    const cropped = padOrCrop(fbank, 512);
    expect(cropped).toMatchObject({ frames: 512, bins: 128 });
    expect(firstMismatch(cropped.data, fbank.data.subarray(0, 512 * 128))).toBe(-1);
    cropped.data[0] += 1;
    expect(cropped.data[0]).not.toBe(fbank.data[0]);
    expect(firstMismatch(padOrCrop(fbank, 998).data, fbank.data)).toBe(-1);
  });

  it('rejects bad arguments', () => {
    expect(() => padOrCrop(fbank, 0)).toThrow(/positive integer/);
    expect(() => normalizeFbank(fbank, { mean: 0, std: 0 })).toThrow(/std must be positive/);
  });

  it('has the reference presets', () => {
    expect(NORMALIZATION_PRESETS).toEqual({
      audioset: { mean: -4.268, std: 4.569 },
      esc50: { mean: -6.627, std: 5.359 },
      spc2: { mean: -6.846, std: 5.565 },
    });
  });
});

describe('FbankStatistics', () => {
  /** Deterministic pseudo-random clips with a large offset (stresses naive sum-of-squares formulas). */
  function clips(): Fbank[] {
    let state = 12345;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    return [37, 1, 250, 98].map((frames, c) => ({
      frames,
      bins: 128,
      data: Float32Array.from({ length: frames * 128 }, () => 1000 + c + 3 * (random() - 0.5)),
    }));
  }

  function twoPass(fbanks: Fbank[]) {
    const n = fbanks.reduce((a, f) => a + f.data.length, 0);
    let sum = 0;
    for (const f of fbanks) for (const x of f.data) sum += x;
    const mean = sum / n;
    let ss = 0;
    for (const f of fbanks) for (const x of f.data) ss += (x - mean) ** 2;
    return { mean, std: Math.sqrt(ss / n), frames: fbanks.reduce((a, f) => a + f.frames, 0) };
  }

  it('matches a direct two-pass computation over all values', () => {
    const data = clips();
    const stats = new FbankStatistics();
    for (const f of data) stats.add(f);
    const result = stats.result();
    const direct = twoPass(data);
    expect(result.frames).toBe(direct.frames);
    expect(result.mean).toBeCloseTo(direct.mean, 10);
    expect(Math.abs(result.std - direct.std) / direct.std).toBeLessThan(1e-10);
  });

  it('merging partial statistics equals adding everything to one', () => {
    const data = clips();
    const left = new FbankStatistics().add(data[0]).add(data[1]);
    const right = new FbankStatistics().add(data[2]).add(data[3]);
    const merged = left.merge(right).merge(new FbankStatistics()).result();
    const direct = twoPass(data);
    expect(merged.frames).toBe(direct.frames);
    expect(merged.mean).toBeCloseTo(direct.mean, 10);
    expect(Math.abs(merged.std - direct.std) / direct.std).toBeLessThan(1e-10);
  });

  it('refuses to report statistics of nothing', () => {
    expect(() => new FbankStatistics().result()).toThrow(/no fbank values/);
  });
});
