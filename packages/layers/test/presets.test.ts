import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassificationHead, Linear } from '../src/blocks/head.js';
import {
  countDecoderParams,
  countEncoderParams,
  createDecoder,
  createEncoder,
  type ModelName,
  modelPreset,
} from '../src/models/presets.js';
import { useTestBackend } from './helpers.js';

const millions = (n: number) => Math.round(n / 100) / 1e4;

// cat-weights.md §6 (millions, 4 decimals): multi-res/patch, CLS+LN, blocks, encoder, decoder, RR, teacher incl. pos, pos.
const TABLE: Partial<Record<ModelName, number[]>> = {
  'cat-tiny': [0.6862, 0.0006, 4.8935, 5.5803, 0.1626, 0.0988, 6.76, 1.1796],
  'cat-small': [2.716, 0.0012, 19.5191, 22.2362, 0.6478, 0.1971, 24.5955, 2.3593],
  'cat-base': [10.8059, 0.0023, 77.9666, 88.7748, 2.5859, 0.3937, 93.4934, 4.7186],
  'eat-base': [0.1974, 0.0023, 85.0545, 85.2541, 2.5859, 0, 89.9727, 4.7186],
};
const HEAD_527: Partial<Record<ModelName, number>> = {
  'cat-tiny': 0.1021,
  'cat-small': 0.2037,
  'cat-base': 0.4068,
};

describe('presets and parameter counts (cat-weights.md §6)', () => {
  beforeAll(useTestBackend);

  for (const [name, row] of Object.entries(TABLE) as [ModelName, number[]][]) {
    it(`${name} matches the table`, () => {
      const preset = modelPreset(name);
      const counts = countEncoderParams(preset.encoder);
      const d = preset.encoder.embedDim;
      const rr = preset.rrDim ? d * preset.rrDim + preset.rrDim : 0;
      expect(
        [
          counts.localEncoder,
          counts.classTokenAndNorm,
          counts.blocks,
          counts.encoder,
          countDecoderParams(d, preset.decoder),
          rr,
          counts.encoder + counts.positionTable,
          counts.positionTable,
        ].map(millions),
      ).toEqual(row);
      const head = HEAD_527[name];
      if (head) expect(millions(2 * d + d * 527 + 527)).toBe(head);
    });
  }

  it('eat-tiny and eat-small encoders match the table', () => {
    expect(millions(countEncoderParams(modelPreset('eat-tiny').encoder).encoder)).toBe(5.3883);
    expect(millions(countEncoderParams(modelPreset('eat-small').encoder).encoder)).toBe(21.3934);
  });

  it('cat-tiny built for real has the counted parameters and the reference key set', () => {
    const encoder = createEncoder('cat-tiny', 1);
    expect(encoder.countParams()).toBe(countEncoderParams(modelPreset('cat-tiny').encoder).encoder);
    expect(encoder.countParams()).toBe(5_580_320); // the PyTorch rendering's count
    const names = encoder.namedWeights().map((w) => w.name);
    // cat-weights.md §2: 212 keys for CAT-base incl. the 2 clap_proj keys; same structure for tiny.
    expect(names).toHaveLength(210);
    expect(
      names.filter(
        (n) =>
          n.startsWith('modality_encoders.IMAGE.') &&
          !n.includes('context_encoder') &&
          !n.includes('extra_tokens') &&
          !n.includes('fixed_positional'),
      ),
    ).toHaveLength(74);
    expect(new Set(names).size).toBe(names.length);
    const decoder = createDecoder('cat-tiny', 2);
    decoder.apply(tfl.input({ batchShape: [null, null, 192] }));
    expect(decoder.countParams()).toBe(162_624);
    expect(decoder.namedWeights()).toHaveLength(14);
    const rr = new Linear({ units: 512 });
    rr.apply(tfl.input({ batchShape: [null, 192] }));
    expect(rr.countParams()).toBe(98_816);
    const head = new ClassificationHead({ numClasses: 527 });
    head.apply(tfl.input({ batchShape: [null, 192] }));
    expect(millions(head.countParams())).toBe(0.1021);
    encoder.dispose();
  });

  it('initialises like the reference (§4)', () => {
    const encoder = createEncoder('cat-tiny', 3);
    const stats = new Map(
      encoder.namedWeights().map((w) => {
        const v = w.variable.read().dataSync() as Float32Array;
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
        const max = v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
        return [w.name.replace('modality_encoders.IMAGE.', ''), { std, max }];
      }),
    );
    const get = (name: string) => stats.get(name) ?? { std: Number.NaN, max: Number.NaN };
    // Linear layers N(0, 0.02), bias 0.
    expect(get('blocks.3.attn.qkv.weight').std).toBeCloseTo(0.02, 3);
    expect(get('patch_embed.3.weight').std).toBeCloseTo(0.02, 2);
    expect(get('blocks.3.mlp.fc1.bias').max).toBe(0);
    // Patch-embedding convs: xavier-uniform on the flattened kernel, bound √(6 / (fanIn + out)).
    const xavier = Math.sqrt(6 / (64 * 2 * 2 + 96));
    expect(get('patch_embed.1.proj.weight').max).toBeLessThanOrEqual(xavier);
    expect(get('patch_embed.1.proj.weight').std).toBeCloseTo(xavier / Math.sqrt(3), 2);
    // Other convs: PyTorch default, uniform ±1/√fanIn (depthwise fanIn = 25).
    expect(get('conv_blocks.0.1.attn.weight').max).toBeLessThanOrEqual(0.2);
    expect(get('conv_blocks.0.1.attn.weight').std).toBeCloseTo(0.2 / Math.sqrt(3), 2);
    expect(get('stage_output_decode.0.weight').std).toBeCloseTo(1 / Math.sqrt(64 * 16) / Math.sqrt(3), 3);
    // CLS N(0, 1); LayerNorms 1 / 0.
    expect(get('extra_tokens').std).toBeGreaterThan(0.8);
    expect(get('blocks.0.norm2.weight')).toEqual({ std: 0, max: 1 });
    encoder.dispose();
  });

  it('eat-tiny built for real has 150 reference keys', () => {
    const encoder = createEncoder('eat-tiny', 1);
    expect(encoder.countParams()).toBe(5_388_288);
    expect(encoder.namedWeights()).toHaveLength(150);
    encoder.dispose();
  });

  it('rejects unknown model names', () => {
    expect(() => modelPreset('cat-huge' as ModelName)).toThrow(/unknown model "cat-huge"/);
  });
});
