import { describe, expect, it } from 'vitest';
import {
  decoderFlops,
  encoderFlops,
  finetuningStepFlops,
  pretrainingStepFlops,
} from '../src/models/flops.js';
import { modelPreset } from '../src/models/presets.js';

describe('analytic FLOP counts', () => {
  it('counts an EAT encoder by hand', () => {
    // 32 frames x 128 bins, 16x16 patches: 2 x 8 = 16 tokens (+ CLS), D = 32, one block, MLP 128.
    const patch = 16 * 256 * 32; // one 256-value patch -> 32 channels, per token
    const block = 17 * (4 * 32 * 32 + 2 * 32 * 128) + 2 * 17 * 17 * 32;
    const config = { embedDim: 32, numHeads: 2, depth: 1, multiResolution: null };
    expect(encoderFlops(config, 2, 32)).toBe(2 * 2 * (patch + block));
    // The student's path: 3 visible tokens (+ CLS) through the block, the patch embedding on all 16.
    expect(encoderFlops(config, 1, 32, 3)).toBe(2 * (patch + 4 * (4 * 32 * 32 + 2 * 32 * 128) + 2 * 16 * 32));
  });

  it('counts the CAT multi-resolution block by hand', () => {
    // 16 frames: stage cells 4x32, 2x16, 1x8; widths 1 -> 4 -> 8 -> D = 16; one CBlock per stage, MLP 4x, 5x5.
    const stage0 = 128 * 16 * 4 + 128 * (2 * 16 + 25 * 4 + 2 * 4 * 16) + 8 * 16 * 4 * 16;
    const stage1 = 32 * 4 * 4 * 8 + 32 * (2 * 64 + 25 * 8 + 2 * 8 * 32) + 8 * 4 * 8 * 16;
    const stage2 = 8 * 4 * 8 * 16 + 8 * 16 * 16;
    const config = {
      embedDim: 16,
      numHeads: 1,
      depth: 0,
      multiResolution: { resolutions: [4, 8, 16], channels: [4, 8], depths: [1, 1] },
    };
    expect(encoderFlops(config, 1, 16)).toBe(2 * (stage0 + stage1 + stage2));
  });

  it('composes a pre-training step from teacher, student and decoder', () => {
    const preset = modelPreset('cat-tiny');
    const step = pretrainingStepFlops('cat-tiny', 8, 128);
    // 64 tokens per clip, 12 visible (floor(64 · 0.2)), 32 views.
    expect(step.teacher).toBe(encoderFlops(preset.encoder, 8, 128));
    expect(step.student).toBe(encoderFlops(preset.encoder, 32, 128, 12));
    expect(step.decoder).toBe(decoderFlops(192, preset.decoder, 32, 64));
    expect(step.decoder).toBe(2 * 32 * 64 * (6 * 12 * 192 * 9 + 192 * 192));
    expect(step.total).toBe(step.teacher + 3 * (step.student + step.decoder));
    expect(finetuningStepFlops('cat-tiny', 8, 128, 10)).toBe(3 * (step.teacher + 2 * 8 * 192 * 10));
  });
});
