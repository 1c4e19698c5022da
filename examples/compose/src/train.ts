/**
 * Training a tf.layers model with @cat/train's parts instead of `model.fit`: AdamW (decoupled weight decay, no decay
 * on biases and norms), the cosine schedule with warm-up, the soft-target cross-entropy and the accuracy metric.
 */

import { SeededRandom } from '@cat/frontend';
import {
  AdamW,
  accuracy,
  cosineLearningRate,
  type NamedParameter,
  parameterGroups,
  softTargetCrossEntropy,
} from '@cat/train';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LabelledFbanks } from './data.js';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate after the warm-up (default 2e-3). */
  lr?: number;
  weightDecay?: number;
  /** Seed of the batch order (default 1). */
  seed?: number;
  /** Called after every epoch with its mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

/** The model's trainable variables under their tf.layers names (e.g. `gru/kernel`), as AdamW takes them. */
export function namedParameters(model: tfl.LayersModel): NamedParameter[] {
  return model.trainableWeights.map((weight) => ({
    name: weight.name,
    variable: weight.read() as tf.Variable,
  }));
}

function batchOf(data: LabelledFbanks, indices: readonly number[]): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const size = data.frames * data.melBins;
  const numClasses = data.classes.length;
  const x = new Float32Array(indices.length * size);
  const y = new Float32Array(indices.length * numClasses);
  indices.forEach((clip, row) => {
    x.set(data.fbanks.subarray(clip * size, (clip + 1) * size), row * size);
    y[row * numClasses + data.labels[clip]] = 1;
  });
  return {
    x: tf.tensor3d(x, [indices.length, data.frames, data.melBins]),
    y: tf.tensor2d(y, [indices.length, numClasses]),
  };
}

/** Trains in place; returns the mean loss of every epoch. */
export function trainModel(model: tfl.LayersModel, data: LabelledFbanks, options: TrainOptions): number[] {
  const params = namedParameters(model);
  const optimizer = new AdamW(parameterGroups(params, { weightDecay: options.weightDecay ?? 0.01 }), {
    betas: [0.9, 0.999],
  });
  const clips = data.labels.length;
  const stepsPerEpoch = Math.ceil(clips / options.batchSize);
  const totalSteps = options.epochs * stepsPerEpoch;
  const schedule = {
    peakLr: options.lr ?? 2e-3,
    warmupSteps: Math.min(stepsPerEpoch, Math.max(1, Math.floor(totalSteps / 10))),
    totalSteps: Math.max(totalSteps, 2),
    minLr: 1e-5,
  };
  const random = new SeededRandom(options.seed ?? 1);
  const losses: number[] = [];
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = random.shuffle(Array.from({ length: clips }, (_, i) => i)) as number[];
    let sum = 0;
    for (let start = 0; start < clips; start += options.batchSize) {
      const { x, y } = batchOf(data, order.slice(start, start + options.batchSize));
      const { value, grads } = tf.variableGrads(
        () => softTargetCrossEntropy(model.apply(x, { training: true }) as tf.Tensor2D, y),
        params.map((p) => p.variable),
      );
      optimizer.step(grads, cosineLearningRate(step++, schedule));
      sum += value.dataSync()[0] * (x.shape[0] / clips);
      tf.dispose([x, y, value, grads]);
    }
    losses.push(sum);
    options.onEpoch?.(epoch, sum);
  }
  return losses;
}

/** Class probabilities `[clips, classes]` (softmax of the logits), computed in batches. */
export function predict(model: tfl.LayersModel, data: LabelledFbanks, batchSize = 32): Float32Array {
  const clips = data.labels.length;
  const out = new Float32Array(clips * data.classes.length);
  for (let start = 0; start < clips; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, clips - start) }, (_, i) => start + i);
    const { x, y } = batchOf(data, indices);
    const probabilities = tf.tidy(() => tf.softmax(model.predict(x) as tf.Tensor2D));
    out.set(probabilities.dataSync(), start * data.classes.length);
    tf.dispose([x, y, probabilities]);
  }
  return out;
}

/** Mean loss (soft-target cross-entropy) and accuracy of the model on a set. */
export function evaluate(model: tfl.LayersModel, data: LabelledFbanks): { loss: number; accuracy: number } {
  const numClasses = data.classes.length;
  const scores = predict(model, data);
  const targets = new Float32Array(scores.length);
  let loss = 0;
  data.labels.forEach((label, clip) => {
    targets[clip * numClasses + label] = 1;
    loss -= Math.log(Math.max(scores[clip * numClasses + label], 1e-12)) / data.labels.length;
  });
  return { loss, accuracy: accuracy({ scores, targets, numClasses }) };
}
