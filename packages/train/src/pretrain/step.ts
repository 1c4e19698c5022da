import type { MaskBatch } from '@cat/ssl';
import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from '../adamw.js';
import { clipGradientsByGlobalNorm } from '../clipping.js';
import type { PretrainingModel } from './model.js';

/** What the gradients of a batch depend on. */
export interface GradientInputs {
  spectrogram: tf.Tensor3D;
  /** External features `[clips, d]` when the model has a regularizer. */
  external?: tf.Tensor2D;
  step: number;
  /** The batch's masks; drawn from the objective's masker when absent. */
  masks?: MaskBatch;
  /** The decoder noise stream (a data-parallel replica's rank). */
  noiseStream?: number;
}

/** What an optimizer update depends on. */
export interface UpdateInputs {
  step: number;
  lr: number;
  /** Global-norm clipping; null = off. */
  clipNorm: number | null;
}

/**
 * Gradients of one pre-training batch: teacher targets (off the tape), student views, decoder, losses. Returns
 * the loss values, the student CLS of every view (for the collapse check) and the gradients, all owned by the caller.
 */
export function pretrainingGradients(
  model: PretrainingModel,
  variables: tf.Variable[],
  inputs: GradientInputs,
) {
  const terms: Record<string, tf.Tensor> = {};
  if (model.regularizer && inputs.external) terms[model.regularizer.name] = inputs.external;
  const targets = model.objective.teacherTargets(inputs.spectrogram);
  const parts: Record<string, tf.Scalar> = {};
  let cls: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const out = model.objective.losses(
      {
        spectrogram: inputs.spectrogram,
        step: inputs.step,
        terms,
        masks: inputs.masks,
        noiseStream: inputs.noiseStream,
      },
      targets,
    );
    for (const [name, t] of Object.entries({ frame: out.frame, utterance: out.utterance, ...out.terms })) {
      parts[name] = tf.keep(t);
    }
    cls = tf.keep(out.cls);
    return out.total;
  }, variables);
  targets.dispose();
  return { loss: value, parts, cls: cls as unknown as tf.Tensor2D, grads };
}

/** Clip (when asked), apply the optimizer, update the EMA teacher; disposes `grads`. Returns the pre-clip norm. */
export function applyPretrainingUpdate(
  model: PretrainingModel,
  optimizer: AdamW,
  grads: tf.NamedTensorMap,
  inputs: UpdateInputs,
): { tau: number; norm: tf.Scalar | null } {
  let update = grads;
  let norm: tf.Scalar | null = null;
  if (inputs.clipNorm !== null) {
    const clipped = clipGradientsByGlobalNorm(grads, inputs.clipNorm);
    tf.dispose(Object.values(grads));
    update = clipped.grads;
    norm = clipped.norm;
  }
  optimizer.step(update, inputs.lr);
  tf.dispose(Object.values(update));
  return { tau: model.objective.updateTeacher(inputs.step), norm };
}
