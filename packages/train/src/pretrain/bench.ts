import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from '../adamw.js';
import { parameterGroups } from '../parameters.js';
import type { Recipe } from '../recipe.js';
import { buildPretrainingModel, disposePretrainingModel, pretrainingParameters } from './model.js';
import { applyPretrainingUpdate, pretrainingGradients } from './step.js';

export interface StepBenchmark {
  /** Median seconds of one optimizer step. */
  secondsPerStep: number;
  clipsPerSecond: number;
  /** Peak tfjs bytes in use during the timed steps. */
  peakBytes: number;
  /** Live tensors after the last step minus before the first timed one (0: no leak). */
  leakedTensors: number;
}

/**
 * Times full pre-training steps of a recipe's model on random input of its batch and target length: teacher
 * targets, the masked clones, decoder, losses, backward, clipping, AdamW and the EMA update (the regularizer on
 * random external features of width `externalDim` when the recipe has one). No data loading.
 */
export function benchmarkPretrainingStep(
  recipe: Recipe,
  options: { reps?: number; warmup?: number; externalDim?: number } = {},
): StepBenchmark {
  const { reps = 3, warmup = 1, externalDim = 46 } = options;
  const hasRegularizer = recipe.pretrain.regularization !== null;
  const model = buildPretrainingModel(recipe, hasRegularizer ? externalDim : null);
  const params = pretrainingParameters(model);
  const optimizer = new AdamW(parameterGroups(params, { weightDecay: recipe.optim.weightDecay }), {
    betas: recipe.optim.betas,
  });
  const variables = params.map((p) => p.variable);
  const { batchSize, targetLength } = recipe.data;
  const spectrogram = tf.randomNormal([batchSize, targetLength, 128], 0, 1, 'float32', 1) as tf.Tensor3D;
  const external = hasRegularizer
    ? (tf.randomNormal([batchSize, externalDim], 0, 1, 'float32', 2) as tf.Tensor2D)
    : undefined;
  const times: number[] = [];
  let peakBytes = 0;
  let before = 0;
  try {
    for (let i = 0; i < warmup + reps; i++) {
      if (i === warmup) before = tf.memory().numTensors;
      const started = performance.now();
      const inputs = { spectrogram, external, step: i, lr: recipe.optim.lr, clipNorm: recipe.optim.clipNorm };
      const { loss, parts, cls, grads } = pretrainingGradients(model, variables, inputs);
      peakBytes = Math.max(peakBytes, tf.memory().numBytes);
      const { norm } = applyPretrainingUpdate(model, optimizer, grads, inputs);
      loss.dataSync(); // the step is done when its loss is known
      tf.dispose([loss, cls, norm as tf.Tensor, ...Object.values(parts)]);
      if (i >= warmup) times.push((performance.now() - started) / 1000);
    }
    const leakedTensors = tf.memory().numTensors - before;
    times.sort((a, b) => a - b);
    const secondsPerStep = times[Math.floor(times.length / 2)];
    return { secondsPerStep, clipsPerSecond: batchSize / secondsPerStep, peakBytes, leakedTensors };
  } finally {
    tf.dispose([spectrogram, external as tf.Tensor]);
    optimizer.dispose();
    disposePretrainingModel(model);
  }
}
