import { NORMALIZATION_PRESETS, type NormalizationStats, referenceFbank } from '@cat/frontend';
import { clipAudio } from './audio.js';
import type { ClipInput } from './types.js';

export type NormalizationPreset = keyof typeof NORMALIZATION_PRESETS;

/** The front end a spectrogram model was trained with. */
export interface SpectrogramSettings {
  /** Frames every clip is zero-padded or cropped to. Default 1024 (10.24 s, the reference's pre-training length). */
  targetLength?: number;
  /** `(x − mean) / (2·std)` statistics, a preset name, or `null` for none. Default `audioset`. */
  normalize?: NormalizationStats | NormalizationPreset | null;
}

export function resolveSpectrogramSettings(settings: SpectrogramSettings = {}): {
  targetLength: number;
  normalize: NormalizationStats | undefined;
} {
  const targetLength = settings.targetLength ?? 1024;
  if (!Number.isInteger(targetLength) || targetLength <= 0) {
    throw new Error(`targetLength must be a positive integer, got ${targetLength}`);
  }
  const normalize = settings.normalize === undefined ? 'audioset' : settings.normalize;
  if (typeof normalize === 'string' && !(normalize in NORMALIZATION_PRESETS)) {
    throw new Error(
      `unknown normalisation preset '${normalize}'; known: ${Object.keys(NORMALIZATION_PRESETS).join(', ')}`,
    );
  }
  return {
    targetLength,
    normalize: typeof normalize === 'string' ? NORMALIZATION_PRESETS[normalize] : (normalize ?? undefined),
  };
}

/** The reference fbanks of a batch of clips, `[clips, targetLength, 128]` row-major. */
export async function fbankBatch(
  clips: ClipInput[],
  settings: ReturnType<typeof resolveSpectrogramSettings>,
): Promise<Float32Array> {
  const bins = 128;
  const data = new Float32Array(clips.length * settings.targetLength * bins);
  for (let i = 0; i < clips.length; i++) {
    const { samples, sampleRate } = await clipAudio(clips[i]);
    let fbank: ReturnType<typeof referenceFbank>;
    try {
      fbank = referenceFbank(samples, sampleRate, settings);
    } catch (error) {
      throw new Error(`clip ${clips[i].path ?? clips[i].id}: ${(error as Error).message}`);
    }
    data.set(fbank.data, i * settings.targetLength * bins);
  }
  return data;
}
