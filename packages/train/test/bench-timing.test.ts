import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { StepTiming } from '../src/bench-timing.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('StepTiming', () => {
  it('times only the steps after the warm-up and reports their median', () => {
    let now = 0;
    const timing = new StepTiming(1, 4, () => now);
    expect(timing.steps).toBe(5);
    // A warm-up step of 100 s, then timed steps of 3, 1, 2 and 5 s.
    const seconds = [100, 3, 1, 2, 5];
    for (let i = 0; i < timing.steps; i++) {
      timing.begin(i);
      now += 1000 * seconds[i];
      timing.end();
    }
    // Sorted 1, 2, 3, 5: the upper median of an even count, as the benchmarks have always taken it.
    expect(timing.result().secondsPerStep).toBe(3);
  });

  it('counts the tensors left alive from the first timed step on, and keeps the highest bytes noted', () => {
    const timing = new StepTiming(2, 2);
    const baseBytes = tf.memory().numBytes;
    const kept: tf.Tensor[] = [];
    for (let i = 0; i < timing.steps; i++) {
      timing.begin(i);
      // Each step leaves a small tensor alive (the warm-up steps' are not leaks); step 1 also holds a large one
      // only while its memory is noted.
      kept.push(tf.zeros([10]));
      const large = i === 1 ? tf.zeros([1000]) : undefined;
      timing.notePeak();
      large?.dispose();
      timing.end();
    }
    const { leakedTensors, peakBytes } = timing.result();
    expect(leakedTensors).toBe(2);
    expect(peakBytes).toBe(baseBytes + 4 * (2 * 10 + 1000));
    tf.dispose(kept);
  });
});
