import { prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CollapseMonitor, embeddingSpread } from '../src/monitor.js';

beforeAll(async () => {
  await prepareBackend({ backend: 'cpu' });
});

describe('collapse check', () => {
  it('measures spread: 0 for identical rows, hand-computed otherwise, scale-free', () => {
    expect(
      embeddingSpread(
        tf.tensor2d([
          [1, 2],
          [1, 2],
          [1, 2],
        ]),
      ),
    ).toBeCloseTo(0, 6);
    // Channel stds 1 and 0 (population), RMS sqrt((0+4+1+1)/4)... rows [0,1],[2,1]: std 1 and 0, rms sqrt(6/4).
    const spread = embeddingSpread(
      tf.tensor2d([
        [0, 1],
        [2, 1],
      ]),
    );
    expect(spread).toBeCloseTo(0.5 / Math.sqrt(1.5), 5);
    expect(
      embeddingSpread(
        tf.tensor2d([
          [0, 10],
          [20, 10],
        ]),
      ),
    ).toBeCloseTo(spread, 5);
  });

  it('warns once when the spread falls below a fifth of its starting value', () => {
    const warnings: string[] = [];
    const monitor = new CollapseMonitor({ warn: (m) => warnings.push(m) });
    const spreads = [0.01, 0.012, 0.009, 0.011, 0.01, 0.008, 0.003, 0.0015, 0.0012, 0.001, 0.0009];
    const flags = spreads.map((s, step) => monitor.observe(step, s));
    expect(monitor.baseline).toBe(0.01);
    expect(flags).toEqual([false, false, false, false, false, false, false, false, false, true, true]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^step 9: the CLS embeddings are collapsing/);
  });
});
