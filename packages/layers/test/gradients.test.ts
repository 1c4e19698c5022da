import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { CnnDecoder } from '../src/blocks/decoder.js';
import { ClassificationHead } from '../src/blocks/head.js';
import { scatterTokens } from '../src/blocks/tokens.js';
import { CatEncoder, EatEncoder, type SpectrogramEncoder } from '../src/models/encoder.js';
import { useTestBackend } from './helpers.js';

function gradientNorms(encoder: SpectrogramEncoder, visibility?: tf.Tensor): Map<string, number> {
  const decoder = new CnnDecoder({ numLayers: 1, groups: 4, seed: 3 });
  decoder.apply(tfl.input({ batchShape: [null, null, 16] }));
  const head = new ClassificationHead({ numClasses: 3, seed: 4 });
  head.apply(tfl.input({ batchShape: [null, 16] }));
  const x = tf.randomNormal([2, 32, 128], 0, 1, 'float32', 1);
  const variables = [...encoder.trainableWeights, ...decoder.trainableWeights, ...head.trainableWeights];
  const { value, grads } = tf.variableGrads(
    () => {
      const out = encoder.encode(x, { visibility, training: true });
      const grid = out.visibleIndices
        ? scatterTokens(out.tokens, out.visibleIndices, tf.zeros([2, 16, 16]))
        : out.tokens;
      const predictions = decoder.apply(grid) as tf.Tensor;
      const logits = head.apply(out.cls) as tf.Tensor;
      const ffn = tf.addN(out.layerOutputs.map((t) => tf.mean(tf.square(t))));
      return tf.add(
        tf.add(tf.mean(tf.square(tf.sub(predictions, 1))), tf.mean(tf.square(logits))),
        ffn,
      ) as tf.Scalar;
    },
    variables.map((v) => v.read() as tf.Variable),
  );
  expect(Number.isFinite(value.dataSync()[0])).toBe(true);
  const norms = new Map<string, number>();
  for (const [name, g] of Object.entries(grads)) norms.set(name, tf.max(tf.abs(g)).dataSync()[0]);
  expect(norms.size).toBe(variables.length);
  return norms;
}

describe('gradients', () => {
  beforeAll(useTestBackend);

  it('reach every trainable weight of a CAT encoder on the masked student path (+ decoder, head)', () => {
    const encoder = new CatEncoder({
      embedDim: 16,
      numHeads: 2,
      depth: 2,
      multiResolution: { channels: [4, 8], depths: [1, 1] },
      maxTimePatches: 2,
      dropPathRate: 0.1,
      seed: 1,
    });
    const visibility = tf.tensor3d([
      [
        [1, 0, 0, 1, 0, 0, 0, 0],
        [0, 0, 1, 0, 0, 0, 0, 1],
      ],
      [
        [0, 0, 0, 0, 1, 1, 0, 0],
        [1, 0, 0, 0, 0, 0, 1, 0],
      ],
    ]);
    const norms = gradientNorms(encoder, visibility);
    const zero = [...norms].filter(([, n]) => !(n > 0)).map(([name]) => name);
    expect(zero).toEqual([]);
    // The position table is fixed.
    expect(encoder.positions.trainableWeights).toHaveLength(0);
  });

  it('reach every trainable weight of an EAT encoder on the full grid', () => {
    const encoder = new EatEncoder({ embedDim: 16, numHeads: 2, depth: 2, maxTimePatches: 2, seed: 2 });
    const zero = [...gradientNorms(encoder)].filter(([, n]) => !(n > 0)).map(([name]) => name);
    expect(zero).toEqual([]);
  });
});
