import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { CnnDecoder } from '../src/blocks/decoder.js';
import { ClassificationHead, Linear } from '../src/blocks/head.js';
import { CatEncoder, EatEncoder } from '../src/models/encoder.js';
import { checkpointTensors, loadCheckpoint } from '../src/weights/mapping.js';
import { readSafetensors, type TensorMap, writeSafetensors } from '../src/weights/safetensors.js';
import { loadFixture, useTestBackend } from './helpers.js';

/** Hand-made safetensors bytes with one tensor of the given dtype and raw little-endian 16-bit words. */
function halfFile(dtype: string, words: number[]): Uint8Array {
  const header = JSON.stringify({ x: { dtype, shape: [words.length], data_offsets: [0, words.length * 2] } });
  const bytes = new Uint8Array(8 + header.length + words.length * 2);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(header.length), true);
  bytes.set(new TextEncoder().encode(header), 8);
  for (const [i, w] of words.entries()) view.setUint16(8 + header.length + i * 2, w, true);
  return bytes;
}

const smallCat = (seed: number) =>
  new CatEncoder({
    embedDim: 32,
    numHeads: 2,
    depth: 2,
    multiResolution: { channels: [8, 16], depths: [1, 1] },
    maxTimePatches: 8,
    seed,
  });

function built<T extends tfl.layers.Layer>(layer: T, shape: (number | null)[]): T {
  layer.apply(tfl.input({ batchShape: shape }));
  return layer;
}

