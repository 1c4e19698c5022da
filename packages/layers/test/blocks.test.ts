import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReferenceLayer } from '../src/blocks/base.js';
import { CBlock } from '../src/blocks/conv-block.js';
import { CnnDecoder } from '../src/blocks/decoder.js';
import { ClassificationHead, Linear } from '../src/blocks/head.js';
import { LayerNorm } from '../src/blocks/layer-norm.js';
import { MultiResolutionBlock } from '../src/blocks/multi-resolution.js';
import { PatchEmbed } from '../src/blocks/patch-embed.js';
import { SinCosPositionEmbedding } from '../src/blocks/position.js';
import { ClassToken } from '../src/blocks/tokens.js';
import { TransformerBlock } from '../src/blocks/transformer.js';
import { useTestBackend } from './helpers.js';

type Case = {
  make: () => ReferenceLayer;
  inputShape: number[];
  /** Expected output shapes (one per output) for a batch of 2. */
  outputs: number[][];
};

const cases: Record<string, Case> = {
  PatchEmbed: {
    make: () => new PatchEmbed({ filters: 8, patchSize: [4, 2], norm: true, seed: 1 }),
    inputShape: [8, 8, 3],
    outputs: [[2, 2, 4, 8]],
  },
  'PatchEmbed (tokens)': {
    make: () => new PatchEmbed({ filters: 8, patchSize: 4, flatten: true, seed: 1 }),
    inputShape: [8, 8, 1],
    outputs: [[2, 4, 8]],
  },
  CBlock: {
    make: () => new CBlock({ mlpRatio: 2, seed: 2 }),
    inputShape: [6, 4, 8],
    outputs: [[2, 6, 4, 8]],
  },
  MultiResolutionBlock: {
    make: () =>
      new MultiResolutionBlock({
        embedDim: 16,
        resolutions: [2, 4, 8],
        channels: [4, 8],
        depths: [1, 1],
        seed: 3,
      }),
    inputShape: [16, 16, 1],
    outputs: [[2, 4, 16]],
  },
  SinCosPositionEmbedding: {
    make: () => new SinCosPositionEmbedding({ maxTimePatches: 4, freqPatches: 2 }),
    inputShape: [6, 8],
    outputs: [[2, 6, 8]],
  },
  ClassToken: { make: () => new ClassToken({ seed: 4 }), inputShape: [5, 8], outputs: [[2, 6, 8]] },
  LayerNorm: { make: () => new LayerNorm({ epsilon: 1e-5 }), inputShape: [5, 8], outputs: [[2, 5, 8]] },
  TransformerBlock: {
    make: () => new TransformerBlock({ numHeads: 2, seed: 5 }),
    inputShape: [5, 8],
    outputs: [
      [2, 5, 8],
      [2, 5, 8],
    ],
  },
  'TransformerBlock (pre-LN, one output)': {
    make: () => new TransformerBlock({ numHeads: 2, normPlacement: 'pre', returnFfnOutput: false, seed: 5 }),
    inputShape: [5, 8],
    outputs: [[2, 5, 8]],
  },
  CnnDecoder: {
    make: () => new CnnDecoder({ numLayers: 2, groups: 4, gridWidth: 2, seed: 6 }),
    inputShape: [6, 8],
    outputs: [[2, 6, 8]],
  },
  ClassificationHead: {
    make: () => new ClassificationHead({ numClasses: 3, seed: 7 }),
    inputShape: [8],
    outputs: [[2, 3]],
  },
  Linear: { make: () => new Linear({ units: 5, seed: 8 }), inputShape: [4, 8], outputs: [[2, 4, 5]] },
};

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}

