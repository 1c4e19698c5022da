import { NORMALIZATION_PRESETS } from '@cat/frontend';
import { describe, expect, it } from 'vitest';
import { cosine, modelWindow, topK, windowStarts } from '../src/analysis.js';

describe('windows', () => {
  it('steps by the hop while a window still brings new frames, padding the last', () => {
    expect(windowStarts(351, 256, 128)).toEqual([0, 128]);
    expect(windowStarts(512, 256, 128)).toEqual([0, 128, 256]);
    expect(windowStarts(513, 256, 128)).toEqual([0, 128, 256, 384]);
    // A clip shorter than a window: the one padded window, as the reference's target_length.
    expect(windowStarts(998, 1024, 512)).toEqual([0]);
    expect(windowStarts(100, 128, 128)).toEqual([0]);
    expect(windowStarts(300, 128, 128)).toEqual([0, 128, 256]);
  });

  it('rejects windows the encoder cannot take', () => {
    expect(() => windowStarts(100, 100, 50)).toThrow(/multiple of 16/);
    expect(() => windowStarts(100, 128, 0)).toThrow(/hop/);
    expect(() => windowStarts(100, 128, 256)).toThrow(/hop/);
  });

  it('cuts, zero-pads in the log-mel domain, then normalises', () => {
    const bins = 2;
    const fbank = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), frames: 3, bins };
    const stats = { mean: 1, std: 0.5 };
    // Frames 2.. of 3, padded to 16: (x - 1) / (2 * 0.5), zeros become -1.
    const window = modelWindow(fbank, 2, 16, stats);
    expect(window.frames).toBe(16);
    expect(Array.from(window.data.subarray(0, 6))).toEqual([4, 5, -1, -1, -1, -1]);
    expect(window.data.length).toBe(32);
    const audioset = modelWindow(fbank, 0, 16, NORMALIZATION_PRESETS.audioset);
    expect(audioset.data[0]).toBeCloseTo((1 + 4.268) / (2 * 4.569), 6);
  });
});

describe('scores', () => {
  it('cosine and top-k', () => {
    expect(cosine(Float32Array.from([1, 0]), Float32Array.from([0, 2]))).toBe(0);
    expect(cosine(Float32Array.from([1, 2]), Float32Array.from([2, 4]))).toBeCloseTo(1, 12);
    expect(cosine(Float32Array.from([0, 0]), Float32Array.from([1, 1]))).toBe(0);
    expect(topK(Float32Array.from([0.1, 0.9, 0.5, 0.7]), 3)).toEqual([1, 3, 2]);
  });
});
