import {
  CnnDecoder,
  createDecoder,
  createEncoder,
  type ModelName,
  type ModelParts,
  modelPreset,
  type SpectrogramEncoder,
} from '@cat/layers';
import { RepresentationRegularizer } from '@cat/regularize';
import { BootstrapObjective } from '@cat/ssl';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from '../adamw.js';
import { type NamedParameter, parameterGroups } from '../parameters.js';
import type { Recipe } from '../recipe.js';
import { type PrefixedWeights, trainableParameters } from '../run/parameters.js';

/** The reference checkpoint prefix of the pre-training decoder. */
export const DECODER_PREFIX = 'modality_encoders.IMAGE.decoder.';

/** Everything pre-training trains or updates, built from a recipe. */
export interface PretrainingModel {
  student: SpectrogramEncoder;
  teacher: SpectrogramEncoder;
  decoder: CnnDecoder;
  regularizer: RepresentationRegularizer | null;
  objective: BootstrapObjective;
}

/**
 * Student, EMA teacher (starting as the student's copy), decoder, optional RR projector and the bootstrap
 * objective of a recipe. `targetDim` is the external features' width when regularization is on.
 */
export function buildPretrainingModel(recipe: Recipe, targetDim: number | null): PretrainingModel {
  const { seed } = recipe;
  const encoderConfig = recipe.architecture?.encoder ?? modelPreset(recipe.model as ModelName).encoder;
  const student = createEncoder(encoderConfig, seed);
  const teacher = createEncoder(encoderConfig, seed + 1);
  const decoder = recipe.architecture
    ? new CnnDecoder({ ...recipe.architecture.decoder, seed: seed + 2 })
    : createDecoder(recipe.model as ModelName, seed + 2);
  const dim = encoderConfig.embedDim;
  tf.tidy(() => {
    decoder.apply(tf.zeros([1, 8 * Math.max(1, 128 / student.patchSize), dim]));
  });
  const rr = recipe.pretrain.regularization;
  const regularizer =
    rr && targetDim !== null
      ? new RepresentationRegularizer({
          targetDim,
          studentDim: dim,
          projection: rr.projection,
          loss: rr.loss,
          weight: rr.weight,
          layer: rr.layer,
          seed: seed + 3,
        })
      : null;
  const { clones, maskProb, maskProbAdjust, topK, weighting, frameWeight, utteranceWeight, ema } =
    recipe.pretrain;
  const objective = new BootstrapObjective(
    student,
    teacher,
    decoder,
    {
      clones,
      maskProb,
      maskProbAdjust,
      topK: topK ?? undefined,
      weighting,
      frameWeight,
      utteranceWeight,
      ema,
      seed,
    },
    regularizer ? [regularizer] : [],
  );
  return { student, teacher, decoder, regularizer, objective };
}

/** The parts written to (and read from) a pre-training checkpoint. */
export function checkpointParts(model: PretrainingModel): ModelParts {
  const parts: ModelParts = { encoder: model.student, teacher: model.teacher, decoder: model.decoder };
  // The reference names a single-Linear projector `clap_proj`; an MLP projector is saved beside the model.
  if (model.regularizer && model.regularizer.config.projection !== 'mlp')
    parts.rrProjector = model.regularizer.projector;
  return parts;
}

/** The optimizer's parameters under reference names (student, decoder, projector; never the teacher). */
export function pretrainingParameters(model: PretrainingModel) {
  const parts: PrefixedWeights[] = [
    { weights: model.student.namedWeights() },
    { weights: model.decoder.namedWeights(), prefix: DECODER_PREFIX },
  ];
  if (model.regularizer) parts.push({ weights: model.regularizer.namedWeights() });
  return trainableParameters(parts);
}

/** The recipe's AdamW over the pre-training parameters (weight decay off for biases and norms). */
export function pretrainingOptimizer(recipe: Recipe, params: NamedParameter[]): AdamW {
  return new AdamW(parameterGroups(params, { weightDecay: recipe.optim.weightDecay }), {
    betas: recipe.optim.betas,
    eps: recipe.optim.eps,
  });
}

export function disposePretrainingModel(model: PretrainingModel): void {
  model.student.dispose();
  model.teacher.dispose();
  model.decoder.dispose();
  model.regularizer?.projector.dispose();
}