describe('blocks as tfjs layers', () => {
  beforeAll(useTestBackend);

  for (const [name, c] of Object.entries(cases)) {
    describe(name, () => {
      it('getConfig round-trips through fromConfig', () => {
        const layer = c.make();
        const config = layer.getConfig();
        const cls = layer.constructor as unknown as tf.serialization.SerializableConstructor<ReferenceLayer>;
        const copy = cls.fromConfig(cls, config);
        expect(tf.serialization.SerializationMap.getMap().classNameMap[cls.className]?.[0]).toBe(cls);
        expect(copy).toBeInstanceOf(layer.constructor);
        expect(copy.getConfig()).toEqual(config);
      });

      it('has an honest computeOutputShape and works in tf.model, saved and reloaded', async () => {
        const input = tfl.input({ shape: c.inputShape });
        const layer = c.make();
        const symbolic = layer.apply(input) as tfl.SymbolicTensor | tfl.SymbolicTensor[];
        const outputs = Array.isArray(symbolic) ? symbolic : [symbolic];
        const model = tfl.model({ inputs: input, outputs });
        const x = tf.randomNormal([2, ...c.inputShape], 0, 1, 'float32', 9);
        const y = model.predict(x) as tf.Tensor | tf.Tensor[];
        const ys = Array.isArray(y) ? y : [y];
        expect(ys.map((t) => t.shape)).toEqual(c.outputs);
        const declared = layer.computeOutputShape([2, ...c.inputShape]);
        expect(Array.isArray(declared[0]) ? declared : [declared]).toEqual(c.outputs);
        expect(outputs.map((o) => o.shape)).toEqual(c.outputs.map((s) => [null, ...s.slice(1)]));

        const loaded = await roundTrip(model);
        const again = loaded.predict(x) as tf.Tensor | tf.Tensor[];
        const agains = Array.isArray(again) ? again : [again];
        for (const [i, t] of ys.entries())
          expect(Array.from(agains[i].dataSync())).toEqual(Array.from(t.dataSync()));
        expect(loaded.getWeights().length).toBe(model.getWeights().length);
      });
    });
  }

  it('a masked CBlock ignores masked positions: visible outputs do not depend on masked inputs', () => {
    const block = new CBlock({ seed: 3 });
    const x = tf.randomNormal([1, 6, 6, 4], 0, 1, 'float32', 1);
    const visibility = tf.tensor3d([[[1, 1, 1, 0, 0, 0], ...Array(5).fill([1, 1, 1, 0, 0, 0])]]);
    const noise = tf.mul(
      tf.randomNormal([1, 6, 6, 4], 0, 1, 'float32', 2),
      tf.expandDims(tf.sub(1, visibility), 3),
    );
    const a = block.apply([x, visibility]) as tf.Tensor;
    const b = block.apply([tf.add(x, noise), visibility]) as tf.Tensor;
    const visible = tf.expandDims(visibility, 3);
    const diff = tf.max(tf.abs(tf.mul(tf.sub(a, b), visible))).dataSync()[0];
    expect(diff).toBeLessThan(1e-5);
    // Without the map, the noise leaks into visible positions.
    const c = block.apply(x) as tf.Tensor;
    const d = block.apply(tf.add(x, noise)) as tf.Tensor;
    expect(tf.max(tf.abs(tf.mul(tf.sub(c, d), visible))).dataSync()[0]).toBeGreaterThan(1e-3);
  });

  it('the other blocks compose in tf.sequential too', () => {
    const model = tfl.sequential({
      layers: [
        new MultiResolutionBlock({
          inputShape: [16, 16, 1],
          embedDim: 16,
          resolutions: [2, 4, 8],
          channels: [4, 8],
          depths: [1, 1],
        }),
        new CnnDecoder({ numLayers: 1, groups: 4, gridWidth: 2 }),
        new ClassToken(),
        new LayerNorm(),
        new Linear({ units: 3 }),
      ],
    });
    expect(model.outputs[0].shape).toEqual([null, 5, 3]);
    expect((model.predict(tf.ones([2, 16, 16, 1])) as tf.Tensor).shape).toEqual([2, 5, 3]);
  });

  it('a sequential model of blocks learns a toy task (loss falls)', async () => {
    const model = tfl.sequential({
      layers: [
        new PatchEmbed({ inputShape: [16, 16, 1], filters: 8, patchSize: 2, norm: true, seed: 1 }),
        new CBlock({ mlpRatio: 2, seed: 2 }),
        new PatchEmbed({ filters: 16, patchSize: 4, flatten: true, seed: 3 }),
        new SinCosPositionEmbedding({ maxTimePatches: 2, freqPatches: 2 }),
        new TransformerBlock({ numHeads: 2, returnFfnOutput: false, seed: 4 }),
        tfl.layers.globalAveragePooling1d({}),
        new ClassificationHead({ numClasses: 2, seed: 5 }),
      ],
    });
    // Class 1: energy in the upper half of the "spectrogram", class 0: in the lower half.
    const labels = tf.tensor1d(
      Array.from({ length: 32 }, (_, i) => i % 2),
      'int32',
    );
    const base = tf.randomNormal([32, 16, 16, 1], 0, 0.3, 'float32', 7);
    const upper = tf.concat([tf.ones([32, 8, 16, 1]), tf.zeros([32, 8, 16, 1])], 1);
    const which = tf.reshape(tf.cast(labels, 'float32'), [32, 1, 1, 1]);
    const x = tf.add(base, tf.add(tf.mul(upper, which), tf.mul(tf.sub(1, upper), tf.sub(1, which))));
    const y = tf.oneHot(labels, 2);
    const softmaxModel = tfl.sequential({ layers: [model, tfl.layers.softmax()] });
    softmaxModel.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
    const history = await softmaxModel.fit(x, y, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    console.log('toy task loss per epoch', losses.map((l) => l.toFixed(3)).join(' '));
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
  });
});
