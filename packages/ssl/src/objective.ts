import type { CnnDecoder, EncoderOutput, SpectrogramEncoder } from '@cat/layers';
import { scatterTokens } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { type EmaSchedule, EmaUpdater, REFERENCE_EMA_SCHEDULE } from './ema.js';
import { combineViews, type LossWeighting, scaledSquaredError } from './losses.js';
import { InverseBlockMasker, type MaskBatch } from './masking.js';
import { bootstrapTargets } from './targets.js';

/** What an extra loss term (such as Representation Regularization) sees of a training step. */
export interface TermContext {
  /** The student's outputs for the `clips * clones` masked views (view = clip * clones + clone). */
  student: EncoderOutput;
  clips: number;
  clones: number;
  /** Token grid columns (frequency patches): token index = row * gridFreq + column. */
  gridFreq: number;
  /** The optimizer step, for terms whose weight follows a schedule. */
  step: number;
  /** What the caller passed for this term in `BatchInputs.terms[name]`, e.g. external embeddings `[clips, d]`. */
  input?: tf.Tensor;
}

/**
 * An extra loss term plugged into the objective without changing its callers: it reports a per-view loss
 * (its weight applied), which the objective combines over views with the same weighting as the utterance loss.
 */
export interface ObjectiveTerm {
  readonly name: string;
  trainableVariables(): tf.Variable[];
  perViewLoss(context: TermContext): tf.Tensor1D;
}

export interface BootstrapConfig {
  /** Masked views per clip (reference CAT recipes: 4). */
  clones?: number;
  maskProb?: number;
  maskProbAdjust?: number;
  blockSize?: number;
  /** Teacher blocks averaged into the targets; default all (the reference: 11 for CAT-base). */
  topK?: number;
  /** See `LossWeighting`; default `mean`. */
  weighting?: LossWeighting;
  frameWeight?: number;
  utteranceWeight?: number;
  /** Std of the noise tokens the decoder gets at masked positions (reference 0.01). */
  maskNoiseStd?: number;
  ema?: EmaSchedule;
  seed?: number;
}

export interface BatchInputs {
  /** Spectrogram batch `[clips, T, F]` (normalised fbanks). */
  spectrogram: tf.Tensor;
  /** Masks for `clips * clones` views; drawn from the objective's masker when absent. */
  masks?: MaskBatch;
  /** Inputs of the extra terms by name. */
  terms?: Record<string, tf.Tensor>;
  /** The optimizer step (seeds the decoder's noise tokens; feeds term schedules). */
  step: number;
  /**
   * Which noise stream seeds the decoder's noise tokens (default 0). Data-parallel replicas pass their rank, so
   * their parts of a batch do not share noise.
   */
  noiseStream?: number;
}

export interface LossParts {
  total: tf.Scalar;
  frame: tf.Scalar;
  utterance: tf.Scalar;
  /** One entry per extra term, by name. */
  terms: Record<string, tf.Scalar>;
  /** The student's CLS of every view `[V, D]` (for the collapse monitor). */
  cls: tf.Tensor2D;
}

/**
 * CAT's bootstrap objective (reference §7, EAT / data2vec 2.0): an EMA teacher encodes the unmasked spectrogram,
 * its averaged top-K FFN outputs are the targets; the student encodes `clones` inverse-block-masked views (only
 * visible tokens through the transformer), a CNN decoder predicts every position from the visible tokens plus
 * noise tokens, and the loss is the frame term on masked positions plus the utterance term on CLS (plus any
 * extra terms).
 */
export class BootstrapObjective {
  readonly config: Required<Omit<BootstrapConfig, 'topK'>> & { topK: number };
  readonly ema: EmaUpdater;
  private readonly maskers = new Map<string, InverseBlockMasker>();

  constructor(
    readonly student: SpectrogramEncoder,
    readonly teacher: SpectrogramEncoder,
    readonly decoder: CnnDecoder,
    config: BootstrapConfig = {},
    readonly terms: ObjectiveTerm[] = [],
  ) {
    const depth = student.blocks.length;
    this.config = {
      clones: config.clones ?? 4,
      maskProb: config.maskProb ?? 0.8,
      maskProbAdjust: config.maskProbAdjust ?? 0.07,
      blockSize: config.blockSize ?? 5,
      topK: config.topK ?? depth,
      weighting: config.weighting ?? 'mean',
      frameWeight: config.frameWeight ?? 1,
      utteranceWeight: config.utteranceWeight ?? 1,
      maskNoiseStd: config.maskNoiseStd ?? 0.01,
      ema: config.ema ?? REFERENCE_EMA_SCHEDULE,
      seed: config.seed ?? 0,
    };
    if (this.config.topK < 1 || this.config.topK > teacher.blocks.length) {
      throw new Error(`BootstrapObjective: topK ${this.config.topK} is outside 1..${teacher.blocks.length}`);
    }
    const names = new Set<string>();
    for (const term of terms) {
      if (names.has(term.name))
        throw new Error(`BootstrapObjective: two extra terms are named '${term.name}'`);
      names.add(term.name);
    }
    const variables = (encoder: SpectrogramEncoder) =>
      encoder.trainableWeights.map((w) => w.read() as tf.Variable);
    this.ema = new EmaUpdater(variables(teacher), variables(student), this.config.ema);
    this.ema.copyStudent();
  }

  /** Everything the optimizer updates: student encoder, decoder, and the extra terms' variables (never the teacher). */
  trainableVariables(): tf.Variable[] {
    return [
      ...this.student.trainableWeights.map((w) => w.read() as tf.Variable),
      ...this.decoder.trainableWeights.map((w) => w.read() as tf.Variable),
      ...this.terms.flatMap((term) => term.trainableVariables()),
    ];
  }

