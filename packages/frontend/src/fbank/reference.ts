import type { NormalizationStats } from '../normalize.js';
import { normalizeFbank, padOrCrop } from '../normalize.js';
import { resample } from '../resample.js';
import type { Fbank } from '../types.js';
import { finiteSum, kaldiFbankOfOffsetWave } from './kaldi.js';
import type { KaldiFbankOptions } from './options.js';

/** The fbank call of CAT/EAT/AST: `kaldi.fbank(x, htk_compat=True, sample_frequency=16000, use_energy=False,
 * window_type='hanning', num_mel_bins=128, dither=0.0, frame_shift=10)`, other options at their defaults. */
export const CAT_FBANK_OPTIONS: Readonly<Partial<KaldiFbankOptions>> = Object.freeze({
  htkCompat: true,
  sampleFrequency: 16000,
  useEnergy: false,
  windowType: 'hanning',
  numMelBins: 128,
  dither: 0,
  frameShift: 10,
});

/** The sample rate the reference model's front end works at. */
export const CAT_SAMPLE_RATE = 16000;

export interface ReferenceFbankOptions {
  /** Zero-pad at the end (in the log-mel domain, before normalising) or crop to this many frames. */
  targetLength?: number;
  /** Normalise as `(x − mean) / (2·std)` after padding, e.g. `NORMALIZATION_PRESETS.audioset`. */
  normalize?: NormalizationStats;
}

/**
 * The reference front end on a mono clip: resample to 16 kHz (torchaudio's sinc resampler) → subtract the
 * clip's mean → `kaldiFbank(CAT_FBANK_OPTIONS)` → optionally pad/crop to `targetLength` and normalise.
 * A 10 s clip gives 998 frames. The clip must hold at least one 25 ms frame after resampling.
 */
export function referenceFbank(
  samples: Float32Array,
  sampleRate: number,
  options: ReferenceFbankOptions = {},
): Fbank {
  const wave = resample(samples, sampleRate, CAT_SAMPLE_RATE);
  // `x - x.mean()` on a float32 tensor: a float32 mean, subtracted in float32 (done frame by frame).
  const mean = Math.fround(finiteSum(wave, 'referenceFbank') / wave.length);
  let fbank = kaldiFbankOfOffsetWave(wave, CAT_FBANK_OPTIONS, mean);
  if (options.targetLength !== undefined) fbank = padOrCrop(fbank, options.targetLength);
  if (options.normalize) fbank = normalizeFbank(fbank, options.normalize);
  return fbank;
}
