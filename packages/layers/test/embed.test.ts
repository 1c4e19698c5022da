import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FeatureExtractor, embed } from '../src/models/embed.js';
import { checkpointTensors } from '../src/weights/mapping.js';
import { useTestBackend } from './helpers.js';

describe('embed (feature extraction)', () => {
  beforeAll(useTestBackend);

  const fbank = tf.randomNormal([48, 128], 0, 0.5, 'float32', 3).dataSync() as Float32Array;

  it('returns CLS + patch tokens for `all`, and their parts for `utterance` and `frame`', () => {
    const extractor = new FeatureExtractor({ model: 'eat-tiny', seed: 5 });
    const all = extractor.embed(fbank, 'all');
    expect(all.shape).toEqual([1 + 3 * 8, 192]);
    const utterance = extractor.embed(fbank, 'utterance');
    const frame = extractor.embed(fbank, 'frame');
    expect(utterance.shape).toEqual([1, 192]);
    expect(frame.shape).toEqual([24, 192]);
    expect(Array.from(all.data.subarray(0, 192))).toEqual(Array.from(utterance.data));
    expect(Array.from(all.data.subarray(192))).toEqual(Array.from(frame.data));
    // Post-LN outputs: every token row is normalised (mean 0, variance 1 before the affine of LN2 = identity at init).
    const row = all.data.subarray(192 * 5, 192 * 6);
    const mean = row.reduce((a, b) => a + b, 0) / 192;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(() => extractor.embed(fbank.subarray(0, 40 * 128))).toThrow(/multiple of 16/);
    // The same weights exported as a fine-tuned checkpoint give the same features.
    const weights = checkpointTensors({ encoder: extractor.encoder }, 'finetuned');
    const again = embed(fbank, { model: 'eat-tiny', weights, granularity: 'all' });
    expect(Array.from(again.data)).toEqual(Array.from(all.data));
    extractor.dispose();
  });

  it('is reproducible from a seed and differs between seeds', () => {
    const a = embed(fbank, { model: 'cat-tiny', seed: 1, granularity: 'utterance' });
    const b = embed(fbank, { model: 'cat-tiny', seed: 1, granularity: 'utterance' });
    const c = embed(fbank, { model: 'cat-tiny', seed: 2, granularity: 'utterance' });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(Array.from(c.data)).not.toEqual(Array.from(a.data));
  });
});