  /** The masker for a token grid (one per grid size, each with its own seeded stream). */
  masker(gridTime: number, gridFreq: number): InverseBlockMasker {
    const key = `${gridTime}x${gridFreq}`;
    let masker = this.maskers.get(key);
    if (!masker) {
      const { maskProb, maskProbAdjust, blockSize, seed } = this.config;
      masker = new InverseBlockMasker({ gridTime, gridFreq, maskProb, maskProbAdjust, blockSize, seed });
      this.maskers.set(key, masker);
    }
    return masker;
  }

  /** Draw the masks of a batch of `clips` spectrograms with `frames` frames. */
  sampleMasks(clips: number, frames: number, freqBins: number): MaskBatch {
    const patch = this.student.patchSize;
    return this.masker(frames / patch, freqBins / patch).sample(clips, this.config.clones);
  }

  /**
   * The teacher's targets `[clips, N, D]` for an unmasked batch. Compute them outside the gradient tape: the
   * teacher's variables are never among the optimizer's, so nothing flows into them either way.
   */
  teacherTargets(spectrogram: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const output = this.teacher.encode(spectrogram);
      const [clips, withCls, dim] = output.layerOutputs[0].shape;
      const ffn = output.layerOutputs.map(
        (t) => tf.slice(t, [0, 1, 0], [clips, withCls - 1, dim]) as tf.Tensor3D,
      );
      return bootstrapTargets(ffn, this.config.topK);
    });
  }

  /**
   * The losses of one batch. Call it inside `tf.variableGrads(() => objective.losses(...).total, vars)`; pass
   * `targets` computed beforehand with `teacherTargets` to keep the teacher off the gradient tape.
   */
  losses(batch: BatchInputs, targets: tf.Tensor3D): LossParts {
    const { clones, weighting, frameWeight, utteranceWeight, maskNoiseStd } = this.config;
    const [clips, frames, freqBins] = batch.spectrogram.shape as number[];
    const masks = batch.masks ?? this.sampleMasks(clips, frames, freqBins);
    const views = clips * clones;
    if (masks.views !== views) throw new Error(`BootstrapObjective: ${masks.views} masks for ${views} views`);
    const patch = this.student.patchSize;
    const grid: [number, number] = [frames / patch, freqBins / patch];
    return tf.tidy(() => {
      // Every clip repeated `clones` times, view = clip * clones + clone.
      const repeat = (x: tf.Tensor) => {
        const shape = x.shape.slice(1);
        const tiled = tf.tile(tf.expandDims(x, 1), [1, clones, ...shape.map(() => 1)]);
        return tf.reshape(tiled, [views, ...shape]);
      };
      const visibility = tf.tensor3d(Float32Array.from(masks.visible), [views, ...grid]);
      const visibleIndices = tf.tensor2d(masks.visibleIndices, [views, masks.visibleCount], 'int32');
      const masked = tf.tensor2d(
        Float32Array.from(masks.visible, (v) => 1 - v),
        [views, masks.tokens],
      );
      const student = this.student.encode(repeat(batch.spectrogram), {
        visibility,
        visibleIndices,
        training: true,
      });
      const dim = student.tokens.shape[2];
      const noise = tf.randomNormal(
        [views, masks.tokens, dim],
        0,
        maskNoiseStd,
        'float32',
        noiseSeed(this.config.seed, batch.step, batch.noiseStream ?? 0),
      );
      const predictions = this.decoder.apply(
        scatterTokens(student.tokens, visibleIndices, noise),
      ) as tf.Tensor3D;
      const viewTargets = repeat(targets) as tf.Tensor3D;
      // Frame term: mean over masked positions only (the decoder predicts every position).
      const perToken = scaledSquaredError(predictions, viewTargets);
      const frame = tf.div(tf.sum(tf.mul(perToken, masked)), tf.sum(masked)) as tf.Scalar;
      const utterance = combineViews(
        scaledSquaredError(student.cls, tf.mean(viewTargets, 1)) as tf.Tensor1D,
        weighting,
      );
      let total = tf.add(tf.mul(frame, frameWeight), tf.mul(utterance, utteranceWeight)) as tf.Scalar;
      const terms: Record<string, tf.Scalar> = {};
      for (const term of this.terms) {
        const perView = term.perViewLoss({
          student,
          clips,
          clones,
          gridFreq: grid[1],
          step: batch.step,
          input: batch.terms?.[term.name],
        });
        terms[term.name] = combineViews(perView, weighting);
        total = tf.add(total, terms[term.name]) as tf.Scalar;
      }
      const parts: LossParts = { total, frame, utterance, terms, cls: student.cls };
      return parts as unknown as tf.TensorContainer;
    }) as unknown as LossParts;
  }

  /** Apply the EMA update after an optimizer step; returns the τ used. */
  updateTeacher(step: number): number {
    return this.ema.update(step);
  }

  /** Masker states by grid, for exact resume. */
  getState(): Record<string, ReturnType<InverseBlockMasker['getState']>> {
    return Object.fromEntries([...this.maskers].map(([key, masker]) => [key, masker.getState()]));
  }

  setState(state: Record<string, ReturnType<InverseBlockMasker['getState']>>): void {
    for (const [key, value] of Object.entries(state)) {
      const [gridTime, gridFreq] = key.split('x').map(Number);
      this.masker(gridTime, gridFreq).setState(value);
    }
  }
}

/** A distinct, reproducible noise seed per step. */
function noiseSeed(seed: number, step: number, stream: number): number {
  return ((seed + 1) * 1_000_003 + step * 7919 + stream * 104_729) % 2_147_483_647;
}
