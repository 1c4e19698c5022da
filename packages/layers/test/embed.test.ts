import { beforeAll, describe, expect, it } from 'vitest';
import { embed, FeatureExtractor } from '../src/models/embed.js';
import { checkpointTensors } from '../src/weights/mapping.js';
import { useTestBackend } from './helpers.js';

describe('embed (feature extraction)', () => {
  beforeAll(useTestBackend);

  // A deterministic stand-in for a normalised fbank [32, 128].
  const fbank = Float32Array.from(
    { length: 32 * 128 },
    (_, i) => 0.5 * Math.sin(i * 0.37) * Math.cos(i * 0.011),
  );

  it('returns CLS + patch tokens for `all`, and their parts for `utterance` and `frame`', () => {
    const extractor = new FeatureExtractor({ model: 'eat-tiny', seed: 5 });
    const all = extractor.embed(fbank, 'all');
    expect(all.shape).toEqual([1 + 2 * 8, 192]);
    const utterance = extractor.embed(fbank, 'utterance');
    const frame = extractor.embed(fbank, 'frame');
    expect(utterance.shape).toEqual([1, 192]);
    expect(frame.shape).toEqual([16, 192]);
    expect(Array.from(all.data.subarray(0, 192))).toEqual(Array.from(utterance.data));
    expect(Array.from(all.data.subarray(192))).toEqual(Array.from(frame.data));
    // Post-LN outputs: every token row is normalised (mean 0, variance 1 before the affine of LN2 = identity at init).
    const row = all.data.subarray(192 * 5, 192 * 6);
    const mean = row.reduce((a, b) => a + b, 0) / 192;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(() => extractor.embed(fbank.subarray(0, 24 * 128))).toThrow(/multiple of 16/);
    // The same weights exported as a fine-tuned checkpoint give the same features (they override the seed).
    const weights = checkpointTensors({ encoder: extractor.encoder }, 'finetuned');
    const again = embed(fbank, { model: 'eat-tiny', weights, seed: 6, granularity: 'all' });
    expect(Array.from(again.data)).toEqual(Array.from(all.data));
    extractor.dispose();
  });

  it('is reproducible from a seed and differs between seeds', () => {
    const clip = fbank.subarray(0, 16 * 128);
    const a = embed(clip, { model: 'cat-tiny', seed: 1, granularity: 'utterance' });
    const b = embed(clip, { model: 'cat-tiny', seed: 1, granularity: 'utterance' });
    const c = embed(clip, { model: 'cat-tiny', seed: 2, granularity: 'utterance' });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(Array.from(c.data)).not.toEqual(Array.from(a.data));
  });
});
