import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dataset, labelSetOf } from '@cat/data';
import { FbankLoader, loadAnyDataset } from '@cat/data/node';
import { SeededRandom } from '@cat/frontend';
import { createEncoder, prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accuracy } from '../src/metrics.js';
import { embedDataset, fbankStatistics } from '../src/probe/features.js';
import { linearClassifierScores, trainLinearClassifier } from '../src/probe/linear.js';
import { linearProbe } from '../src/probe/probe.js';
import { TINY_ENCODER, writeToyDataset } from './finetune-toy-data.js';

let root: string;
let train: Dataset;
let test: Dataset;

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'cat-probe-'));
  const csv = await writeToyDataset(root, { train: 6, test: 5 }, 7);
  train = (await loadAnyDataset(csv.train)).dataset;
  test = (await loadAnyDataset(csv.test, { labels: labelSetOf(train) })).dataset;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('linear classifier', () => {
  // Two Gaussian blobs per class in 5-D, shifted apart along one axis.
  function blobs(count: number, seed: number, classes = 3) {
    const random = new SeededRandom(seed);
    const dim = 5;
    const features = new Float32Array(count * dim);
    const targets = new Float32Array(count * classes);
    for (let i = 0; i < count; i++) {
      const c = i % classes;
      for (let j = 0; j < dim; j++) features[i * dim + j] = random.normal() + (j === c ? 4 : 0) + 100;
      targets[i * classes + c] = 1;
    }
    return { features, targets, dim, numClasses: classes };
  }

  it('separates separable classes (softmax), with features far from zero mean', () => {
    const data = blobs(90, 1);
    const classifier = trainLinearClassifier(data, { multiLabel: false, epochs: 100, lr: 0.05 });
    const held = blobs(60, 2);
    const scores = linearClassifierScores(classifier, held.features);
    expect(accuracy({ scores, targets: held.targets, numClasses: 3 })).toBeGreaterThan(0.95);
    // Softmax rows sum to 1.
    expect(scores[0] + scores[1] + scores[2]).toBeCloseTo(1, 5);
    expect(classifier.mean[0]).toBeGreaterThan(99);
  });

  it('trains in minibatches too, and the sigmoid variant fits multi-hot targets', () => {
    const data = blobs(90, 3);
    const classifier = trainLinearClassifier(data, { multiLabel: true, epochs: 30, batchSize: 16, lr: 0.05 });
    const scores = linearClassifierScores(classifier, data.features);
    expect(accuracy({ scores, targets: data.targets, numClasses: 3 })).toBeGreaterThan(0.95);
    expect(Math.abs(scores[0] + scores[1] + scores[2] - 1)).toBeGreaterThan(1e-3);
  });
});

describe('linear probe', () => {
  it('embeds a dataset: CLS, mean of the patch tokens, or both concatenated', async () => {
    const encoder = createEncoder(TINY_ENCODER, 5);
    const options = { targetLength: 128, workers: 0, batchSize: 5 };
    const cls = await embedDataset(encoder, test, { ...options, pool: 'cls' });
    const both = await embedDataset(encoder, test, { ...options, pool: 'both' });
    expect([cls.count, cls.dim, both.dim]).toEqual([10, 32, 64]);
    expect(cls.ids).toEqual(test.entries.map((e) => e.id));
    for (let i = 0; i < 32; i++) expect(both.features[64 + i]).toBeCloseTo(cls.features[32 + i], 5);
    encoder.dispose();
  });

  it('pools per frequency band: each band is its tokens averaged over time, and the bands average to the mean', async () => {
    const encoder = createEncoder(TINY_ENCODER, 5);
    const options = { targetLength: 128, workers: 0, batchSize: 5 };
    const bands = await embedDataset(encoder, test, { ...options, pool: 'bands' });
    const mean = await embedDataset(encoder, test, { ...options, pool: 'mean' });
    expect(bands.dim).toBe(8 * 32);
    // By hand for the first clip: tokens in (time, frequency) order, 8 x 8 of them.
    const loader = new FbankLoader(test, {
      batchSize: 1,
      targetLength: 128,
      normalize: 'audioset',
      workers: 0,
      shuffle: false,
    });
    const first = (await loader.epoch().next()).value!;
    await loader.close();
    const tokens = encoder.encode(tf.tensor3d(first.inputs, [1, 128, 128])).tokens.arraySync()[0];
    for (const [band, channel] of [
      [0, 0],
      [3, 7],
      [7, 31],
    ]) {
      let sum = 0;
      for (let t = 0; t < 8; t++) sum += tokens[t * 8 + band][channel];
      expect(bands.features[band * 32 + channel]).toBeCloseTo(sum / 8, 5);
    }
    for (let c = 0; c < 32; c++) {
      let sum = 0;
      for (let band = 0; band < 8; band++) sum += bands.features[band * 32 + c];
      expect(sum / 8).toBeCloseTo(mean.features[c], 5);
    }
    encoder.dispose();
  });

  it('beats chance on separable toy data with a random-init encoder and with fbank statistics', async () => {
    const encoder = createEncoder(TINY_ENCODER, 5);
    const probed = await linearProbe({ encoder, train, test, targetLength: 128, workers: 0, pool: 'mean' });
    encoder.dispose();
    expect(probed).toMatchObject({ multiLabel: false, dim: 32, trainClips: 12, testClips: 10 });
    expect(probed.mAP).toBeUndefined();
    expect(probed.trainAccuracy).toBe(1);
    expect(probed.accuracy).toBeGreaterThanOrEqual(0.8);

    const baseline = await linearProbe({
      features: fbankStatistics,
      train,
      test,
      targetLength: 128,
      workers: 0,
    });
    expect(baseline.dim).toBe(256);
    expect(baseline.accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('refuses a test set with other classes', async () => {
    const other = { ...test, labelKeys: ['a', 'b', 'c'], labelNames: ['a', 'b', 'c'] };
    await expect(
      linearProbe({ features: fbankStatistics, train, test: other, targetLength: 128 }),
    ).rejects.toThrow(/test set's 3 classes differ from the training set's 2/);
  });
});
