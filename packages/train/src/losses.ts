import * as tf from '@tensorflow/tfjs-core';

/**
 * How the summed multi-label BCE is normalised: `labelSum` divides by the sum of the (mixed) target values of the
 * batch (AudioSet recipes), `batch` by the number of clips (SPC-2).
 */
export type BceNormalization = 'labelSum' | 'batch';

/**
 * Multi-label binary cross-entropy on logits `[B, C]` against targets in [0, 1] (mixed labels allowed), summed over
 * batch × classes and divided as `normalization` says. A batch whose targets sum to 0 gives Infinity under
 * `labelSum`, as in the reference.
 */
export function multiLabelBceWithLogits(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  normalization: BceNormalization = 'labelSum',
): tf.Scalar {
  checkSameShape(logits, targets, 'multiLabelBceWithLogits');
  return tf.tidy(() => {
    // max(x, 0) − x·y + log(1 + e^(−|x|)): no overflow for large |x|.
    const perElement = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, targets)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    const total = tf.sum(perElement);
    const denominator = normalization === 'labelSum' ? tf.sum(targets) : tf.scalar(logits.shape[0]);
    return tf.div(total, denominator) as tf.Scalar;
  });
}

/** Label smoothing as PyTorch's cross_entropy: `y·(1 − ε) + ε/C`. */
export function smoothLabels(targets: tf.Tensor2D, smoothing: number): tf.Tensor2D {
  if (!(smoothing >= 0 && smoothing <= 1))
    throw new Error(`smoothLabels: smoothing must be in [0, 1], got ${smoothing}`);
  return tf.tidy(() => tf.add(tf.mul(targets, 1 - smoothing), smoothing / targets.shape[1]));
}

/**
 * Cross-entropy against soft targets `[B, C]` (one-hot, mixed or smoothed), mean over the batch:
 * `mean_b −Σ_c y_bc · log_softmax(x_b)_c`. With `labelSmoothing` the targets are smoothed first.
 */
export function softTargetCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  labelSmoothing = 0,
): tf.Scalar {
  checkSameShape(logits, targets, 'softTargetCrossEntropy');
  return tf.tidy(() => {
    const y = labelSmoothing > 0 ? smoothLabels(targets, labelSmoothing) : targets;
    return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1))) as tf.Scalar;
  });
}

function checkSameShape(logits: tf.Tensor, targets: tf.Tensor, what: string): void {
  if (logits.rank !== 2 || !tf.util.arraysEqual(logits.shape, targets.shape)) {
    throw new Error(
      `${what}: logits [${logits.shape}] and targets [${targets.shape}] must be the same [B, C]`,
    );
  }
}
