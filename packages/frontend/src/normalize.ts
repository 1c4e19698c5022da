import type { Fbank } from './types.js';

/** Mean and standard deviation of log-mel values over a data set. */
export interface NormalizationStats {
  mean: number;
  std: number;
}

/** The reference's data-set statistics (reference §2): AudioSet, ESC-50, Speech Commands V2. */
export const NORMALIZATION_PRESETS = {
  audioset: { mean: -4.268, std: 4.569 },
  esc50: { mean: -6.627, std: 5.359 },
  spc2: { mean: -6.846, std: 5.565 },
} as const satisfies Record<string, NormalizationStats>;

/**
 * Pads with zeros at the end (in the log-mel domain, before normalisation, as the reference does) or
 * keeps the first `targetLength` frames. Always returns a new Fbank.
 */
export function padOrCrop(fbank: Fbank, targetLength: number): Fbank {
  if (!Number.isInteger(targetLength) || targetLength <= 0) {
    throw new RangeError(`padOrCrop: targetLength must be a positive integer, got ${targetLength}`);
  }
  const data = new Float32Array(targetLength * fbank.bins);
  data.set(fbank.data.subarray(0, Math.min(fbank.frames, targetLength) * fbank.bins));
  return { data, frames: targetLength, bins: fbank.bins };
}

/**
 * `(x − mean) / (2·std)`, computed in float32 like the reference's torch code (bit-identical to it).
 * Returns a new Fbank.
 */
export function normalizeFbank(fbank: Fbank, stats: NormalizationStats): Fbank {
  if (!(stats.std > 0)) throw new RangeError(`normalizeFbank: std must be positive, got ${stats.std}`);
  const mean = Math.fround(stats.mean);
  const scale = Math.fround(2 * stats.std);
  const data = new Float32Array(fbank.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(fbank.data[i] - mean) / scale;
  return { data, frames: fbank.frames, bins: fbank.bins };
}

/**
 * Streaming mean and (population) standard deviation of all log-mel values of many clips, to derive
 * `NormalizationStats` for a new data set. Each clip is summarised in float64 with a two-pass pass over
 * its own values and clips are combined with Chan et al.'s parallel update, so the result matches a
 * direct computation over the concatenated data without catastrophic cancellation. Add unpadded fbanks
 * (padding frames would bias the statistics towards zero).
 */
export class FbankStatistics {
  private count = 0;
  private mean = 0;
  /** Sum of squared deviations from the running mean. */
  private squaredDeviations = 0;
  private frameCount = 0;

  /** Adds every value of one clip's fbank. */
  add(fbank: Fbank): this {
    const n = fbank.data.length;
    if (n === 0) return this;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += fbank.data[i];
    const mean = sum / n;
    let squaredDeviations = 0;
    for (let i = 0; i < n; i++) {
      const d = fbank.data[i] - mean;
      squaredDeviations += d * d;
    }
    this.combine(n, mean, squaredDeviations, fbank.frames);
    return this;
  }

  /** Folds in statistics gathered elsewhere (another worker, another shard). */
  merge(other: FbankStatistics): this {
    if (other.count > 0) this.combine(other.count, other.mean, other.squaredDeviations, other.frameCount);
    return this;
  }

  /** Mean, population standard deviation and number of frames seen. Throws when nothing was added. */
  result(): { mean: number; std: number; frames: number } {
    if (this.count === 0) throw new Error('FbankStatistics.result: no fbank values were added');
    return { mean: this.mean, std: Math.sqrt(this.squaredDeviations / this.count), frames: this.frameCount };
  }

  private combine(count: number, mean: number, squaredDeviations: number, frames: number): void {
    const total = this.count + count;
    const delta = mean - this.mean;
    this.mean += (delta * count) / total;
    this.squaredDeviations += squaredDeviations + (delta * delta * this.count * count) / total;
    this.count = total;
    this.frameCount += frames;
  }
}
