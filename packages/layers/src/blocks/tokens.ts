import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type CallArgs,
  channelsOf,
  type LayerArgs,
  ReferenceLayer,
  type SeedArgs,
  type Shape,
} from './base.js';

/**
 * Prepends a learned token (CLS; `extra_tokens` [1, 1, D], N(0, 1) init) to tokens [B, N, D].
 */
export class ClassToken extends ReferenceLayer {
  static readonly className = 'CatClassToken';
  private token: tfl.LayerVariable | null = null;

  constructor(config: SeedArgs & LayerArgs = {}) {
    super(config);
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'ClassToken');
    this.token = this.params().weight('extra_tokens', [1, 1, dim], { kind: 'normal', stddev: 1 }, 'same');
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [batch, tokens, dim] = inputShape as Shape;
    return [batch, tokens === null ? null : tokens + 1, dim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const token = (this.token as tfl.LayerVariable).read();
      return tf.concat([tf.tile(token, [x.shape[0], 1, 1]), x], 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.baseConfig();
  }
}
tf.serialization.registerClass(ClassToken);

/**
 * The visible token indices of every sample, ascending, as int32 [B, K], from a visibility map
 * [B, …] (1 = visible) flattened row-major. Every sample must have the same number K of visible tokens.
 */
export function visibleTokenIndices(visibility: tf.Tensor): tf.Tensor2D {
  const batch = visibility.shape[0];
  const values = tf.reshape(visibility, [batch, -1]).arraySync() as number[][];
  const indices = values.map((row) => row.flatMap((v, i) => (v > 0.5 ? [i] : [])));
  const counts = new Set(indices.map((row) => row.length));
  if (counts.size > 1) {
    throw new Error(
      `visibleTokenIndices: samples have different numbers of visible tokens (${[...counts].join(', ')})`,
    );
  }
  return tf.tensor2d(indices, [batch, indices[0]?.length ?? 0], 'int32');
}

/**
 * Gathers tokens [B, N, D] at per-sample indices [B, K] → [B, K, D], as a one-hot matmul so the
 * gradient is a matmul too (no UnsortedSegmentSum needed).
 */
export function selectTokens(tokens: tf.Tensor, indices: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const selector = tf.oneHot(tf.cast(indices, 'int32') as tf.Tensor2D, tokens.shape[1] as number);
    return tf.matMul(tf.cast(selector, tokens.dtype) as tf.Tensor3D, tokens as tf.Tensor3D);
  });
}

/**
 * The inverse of `selectTokens`: puts tokens [B, K, D] back at their indices [B, K] of a grid of N
 * tokens and fills the other positions from `fill` ([B, N, D], e.g. the decoder's mask-token noise).
 */
export function scatterTokens(kept: tf.Tensor, indices: tf.Tensor, fill: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const n = fill.shape[1] as number;
    const selector = tf.cast(
      tf.oneHot(tf.cast(indices, 'int32') as tf.Tensor2D, n),
      kept.dtype,
    ) as tf.Tensor3D;
    const placed = tf.matMul(selector, kept as tf.Tensor3D, true, false);
    const visible = tf.expandDims(tf.sum(selector, 1), 2);
    return tf.add(placed, tf.mul(fill, tf.sub(1, visible))) as tf.Tensor3D;
  });
}
