import type { ModelName } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from '../adamw.js';
import { StepTiming } from '../bench-timing.js';
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
  const timing = new StepTiming(warmup, reps);
  try {
    for (let i = 0; i < timing.steps; i++) {
      timing.begin(i);
      const { value, grads } = tf.variableGrads(
        () => multiLabelBceWithLogits(classifier.logits(inputs, true), targets as tf.Tensor2D, 'labelSum'),
        variables,
      );
      timing.notePeak();
      const clipped = clipGradientsByGlobalNorm(grads, optim.clipNorm);
      tf.dispose(grads);
      optimizer.step(clipped.grads, 1e-4);
      value.dataSync();
      tf.dispose([value, clipped.norm, ...Object.values(clipped.grads)]);
      timing.end();
    }
    const { secondsPerStep, peakBytes, leakedTensors } = timing.result();
    return { secondsPerStep, clipsPerSecond: batch / secondsPerStep, replicas: 1, peakBytes, leakedTensors };
  } finally {
    tf.dispose([inputs, targets]);
    optimizer.dispose();
    classifier.dispose();
  }
}
