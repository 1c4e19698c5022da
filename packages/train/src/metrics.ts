import { normalQuantile } from './normal-quantile.js';

/** Scores and 0/1 targets of N clips × C classes, row-major. */
export interface ScoreMatrix {
  scores: ArrayLike<number>;
  targets: ArrayLike<number>;
  numClasses: number;
}

/**
 * Walks the clips from the highest score down, one group of tied scores at a time, calling `visit` with the
 * true/false positives of the group and of everything above it. Both AP and ROC-AUC are sums over these groups,
 * which is how scikit-learn treats ties (one threshold per distinct score).
 */
function forEachThreshold(
  scores: ArrayLike<number>,
  positive: ArrayLike<boolean>,
  visit: (tpAbove: number, fpAbove: number, tp: number, fp: number) => void,
): void {
  // Compared rather than subtracted so infinite scores sort too (Infinity − Infinity is NaN).
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) =>
    scores[a] > scores[b] ? -1 : scores[a] < scores[b] ? 1 : 0,
  );
  let tpAbove = 0;
  let fpAbove = 0;
  for (let start = 0; start < order.length; ) {
    let tp = 0;
    let fp = 0;
    let end = start;
    while (end < order.length && scores[order[end]] === scores[order[start]]) {
      if (positive[order[end]]) tp++;
      else fp++;
      end++;
    }
    visit(tpAbove, fpAbove, tp, fp);
    tpAbove += tp;
    fpAbove += fp;
    start = end;
  }
}

function binaryColumn(targets: ArrayLike<number>, what: string): boolean[] {
  return Array.from(targets, (t, i) => {
    if (t !== 0 && t !== 1) throw new Error(`${what}: target ${i} is ${t}, expected 0 or 1`);
    return t === 1;
  });
}

function checkScores(scores: ArrayLike<number>, count: number, what: string): void {
  if (scores.length !== count) throw new Error(`${what}: ${scores.length} scores for ${count} targets`);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`${what}: score ${i} is NaN`);
  }
}

/**
 * Average precision of one class as scikit-learn's `average_precision_score`: `Σ (Rₖ − Rₖ₋₁)·Pₖ` over the distinct
 * score thresholds. NaN when the class has no positives (skipped by the mean).
 */
export function averagePrecision(scores: ArrayLike<number>, targets: ArrayLike<number>): number {
  const positive = binaryColumn(targets, 'averagePrecision');
  checkScores(scores, positive.length, 'averagePrecision');
  const positives = positive.filter(Boolean).length;
  if (positives === 0) return Number.NaN;
  let sum = 0;
  forEachThreshold(scores, positive, (tpAbove, fpAbove, tp, fp) => {
    if (tp > 0) sum += (tp / positives) * ((tpAbove + tp) / (tpAbove + fpAbove + tp + fp));
  });
  return sum;
}

/**
 * Area under the ROC curve as scikit-learn's `roc_auc_score`: the chance that a positive scores above a negative,
 * ties counting one half. NaN when the class lacks positives or negatives.
 */
export function rocAuc(scores: ArrayLike<number>, targets: ArrayLike<number>): number {
  const positive = binaryColumn(targets, 'rocAuc');
  checkScores(scores, positive.length, 'rocAuc');
  const positives = positive.filter(Boolean).length;
  const negatives = positive.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  let pairs = 0;
  forEachThreshold(scores, positive, (tpAbove, _fpAbove, tp, fp) => {
    pairs += fp * (tpAbove + tp / 2);
  });
  return pairs / (positives * negatives);
}

function columns(matrix: ScoreMatrix, what: string): Array<{ scores: number[]; targets: number[] }> {
  const { scores, targets, numClasses } = matrix;
  if (!(Number.isInteger(numClasses) && numClasses > 0))
    throw new Error(`${what}: numClasses is ${numClasses}`);
  if (scores.length !== targets.length || targets.length % numClasses !== 0) {
    throw new Error(
      `${what}: ${scores.length} scores and ${targets.length} targets do not form N × ${numClasses}`,
    );
  }
  const rows = targets.length / numClasses;
  return Array.from({ length: numClasses }, (_, k) => ({
    scores: Array.from({ length: rows }, (_, n) => scores[n * numClasses + k]),
    targets: Array.from({ length: rows }, (_, n) => targets[n * numClasses + k]),
  }));
}

/** Mean of the non-NaN values (numpy's `nanmean`); NaN when there are none. */
export function nanMean(values: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) {
      sum += values[i];
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}

/** Per-class average precision and its nanmean over classes: AudioSet's mAP. */
export function meanAveragePrecision(matrix: ScoreMatrix): { mAP: number; perClass: Float64Array } {
  const perClass = Float64Array.from(columns(matrix, 'meanAveragePrecision'), (c) =>
    averagePrecision(c.scores, c.targets),
  );
  return { mAP: nanMean(perClass), perClass };
}

/** Per-class ROC-AUC, their nanmean, and the d-prime of that mean (AST/EAT's `d_prime`). */
export function meanRocAuc(matrix: ScoreMatrix): { auc: number; dPrime: number; perClass: Float64Array } {
  const perClass = Float64Array.from(columns(matrix, 'meanRocAuc'), (c) => rocAuc(c.scores, c.targets));
  const auc = nanMean(perClass);
  return { auc, dPrime: dPrime(auc), perClass };
}

/** Sensitivity index from an AUC: `√2 · Φ⁻¹(auc)`. */
export function dPrime(auc: number): number {
  return Math.SQRT2 * normalQuantile(auc);
}

/**
 * Fraction (0..1) of clips whose highest score is at their highest target (first maximum on ties, as numpy's argmax);
 * the reference reports 100 × this.
 */
export function accuracy(matrix: ScoreMatrix): number {
  const { scores, targets, numClasses } = matrix;
  if (scores.length !== targets.length || targets.length % numClasses !== 0 || targets.length === 0) {
    throw new Error(
      `accuracy: ${scores.length} scores and ${targets.length} targets do not form N × ${numClasses}`,
    );
  }
  const rows = targets.length / numClasses;
  let correct = 0;
  for (let n = 0; n < rows; n++) {
    if (argmax(scores, n * numClasses, numClasses) === argmax(targets, n * numClasses, numClasses)) correct++;
  }
  return correct / rows;
}

function argmax(values: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}
