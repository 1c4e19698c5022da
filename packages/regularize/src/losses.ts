import * as tf from '@tensorflow/tfjs-core';

/**
 * The alignment losses of the reference (§8.2), per view, with d the target width:
 * - `mse` (default): Σ_d (p − e)² / √d
 * - `cosine`: (1 − cos(p, e)) / √d
 * - `l1`: Σ_d |p − e| / √d
 * - `kl`: the reference's `ce` option, `kl_div(log_softmax(e), softmax(p))`, i.e. KL(softmax(p) ‖ softmax(e)),
 *   averaged over the d elements of a view (torch's default elementwise mean), no 1/√d scale.
 */
export type AlignmentLossKind = 'mse' | 'cosine' | 'l1' | 'kl';

export const ALIGNMENT_LOSS_KINDS: readonly AlignmentLossKind[] = ['mse', 'cosine', 'l1', 'kl'];

/** Per-view alignment loss `[V]` between projected student vectors and external targets, both `[V, d]`. */
export function alignmentLoss(
  projected: tf.Tensor2D,
  target: tf.Tensor2D,
  kind: AlignmentLossKind = 'mse',
): tf.Tensor1D {
  if (!tf.util.arraysEqual(projected.shape, target.shape)) {
    throw new Error(
      `alignmentLoss: projected [${projected.shape}] and target [${target.shape}] differ in shape`,
    );
  }
  const d = target.shape[1];
  return tf.tidy(() => {
    switch (kind) {
      case 'mse':
        return tf.div(tf.sum(tf.squaredDifference(projected, target), -1), Math.sqrt(d)) as tf.Tensor1D;
      case 'l1':
        return tf.div(tf.sum(tf.abs(tf.sub(projected, target)), -1), Math.sqrt(d)) as tf.Tensor1D;
      case 'cosine': {
        // torch's cosine_similarity clamps each norm at 1e-8.
        const dot = tf.sum(tf.mul(projected, target), -1);
        const norms = tf.mul(
          tf.maximum(tf.norm(projected, 'euclidean', -1), 1e-8),
          tf.maximum(tf.norm(target, 'euclidean', -1), 1e-8),
        );
        return tf.div(tf.sub(1, tf.div(dot, norms)), Math.sqrt(d)) as tf.Tensor1D;
      }
      case 'kl': {
        const logP = tf.logSoftmax(projected);
        const logE = tf.logSoftmax(target);
        return tf.mean(tf.mul(tf.exp(logP), tf.sub(logP, logE)), -1) as tf.Tensor1D;
      }
      default:
        throw new Error(
          `alignmentLoss: unknown loss '${kind}' (expected ${ALIGNMENT_LOSS_KINDS.join(', ')})`,
        );
    }
  });
}
