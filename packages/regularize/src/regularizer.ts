import type { EncoderOutput, NamedWeight } from '@cat/layers';
import { gelu, Linear } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { type AlignmentLossKind, alignmentLoss } from './losses.js';

/** λ over training: constant (the reference) or a schedule of the step. */
export type WeightSchedule = number | ((step: number) => number);

export interface RegularizerConfig {
  /** Width of the external features (CLAP 512, AST/BEATs/Dasheng 768, descriptors 46). */
  targetDim: number;
  /** Width of the student (the encoder's D). */
  studentDim: number;
  /**
   * `student-to-target` (reference proj_type 2/4/6: Linear D→d on the student, default), `target-to-student`
   * (odd proj_types: Linear d→D on the target), or `mlp` (Linear D→h, GELU, Linear h→d on the student).
   */
  projection?: 'student-to-target' | 'target-to-student' | 'mlp';
  /** Hidden width of the `mlp` projection. Default 2·D. */
  hiddenDim?: number;
  loss?: AlignmentLossKind;
  /** λ (reference 1.0). */
  weight?: WeightSchedule;
  /**
   * Which student vector is aligned: 0 = the final CLS output (reference default), l ≥ 1 = the CLS position of
   * block l's FFN output (1-based, as the reference's `clap_loss_layer`).
   */
  layer?: number;
  /**
   * `utterance` (the reference): one vector per view against the clip's embedding `[clips, d]`. `frame` (beyond
   * the reference): every visible patch token against the clip's frame-level features at its time row,
   * `[clips, gridTime, d]` (see `resampleFrames`).
   */
  level?: 'utterance' | 'frame';
  /** Term name (how the training loop passes its input). Default `regularization`. */
  name?: string;
  seed?: number;
}

/**
 * Representation Regularization (reference §8): a projection of the student aligned with a frozen external
 * encoder's representation of the same clip. Plugs into `BootstrapObjective` as an extra term.
 */
export class RepresentationRegularizer {
  readonly name: string;
  readonly config: Required<Omit<RegularizerConfig, 'name' | 'seed' | 'hiddenDim'>> & { hiddenDim: number };
  /** The projector; `clap_proj` in reference checkpoints for the single-Linear projections. */
  readonly projector: Linear;
  private readonly second: Linear | null;

  constructor(config: RegularizerConfig) {
    this.name = config.name ?? 'regularization';
    this.config = {
      targetDim: config.targetDim,
      studentDim: config.studentDim,
      projection: config.projection ?? 'student-to-target',
      hiddenDim: config.hiddenDim ?? 2 * config.studentDim,
      loss: config.loss ?? 'mse',
      weight: config.weight ?? 1,
      layer: config.layer ?? 0,
      level: config.level ?? 'utterance',
    };
    const { projection, studentDim, targetDim, hiddenDim } = this.config;
    const seed = config.seed;
    if (projection === 'target-to-student') {
      this.projector = new Linear({ units: studentDim, seed });
      this.projector.apply(tf.zeros([1, targetDim]));
      this.second = null;
    } else if (projection === 'mlp') {
      this.projector = new Linear({ units: hiddenDim, seed });
      this.projector.apply(tf.zeros([1, studentDim]));
      this.second = new Linear({ units: targetDim, seed: seed === undefined ? undefined : seed + 1 });
      this.second.apply(tf.zeros([1, hiddenDim]));
    } else {
      this.projector = new Linear({ units: targetDim, seed });
      this.projector.apply(tf.zeros([1, studentDim]));
      this.second = null;
    }
  }

  /** λ at a step. */
  weightAt(step: number): number {
    const { weight } = this.config;
    return typeof weight === 'function' ? weight(step) : weight;
  }

  /**
   * The projector's weights under checkpoint names: `clap_proj.weight`/`.bias` as the reference for a single
   * Linear; `clap_proj.0.*` and `clap_proj.2.*` (a Sequential's indices) for the MLP.
   */
  namedWeights(): NamedWeight[] {
    const named = (layer: Linear, prefix: string) =>
      layer.namedWeights().map((w) => ({ ...w, name: `${prefix}${w.name}` }));
    if (!this.second) return named(this.projector, 'clap_proj.');
    return [...named(this.projector, 'clap_proj.0.'), ...named(this.second, 'clap_proj.2.')];
  }

  trainableVariables(): tf.Variable[] {
    return [this.projector, ...(this.second ? [this.second] : [])].flatMap((layer) =>
      layer.trainableWeights.map((w) => w.read() as tf.Variable),
    );
  }

