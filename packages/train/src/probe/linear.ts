import { SeededRandom } from '@cat/frontend';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from '../adamw.js';
import { parameterGroups } from '../parameters.js';

export interface LinearClassifierOptions {
  /** Sigmoid outputs with binary cross-entropy (multi-label) instead of softmax with cross-entropy. */
  multiLabel: boolean;
  /** Passes over the training features (default 300). */
  epochs?: number;
  /** AdamW learning rate (default 0.01). */
  lr?: number;
  /** Decoupled weight decay on the weights (not the bias), the L2 regularisation (default 1e-4). */
  weightDecay?: number;
  /** Rows per update; default all (full batch). */
  batchSize?: number;
  /** Seed of the minibatch order (default 0). */
  seed?: number;
}

/** A trained linear classifier over standardised features. */
export interface LinearClassifier {
  dim: number;
  numClasses: number;
  multiLabel: boolean;
  /** Training-set statistics the features are standardised with. */
  mean: Float32Array;
  std: Float32Array;
  /** Row-major [dim, numClasses]. */
  weight: Float32Array;
  bias: Float32Array;
}

export interface LabelledFeatures {
  /** Row-major [count, dim]. */
  features: Float32Array;
  dim: number;
  /** Row-major [count, numClasses], 0/1 (one-hot for single-label). */
  targets: Float32Array;
  numClasses: number;
}

function standardisation(features: Float32Array, dim: number): { mean: Float32Array; std: Float32Array } {
  const count = features.length / dim;
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += features[i * dim + j];
    const m = sum / count;
    let squares = 0;
    for (let i = 0; i < count; i++) squares += (features[i * dim + j] - m) ** 2;
    mean[j] = m;
    // A constant feature stays 0 after centring; dividing by 1 keeps it finite.
    std[j] = Math.sqrt(squares / count) || 1;
  }
  return { mean, std };
}

/**
 * Trains a linear classifier on fixed features: standardised with the training statistics, then a softmax
 * (single-label) or sigmoid (multi-label) layer fitted by AdamW. The gradients are the closed-form ones of
 * cross-entropy on logits, `(p − y) / n`, so no autodiff is needed.
 */
export function trainLinearClassifier(
  data: LabelledFeatures,
  options: LinearClassifierOptions,
): LinearClassifier {
  const { dim, numClasses } = data;
  const count = data.features.length / dim;
  if (!Number.isInteger(count) || count === 0 || data.targets.length !== count * numClasses) {
    throw new Error(
      `linear classifier: ${data.features.length} feature values and ${data.targets.length} targets do not form ${dim}- and ${numClasses}-wide rows`,
    );
  }
  const epochs = options.epochs ?? 300;
  const batchSize = Math.min(options.batchSize ?? count, count);
  const { mean, std } = standardisation(data.features, dim);
  const weight = tf.tidy(() => tf.variable(tf.zeros([dim, numClasses])));
  const bias = tf.tidy(() => tf.variable(tf.zeros([numClasses])));
  const optimizer = new AdamW(
    parameterGroups(
      [
        { name: 'head.weight', variable: weight },
        { name: 'head.bias', variable: bias },
      ],
      { weightDecay: options.weightDecay ?? 1e-4 },
    ),
    { betas: [0.9, 0.999] },
  );
  const x = tf.tidy(() => tf.div(tf.sub(tf.tensor2d(data.features, [count, dim]), mean), std)) as tf.Tensor2D;
  const y = tf.tensor2d(data.targets, [count, numClasses]);
  const random = new SeededRandom(options.seed ?? 0);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (batchSize < count) {
        for (let i = count - 1; i > 0; i--) {
          const j = random.int(i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      for (let start = 0; start < count; start += batchSize) {
        const grads = tf.tidy(() => {
          const rows = batchSize < count ? tf.tensor1d(order.slice(start, start + batchSize), 'int32') : null;
          const xb = rows ? tf.gather(x, rows) : x;
          const yb = rows ? tf.gather(y, rows) : y;
          const logits = tf.add(tf.matMul(xb, weight), bias);
          const p = options.multiLabel ? tf.sigmoid(logits) : tf.softmax(logits);
          const delta = tf.div(tf.sub(p, yb), xb.shape[0]);
          return { [weight.name]: tf.matMul(xb, delta, true, false), [bias.name]: tf.sum(delta, 0) };
        });
        optimizer.step(grads, options.lr ?? 0.01);
        tf.dispose(grads);
      }
    }
    return {
      dim,
      numClasses,
      multiLabel: options.multiLabel,
      mean,
      std,
      weight: weight.dataSync() as Float32Array,
      bias: bias.dataSync() as Float32Array,
    };
  } finally {
    optimizer.dispose();
    tf.dispose([weight, bias, x, y]);
  }
}

/** Probabilities [count, numClasses] of feature rows [count, dim] (softmax or sigmoid). */
export function linearClassifierScores(classifier: LinearClassifier, features: Float32Array): Float32Array {
  const { dim, numClasses, mean, std } = classifier;
  const count = features.length / dim;
  if (!Number.isInteger(count))
    throw new Error(`linear classifier: ${features.length} values are not ${dim}-wide rows`);
  return tf.tidy(() => {
    const x = tf.div(tf.sub(tf.tensor2d(features, [count, dim]), mean), std);
    const logits = tf.add(tf.matMul(x, tf.tensor2d(classifier.weight, [dim, numClasses])), classifier.bias);
    return (classifier.multiLabel ? tf.sigmoid(logits) : tf.softmax(logits)).dataSync() as Float32Array;
  });
}
