import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsampleVisibility } from '../src/blocks/multi-resolution.js';
import { dropPath, gelu, groupedConv, layerNorm, patchConv } from '../src/blocks/ops.js';
import { scatterTokens, selectTokens, visibleTokenIndices } from '../src/blocks/tokens.js';
import { useTestBackend } from './helpers.js';

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

describe('ops', () => {
  beforeAll(useTestBackend);

  it('patchConv equals a stride-k valid conv2d', () => {
    const x = tf.randomNormal([2, 8, 12, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const kernel = tf.randomNormal([4, 2, 3, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const bias = tf.randomNormal([5], 0, 1, 'float32', 3);
    const expected = tf.add(tf.conv2d(x, kernel, [4, 2], 'valid'), bias);
    const got = patchConv(x, kernel, bias);
    expect(got.shape).toEqual([2, 2, 6, 5]);
    expect(maxDiff(got, expected)).toBeLessThan(1e-5);
    expect(() => patchConv(tf.zeros([1, 6, 12, 3]) as tf.Tensor4D, kernel, bias)).toThrow(/not a multiple/);
  });

  it('groupedConv equals one same-padded conv2d per group', () => {
    for (const [k, groups] of [
      [3, 4],
      [5, 2],
      [3, 1],
    ]) {
      const x = tf.randomNormal([2, 5, 4, 8], 0, 1, 'float32', k) as tf.Tensor4D;
      const kernel = tf.randomNormal([k, k, 8 / groups, 8], 0, 1, 'float32', 10 + k);
      const bias = tf.randomNormal([8], 0, 1, 'float32', 20 + k);
      const inputs = tf.split(x, groups, 3);
      const kernels = tf.split(kernel, groups, 3);
      const expected = tf.add(
        tf.concat(
          inputs.map((xi, g) => tf.conv2d(xi as tf.Tensor4D, kernels[g] as tf.Tensor4D, 1, 'same')),
          3,
        ),
        bias,
      );
      expect(maxDiff(groupedConv(x, kernel, bias, groups), expected)).toBeLessThan(1e-4);
    }
  });

  it('gelu is the exact erf form', () => {
    const got = gelu(tf.tensor1d([-3, -1, 0, 0.5, 1, 2])).dataSync();
    // 0.5·x·(1 + erf(x/√2)), from the standard normal CDF Φ: x·Φ(x).
    const expected = [-0.0040496, -0.1586553, 0, 0.3457312, 0.8413447, 1.9544997];
    for (const [i, v] of expected.entries()) expect(got[i]).toBeCloseTo(v, 5);
  });

  it('layerNorm normalises the last axis', () => {
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [2, 2, 2, 10],
    ]);
    const y = layerNorm(
      x,
      tf.tensor1d([1, 2, 1, 1]),
      tf.tensor1d([0, 0, 1, 0]),
      1e-6,
    ).arraySync() as number[][];
    const s = Math.sqrt(1.25 + 1e-6);
    expect(y[0][0]).toBeCloseTo(-1.5 / s, 5);
    expect(y[0][1]).toBeCloseTo((2 * -0.5) / s, 5);
    expect(y[0][2]).toBeCloseTo(0.5 / s + 1, 5);
    expect(y[1][3]).toBeCloseTo(6 / Math.sqrt(12 + 1e-6), 5);
  });

  it('dropPath drops whole samples in training and is the identity otherwise', () => {
    const x = tf.ones([400, 3, 2]);
    expect(maxDiff(dropPath(x, 0.25, false), x)).toBe(0);
    const y = dropPath(x, 0.25, true);
    const perSample = tf.reshape(y, [400, 6]).arraySync() as number[][];
    for (const row of perSample) expect(new Set(row).size).toBe(1);
    const kept = perSample.filter((row) => row[0] > 0);
    for (const row of kept) expect(row[0]).toBeCloseTo(1 / 0.75, 5);
    expect(kept.length / 400).toBeGreaterThan(0.65);
    expect(kept.length / 400).toBeLessThan(0.85);
  });

  it('selects visible tokens in ascending order and scatters them back', () => {
    const tokens = tf.reshape(tf.range(0, 2 * 6 * 2), [2, 6, 2]);
    const visibility = tf.tensor3d([
      [
        [0, 1, 0],
        [1, 0, 0],
      ],
      [
        [1, 0, 0],
        [0, 0, 1],
      ],
    ]);
    const indices = visibleTokenIndices(visibility);
    expect(indices.arraySync()).toEqual([
      [1, 3],
      [0, 5],
    ]);
    const kept = selectTokens(tokens, indices);
    expect(kept.arraySync()).toEqual([
      [
        [2, 3],
        [6, 7],
      ],
      [
        [12, 13],
        [22, 23],
      ],
    ]);
    const fill = tf.fill([2, 6, 2], -1);
    const back = scatterTokens(kept, indices, fill).arraySync() as number[][][];
    expect(back[0][1]).toEqual([2, 3]);
    expect(back[0][0]).toEqual([-1, -1]);
    expect(back[1][5]).toEqual([22, 23]);
    expect(() =>
      visibleTokenIndices(
        tf.tensor2d([
          [1, 0],
          [1, 1],
        ]),
      ),
    ).toThrow(/different numbers of visible tokens/);
  });

  it('upsamples a token visibility map by nearest neighbour', () => {
    const map = upsampleVisibility(tf.tensor3d([[[1, 0]]]), 2);
    expect(map.shape).toEqual([1, 2, 4, 1]);
    expect(tf.reshape(map, [2, 4]).arraySync()).toEqual([
      [1, 1, 0, 0],
      [1, 1, 0, 0],
    ]);
  });
});