  /** The student vectors aligned for each view: `[V, D]` (utterance) or `[V, K, D]` (frame: visible tokens). */
  private studentSide(student: EncoderOutput): tf.Tensor {
    const { layer, level } = this.config;
    if (level === 'frame') return student.tokens;
    if (layer === 0) return student.cls;
    const block = student.layerOutputs[layer - 1];
    if (!block) throw new Error(`${this.name}: layer ${layer} is outside 1..${student.layerOutputs.length}`);
    const [views, , dim] = block.shape;
    return tf.reshape(tf.slice(block, [0, 0, 0], [views, 1, dim]), [views, dim]);
  }

  /** Both sides in the compared space: `[rows, width]` each. */
  private align(studentRows: tf.Tensor2D, targetRows: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
    const { projection } = this.config;
    if (projection === 'target-to-student') {
      return [studentRows, this.projector.apply(targetRows) as tf.Tensor2D];
    }
    let projected = this.projector.apply(studentRows) as tf.Tensor2D;
    if (this.second) projected = this.second.apply(gelu(projected)) as tf.Tensor2D;
    return [projected, targetRows];
  }

  /** The per-view loss `[V]` with λ applied (the `ObjectiveTerm` contract of @cat/ssl). */
  perViewLoss(context: {
    student: EncoderOutput;
    clips: number;
    clones: number;
    step: number;
    gridFreq?: number;
    input?: tf.Tensor;
  }): tf.Tensor1D {
    const { student, clips, clones, step, input } = context;
    const { targetDim, level, loss } = this.config;
    if (!input) {
      throw new Error(
        `${this.name}: no external features for this batch (pass them as terms['${this.name}'])`,
      );
    }
    const expected =
      level === 'utterance' ? `[${clips}, ${targetDim}]` : `[${clips}, gridTime, ${targetDim}]`;
    if (
      input.shape[0] !== clips ||
      input.shape[input.rank - 1] !== targetDim ||
      input.rank !== (level === 'utterance' ? 2 : 3)
    ) {
      throw new Error(`${this.name}: external features of shape [${input.shape}], expected ${expected}`);
    }
    return tf.tidy(() => {
      const views = clips * clones;
      // Each clip's features, repeated for its clones (view = clip * clones + clone).
      const perView = tf.reshape(
        tf.tile(tf.expandDims(input, 1), [1, clones, ...input.shape.slice(1).map(() => 1)]),
        [views, ...input.shape.slice(1)],
      );
      let result: tf.Tensor1D;
      if (level === 'utterance') {
        const [a, b] = this.align(this.studentSide(student) as tf.Tensor2D, perView as tf.Tensor2D);
        result = alignmentLoss(a, b, loss);
      } else {
        result = this.frameLoss(student, perView as tf.Tensor3D, context.gridFreq);
      }
      return tf.mul(result, this.weightAt(step)) as tf.Tensor1D;
    });
  }

  /** Visible tokens against the external frame features of their time rows, averaged per view. */
  private frameLoss(student: EncoderOutput, frames: tf.Tensor3D, gridFreq = 8): tf.Tensor1D {
    const tokens = student.tokens;
    const [views, kept, dim] = tokens.shape;
    const gridTime = frames.shape[1];
    const indices =
      student.visibleIndices ?? tf.tile(tf.expandDims(tf.range(0, kept, 1, 'int32'), 0), [views, 1]);
    const rows = tf.floorDiv(indices, gridFreq) as tf.Tensor2D;
    // Gather each token's row as a one-hot matmul: its gradient needs no scatter kernel.
    const selector = tf.cast(tf.oneHot(rows, gridTime), 'float32') as tf.Tensor3D;
    const targets = tf.matMul(selector, frames);
    const flat = (x: tf.Tensor, width: number) => tf.reshape(x, [views * kept, width]) as tf.Tensor2D;
    const [a, b] = this.align(flat(tokens, dim), flat(targets, frames.shape[2]));
    return tf.mean(tf.reshape(alignmentLoss(a, b, this.config.loss), [views, kept]), 1) as tf.Tensor1D;
  }
}

/**
 * Linear interpolation of frame-level features `[frames, d]` to `rows` time steps (e.g. the token grid's
 * T/16), aligning the first and last frames' centres with the first and last rows'.
 */
export function resampleFrames(
  features: Float32Array,
  frames: number,
  dim: number,
  rows: number,
): Float32Array {
  if (features.length !== frames * dim)
    throw new Error(`resampleFrames: ${features.length} values is not ${frames} x ${dim}`);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const position = rows === 1 ? 0 : (r * (frames - 1)) / (rows - 1);
    const lower = Math.floor(position);
    const upper = Math.min(lower + 1, frames - 1);
    const w = position - lower;
    for (let c = 0; c < dim; c++) {
      out[r * dim + c] = (1 - w) * features[lower * dim + c] + w * features[upper * dim + c];
    }
  }
  return out;
}
