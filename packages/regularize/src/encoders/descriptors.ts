import { CAT_SAMPLE_RATE, pooledDescriptors, resample, SPECTRAL_DESCRIPTOR_NAMES } from '@cat/frontend';
import { clipAudio } from './audio.js';
import { type FeatureStandardization, standardize } from './standardization.js';
import type { ClipInput, ExternalEncoder } from './types.js';

export interface SpectralDescriptorEncoderOptions {
  /**
   * Dataset statistics to standardise with: the raw descriptors mix scales (Hz, unitless ratios, MFCCs), so
   * the widest ones would dominate an alignment loss. Without them the raw pooled vector is returned.
   */
  standardization?: FeatureStandardization;
}

/**
 * The default external encoder, needing no download: @cat/frontend's pooled spectral descriptors (mean and
 * standard deviation over frames of 23 meyda descriptors = 46 values) of the clip resampled to 16 kHz.
 */
export class SpectralDescriptorEncoder implements ExternalEncoder {
  readonly dimension = 2 * SPECTRAL_DESCRIPTOR_NAMES.length;
  readonly name: string;
  readonly standardization: FeatureStandardization | undefined;

  constructor(options: SpectralDescriptorEncoderOptions = {}) {
    const stats = options.standardization;
    if (stats && (stats.mean.length !== this.dimension || stats.std.length !== this.dimension)) {
      throw new Error(
        `SpectralDescriptorEncoder: standardization has ${stats.mean.length} dimensions, descriptors have ${this.dimension}`,
      );
    }
    this.standardization = stats;
    this.name = stats ? 'descriptors (standardized)' : 'descriptors';
  }

  async embed(clips: ClipInput[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const clip of clips) {
      const { samples, sampleRate } = await clipAudio(clip);
      let pooled: Float32Array;
      try {
        pooled = pooledDescriptors(resample(samples, sampleRate, CAT_SAMPLE_RATE), CAT_SAMPLE_RATE);
      } catch (error) {
        throw new Error(`clip ${clip.path ?? clip.id}: ${(error as Error).message}`);
      }
      out.push(this.standardization ? standardize(pooled, this.standardization) : pooled);
    }
    return out;
  }
}
