import { SeededRandom } from '@cat/frontend';
import { describe, expect, it } from 'vitest';
import { EpochSampler, shuffledOrder } from '../src/epoch-sampler.js';
import { loadFairseqManifest, readWeightsFile, writeWeightsFile } from '../src/node-loaders.js';
import { dropShortClips, shard } from '../src/subsets.js';
import {
  audiosetSampleWeights,
  formatWeightsCsv,
  parseWeightsCsv,
  weightedOrder,
  weightedSampleWithoutReplacement,
} from '../src/weighted-sampling.js';
import { fixturePath, temporaryTree } from './fixtures.js';

describe('seeded shuffle with a resumable cursor', () => {
  it('gives each epoch a different permutation, reproducibly', () => {
    const order = shuffledOrder(1000);
    const first = order(5, 0);
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(order(5, 0)).toEqual(first);
    expect(order(5, 1)).not.toEqual(first);
    expect(order(6, 0)).not.toEqual(first);
  });

  it('resumes mid-epoch from a saved cursor exactly as the uninterrupted order', () => {
    const uninterrupted = new EpochSampler(shuffledOrder(37), { seed: 9, epoch: 0, position: 0 }).take(100);
    for (const stop of [0, 1, 20, 37, 50, 74, 99]) {
      const first = new EpochSampler(shuffledOrder(37), { seed: 9, epoch: 0, position: 0 });
      const before = first.take(stop);
      const cursor = JSON.parse(JSON.stringify(first.cursor));
      const resumed = new EpochSampler(shuffledOrder(37), cursor).take(100 - stop);
      expect([...before, ...resumed]).toEqual(uninterrupted);
    }
    const sampler = new EpochSampler(shuffledOrder(37), { seed: 9, epoch: 0, position: 0 });
    sampler.take(40);
    expect(sampler.cursor).toEqual({ seed: 9, epoch: 1, position: 3 });
    expect(() => new EpochSampler(shuffledOrder(3), { seed: 0, epoch: 0, position: 4 })).toThrow(
      /position 4 outside/,
    );
  });
});

