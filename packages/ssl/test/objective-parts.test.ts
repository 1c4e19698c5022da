import { prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmaUpdater, emaDecay, REFERENCE_EMA_SCHEDULE } from '../src/ema.js';
import { frameLoss, utteranceLoss } from '../src/losses.js';
import { bootstrapTargets } from '../src/targets.js';
import { fixture, maxAbsDifference } from './helpers.js';

beforeAll(async () => {
  await prepareBackend({ backend: 'cpu' });
});

describe('EMA teacher schedule and update', () => {
  it('rises linearly from tau0 to tau_end over N steps, then stays', () => {
    expect(emaDecay(0, REFERENCE_EMA_SCHEDULE)).toBeCloseTo(0.9998, 12);
    expect(emaDecay(50_000, REFERENCE_EMA_SCHEDULE)).toBeCloseTo((0.9998 + 0.99999) / 2, 12);
    expect(emaDecay(100_000, REFERENCE_EMA_SCHEDULE)).toBe(0.99999);
    expect(emaDecay(1e7, REFERENCE_EMA_SCHEDULE)).toBe(0.99999);
  });

  it('moves the teacher by (1 - tau) toward the student', () => {
    const teacher = [tf.variable(tf.tensor1d([1, 2, 3]), false), tf.variable(tf.scalar(10), false)];
    const student = [tf.variable(tf.tensor1d([3, 2, 1])), tf.variable(tf.scalar(0))];
    const ema = new EmaUpdater(teacher, student, { start: 0.5, end: 0.9, steps: 4 });
    expect(ema.update(0)).toBe(0.5);
    expect(Array.from(teacher[0].dataSync())).toEqual([2, 2, 2]);
    expect(teacher[1].dataSync()[0]).toBe(5);
    expect(ema.update(2)).toBeCloseTo(0.7, 12);
    expect(teacher[0].dataSync()[0]).toBeCloseTo(0.7 * 2 + 0.3 * 3, 6);
    expect(teacher[1].dataSync()[0]).toBeCloseTo(3.5, 6);
    ema.copyStudent();
    expect(Array.from(teacher[0].dataSync())).toEqual([3, 2, 1]);
  });

  it('frees every temporary it makes', () => {
    const teacher = [tf.variable(tf.ones([4, 4]), false)];
    const student = [tf.variable(tf.zeros([4, 4]))];
    const ema = new EmaUpdater(teacher, student);
    ema.update(0);
    const before = tf.memory().numTensors;
    for (let step = 1; step < 20; step++) ema.update(step);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects mismatched variable lists', () => {
    expect(() => new EmaUpdater([tf.variable(tf.zeros([2]))], [tf.variable(tf.zeros([3]))])).toThrow(/shape/);
  });
});

describe('targets and losses against PyTorch', () => {
  it('averages the instance-normalised top-K FFN outputs and layer-normalises them', () => {
    const ffn = fixture('ssl_ffn.npy'); // [L=3, B, N, D]
    const layers = tf.unstack(ffn) as tf.Tensor3D[];
    const targets = bootstrapTargets(layers, 2);
    expect(maxAbsDifference(targets, fixture('ssl_targets.npy'))).toBeLessThan(1e-5);
  });

  it('computes the frame loss (mean over masked tokens) and the utterance loss (sum or mean over views)', () => {
    const targets = fixture('ssl_targets.npy') as tf.Tensor3D; // [B=2, N=12, D=8]
    const views = tf.gather(targets, [0, 0, 0, 1, 1, 1]) as tf.Tensor3D;
    const maskedIdx = fixture('ssl_masked_idx.npy') as tf.Tensor2D; // [6, 9]
    const maskedTargets = tf.gather(views, maskedIdx, 1, 1) as tf.Tensor3D;
    const expected = fixture('ssl_losses.npy').dataSync();
    const frame = frameLoss(fixture('ssl_pred.npy') as tf.Tensor3D, maskedTargets);
    expect(frame.dataSync()[0]).toBeCloseTo(expected[0], 4);
    const cls = fixture('ssl_cls.npy') as tf.Tensor2D;
    const meanTargets = tf.mean(views, 1) as tf.Tensor2D;
    expect(utteranceLoss(cls, meanTargets, 'reference').dataSync()[0]).toBeCloseTo(expected[1], 4);
    expect(utteranceLoss(cls, meanTargets, 'mean').dataSync()[0]).toBeCloseTo(expected[2], 4);
  });
});
