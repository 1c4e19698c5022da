import type { MaskBatch } from '@cat/ssl';
import type * as tf from '@tensorflow/tfjs-core';
import type { AdamWState } from '../adamw.js';
import type { Recipe } from '../recipe.js';
import type { PretrainingModel } from './model.js';
import { pretrainingParameters } from './model.js';
import type { HostBatch, UpdateInputs } from './step-runner.js';

/** What a replica worker is started with. */
export interface ReplicaWorkerData {
  recipe: Recipe;
  targetDim: number | null;
  /** The backend the main thread chose (each thread sets up its own). */
  backend: Recipe['backend'];
  rank: number;
}

export type ReplicaRequest =
  | { kind: 'sync'; values: Float32Array[]; optimizer: AdamWState }
  | { kind: 'gradients'; batch: HostBatch; step: number; masks: MaskBatch; noiseStream: number }
  | { kind: 'update'; grads: Float32Array[]; inputs: UpdateInputs }
  | { kind: 'weights' };

export interface ReplicaGradients {
  values: Record<string, number>;
  cls: Float32Array;
  /** In `pretrainingParameters` order. */
  grads: Float32Array[];
}

export type ReplicaMessage =
  | { kind: 'ready' }
  | { kind: 'reply'; id: number; result?: ReplicaGradients | Float32Array[] }
  | { kind: 'error'; id: number | null; message: string };

/**
 * Everything that must be equal on every replica, in a fixed order: the optimizer's parameters (student,
 * decoder, projector) then the teacher's weights.
 */
export function replicatedVariables(model: PretrainingModel): tf.Variable[] {
  return [
    ...pretrainingParameters(model).map((p) => p.variable),
    ...model.teacher.namedWeights().map((w) => w.variable.read() as tf.Variable),
  ];
}

/**
 * A tensor's values in a buffer of their own, safe to transfer to another thread: some backends (cpu) hand out
 * their storage from `dataSync`, which a transfer would detach.
 */
export function transferableValues(tensor: tf.Tensor): Float32Array {
  return (tensor.dataSync() as Float32Array).slice();
}

/** Clips per replica: as even as possible, the first ranks taking the remainder. */
export function splitClips(clips: number, replicas: number): number[] {
  const base = Math.floor(clips / replicas);
  return Array.from({ length: replicas }, (_, rank) => base + (rank < clips % replicas ? 1 : 0));
}

/** The clips `[from, to)` of a host batch (copies, so that they can be transferred). */
export function sliceHostBatch(batch: HostBatch, from: number, to: number): HostBatch {
  const clipSize = batch.frames * batch.bins;
  const part: HostBatch = {
    spectrogram: batch.spectrogram.slice(from * clipSize, to * clipSize),
    clips: to - from,
    frames: batch.frames,
    bins: batch.bins,
  };
  if (batch.external) {
    const { values, dim } = batch.external;
    part.external = { values: values.slice(from * dim, to * dim), dim };
  }
  return part;
}

/** The masks of clips `[from, to)` of a batch whose views are `clip * clones + clone`. */
export function sliceMasks(masks: MaskBatch, from: number, to: number, clones: number): MaskBatch {
  const [first, last] = [from * clones, to * clones];
  const hidden = masks.tokens - masks.visibleCount;
  return {
    views: last - first,
    tokens: masks.tokens,
    visibleCount: masks.visibleCount,
    visible: masks.visible.slice(first * masks.tokens, last * masks.tokens),
    visibleIndices: masks.visibleIndices.slice(first * masks.visibleCount, last * masks.visibleCount),
    maskedIndices: masks.maskedIndices.slice(first * hidden, last * hidden),
  };
}