describe('AS-2M weighted sampling', () => {
  it('computes w_i = sum over labels of 1000 / (count_c + 0.01)', () => {
    const weights = audiosetSampleWeights([[0], [0], [0, 1], []], 2);
    expect([...weights]).toEqual([1000 / 3.01, 1000 / 3.01, 1000 / 3.01 + 1000 / 1.01, 0]);
  });

  it('draws without replacement with the exact successive-sampling probabilities', () => {
    const weights = [1, 2, 3, 4];
    const p = weights.map((w) => w / 10);
    const random = new SeededRandom(3);
    const trials = 20000;
    const first = [0, 0, 0, 0];
    const inTwo = [0, 0, 0, 0];
    for (let t = 0; t < trials; t++) {
      const draw = weightedSampleWithoutReplacement(weights, 2, random);
      expect(draw[0]).not.toBe(draw[1]);
      first[draw[0]]++;
      inTwo[draw[0]]++;
      inTwo[draw[1]]++;
    }
    for (let i = 0; i < 4; i++) {
      // P(first = i) = p_i; P(i among two) = p_i + Σ_{j≠i} p_j · p_i / (1 − p_j).
      const both = p[i] + p.reduce((sum, pj, j) => (j === i ? sum : sum + (pj * p[i]) / (1 - pj)), 0);
      expect(Math.abs(first[i] / trials - p[i])).toBeLessThan(5 * Math.sqrt((p[i] * (1 - p[i])) / trials));
      expect(Math.abs(inTwo[i] / trials - both)).toBeLessThan(5 * Math.sqrt((both * (1 - both)) / trials));
    }
  });

  it('favours clips of rare classes', () => {
    // 1,000 clips of a common class, 10 of a rare one: a rare clip weighs about 100 common ones.
    const labels = [...Array.from({ length: 1000 }, () => [0]), ...Array.from({ length: 10 }, () => [1])];
    const weights = audiosetSampleWeights(labels, 2);
    const draw = weightedSampleWithoutReplacement(weights, 100, new SeededRandom(11));
    const rare = [...draw].filter((i) => i >= 1000).length;
    // Uniform sampling would take about 1 rare clip; weighted, each rare clip is in with probability > 0.99.
    expect(rare).toBe(10);
  });

  it('never draws zero weights, and refuses to draw more than the positive weights', () => {
    const random = new SeededRandom(0);
    const draw = weightedSampleWithoutReplacement([0, 5, 0, 1, 2], 3, random);
    expect([...draw].sort()).toEqual([1, 3, 4]);
    expect(() => weightedSampleWithoutReplacement([0, 1], 2, random)).toThrow(
      /only 1 have a positive weight/,
    );
    expect(() => weightedSampleWithoutReplacement([1, Number.NaN], 1, random)).toThrow(/weight 1 is NaN/);
    expect(weightedSampleWithoutReplacement([1, 2], 0, random).length).toBe(0);
  });

  it('on AS-20K: no duplicates, rare-class clips favoured, resumable by cursor', async () => {
    const train = await loadFairseqManifest({
      tsv: fixturePath('audioset/as20k/train.tsv.gz'),
      lbl: fixturePath('audioset/as20k/train.lbl.gz'),
      labels: fixturePath('audioset/as20k/label_descriptors.csv'),
    });
    const { entries } = dropShortClips(train.entries);
    const weights = audiosetSampleWeights(
      entries.map((e) => e.labels),
      527,
    );
    const count = 4000;
    const draw = weightedSampleWithoutReplacement(weights, count, new SeededRandom(1));
    expect(new Set(draw).size).toBe(count);
    expect(Math.max(...draw)).toBeLessThan(entries.length);
    // Uniform sampling would pick each clip with probability count/N; heavier (rarer-label) clips must win more.
    const uniformRate = count / entries.length;
    const byWeight = Array.from(entries.keys()).sort((i, j) => weights[i] - weights[j]);
    const sampled = new Set(draw);
    const rateOf = (indices: number[]) => indices.filter((i) => sampled.has(i)).length / indices.length;
    const quarter = Math.floor(entries.length / 4);
    const lightest = rateOf(byWeight.slice(0, quarter));
    const heaviest = rateOf(byWeight.slice(-quarter));
    expect(lightest).toBeLessThan(uniformRate);
    expect(heaviest).toBeGreaterThan(uniformRate);
    expect(heaviest).toBeGreaterThan(2 * lightest);
    // The sampler as used for training: 2,000 draws per epoch, resumed mid-epoch.
    const order = weightedOrder(weights, 2000);
    const whole = new EpochSampler(order, { seed: 1, epoch: 0, position: 0 }).take(3000);
    const part = new EpochSampler(order, { seed: 1, epoch: 0, position: 0 });
    const head = part.take(2500);
    const tail = new EpochSampler(order, part.cursor).take(500);
    expect([...head, ...tail]).toEqual(whole);
    expect(new Set(whole.slice(0, 2000)).size).toBe(2000);
  });

  it('reads and writes weights.csv as numpy savetxt does', async () => {
    const weights = [1000 / 3.01, 1000 / 3.01 + 1000 / 1.01, 0, 1e-300, 12345678.9];
    const text = formatWeightsCsv(weights);
    // np.savetxt(…, weights) output, computed with numpy.
    expect(text).toBe(
      '3.322259136212624639e+02\n1.322324923522252448e+03\n0.000000000000000000e+00\n1.000000000000000025e-300\n1.234567890000000037e+07\n',
    );
    expect([...parseWeightsCsv(text)]).toEqual(weights);
    const tree = await temporaryTree({});
    try {
      await writeWeightsFile(`${tree.root}/weights.csv`, weights);
      expect([...(await readWeightsFile(`${tree.root}/weights.csv`))]).toEqual(weights);
    } finally {
      await tree.remove();
    }
    expect(() => parseWeightsCsv('1.0\nabc\n', 'w.csv')).toThrow(
      'w.csv: line 2: "abc" is not a finite non-negative number',
    );
  });
});

describe('sharding and size filter', () => {
  it('gives disjoint shards that cover every item once', () => {
    for (const size of [0, 1, 7, 100]) {
      for (const worldSize of [1, 2, 3, 8]) {
        const items = Array.from({ length: size }, (_, i) => i);
        const shards = Array.from({ length: worldSize }, (_, rank) => shard(items, rank, worldSize));
        expect(shards.flat().sort((a, b) => a - b)).toEqual(items);
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
    expect(shard(Uint32Array.from([10, 11, 12, 13, 14]), 1, 2)).toEqual([11, 13]);
    expect(() => shard([1], 2, 2)).toThrow(/rank must be in \[0, 2\)/);
  });

  it('drops clips under min_sample_size and reports the kept indices', () => {
    const entries = [9999, 10000, undefined, 5].map((numSamples, i) => ({
      id: `${i}`,
      path: '',
      labels: [],
      numSamples,
    }));
    const result = dropShortClips(entries);
    expect(result.kept).toEqual([1, 2]);
    expect(result.dropped).toBe(2);
  });
});
