import {
  CAT_SAMPLE_RATE,
  type Fbank,
  type MonoAudio,
  type NormalizationStats,
  normalizeFbank,
  padOrCrop,
  referenceFbank,
  resample,
  type SeededRandom,
} from '@cat/frontend';
import { addNoiseAndRoll, randomCrop, rollWithRandomGain } from './clip-augment.js';
import { minSampleSize } from './subsets.js';

/** Why a clip was left out of the batches. */
export type SkipKind =
  | 'missing'
  | 'unreadable'
  | 'empty'
  | 'undecodable'
  | 'truncated'
  | 'bad-sample-rate'
  | 'too-short'
  | 'not-finite'
  | 'silent'
  | 'manifest';

export interface ClipProblem {
  kind: SkipKind;
  reason: string;
}

/** What turns one decoded clip into model input: the reference front end plus optional augmentations. */
export interface ClipFeatureOptions {
  /** Frames per clip: zero-padded at the end or cropped (AS 1024, ESC-50 512, SPC-2 128). */
  targetLength: number;
  /** `(x − mean) / (2·std)` after padding; omit for raw log-mel values. */
  normalize?: NormalizationStats;
  /** Crop a random window of `targetLength` frames instead of the first ones (shorter clips are padded). */
  randomCrop?: boolean;
  /** The reference's fine-tuning roll augmentation on the waveform: random roll, Beta(10,10)+0.5 gain. */
  rollGain?: boolean;
  /** The SPC-2 noise augmentation on the normalised fbank: U[0,1)·r/10 noise, roll by [−10, 9] frames. */
  noise?: boolean;
  /** Clips with fewer samples (at the file's own rate) are skipped; the reference's 10 000 by default. */
  minSamples?: number;
}

// A sample rate outside this range is a broken header, not a recording.
const lowestRate = 1000;
const highestRate = 768000;
/** A peak-to-peak range under one 16-bit step is digital silence. */
const silenceRange = 2 ** -15;
/** One 25 ms window at 16 kHz: the least the fbank can work with. */
const fbankWindow = 400;

/** The reason a decoded clip cannot be used, or undefined when it can. */
export function clipProblem(audio: MonoAudio, minSamples = minSampleSize): ClipProblem | undefined {
  const { samples, sampleRate } = audio;
  if (!Number.isInteger(sampleRate) || sampleRate < lowestRate || sampleRate > highestRate) {
    return { kind: 'bad-sample-rate', reason: `sample rate ${sampleRate} Hz in the header is not plausible` };
  }
  if (samples.length < minSamples) {
    return { kind: 'too-short', reason: `${samples.length} samples, fewer than the minimum ${minSamples}` };
  }
  if (Math.ceil((samples.length * CAT_SAMPLE_RATE) / sampleRate) < fbankWindow) {
    return { kind: 'too-short', reason: `${samples.length} samples at ${sampleRate} Hz hold no 25 ms frame` };
  }
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (!Number.isFinite(x)) return { kind: 'not-finite', reason: `sample ${i} is ${x}` };
    if (x < low) low = x;
    if (x > high) high = x;
  }
  if (high - low < silenceRange) {
    return { kind: 'silent', reason: `digital silence (every sample within ${silenceRange} of ${low})` };
  }
  return undefined;
}

/**
 * The clip's log-mel fbank at its natural length, before padding and normalisation: the reference front
 * end (resample to 16 kHz, subtract the mean, Kaldi fbank), with the roll-and-gain augmentation on the
 * mean-free waveform when `rollGain` is set (the reference's order).
 */
export function naturalFbank(audio: MonoAudio, rollGain: boolean, random: SeededRandom): Fbank {
  if (!rollGain) return referenceFbank(audio.samples, audio.sampleRate);
  const wave = resample(audio.samples, audio.sampleRate, CAT_SAMPLE_RATE);
  let sum = 0;
  for (let i = 0; i < wave.length; i++) sum += wave[i];
  const mean = Math.fround(sum / wave.length);
  const centred = new Float32Array(wave.length);
  for (let i = 0; i < wave.length; i++) centred[i] = wave[i] - mean;
  // The signal is now mean-free, so referenceFbank's own mean removal changes it by rounding only.
  return referenceFbank(rollWithRandomGain(centred, random), CAT_SAMPLE_RATE);
}

/** Natural-length fbank → [targetLength, bins] model input: pad/crop, normalise, noise augmentation. */
export function finishFbank(fbank: Fbank, options: ClipFeatureOptions, random: SeededRandom): Float32Array {
  let fixed: Fbank = options.randomCrop
    ? {
        data: randomCrop(fbank.data, options.targetLength, random, fbank.bins),
        frames: options.targetLength,
        bins: fbank.bins,
      }
    : padOrCrop(fbank, options.targetLength);
  if (options.normalize) fixed = normalizeFbank(fixed, options.normalize);
  return options.noise ? addNoiseAndRoll(fixed.data, fixed.bins, random) : fixed.data;
}
