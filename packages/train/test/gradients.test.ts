import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GradientAccumulator } from '../src/accumulation.js';
import { clipGradientsByGlobalNorm } from '../src/clipping.js';
import { f32, fixture, maxAbsDifference } from './helpers.js';

interface ClipCase {
  maxNorm: number;
  shapes: number[][];
  grads: number[][];
  norm: number;
  clipped: number[][];
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('global-norm gradient clipping (torch clip_grad_norm_)', () => {
  for (const c of fixture<ClipCase[]>('clip.json')) {
    it(`returns the norm before clipping and scales to max ${c.maxNorm}`, () => {
      const grads: tf.NamedTensorMap = {};
      c.grads.forEach((g, i) => {
        grads[`g${i}`] = tf.tensor(f32(g), c.shapes[i]);
      });
      const before = tf.memory().numTensors;
      const { grads: clipped, norm } = clipGradientsByGlobalNorm(grads, c.maxNorm);
      expect(tf.memory().numTensors).toBe(before + c.grads.length + 1);
      expect(Math.abs(norm.dataSync()[0] - c.norm) / c.norm).toBeLessThan(1e-6);
      c.clipped.forEach((expected, i) => {
        expect(maxAbsDifference(clipped[`g${i}`].dataSync(), f32(expected))).toBeLessThan(1e-6);
        expect(clipped[`g${i}`].shape).toEqual(c.shapes[i]);
      });
      tf.dispose([grads, clipped, norm]);
    });
  }

  it('computes a hand-checked case: norm 13 clipped to 1', () => {
    const grads = { a: tf.tensor1d([3, 4]), b: tf.tensor2d([[12]]) };
    const { grads: clipped, norm } = clipGradientsByGlobalNorm(grads, 1);
    expect(norm.dataSync()[0]).toBe(13);
    const factor = 1 / (13 + 1e-6);
    expect(maxAbsDifference(clipped.a.dataSync(), [3 * factor, 4 * factor])).toBeLessThan(1e-7);
    expect(clipped.b.dataSync()[0]).toBeCloseTo(12 * factor, 6);
    tf.dispose([grads, clipped, norm]);
  });
});

describe('gradient accumulation', () => {
  it('sums and averages over micro-batches, counting a missing gradient as zero', () => {
    const accumulator = new GradientAccumulator();
    const micro: tf.NamedTensorMap[] = [
      { w: tf.tensor1d([1, 2]), b: tf.scalar(1) },
      { w: tf.tensor1d([3, -2]) },
      { w: tf.tensor1d([5, 6]), b: tf.scalar(5) },
    ];
    const before = tf.memory().numTensors;
    for (const grads of micro) accumulator.add(grads);
    expect(accumulator.count).toBe(3);
    // Only the running sums stay alive, whatever the number of micro-batches.
    expect(tf.memory().numTensors).toBe(before + 2);
    const mean = accumulator.drain('mean');
    expect(Array.from(mean.w.dataSync())).toEqual([3, 2]);
    expect(mean.b.dataSync()[0]).toBe(2);
    expect(accumulator.count).toBe(0);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose(mean);

    for (const grads of micro) accumulator.add(grads);
    const sum = accumulator.drain('sum');
    expect(Array.from(sum.w.dataSync())).toEqual([9, 6]);
    expect(sum.b.dataSync()[0]).toBe(6);
    tf.dispose(sum);
    expect(tf.memory().numTensors).toBe(before);

    accumulator.add(micro[0]);
    accumulator.reset();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => accumulator.drain('sum')).toThrow(/before any add/);
    for (const grads of micro) tf.dispose(grads);
  });
});
