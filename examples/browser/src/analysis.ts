import {
  type Fbank,
  type NormalizationStats,
  normalizeFbank,
  padOrCrop,
  referenceFbank,
} from '@cat/frontend';

/** Frames per second of the reference fbank (10 ms hop). */
export const FRAMES_PER_SECOND = 100;

/**
 * The reference front end without padding or normalising: resample to 16 kHz, subtract the clip's
 * mean, Kaldi fbank (128 mel bins, 25 ms Hanning, 10 ms hop). This is what the page draws.
 */
export function clipFbank(samples: Float32Array, sampleRate: number): Fbank {
  return referenceFbank(samples, sampleRate);
}

/**
 * Start frames of the windows the model sees: every `hop` frames from 0, as long as a window still
 * brings frames no earlier one covered; the last may run past the clip and is zero-padded. A clip
 * shorter than one window gives the single padded window at 0, exactly the reference's `target_length`.
 */
export function windowStarts(frames: number, windowFrames: number, hopFrames: number): number[] {
  if (!(Number.isInteger(windowFrames) && windowFrames > 0 && windowFrames % 16 === 0)) {
    throw new RangeError(`window: expected a positive multiple of 16 frames, got ${windowFrames}`);
  }
  if (!(Number.isInteger(hopFrames) && hopFrames > 0 && hopFrames <= windowFrames)) {
    throw new RangeError(`hop: expected 1..${windowFrames} frames, got ${hopFrames}`);
  }
  const starts = [0];
  for (let start = hopFrames; start + windowFrames - hopFrames < frames; start += hopFrames)
    starts.push(start);
  return starts;
}

/** One model input: frames [start, start + windowFrames) zero-padded in the log-mel domain, then normalised. */
export function modelWindow(
  fbank: Fbank,
  start: number,
  windowFrames: number,
  normalize: NormalizationStats,
): Fbank {
  const frames = Math.max(0, Math.min(windowFrames, fbank.frames - start));
  const slice: Fbank = {
    data: fbank.data.subarray(start * fbank.bins, (start + frames) * fbank.bins),
    frames,
    bins: fbank.bins,
  };
  return normalizeFbank(padOrCrop(slice, windowFrames), normalize);
}

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Indices of the k largest scores, best first. */
export function topK(scores: Float32Array, k: number): number[] {
  return Array.from(scores.keys())
    .sort((a, b) => scores[b] - scores[a])
    .slice(0, k);
}
