import * as tf from '@tensorflow/tfjs-core';
import { loadCheckpoint } from '../weights/mapping.js';
import type { TensorMap } from '../weights/safetensors.js';
import type { EncoderConfig, SpectrogramEncoder } from './encoder.js';
import { createEncoder, type ModelName } from './presets.js';

/** EAT feature-extraction granularity: `utterance` = CLS, `frame` = patch tokens, `all` = both (CLS first). */
export type Granularity = 'utterance' | 'frame' | 'all';

export interface FeatureExtractorOptions {
  /** A preset name or a custom encoder configuration. */
  model: ModelName | EncoderConfig;
  /** A reference checkpoint (pre-training: the student is used; or fine-tuned). Without it, random init from `seed`. */
  weights?: TensorMap;
  /** From a pre-training checkpoint, embed with the student (default) or the EMA teacher (`_ema.` keys). */
  use?: 'student' | 'teacher';
  /** Named in weight-loading errors. */
  weightsSource?: string;
  seed?: number;
}

export interface Embedding {
  /** Row-major [rows, D]. */
  data: Float32Array;
  shape: [number, number];
}

/** An encoder ready to embed normalised fbanks one clip at a time. */
export class FeatureExtractor {
  readonly encoder: SpectrogramEncoder;

  constructor(options: FeatureExtractorOptions) {
    this.encoder = createEncoder(options.model, options.seed);
    if (options.weights) {
      const weights =
        options.use === 'teacher' ? teacherWeights(options.weights, options.weightsSource) : options.weights;
      loadCheckpoint({ encoder: this.encoder }, weights, options.weightsSource);
    }
  }

  /**
   * Embeds a normalised fbank [T, 128] (T a multiple of 16: pad or crop first, as the reference's
   * target_length does). Returns [1 + N, D] for `all`, [N, D] for `frame`, [1, D] for `utterance`.
   */
  embed(fbank: tf.Tensor2D | Float32Array, granularity: Granularity = 'all'): Embedding {
    return tf.tidy(() => {
      const freqBins = this.encoder.config.freqBins ?? 128;
      const input =
        fbank instanceof tf.Tensor ? fbank : tf.tensor2d(fbank, [fbank.length / freqBins, freqBins]);
      if (input.rank !== 2 || input.shape[1] !== freqBins) {
        throw new Error(`embed: expected a fbank [T, ${freqBins}], got [${input.shape.join(', ')}]`);
      }
      const out = this.encoder.encode(tf.expandDims(input, 0));
      const rows =
        granularity === 'utterance'
          ? out.cls
          : granularity === 'frame'
            ? tf.squeeze(out.tokens, [0])
            : tf.concat([out.cls, tf.squeeze(out.tokens, [0])], 0);
      const [n, d] = rows.shape as [number, number];
      return { data: rows.dataSync() as Float32Array, shape: [n, d] as [number, number] };
    });
  }

  dispose(): void {
    this.encoder.dispose();
  }
}

/** The EMA teacher of a pre-training checkpoint as encoder weights (`_ema.` prefix removed). */
export function teacherWeights(weights: TensorMap, source = 'checkpoint'): TensorMap {
  const teacher: TensorMap = new Map();
  for (const [name, tensor] of weights) if (name.startsWith('_ema.')) teacher.set(name.slice(5), tensor);
  if (teacher.size === 0) throw new Error(`${source}: no EMA teacher (_ema.*) weights in this checkpoint`);
  return teacher;
}

/** One-shot: builds the model, embeds one normalised fbank [T, 128] and frees the model. */
export function embed(
  fbank: tf.Tensor2D | Float32Array,
  options: FeatureExtractorOptions & { granularity?: Granularity },
): Embedding {
  const extractor = new FeatureExtractor(options);
  try {
    return extractor.embed(fbank, options.granularity);
  } finally {
    extractor.dispose();
  }
}
