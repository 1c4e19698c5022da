import type { ModelName } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from '../adamw.js';
import { clipGradientsByGlobalNorm } from '../clipping.js';
import { multiLabelBceWithLogits } from '../losses.js';
import type { StepBenchmark } from '../pretrain/bench.js';
import { defaultRecipe } from '../recipe.js';
import { AudioClassifier } from './classifier.js';
import { finetuneParameterGroups } from './finetune.js';

export interface FinetuningBenchmarkOptions {
  model: ModelName;
  batch: number;
  frames: number;
  /** Output classes (AudioSet: 527). */
  classes?: number;
  reps?: number;
  warmup?: number;
}

/**
 * Times full fine-tuning steps on random input: encoder with drop path 0.1, head, multi-label BCE, backward,
 * clipping, AdamW with layer-wise decay (the AS-20K recipe's optimizer). No data loading.
 */
export function benchmarkFinetuningStep(options: FinetuningBenchmarkOptions): StepBenchmark {
  const { model, batch, frames, classes = 527, reps = 3, warmup = 1 } = options;
  const optim = { ...defaultRecipe().optim, layerDecay: 0.75, clipNorm: 4 };
  const classifier = new AudioClassifier({ model, numClasses: classes, seed: 0, dropPath: 0.1 });
  const optimizer = new AdamW(finetuneParameterGroups(classifier, optim), { betas: optim.betas });
  const variables = classifier.namedParameters().map((p) => p.variable);
  const inputs = tf.randomNormal([batch, frames, 128], 0, 1, 'float32', 1) as tf.Tensor3D;
  const targets = tf.tidy(() =>
    tf.cast(tf.greater(tf.randomUniform([batch, classes], 0, 1, 'float32', 2), 0.99), 'float32'),
  );
  const times: number[] = [];
  let peakBytes = 0;
  let before = 0;
  try {
    for (let i = 0; i < warmup + reps; i++) {
      if (i === warmup) before = tf.memory().numTensors;
      const started = performance.now();
      const { value, grads } = tf.variableGrads(
        () => multiLabelBceWithLogits(classifier.logits(inputs, true), targets as tf.Tensor2D, 'labelSum'),
        variables,
      );
      peakBytes = Math.max(peakBytes, tf.memory().numBytes);
      const clipped = clipGradientsByGlobalNorm(grads, optim.clipNorm);
      tf.dispose(grads);
      optimizer.step(clipped.grads, 1e-4);
      value.dataSync();
      tf.dispose([value, clipped.norm, ...Object.values(clipped.grads)]);
      if (i >= warmup) times.push((performance.now() - started) / 1000);
    }
    const leakedTensors = tf.memory().numTensors - before;
    times.sort((a, b) => a - b);
    const secondsPerStep = times[Math.floor(times.length / 2)];
    return { secondsPerStep, clipsPerSecond: batch / secondsPerStep, replicas: 1, peakBytes, leakedTensors };
  } finally {
    tf.dispose([inputs, targets]);
    optimizer.dispose();
    classifier.dispose();
  }
}
