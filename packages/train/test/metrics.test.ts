import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagePrecision,
  dPrime,
  meanAveragePrecision,
  meanRocAuc,
  nanMean,
  rocAuc,
} from '../src/metrics.js';
import { normalQuantile } from '../src/normal-quantile.js';
import { fixture } from './helpers.js';

const ref = fixture('metrics.json');
const numbers = (values: Array<number | null>) => values.map((v) => (v === null ? Number.NaN : v));
const matrix = {
  scores: Float32Array.from(ref.scores),
  targets: Float32Array.from(ref.targets),
  numClasses: ref.shape[1],
};

describe('average precision and mAP (scikit-learn reference, tied scores)', () => {
  it('matches average_precision_score per class, NaN for the class without positives', () => {
    const { perClass, mAP } = meanAveragePrecision(matrix);
    const expected = numbers(ref.ap);
    expect(Number.isNaN(perClass[3])).toBe(true);
    expect(Number.isNaN(expected[3])).toBe(true);
    for (const k of [0, 1, 2, 4]) expect(perClass[k]).toBeCloseTo(expected[k], 12);
    expect(mAP).toBeCloseTo(ref.mAP, 12);
  });

  it('computes hand-checked cases', () => {
    // Ranking + - + -: precision 1 at recall 1/2, 2/3 at recall 1 -> (1 + 2/3) / 2.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(5 / 6, 15);
    // All four tied: one threshold, precision 2/4 at recall 1.
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    expect(averagePrecision([0.2, 0.1], [0, 0])).toBeNaN();
  });

  it('rejects non-binary targets and mismatched sizes', () => {
    expect(() => averagePrecision([0.1, 0.2], [1, 0.5])).toThrow(/target 1 is 0.5/);
    expect(() => averagePrecision([0.1], [1, 0])).toThrow(/1 scores for 2 targets/);
    expect(() => meanAveragePrecision({ scores: [1, 2, 3], targets: [1, 0, 1], numClasses: 2 })).toThrow(
      /N × 2/,
    );
  });
});

describe('ROC-AUC and d-prime (scikit-learn / scipy reference)', () => {
  it('matches roc_auc_score per class with ties, and sqrt(2)·norm.ppf of the mean', () => {
    const { perClass, auc, dPrime: d } = meanRocAuc(matrix);
    const expected = numbers(ref.auc);
    expect(Number.isNaN(perClass[3])).toBe(true);
    for (const k of [0, 1, 2, 4]) expect(perClass[k]).toBeCloseTo(expected[k], 12);
    expect(auc).toBeCloseTo(ref.meanAuc, 12);
    expect(d).toBeCloseTo(ref.dPrime, 12);
  });

  it('counts tied positive/negative pairs as one half', () => {
    // Pairs (pos, neg): (0.9, 0.5) win, (0.9, 0.1) win, (0.5, 0.5) tie, (0.5, 0.1) win -> 3.5 / 4.
    expect(rocAuc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBe(0.875);
    expect(rocAuc([0.3, 0.3], [1, 0])).toBe(0.5);
    expect(rocAuc([0.3, 0.4], [1, 1])).toBeNaN();
    // Infinite scores rank like any other: the tied +Infinity pair counts one half.
    expect(rocAuc([Infinity, Infinity, -Infinity, 0], [1, 0, 0, 1])).toBe(0.625);
    expect(dPrime(0.5)).toBe(0);
  });

  it('normalQuantile equals scipy norm.ppf from the far tails to the centre', () => {
    ref.ppf.p.forEach((p: number, i: number) => {
      const x = ref.ppf.x[i];
      expect(Math.abs(normalQuantile(p) - x), `p=${p}`).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(x)));
    });
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});

describe('accuracy and nanMean', () => {
  it('compares argmax of scores and targets, first maximum on ties (numpy)', () => {
    const { scores, targets, shape } = ref.accuracy;
    expect(accuracy({ scores, targets, numClasses: shape[1] })).toBeCloseTo(ref.accuracy.value, 15);
    expect(accuracy({ scores: [0.5, 0.5, 0.2, 0.9], targets: [0, 1, 0, 1], numClasses: 2 })).toBe(0.5);
  });

  it('averages the non-NaN values', () => {
    expect(nanMean([1, Number.NaN, 3])).toBe(2);
    expect(nanMean([Number.NaN])).toBeNaN();
  });
});
