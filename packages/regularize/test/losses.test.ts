import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy } from '@cat/frontend';
import { prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AlignmentLossKind, alignmentLoss } from '../src/losses.js';

function fixture(name: string): tf.Tensor {
  const { data, shape } = decodeNpy(readFileSync(join(__dirname, '__fixtures__', name)), name);
  return tf.tensor(data as Float32Array, shape);
}

beforeAll(async () => {
  await prepareBackend({ backend: 'cpu' });
});

describe('alignment losses against PyTorch', () => {
  const kinds: AlignmentLossKind[] = ['mse', 'cosine', 'l1', 'kl'];
  it.each(kinds.map((kind, row) => [kind, row] as const))('%s', (kind, row) => {
    const projected = fixture('rr_projected.npy') as tf.Tensor2D;
    const target = fixture('rr_target.npy') as tf.Tensor2D;
    const expected = (fixture('rr_losses.npy').arraySync() as number[][])[row];
    const actual = Array.from(alignmentLoss(projected, target, kind).dataSync());
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
  });

  it('is zero when the projection equals the target', () => {
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [-1, 0, 2, 1],
    ]);
    for (const kind of kinds) {
      for (const value of alignmentLoss(x, x, kind).dataSync()) expect(Math.abs(value)).toBeLessThan(1e-6);
    }
  });

  it('hand-computed mse and l1 with the 1/sqrt(d) scale', () => {
    const p = tf.tensor2d([[1, 1, 1, 1]]);
    const e = tf.tensor2d([[0, 0, 0, 3]]);
    expect(alignmentLoss(p, e, 'mse').dataSync()[0]).toBeCloseTo((1 + 1 + 1 + 4) / 2, 6);
    expect(alignmentLoss(p, e, 'l1').dataSync()[0]).toBeCloseTo((1 + 1 + 1 + 2) / 2, 6);
  });

  it('rejects mismatched shapes and unknown kinds', () => {
    expect(() => alignmentLoss(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(
      /shape/,
    );
    const x = tf.zeros([1, 2]) as tf.Tensor2D;
    expect(() => alignmentLoss(x, x, 'ce' as AlignmentLossKind)).toThrow(/unknown loss 'ce'/);
  });
});
