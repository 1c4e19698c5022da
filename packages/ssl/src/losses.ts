import * as tf from '@tensorflow/tfjs-core';

/**
 * How the per-view terms (utterance, regularization) are combined with the per-token frame term.
 * - `reference`: exactly the published code (§7.4): frame term a mean over masked tokens, utterance and
 *   regularization terms SUMS over the views of a batch.
 * - `mean` (default): every term a mean, so the utterance term does not outweigh the frame term by the number of
 *   views; on small data the reference weighting lets the CLS term dominate (~97% of the loss) and the features
 *   collapse (../shared/docs/findings.md).
 */
export type LossWeighting = 'reference' | 'mean';

/** `Σ_d (a_d − b_d)² / √D` for each row of `[..., D]` tensors: the reference's L2 with its 1/√D scale. */
export function scaledSquaredError(prediction: tf.Tensor, target: tf.Tensor): tf.Tensor {
  const depth = prediction.shape[prediction.shape.length - 1];
  return tf.div(tf.sum(tf.squaredDifference(prediction, target), -1), Math.sqrt(depth));
}

/** Frame loss: mean over masked tokens of the scaled L2 between decoder predictions and targets, `[V, M, D]`. */
export function frameLoss(predictions: tf.Tensor3D, targets: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => tf.mean(scaledSquaredError(predictions, targets)) as tf.Scalar);
}

/** Combine a per-view loss vector `[V]` as the weighting says. */
export function combineViews(perView: tf.Tensor1D, weighting: LossWeighting): tf.Scalar {
  return (weighting === 'reference' ? tf.sum(perView) : tf.mean(perView)) as tf.Scalar;
}

/**
 * Utterance loss: the student's final CLS of each view `[V, D]` against the mean target over positions of its clip
 * `[V, D]` (already repeated per clone).
 */
export function utteranceLoss(
  cls: tf.Tensor2D,
  meanTargets: tf.Tensor2D,
  weighting: LossWeighting = 'mean',
): tf.Scalar {
  return tf.tidy(() => combineViews(scaledSquaredError(cls, meanTargets) as tf.Tensor1D, weighting));
}
