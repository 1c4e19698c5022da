import type { SeededRandom } from '@cat/frontend';

export interface SpecAugmentOptions {
  /** torchaudio `FrequencyMasking` mask_param: width uniform in [0, param) (128·mask_ratio in the reference). */
  freqMaskParam: number;
  /** torchaudio `TimeMasking` mask_param (target_length·mask_ratio). */
  timeMaskParam: number;
  maskValue?: number;
}

/**
 * One mask span [start, end) along an axis of `size`, from two uniforms as torchaudio's
 * `mask_along_axis_iid`: value = u1·param, min = u2·(size − value), span = [⌊min⌋, ⌊min⌋ + ⌊value⌋).
 */
export function maskSpan(param: number, size: number, u1: number, u2: number): [number, number] {
  const value = u1 * param;
  const start = Math.floor(u2 * (size - value));
  return [start, start + Math.floor(value)];
}

/**
 * SpecAugment on a batch of fbanks [B, T, F] (row-major), in place, with one independent frequency mask
 * and one time mask per example (`iid_masks=True`). Draw order follows the reference: all frequency
 * widths, all frequency starts, then the same for time.
 */
export function specAugment(
  batch: Float32Array,
  batchSize: number,
  numFrames: number,
  numBins: number,
  options: SpecAugmentOptions,
  random: SeededRandom,
): void {
  if (batch.length !== batchSize * numFrames * numBins) {
    throw new Error(`batch of ${batch.length} values is not [${batchSize}, ${numFrames}, ${numBins}]`);
  }
  const maskValue = options.maskValue ?? 0;
  const frequencySpans = drawSpans(options.freqMaskParam, numBins, batchSize, random);
  const timeSpans = drawSpans(options.timeMaskParam, numFrames, batchSize, random);
  for (let b = 0; b < batchSize; b++) {
    const offset = b * numFrames * numBins;
    const [f0, f1] = frequencySpans[b];
    for (let t = 0; t < numFrames; t++)
      batch.fill(maskValue, offset + t * numBins + f0, offset + t * numBins + f1);
    const [t0, t1] = timeSpans[b];
    batch.fill(maskValue, offset + t0 * numBins, offset + t1 * numBins);
  }
}

function drawSpans(param: number, size: number, batchSize: number, random: SeededRandom): [number, number][] {
  if (param < 1) return Array.from({ length: batchSize }, () => [0, 0]); // torchaudio skips masks under 1
  const widths = Array.from({ length: batchSize }, () => random.next());
  const starts = Array.from({ length: batchSize }, () => random.next());
  return widths.map((u1, b) => maskSpan(param, size, u1, starts[b]));
}
