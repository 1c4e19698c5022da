import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CnnDecoder } from '../src/blocks/decoder.js';
import { Linear } from '../src/blocks/head.js';
import { sinCosPositionTable } from '../src/blocks/position.js';
import { CatEncoder, EatEncoder, type SpectrogramEncoder } from '../src/models/encoder.js';
import { createEncoder } from '../src/models/presets.js';
import { loadCheckpoint, referenceTensors } from '../src/weights/mapping.js';
import type { TensorMap } from '../src/weights/safetensors.js';
import { expectClose, fixtureTensor, loadFixture, useTestBackend } from './helpers.js';

// Fixtures from scripts/reference/make_fixtures.py (a PyTorch rendering of the spec).
const io = loadFixture('parity-io.safetensors');
const diffs: Record<string, number> = {};

function checkEncoder(tag: string, encoder: SpectrogramEncoder, depth: number): void {
  const input = fixtureTensor(io, 'input');
  const visibility = fixtureTensor(io, 'visibility');
  for (const [path, options] of [
    ['full', {}],
    ['student', { visibility }],
  ] as const) {
    const out = encoder.encode(input, options);
    diffs[`${tag}.${path}.cls`] = expectClose(out.cls, io, `${tag}.${path}.cls`);
    diffs[`${tag}.${path}.tokens`] = expectClose(out.tokens, io, `${tag}.${path}.tokens`);
    expect(out.layerOutputs).toHaveLength(depth);
    out.layerOutputs.forEach((t, i) => {
      diffs[`${tag}.${path}.ffn.${i}`] = expectClose(t, io, `${tag}.${path}.ffn.${i}`);
    });
    tf.dispose(out as unknown as tf.TensorContainer);
  }
}

/** The deterministic weights of make_fixtures.py's `formula_tensor`, by reference name and shape. */
function formulaTensor(name: string, shape: number[]): Float32Array {
  let seed = 0;
  for (let j = 0; j < name.length; j++) seed += (j + 1) * name.charCodeAt(j);
  seed %= 997;
  const n = shape.reduce((a, b) => a * b, 1);
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.sin(0.7 * i + seed);
    if (name.endsWith('extra_tokens')) values[i] = v;
    else if (shape.length >= 2) values[i] = v / Math.sqrt(fanIn);
    else if (name.endsWith('.bias')) values[i] = 0.1 * v;
    else values[i] = 1 + 0.1 * v;
  }
  return values;
}

describe('parity with the PyTorch reference rendering', () => {
  beforeAll(useTestBackend);
  afterAll(() => console.log('max abs differences', diffs));

  it('computes the float32 sin-cos position table of the reference', () => {
    const small = sinCosPositionTable(64, 16, 8);
    expectClose(tf.tensor2d(small, [128, 64]), io, 'positions.small', 1e-6);
    const full = sinCosPositionTable(768, 768, 8);
    const rows = Array.from(io.get('positions.768.rows')?.data ?? []);
    const picked = rows.flatMap((r) => Array.from(full.subarray(r * 768, (r + 1) * 768)));
    diffs.positions768 = expectClose(tf.tensor2d(picked, [rows.length, 768]), io, 'positions.768', 1e-6);
  });

  it('CAT encoder (multi-resolution 16/32, dim 64, depth 2): full grid and masked student path', () => {
    const encoder = new CatEncoder({
      embedDim: 64,
      numHeads: 2,
      depth: 2,
      multiResolution: { channels: [16, 32], depths: [2, 2] },
      maxTimePatches: 16,
    });
    const decoder = new CnnDecoder({ numLayers: 2 });
    decoder.apply(tfl.input({ batchShape: [null, null, 64] }));
    const rrProjector = new Linear({ units: 32 });
    rrProjector.apply(tfl.input({ batchShape: [null, 64] }));
    const layout = loadCheckpoint(
      { encoder, decoder, rrProjector },
      loadFixture('cat-small.safetensors'),
      'cat-small',
    );
    expect(layout).toBe('pretraining');
    checkEncoder('cat', encoder, 2);
    const out = decoder.apply(fixtureTensor(io, 'decoder.input')) as tf.Tensor;
    diffs.decoder = expectClose(out, io, 'decoder.output');
  });

  it('the cat-tiny preset (formula weights, computed position table): full grid and student path', () => {
    const encoder = createEncoder('cat-tiny');
    const tensors: TensorMap = new Map();
    for (const [name, { shape }] of referenceTensors([{ weights: encoder.namedWeights(), prefix: '' }])) {
      if (!name.endsWith('positions')) tensors.set(name, { shape, data: formulaTensor(name, shape) });
    }
    loadCheckpoint({ encoder }, tensors, 'cat-tiny formula weights');
    const input = tf.slice(fixtureTensor(io, 'input'), [0, 0, 0], [1, -1, -1]);
    const visibility = tf.slice(fixtureTensor(io, 'visibility'), [0, 0, 0], [1, -1, -1]);
    for (const [path, options] of [
      ['full', {}],
      ['student', { visibility }],
    ] as const) {
      const out = encoder.encode(input, options);
      diffs[`tiny.${path}.cls`] = expectClose(out.cls, io, `tiny.${path}.cls`);
      diffs[`tiny.${path}.tokens`] = expectClose(out.tokens, io, `tiny.${path}.tokens`);
      for (const i of [0, 10])
        diffs[`tiny.${path}.ffn.${i}`] = expectClose(out.layerOutputs[i], io, `tiny.${path}.ffn.${i}`);
    }
    encoder.dispose();
  });

  it('EAT encoder (16×16 patches, dim 32, depth 2): full grid and student path', () => {
    const encoder = new EatEncoder({ embedDim: 32, numHeads: 2, depth: 2, maxTimePatches: 16 });
    loadCheckpoint({ encoder }, loadFixture('eat-small.safetensors'), 'eat-small');
    checkEncoder('eat', encoder, 2);
  });
});
