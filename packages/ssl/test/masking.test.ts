import { describe, expect, it } from 'vitest';
import { InverseBlockMasker } from '../src/masking.js';

describe('InverseBlockMasker', () => {
  it('keeps exactly 102 of 512 tokens with 5 centres for the base recipe', () => {
    const masker = new InverseBlockMasker({ gridTime: 64, gridFreq: 8, seed: 1 });
    expect(masker.centres).toBe(5); // int(512 * 0.27 / 25)
    expect(masker.visibleCount).toBe(102);
    const batch = masker.sample(6, 4);
    expect(batch.views).toBe(24);
    for (let v = 0; v < batch.views; v++) {
      let count = 0;
      for (let i = 0; i < 512; i++) count += batch.visible[v * 512 + i];
      expect(count).toBe(102);
    }
  });

  it('keeps 128 of 512 with 7 centres for the large recipe', () => {
    const masker = new InverseBlockMasker({ gridTime: 64, gridFreq: 8, maskProb: 0.75, maskProbAdjust: 0.1 });
    expect(masker.visibleCount).toBe(128);
    expect(masker.centres).toBe(7);
  });

  it('lists visible and masked indices consistent with the map, sorted', () => {
    const batch = new InverseBlockMasker({ gridTime: 8, gridFreq: 8, seed: 3 }).sample(2, 2);
    const { tokens, visibleCount } = batch;
    for (let v = 0; v < batch.views; v++) {
      const vis = Array.from(batch.visibleIndices.subarray(v * visibleCount, (v + 1) * visibleCount));
      const mask = Array.from(
        batch.maskedIndices.subarray(v * (tokens - visibleCount), (v + 1) * (tokens - visibleCount)),
      );
      expect(vis).toEqual([...vis].sort((a, b) => a - b));
      expect(new Set([...vis, ...mask]).size).toBe(tokens);
      for (const i of vis) expect(batch.visible[v * tokens + i]).toBe(1);
      for (const i of mask) expect(batch.visible[v * tokens + i]).toBe(0);
    }
  });

  it('keeps blocks: visible tokens cluster far more than random ones would', () => {
    // With blocks, most visible tokens have a visible 4-neighbour; scattered random tokens at 20% rarely do.
    const masker = new InverseBlockMasker({ gridTime: 64, gridFreq: 8, seed: 5 });
    let withNeighbour = 0;
    let visibleTotal = 0;
    for (let trial = 0; trial < 50; trial++) {
      const map = masker.sampleOne();
      for (let t = 0; t < 64; t++) {
        for (let f = 0; f < 8; f++) {
          if (!map[t * 8 + f]) continue;
          visibleTotal++;
          const near = [
            [t - 1, f],
            [t + 1, f],
            [t, f - 1],
            [t, f + 1],
          ].some(([a, b]) => a >= 0 && a < 64 && b >= 0 && b < 8 && map[a * 8 + b]);
          if (near) withNeighbour++;
        }
      }
    }
    expect(withNeighbour / visibleTotal).toBeGreaterThan(0.8);
  });

  it('makes the clones of a clip independent', () => {
    const batch = new InverseBlockMasker({ gridTime: 64, gridFreq: 8, seed: 9 }).sample(1, 4);
    const maps = [0, 1, 2, 3].map((v) => batch.visible.subarray(v * 512, (v + 1) * 512).join(''));
    expect(new Set(maps).size).toBe(4);
  });

  it('is reproducible from a seed and resumable from its state', () => {
    const a = new InverseBlockMasker({ gridTime: 64, gridFreq: 8, seed: 11 }).sample(3, 4);
    const b = new InverseBlockMasker({ gridTime: 64, gridFreq: 8, seed: 11 }).sample(3, 4);
    expect(Array.from(a.visible)).toEqual(Array.from(b.visible));
    const masker = new InverseBlockMasker({ gridTime: 64, gridFreq: 8, seed: 11 });
    masker.sample(1, 1);
    const state = JSON.parse(JSON.stringify(masker.getState()));
    const next = masker.sample(2, 2);
    const resumed = new InverseBlockMasker({ gridTime: 64, gridFreq: 8, seed: 0 });
    resumed.setState(state);
    expect(Array.from(resumed.sample(2, 2).visible)).toEqual(Array.from(next.visible));
  });

  it('clamps blocks at the borders of short grids', () => {
    // A 1 s clip: 6 x 8 grid, 48 tokens, 9 visible.
    const masker = new InverseBlockMasker({ gridTime: 6, gridFreq: 8, seed: 2 });
    expect(masker.visibleCount).toBe(9);
    const map = masker.sampleOne();
    expect(map.reduce((s, v) => s + v, 0)).toBe(9);
  });

  it('rejects impossible settings', () => {
    expect(() => new InverseBlockMasker({ gridTime: 64, gridFreq: 8, maskProb: 1 })).toThrow(/maskProb/);
    expect(() => new InverseBlockMasker({ gridTime: 1, gridFreq: 2, maskProb: 0.9 })).toThrow(
      /no visible token/,
    );
  });
});
