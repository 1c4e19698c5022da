import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { multiLabelBceWithLogits, smoothLabels, softTargetCrossEntropy } from '../src/losses.js';
import { f32, fixture, maxAbsDifference } from './helpers.js';

const ref = fixture('losses.json');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function relativeError(actual: tf.Scalar, expected: number): number {
  return Math.abs(actual.dataSync()[0] - expected) / Math.abs(expected);
}

describe('multi-label BCE with logits (PyTorch reference)', () => {
  const logits = tf.tensor2d(f32(ref.bce.logits), ref.bce.shape);
  const targets = tf.tensor2d(f32(ref.bce.targets), ref.bce.shape);

  it('sums over batch x classes and divides by the sum of the mixed labels', () => {
    expect(
      relativeError(multiLabelBceWithLogits(logits, targets, 'labelSum'), ref.bce.labelSum),
    ).toBeLessThan(1e-6);
  });

  it('divides by the batch size when asked (SPC-2)', () => {
    expect(relativeError(multiLabelBceWithLogits(logits, targets, 'batch'), ref.bce.batch)).toBeLessThan(
      1e-6,
    );
  });

  it('stays finite for huge logits: log(1 + e^100) = 100', () => {
    const loss = multiLabelBceWithLogits(tf.tensor2d([[100, -100]]), tf.tensor2d([[0, 1]]), 'labelSum');
    expect(loss.dataSync()[0]).toBeCloseTo(200, 4);
  });

  it('rejects mismatched shapes', () => {
    expect(() => multiLabelBceWithLogits(logits, tf.zeros([4, 5]) as tf.Tensor2D)).toThrow(
      /\[4,6\] and targets \[4,5\]/,
    );
  });
});

describe('soft-target cross-entropy (PyTorch reference)', () => {
  const logits = tf.tensor2d(f32(ref.ce.logits), ref.ce.shape);
  const oneHot = tf.cast(
    tf.oneHot(tf.tensor1d(ref.ce.labels, 'int32'), ref.ce.shape[1]),
    'float32',
  ) as tf.Tensor2D;

  it('equals F.cross_entropy on one-hot targets, with and without label smoothing', () => {
    expect(relativeError(softTargetCrossEntropy(logits, oneHot), ref.ce.plain)).toBeLessThan(1e-6);
    expect(
      relativeError(softTargetCrossEntropy(logits, oneHot, ref.ce.smoothing), ref.ce.smoothed),
    ).toBeLessThan(1e-6);
  });

  it('takes soft targets directly', () => {
    const soft = tf.tensor2d(f32(ref.ce.softTargets), ref.ce.shape);
    expect(relativeError(softTargetCrossEntropy(logits, soft), ref.ce.soft)).toBeLessThan(1e-6);
  });

  it('smooths a one-hot row to (1 - e + e/C, e/C, ...)', () => {
    const smoothed = smoothLabels(tf.tensor2d([[0, 1, 0, 0]]), 0.1).dataSync();
    expect(maxAbsDifference(smoothed, [0.025, 0.925, 0.025, 0.025])).toBeLessThan(1e-7);
  });
});