describe('safetensors', () => {
  beforeAll(useTestBackend);

  it('round-trips F32 tensors and metadata-free headers aligned to 8 bytes', () => {
    const tensors: TensorMap = new Map([
      ['a.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-8, -0, 7]) }],
      ['b', { shape: [1], data: Float32Array.from([Math.PI]) }],
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect([...back.keys()]).toEqual(['a.weight', 'b']);
    expect(back.get('a.weight')).toEqual(tensors.get('a.weight'));
    expect(back.get('b')?.data[0]).toBe(Math.fround(Math.PI));
  });

  it('reads F16 (incl. subnormal and max) and BF16 as float32', () => {
    const f16 = readSafetensors(halfFile('F16', [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x3555])).get('x');
    expect(Array.from(f16?.data ?? [])).toEqual([1, -2, 0.5, 65504, 2 ** -24, Math.fround(0.333251953125)]);
    const bf16 = readSafetensors(halfFile('BF16', [0x3f80, 0xc020, 0x4049])).get('x');
    expect(Array.from(bf16?.data ?? [])).toEqual([1, -2.5, 3.140625]);
  });

  it('names the source and the problem in errors', () => {
    expect(() => readSafetensors(halfFile('I16', [1]), 'model.safetensors')).toThrow(
      /model\.safetensors: .*dtype I16/,
    );
    expect(() => readSafetensors(new Uint8Array(4), 'short.bin')).toThrow(/short\.bin: too short/);
    const truncated = halfFile('F16', [1, 2, 3]).subarray(0, 30);
    expect(() => readSafetensors(truncated, 't.safetensors')).toThrow(/t\.safetensors/);
  });
});

describe('reference checkpoint mapping', () => {
  beforeAll(useTestBackend);

  it('round-trips a pre-training checkpoint (student, _ema teacher, decoder, RR projector)', () => {
    const parts = () => ({
      encoder: smallCat(1),
      teacher: smallCat(2),
      decoder: built(new CnnDecoder({ numLayers: 2, seed: 3 }), [null, null, 32]),
      rrProjector: built(new Linear({ units: 16, seed: 4 }), [null, 32]),
    });
    const source = parts();
    const tensors = readSafetensors(writeSafetensors(checkpointTensors(source, 'pretraining')));
    // 74-key multi-resolution block scaled down: 2 PE + 2 CBlocks(14) + 2 outputs + PE2 + Linear.
    const studentKeys = [...tensors.keys()].filter(
      (k) => !k.startsWith('_ema.') && !k.includes('decoder') && !k.startsWith('clap'),
    );
    expect(studentKeys).toContain('modality_encoders.IMAGE.conv_blocks.1.0.mlp.fc2.weight');
    expect(studentKeys).toContain('modality_encoders.IMAGE.fixed_positional_encoder.positions');
    expect(tensors.get('modality_encoders.IMAGE.conv_blocks.0.0.attn.weight')?.shape).toEqual([8, 1, 5, 5]);
    expect(tensors.get('modality_encoders.IMAGE.stage_output_decode.0.weight')?.shape).toEqual([32, 8, 4, 4]);
    expect(tensors.get('modality_encoders.IMAGE.decoder.blocks.1.0.weight')?.shape).toEqual([32, 2, 3, 3]);
    expect(tensors.get('_ema.blocks.1.attn.qkv.weight')?.shape).toEqual([96, 32]);
    expect(tensors.get('modality_encoders.IMAGE.extra_tokens')?.shape).toEqual([1, 1, 32]);
    expect(tensors.get('modality_encoders.IMAGE.fixed_positional_encoder.positions')?.shape).toEqual([
      1, 64, 32,
    ]);

    const target = parts();
    expect(loadCheckpoint(target, tensors)).toBe('pretraining');
    const x = tf.randomNormal([1, 32, 128], 0, 1, 'float32', 5);
    for (const key of ['encoder', 'teacher'] as const) {
      const a = source[key].encode(x);
      const b = target[key].encode(x);
      expect(Array.from(b.tokens.dataSync())).toEqual(Array.from(a.tokens.dataSync()));
    }
    const tokens = tf.randomNormal([1, 16, 32], 0, 1, 'float32', 6);
    expect(Array.from((target.decoder.apply(tokens) as tf.Tensor).dataSync())).toEqual(
      Array.from((source.decoder.apply(tokens) as tf.Tensor).dataSync()),
    );
    // The student alone can be read from a full pre-training checkpoint.
    expect(() => loadCheckpoint({ encoder: smallCat(7) }, tensors)).not.toThrow();
  });

  it('round-trips a fine-tuned checkpoint (model. prefix, fc_norm, head) of an EAT encoder', () => {
    const make = (seed: number) => ({
      encoder: new EatEncoder({ embedDim: 32, numHeads: 2, depth: 1, maxTimePatches: 4, seed }),
      head: built(new ClassificationHead({ numClasses: 5, seed: seed + 1 }), [null, 32]),
    });
    const source = make(1);
    const tensors = checkpointTensors(source, 'finetuned');
    expect(tensors.has('model.modality_encoders.IMAGE.local_encoder.proj.weight')).toBe(true);
    expect(tensors.get('head.weight')?.shape).toEqual([5, 32]);
    const target = make(10);
    expect(loadCheckpoint(target, tensors)).toBe('finetuned');
    const x = tf.randomNormal([2, 16, 128], 0, 1, 'float32', 5);
    const logits = (parts: typeof source) =>
      (parts.head.apply(parts.encoder.encode(x).cls) as tf.Tensor).dataSync();
    expect(Array.from(logits(target))).toEqual(Array.from(logits(source)));
  });

  it('reports missing, mis-shaped and unknown tensors in one error', () => {
    const tensors = loadFixture('eat-small.safetensors');
    tensors.delete('blocks.1.norm2.bias');
    tensors.set('blocks.0.mlp.fc1.weight', { shape: [64, 32], data: new Float32Array(64 * 32) });
    tensors.set('blocks.7.attn.qkv.weight', { shape: [1], data: new Float32Array(1) });
    const encoder = new EatEncoder({ embedDim: 32, numHeads: 2, depth: 2, maxTimePatches: 16 });
    expect(() => loadCheckpoint({ encoder }, tensors, 'eat-small.safetensors')).toThrow(
      /eat-small\.safetensors does not fit the model: missing \(1\): blocks\.1\.norm2\.bias \[32\] \| wrong shape \(1\): blocks\.0\.mlp\.fc1\.weight: expected \[128, 32\], got \[64, 32\] \| unknown \(1\): blocks\.7\.attn\.qkv\.weight/,
    );
    const cat = smallCat(1);
    expect(() => loadCheckpoint({ encoder: cat }, loadFixture('eat-small.safetensors'))).toThrow(
      /missing \(\d+\).*unknown/,
    );
  });
});
