import { readFile } from 'node:fs/promises';
import {
  type EncoderConfig,
  FeatureExtractor,
  type ModelName,
  readSafetensors,
  type SpectrogramEncoder,
  type TensorMap,
} from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { fbankBatch, resolveSpectrogramSettings, type SpectrogramSettings } from './spectrogram.js';
import type { ClipInput, ExternalEncoder } from './types.js';

/** `cls`: the final CLS token (EAT's utterance feature); `mean`: the mean of the final patch tokens. */
export type TokenPooling = 'cls' | 'mean';
export const TOKEN_POOLINGS: readonly TokenPooling[] = ['cls', 'mean'];

export interface FrozenCatEncoderOptions extends SpectrogramSettings {
  /** A preset name (`cat-base`, `eat-base`...) or a full configuration. */
  model: ModelName | EncoderConfig;
  pool?: TokenPooling;
  /** From a pre-training checkpoint: the student (default) or the EMA teacher, often the better one to distil. */
  use?: 'student' | 'teacher';
}

/**
 * A frozen CAT or EAT encoder (a checkpoint of ours or converted reference weights, pre-training or fine-tuned
 * layout): distils a larger or longer-trained model into the student.
 */
export class FrozenCatEncoder implements ExternalEncoder {
  readonly name: string;
  readonly dimension: number;
  readonly encoder: SpectrogramEncoder;
  private readonly pooling: TokenPooling;
  private readonly settings: ReturnType<typeof resolveSpectrogramSettings>;

  /** Builds the encoder and assigns `weights` (every encoder tensor must be present; errors name `source`). */
  constructor(options: FrozenCatEncoderOptions, weights: TensorMap, source = 'weights') {
    this.settings = resolveSpectrogramSettings(options);
    this.pooling = options.pool ?? 'cls';
    if (!TOKEN_POOLINGS.includes(this.pooling)) {
      throw new Error(`unknown token pooling '${this.pooling}': ${TOKEN_POOLINGS.join(' or ')}`);
    }
    this.encoder = new FeatureExtractor({
      model: options.model,
      weights,
      weightsSource: source,
      use: options.use,
    }).encoder;
    if (this.settings.targetLength % this.encoder.patchSize !== 0) {
      this.encoder.dispose();
      throw new Error(
        `${source}: targetLength ${this.settings.targetLength} is not a multiple of the patch size ${this.encoder.patchSize}`,
      );
    }
    this.dimension = this.encoder.config.embedDim;
    const model = typeof options.model === 'string' ? options.model : 'custom';
    this.name = `cat:${source}?model=${model}&pool=${this.pooling}${options.use === 'teacher' ? '&use=teacher' : ''}`;
  }

  /** Reads a safetensors checkpoint and builds the encoder from it. */
  static async load(path: string, options: FrozenCatEncoderOptions): Promise<FrozenCatEncoder> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new Error(`${path}: cannot read the checkpoint: ${(error as Error).message}`);
    }
    const weights = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
    return new FrozenCatEncoder(options, weights, path);
  }

  async embed(clips: ClipInput[]): Promise<Float32Array[]> {
    if (clips.length === 0) return [];
    const { targetLength } = this.settings;
    const fbanks = await fbankBatch(clips, this.settings);
    const pooled = tf.tidy(() => {
      const out = this.encoder.encode(tf.tensor3d(fbanks, [clips.length, targetLength, 128]));
      return this.pooling === 'cls' ? out.cls : tf.mean(out.tokens, 1);
    });
    const data = pooled.dataSync() as Float32Array;
    pooled.dispose();
    const d = this.dimension;
    return clips.map((_, i) => data.slice(i * d, (i + 1) * d));
  }

  dispose(): void {
    this.encoder.dispose();
  }
}
