import * as tf from '@tensorflow/tfjs-core';

const EPS = 1e-5;

/** Normalise each channel over the token axis, per sample, without affine (instance norm of `[B, N, D]`). */
function instanceNormOverTokens(x: tf.Tensor3D): tf.Tensor3D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS)));
}

/** LayerNorm over channels without affine. */
function layerNormOverChannels(x: tf.Tensor3D): tf.Tensor3D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS)));
}

/**
 * The teacher's regression targets (reference §7.3): the FFN outputs of the top K blocks (`[B, N, D]` each, CLS
 * removed), each instance-normalised over tokens, averaged, then layer-normalised over channels without affine.
 */
export function bootstrapTargets(ffnOutputs: tf.Tensor3D[], topK = ffnOutputs.length): tf.Tensor3D {
  if (topK < 1 || topK > ffnOutputs.length) {
    throw new Error(`bootstrapTargets: topK must be in 1..${ffnOutputs.length}, got ${topK}`);
  }
  return tf.tidy(() => {
    const layers = ffnOutputs.slice(ffnOutputs.length - topK).map(instanceNormOverTokens);
    const mean = tf.div(tf.addN(layers), topK) as tf.Tensor3D;
    return layerNormOverChannels(mean);
  });
}
