import { describe, expect, it } from 'vitest';
import { fromPatches, toPatches } from '../src/patch.js';
import type { Fbank } from '../src/types.js';

/** Index of the first differing element (-1 if none); much faster than toEqual on 100k-element arrays. */
function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** An fbank whose value encodes its position: t * 1000 + f. */
function positional(frames: number, bins: number): Fbank {
  return {
    frames,
    bins,
    data: Float32Array.from({ length: frames * bins }, (_, i) => Math.floor(i / bins) * 1000 + (i % bins)),
  };
}

describe('toPatches', () => {
  it('cuts 1024×128 into 64×8 = 512 patches of 256 in the reference token order', () => {
    const patches = toPatches(positional(1024, 128));
    expect(patches).toMatchObject({
      count: 512,
      patchSize: 256,
      patchTime: 16,
      patchFreq: 16,
      gridTime: 64,
      gridFreq: 8,
    });
    expect(patches.data.length).toBe(512 * 256);
    // Token t*8+f covers frames 16t..16t+15 and bins 16f..16f+15, row-major (time, freq) inside.
    for (const [t, f] of [
      [0, 0],
      [0, 7],
      [1, 0],
      [63, 7],
      [10, 3],
    ]) {
      const token = t * 8 + f;
      for (const [row, col] of [
        [0, 0],
        [0, 15],
        [1, 0],
        [15, 15],
        [7, 9],
      ]) {
        expect(patches.data[token * 256 + row * 16 + col]).toBe((16 * t + row) * 1000 + 16 * f + col);
      }
    }
  });

  it('supports other patch shapes', () => {
    const patches = toPatches(positional(8, 6), { patchTime: 4, patchFreq: 2 });
    expect(patches).toMatchObject({ count: 6, patchSize: 8, gridTime: 2, gridFreq: 3 });
    // Token 4 = (t 1, f 1): frames 4..7, bins 2..3.
    expect(Array.from(patches.data.subarray(4 * 8, 5 * 8))).toEqual([
      4002, 4003, 5002, 5003, 6002, 6003, 7002, 7003,
    ]);
  });

  it('requires whole patches and points to padOrCrop', () => {
    expect(() => toPatches(positional(998, 128))).toThrow(
      /998 frames is not a multiple of patchTime 16; pad or crop first \(padOrCrop\)/,
    );
    expect(() => toPatches(positional(16, 100))).toThrow(/100 bins is not a multiple of patchFreq 16/);
  });
});

describe('fromPatches', () => {
  it('is the exact inverse of toPatches', () => {
    for (const [fbank, options] of [
      [positional(1024, 128), {}],
      [positional(128, 128), {}],
      [positional(12, 10), { patchTime: 3, patchFreq: 5 }],
    ] as const) {
      const back = fromPatches(toPatches(fbank, options));
      expect([back.frames, back.bins]).toEqual([fbank.frames, fbank.bins]);
      expect(firstMismatch(back.data, fbank.data)).toBe(-1);
    }
  });

  it('rejects data that does not fit the grid', () => {
    const patches = toPatches(positional(32, 16));
    expect(() => fromPatches({ ...patches, data: patches.data.subarray(1) })).toThrow(
      /do not form a 2×1 grid of 16×16 patches/,
    );
  });
});
