import {
  ClassificationHead,
  createEncoder,
  type EncoderConfig,
  type ModelName,
  type ModelParts,
  modelPreset,
  type SpectrogramEncoder,
} from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { NamedParameter } from '../parameters.js';
import { trainableParameters } from '../run/parameters.js';

export interface AudioClassifierOptions {
  /** A named model or a custom encoder configuration. */
  model: ModelName | EncoderConfig;
  numClasses: number;
  /** Seed of the random initialisation (encoder and head). */
  seed?: number;
  /** Stochastic depth of the last block (rising linearly from 0 over the blocks); 0 when absent. */
  dropPath?: number;
}

/** The encoder configuration of a named model or a custom one, without the per-run seed and drop-path rate. */
export function encoderConfigOf(model: ModelName | EncoderConfig): EncoderConfig {
  const {
    seed: _seed,
    dropPathRate: _rate,
    ...config
  } = typeof model === 'string' ? modelPreset(model).encoder : model;
  return config;
}

/**
 * The fine-tuning model of the reference (§10): encoder → final CLS → `fc_norm` LayerNorm → Linear head.
 * Checkpoint names are the reference's fine-tuned layout (`model.` encoder, `fc_norm.`, `head.`).
 */
export class AudioClassifier {
  readonly encoder: SpectrogramEncoder;
  readonly head: ClassificationHead;
  /** The encoder's configuration (seed and drop-path rate left out), as saved with checkpoints. */
  readonly encoderConfig: EncoderConfig;
  readonly numClasses: number;

  constructor(options: AudioClassifierOptions) {
    if (!(Number.isInteger(options.numClasses) && options.numClasses > 0)) {
      throw new Error(`classifier: numClasses must be a whole number > 0, got ${options.numClasses}`);
    }
    this.encoderConfig = encoderConfigOf(options.model);
    this.numClasses = options.numClasses;
    this.encoder = createEncoder(
      { ...this.encoderConfig, dropPathRate: options.dropPath ?? 0 },
      options.seed,
    );
    this.head = new ClassificationHead({
      numClasses: options.numClasses,
      seed: options.seed === undefined ? undefined : options.seed + 7919,
    });
    this.head.apply(tfl.input({ batchShape: [null, this.encoderConfig.embedDim] }));
  }

  /** Logits [B, C] of spectrograms [B, T, F]; `training` turns stochastic depth on. */
  logits(spectrogram: tf.Tensor, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const { cls } = this.encoder.encode(spectrogram, { training });
      return this.head.apply(cls) as tf.Tensor2D;
    });
  }

  /** Encoder and head, for `loadCheckpoint` and `checkpointTensors`. */
  get parts(): ModelParts {
    return { encoder: this.encoder, head: this.head };
  }

  /** Trainable variables under their fine-tuned checkpoint names (`model.blocks.3.…`, `head.weight`). */
  namedParameters(): NamedParameter[] {
    return trainableParameters([
      { weights: this.encoder.namedWeights(), prefix: 'model.' },
      { weights: this.head.namedWeights() },
    ]);
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
}
