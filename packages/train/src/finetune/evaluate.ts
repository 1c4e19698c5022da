import type { FbankBatch } from '@cat/data/node';
import * as tf from '@tensorflow/tfjs-core';
import { accuracy, meanAveragePrecision, meanRocAuc } from '../metrics.js';
import type { AudioClassifier } from './classifier.js';

/** Metrics of a classifier on an evaluation set (the reference's, `tasks/finetuning.py`). */
export interface ClassificationMetrics {
  /** nanmean over classes of the average precision of sigmoid scores. */
  mAP: number;
  /** Fraction (0..1) of clips whose highest logit is at their highest target. */
  accuracy: number;
  /** nanmean over classes of the ROC-AUC, and its d-prime. */
  auc: number;
  dPrime: number;
  clips: number;
}

export interface Evaluation {
  metrics: ClassificationMetrics;
  /** Sigmoid scores [clips, classes], row-major, in the order of `ids`. */
  scores: Float32Array;
  targets: Float32Array;
  ids: string[];
}

/** Runs the classifier (no augmentation, no stochastic depth) over batches and scores the whole set at once. */
export async function evaluateClassifier(
  classifier: AudioClassifier,
  batches: AsyncIterable<FbankBatch>,
): Promise<Evaluation> {
  const scores: Float32Array[] = [];
  const targets: Float32Array[] = [];
  const ids: string[] = [];
  for await (const batch of batches) {
    if (batch.numClasses !== classifier.numClasses) {
      throw new Error(
        `evaluation: the data has ${batch.numClasses} classes, the model ${classifier.numClasses}`,
      );
    }
    const probabilities = tf.tidy(() => {
      const inputs = tf.tensor3d(batch.inputs, [batch.size, batch.frames, batch.bins]);
      return tf.sigmoid(classifier.logits(inputs, false));
    });
    scores.push((await probabilities.data()) as Float32Array);
    probabilities.dispose();
    targets.push(batch.targets);
    ids.push(...batch.ids);
  }
  if (ids.length === 0) throw new Error('evaluation: no clips');
  const matrix = { scores: concat(scores), targets: concat(targets), numClasses: classifier.numClasses };
  const { auc, dPrime } = meanRocAuc(matrix);
  return {
    metrics: {
      mAP: meanAveragePrecision(matrix).mAP,
      accuracy: accuracy(matrix),
      auc,
      dPrime,
      clips: ids.length,
    },
    scores: matrix.scores,
    targets: matrix.targets,
    ids,
  };
}

export function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
