import type { MaskBatch } from '@cat/ssl';
import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from '../adamw.js';
import type { PretrainingModel } from './model.js';
import { applyPretrainingUpdate, pretrainingGradients, type UpdateInputs } from './step.js';

/** A batch as it leaves the data loader: host memory, not yet on the backend. */
export interface HostBatch {
  /** `[clips, frames, bins]`, row-major. */
  spectrogram: Float32Array;
  clips: number;
  frames: number;
  bins: number;
  /** External features `[clips, dim]` when the model has a regularizer. */
  external?: { values: Float32Array; dim: number };
}

/** What a batch's forward and backward pass produce, the loss values already read back. */
export interface BatchGradients {
  /** `loss`, `frame`, `utterance` and one entry per extra term. */
  values: Record<string, number>;
  /** The student CLS of every view `[views, D]` (for the collapse check); the caller disposes it. */
  cls: tf.Tensor2D;
  /** Gradients by variable name; the caller owns them. */
  grads: tf.NamedTensorMap;
}

export type { UpdateInputs };

/** One pre-training step split in two: gradients of a batch, then the update (optimizer + EMA teacher). */
export interface PretrainingStepRunner {
  /** Threads computing each batch (1: this one only). */
  readonly replicas: number;
  gradients(batch: HostBatch, step: number): Promise<BatchGradients>;
  /** Clips (when asked), applies AdamW and the EMA update; disposes `grads`. */
  update(grads: tf.NamedTensorMap, inputs: UpdateInputs): { tau: number; norm: tf.Scalar | null };
  close(): Promise<void>;
}

/**
 * Gradients of a host batch on this thread, with given masks and noise stream when data-parallel replicas
 * share a batch. Synchronous: a worker thread runs it as is.
 */
export function hostBatchGradients(
  model: PretrainingModel,
  variables: tf.Variable[],
  batch: HostBatch,
  step: number,
  part: { masks?: MaskBatch; noiseStream?: number } = {},
): BatchGradients {
  const spectrogram = tf.tensor3d(batch.spectrogram, [batch.clips, batch.frames, batch.bins]);
  const external = batch.external
    ? tf.tensor2d(batch.external.values, [batch.clips, batch.external.dim])
    : undefined;
  const inputs = { spectrogram, external, step, ...part };
  const { loss, parts, cls, grads } = pretrainingGradients(model, variables, inputs);
  tf.dispose([spectrogram, external as tf.Tensor]);
  const values: Record<string, number> = { loss: loss.dataSync()[0] };
  for (const [name, t] of Object.entries(parts)) values[name] = t.dataSync()[0];
  tf.dispose([loss, ...Object.values(parts)]);
  return { values, cls, grads };
}

/** Every step on this thread. */
export class LocalStepRunner implements PretrainingStepRunner {
  readonly replicas = 1;

  constructor(
    private readonly model: PretrainingModel,
    private readonly optimizer: AdamW,
    private readonly variables: tf.Variable[],
  ) {}

  async gradients(batch: HostBatch, step: number): Promise<BatchGradients> {
    return hostBatchGradients(this.model, this.variables, batch, step);
  }

  update(grads: tf.NamedTensorMap, inputs: UpdateInputs) {
    return applyPretrainingUpdate(this.model, this.optimizer, grads, inputs);
  }

  async close(): Promise<void> {}
}
