import { describe, expect, it } from 'vitest';
import { cosineLearningRate, dropPathRates, layerDecayScale } from '../src/schedules.js';

describe('cosine learning rate with linear warm-up (fairseq cosine)', () => {
  const pretraining = { peakLr: 5e-4, warmupSteps: 53_333, totalSteps: 400_000 };

  it('warms up linearly from 0 in the pre-training recipe', () => {
    expect(cosineLearningRate(0, pretraining)).toBe(0);
    expect(cosineLearningRate(10_000, pretraining)).toBeCloseTo((10_000 * 5e-4) / 53_333, 15);
    expect(cosineLearningRate(53_332, pretraining)).toBeCloseTo((53_332 * 5e-4) / 53_333, 15);
    expect(cosineLearningRate(53_333, pretraining)).toBe(5e-4);
  });

  it('follows min + (peak - min)(1 + cos(pi t / T)) / 2 down to the floor', () => {
    const config = { peakLr: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-5 };
    // t/T = 1/4: 1e-5 + 0.5 * 9.9e-4 * (1 + 0.70710678118654752)
    expect(cosineLearningRate(35, config)).toBeCloseTo(8.55017856687341e-4, 15);
    expect(cosineLearningRate(60, config)).toBeCloseTo((1e-3 + 1e-5) / 2, 15);
    // t/T = 3/4
    expect(cosineLearningRate(85, config)).toBeCloseTo(1.54982143312659e-4, 15);
    expect(cosineLearningRate(110, config)).toBe(1e-5);
    expect(cosineLearningRate(500, config)).toBe(1e-5);
  });

  it('starts the warm-up at min_lr as fairseq does unless told otherwise', () => {
    const finetuning = { peakLr: 5e-5, warmupSteps: 4000, totalSteps: 40_000, minLr: 1e-6 };
    expect(cosineLearningRate(0, finetuning)).toBe(1e-6);
    expect(cosineLearningRate(2000, finetuning)).toBeCloseTo(1e-6 + 0.5 * 4.9e-5, 15);
    expect(cosineLearningRate(0, { ...finetuning, warmupStartLr: 0 })).toBe(0);
    expect(cosineLearningRate(2000, { ...finetuning, warmupStartLr: 0 })).toBeCloseTo(2.5e-5, 15);
  });

  it('rejects impossible configurations', () => {
    expect(() => cosineLearningRate(0, { peakLr: 1, warmupSteps: 10, totalSteps: 10 })).toThrow(
      /warmupSteps < totalSteps/,
    );
    expect(() =>
      cosineLearningRate(0, { peakLr: 1e-6, warmupSteps: 0, totalSteps: 10, minLr: 1e-5 }),
    ).toThrow(/peakLr >= minLr/);
  });
});

describe('layer-wise learning-rate decay', () => {
  it('gives block i of L decay^(L - i) and 1 outside the blocks', () => {
    expect(layerDecayScale('blocks.10.attn.qkv.weight', 11)).toBeCloseTo(0.65, 15);
    expect(layerDecayScale('blocks.0.mlp.fc1.weight', 11)).toBeCloseTo(0.65 ** 11, 15);
    expect(layerDecayScale('model.blocks.5.norm1.bias', 11)).toBeCloseTo(0.65 ** 6, 15);
    expect(layerDecayScale('blocks.3.norm1.weight', 12, 0.75)).toBeCloseTo(0.75 ** 9, 15);
    for (const outside of [
      'head.weight',
      'fc_norm.bias',
      'model.modality_encoders.IMAGE.extra_tokens',
      'modality_encoders.IMAGE.conv_blocks.0.1.attn.weight',
      'modality_encoders.IMAGE.decoder.blocks.2.0.weight',
    ]) {
      expect(layerDecayScale(outside, 11)).toBe(1);
    }
    expect(() => layerDecayScale('blocks.11.attn.qkv.weight', 11)).toThrow(/block 11, but the model has 11/);
  });
});

describe('drop-path rates', () => {
  it('rise linearly from 0 to the maximum over the depth', () => {
    const rates = dropPathRates(11, 0.1);
    expect(rates).toHaveLength(11);
    expect(rates[0]).toBe(0);
    expect(rates[5]).toBeCloseTo(0.05, 15);
    expect(rates[10]).toBeCloseTo(0.1, 15);
    expect(dropPathRates(1, 0.1)).toEqual([0]);
    expect(dropPathRates(3, 0.1)).toEqual([0, 0.05, 0.1]);
  });
});
