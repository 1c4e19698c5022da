import * as tf from '@tensorflow/tfjs-core';
import { GradientAccumulator } from '../accumulation.js';
import { StepTiming } from '../bench-timing.js';
import type { Recipe } from '../recipe.js';
import {
  buildPretrainingModel,
  disposePretrainingModel,
  pretrainingOptimizer,
  pretrainingParameters,
} from './model.js';
import { createStepRunner } from './replicas.js';
import type { HostBatch } from './step-runner.js';

export interface StepBenchmark {
  /** Median seconds of one optimizer step. */
  secondsPerStep: number;
  clipsPerSecond: number;
  /** Threads computing each step. */
  replicas: number;
  /** Peak tfjs bytes in use on this thread during the timed steps (each worker replica holds about as much). */
  peakBytes: number;
  /** Live tensors after the last step minus before the first timed one (0: no leak). */
  leakedTensors: number;
}

export interface StepBenchmarkOptions {
  reps?: number;
  warmup?: number;
  /** Width of the random external features when the recipe has a regularizer (default 46). */
  externalDim?: number;
  /** Data-parallel replicas (default 1: this thread). */
  replicas?: number;
  /** Micro-batches of the recipe's batch size per optimizer step (default: the recipe's `optim.accumulate`). */
  accumulate?: number;
  /** The data-parallel worker script (default: the one built beside this module). */
  workerScript?: string | URL;
}

/**
 * Times full pre-training steps of a recipe's model on random input of its batch and target length: teacher
 * targets, the masked clones, decoder, losses, backward, clipping, AdamW and the EMA update (the regularizer on
 * random external features when the recipe has one), on this thread or over data-parallel replicas, with
 * `accumulate` micro-batches per step. No data loading.
 */
export async function benchmarkPretrainingStep(
  recipe: Recipe,
  options: StepBenchmarkOptions = {},
): Promise<StepBenchmark> {
  const { reps = 3, warmup = 1, externalDim = 46, replicas = 1 } = options;
  const accumulate = options.accumulate ?? recipe.optim.accumulate;
  const targetDim = recipe.pretrain.regularization !== null ? externalDim : null;
  const model = buildPretrainingModel(recipe, targetDim);
  const params = pretrainingParameters(model);
  const optimizer = pretrainingOptimizer(recipe, params);
  const variables = params.map((p) => p.variable);
  const { batchSize, targetLength } = recipe.data;
  const batch: HostBatch = {
    spectrogram: tf
      .randomNormal([batchSize, targetLength, 128], 0, 1, 'float32', 1)
      .dataSync() as Float32Array,
    clips: batchSize,
    frames: targetLength,
    bins: 128,
  };
  if (targetDim !== null) {
    const values = tf.randomNormal([batchSize, targetDim], 0, 1, 'float32', 2).dataSync() as Float32Array;
    batch.external = { values, dim: targetDim };
  }
  const runner = await createStepRunner(model, optimizer, variables, recipe, {
    replicas,
    targetDim,
    backend: tf.getBackend() as Recipe['backend'],
    workerScript: options.workerScript,
  }).catch((error) => {
    optimizer.dispose();
    disposePretrainingModel(model);
    throw error;
  });
  const accumulator = new GradientAccumulator();
  const timing = new StepTiming(warmup, reps);
  try {
    for (let i = 0; i < timing.steps; i++) {
      timing.begin(i);
      let grads: tf.NamedTensorMap = {};
      for (let micro = 0; micro < accumulate; micro++) {
        const result = await runner.gradients(batch, i);
        timing.notePeak();
        result.cls.dispose();
        grads = result.grads;
        if (accumulate > 1) {
          accumulator.add(result.grads);
          tf.dispose(Object.values(result.grads));
        }
      }
      if (accumulate > 1) grads = accumulator.drain('mean');
      const update = { step: i, lr: recipe.optim.lr, clipNorm: recipe.optim.clipNorm };
      const { norm } = runner.update(grads, update);
      // The step is done when its results are on the host (the loss values already are).
      norm?.dataSync();
      norm?.dispose();
      timing.end();
    }
    const { secondsPerStep, peakBytes, leakedTensors } = timing.result();
    return {
      secondsPerStep,
      clipsPerSecond: (batchSize * accumulate) / secondsPerStep,
      replicas: runner.replicas,
      peakBytes,
      leakedTensors,
    };
  } finally {
    await runner.close();
    optimizer.dispose();
    disposePretrainingModel(model);
  }
}
